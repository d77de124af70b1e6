import { isIsoDate, type OrderEvent } from '@dualwatch/contracts';
import type { Dated, IsoDate, Suspension } from '@dualwatch/refdata';
import type { Policy } from './policy';

/** Where the as-of date came from, in order of precedence. */
export type AsOfSource = 'argument' | 'shipDate' | 'orderDate' | 'occurredAt';

/**
 * The as-of date D of an order: an explicit argument, else `order.shipDate`, else `order.orderDate`,
 * else the calendar date of `occurredAt` at the policy's UTC offset (policy v2: China Standard Time,
 * UTC+8, where the measures take effect; v1: UTC). Never the machine's zone.
 */
export function resolveAsOf(event: OrderEvent, asOf?: string, utcOffsetMinutes = 0): { date: IsoDate; source: AsOfSource } {
  if (asOf !== undefined) {
    if (!isIsoDate(asOf)) throw new RangeError(`as-of date must be a calendar date YYYY-MM-DD, got "${asOf}"`);
    return { date: asOf, source: 'argument' };
  }
  if (event.order.shipDate) return { date: event.order.shipDate, source: 'shipDate' };
  if (event.order.orderDate) return { date: event.order.orderDate, source: 'orderDate' };
  return { date: new Date(Date.parse(event.occurredAt) + utcOffsetMinutes * 60_000).toISOString().slice(0, 10), source: 'occurredAt' };
}

/** How a policy reads suspensions: whether an uncertain end date is honoured, and whether "until D" includes D. */
export interface SuspensionReading {
  honourUncertain: boolean;
  /** true (policy v2): "until D" (至 D) includes D, the measure applies again from the day after; false (v1): from D. */
  untilInclusive?: boolean;
}

/** How the policy reads suspensions (v1: an uncertain end honoured, "until" exclusive; v2: inclusive). */
export function suspensionReading(policy: Pick<Policy, 'suspensions'>): SuspensionReading {
  return { honourUncertain: policy.suspensions.honourUncertain, untilInclusive: policy.suspensions.untilInclusive === true };
}

/** The day after an ISO date. */
export function nextDay(d: IsoDate): IsoDate {
  let next = NEXT_DAY.get(d);
  if (next === undefined) {
    const t = new Date(`${d}T00:00:00Z`);
    t.setUTCDate(t.getUTCDate() + 1);
    next = t.toISOString().slice(0, 10);
    if (NEXT_DAY.size > 10_000) NEXT_DAY.clear();
    NEXT_DAY.set(d, next);
  }
  return next;
}
/** nextDay answers: the dates asked are the few suspension ends of the reference data. */
const NEXT_DAY = new Map<IsoDate, IsoDate>();

/** The first day a suspension no longer applies. */
export function suspensionEnds(s: Pick<Suspension, 'until'>, reading: SuspensionReading): IsoDate {
  return reading.untilInclusive ? nextDay(s.until) : s.until;
}

export type InForceState = 'in_force' | 'not_yet' | 'repealed' | 'suspended';

export interface InForceStatus {
  state: InForceState;
  /** The suspension that applies (state suspended), or the uncertain one that was assumed away. */
  suspension?: Suspension;
  /** Set where the answer rests on an uncertain date: what was assumed, in words. */
  assumption?: string;
}

/** Anything with dates: item families, list entries, announcements (which may lack suspensions). */
export type DatedLike = Pick<Dated, 'effectiveFrom'> & Partial<Pick<Dated, 'repealedOn' | 'suspensions'>>;

/**
 * Whether a dated measure applies on date D. In force from `effectiveFrom` (inclusive) until
 * `repealedOn` (exclusive), except while suspended (`from` ≤ D, and D ≤ `until` where the policy reads
 * "until" as inclusive, else D < `until`). A suspension marked uncertain is honoured or not as the
 * policy says, and either way the assumption is returned. `reading` may be the honourUncertain flag alone (v1).
 */
export function statusAt(d: DatedLike, date: IsoDate, reading: boolean | SuspensionReading): InForceStatus {
  const r: SuspensionReading = typeof reading === 'boolean' ? { honourUncertain: reading } : reading;
  if (date < d.effectiveFrom) return { state: 'not_yet' };
  if (d.repealedOn && date >= d.repealedOn) return { state: 'repealed' };
  const suspensions = d.suspensions ?? [];
  let assumedAway: Suspension | undefined;
  for (const s of suspensions) {
    if (date < s.from || date >= suspensionEnds(s, r)) continue;
    if (!s.uncertain) return { state: 'suspended', suspension: s };
    if (r.honourUncertain) {
      const fallback = lastCertainEnd(suspensions, date, r);
      return {
        state: 'suspended',
        suspension: s,
        assumption:
          `assumed suspended until ${s.until}${r.untilInclusive ? ' inclusive' : ''} as the reference data models it, although that end date is uncertain` +
          (s.note ? ` (${s.note})` : '') +
          (fallback ? `; if the extension is not confirmed, the measure has applied again since ${fallback}` : ''),
      };
    }
    assumedAway ??= s;
  }
  if (assumedAway) {
    return {
      state: 'in_force',
      suspension: assumedAway,
      assumption:
        `assumed in force: the reference data reports a suspension until ${assumedAway.until}, but its end date is uncertain` +
        (assumedAway.note ? ` (${assumedAway.note})` : '') +
        ' and this policy does not honour uncertain suspensions',
    };
  }
  return { state: 'in_force' };
}

/** The first day after the latest certain suspension that ended on or before D (the fallback end date). */
function lastCertainEnd(suspensions: Suspension[], date: IsoDate, r: SuspensionReading): IsoDate | undefined {
  let best: IsoDate | undefined;
  for (const s of suspensions) {
    const end = suspensionEnds(s, r);
    if (!s.uncertain && end <= date && (!best || end > best)) best = end;
  }
  return best;
}

/** Every date at which a dated measure can change status: statusAt compares D with these dates and no other. */
export function statusChangeDates(d: DatedLike, reading: SuspensionReading): IsoDate[] {
  const out = [d.effectiveFrom];
  if (d.repealedOn) out.push(d.repealedOn);
  for (const s of d.suspensions ?? []) out.push(s.from, suspensionEnds(s, reading));
  return out;
}

/**
 * The dates at which any of these measures can change status, sorted and unique. From one of them
 * (inclusive) to the next (exclusive), statusAt gives each measure the same answer: what depends on the
 * statuses at D can be worked out once per interval (epochOf) instead of once per date.
 */
export function statusEpochs(ds: readonly DatedLike[], reading: SuspensionReading): IsoDate[] {
  const all: IsoDate[] = [];
  for (const d of ds) for (const x of statusChangeDates(d, reading)) all.push(x);
  all.sort();
  return all.filter((x, i) => i === 0 || x !== all[i - 1]);
}

/** Which interval of statusEpochs D is in: how many of the (sorted) dates are on or before D. */
export function epochOf(epochs: readonly IsoDate[], D: IsoDate): number {
  let lo = 0;
  let hi = epochs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (epochs[mid] <= D) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The words for a status, for messages: "suspended until 2026-11-10 (MOFCOM-2025-70)". */
export function describeStatus(st: InForceStatus, d: DatedLike): string {
  switch (st.state) {
    case 'in_force':
      return 'in force';
    case 'not_yet':
      return `not in force until ${d.effectiveFrom}`;
    case 'repealed':
      return `repealed on ${d.repealedOn}`;
    case 'suspended':
      return `suspended from ${st.suspension!.from} until ${st.suspension!.until} (${st.suspension!.announcement})`;
  }
}
