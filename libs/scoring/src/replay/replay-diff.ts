import { verdictRank, type Assessment, type OrderEvent, type Severity, type Verdict } from '@dualwatch/contracts';
import type { RefData } from '@dualwatch/refdata';
import { assess } from '../assess';
import { alignedLines } from '../format-table';
import type { Policy } from '../policy';
import { createLocalView, type ReferenceView } from '../reference-view';

/**
 * Replay: the same order events scored under two versions of the policy and/or reference data, and
 * what the change does to them. Pure: no clock, no I/O; the same inputs always give the same diff.
 */

/** One side of a replay: a reference-data snapshot and a policy (and, optionally, the view to screen through). */
export interface ReplaySide {
  refdata: RefData;
  policy: Policy;
  /** A ready view over `refdata` (e.g. the engine's cached one); default: createLocalView(refdata, policy). */
  view?: ReferenceView;
}

export type ReplayChange = 'newly_exposed' | 'no_longer_exposed' | 'verdict_changed';

/** What one side said about an order. */
export interface ReplayOutcome {
  verdict: Verdict;
  severity: Severity;
  score: number;
  exposedValue?: { amount: number; currency?: string };
  reasonCodes: string[];
  assessmentId: string;
}

export interface ReplayOrderDiff {
  orderId: string;
  /** The order's event that was scored (its latest in the input). */
  eventId: string;
  asOf: string;
  change: ReplayChange;
  base: ReplayOutcome;
  next: ReplayOutcome;
  /** Reason codes the next version adds / no longer gives. */
  reasonsAdded: string[];
  reasonsRemoved: string[];
}

/** Exposed value per currency ("" for a value without a currency). */
export type ValueByCurrency = Record<string, number>;

export interface ReplayDiffResult {
  base: { policyVersion: string; refdataVersion: string };
  next: { policyVersion: string; refdataVersion: string };
  /** The as-of date forced on every order, if one was given. */
  asOf?: string;
  /** The lowest verdict that counts as exposed. */
  exposedAt: Verdict;
  events: number;
  orders: number;
  unchanged: number;
  counts: { newlyExposed: number; noLongerExposed: number; verdictChanged: number };
  verdicts: { base: Record<Verdict, number>; next: Record<Verdict, number> };
  exposedValue: { base: ValueByCurrency; next: ValueByCurrency; newlyExposed: ValueByCurrency; noLongerExposed: ValueByCurrency };
  newlyExposed: ReplayOrderDiff[];
  noLongerExposed: ReplayOrderDiff[];
  verdictChanged: ReplayOrderDiff[];
}

export interface ReplayOptions {
  /** The lowest verdict that counts as exposed (default `review`: anything but clear). */
  exposedAt?: Verdict;
  /** Score every event rather than only each order's latest event in the input (default false). */
  everyEvent?: boolean;
}

const emptyVerdicts = (): Record<Verdict, number> => ({ clear: 0, review: 0, license_required: 0, prohibited: 0 });

function outcome(a: Assessment): ReplayOutcome {
  const o: ReplayOutcome = {
    verdict: a.verdict,
    severity: a.severity,
    score: a.score,
    reasonCodes: [...new Set(a.reasons.map((r) => r.code))].sort(),
    assessmentId: a.assessmentId,
  };
  if (a.exposedValue?.amount !== undefined)
    o.exposedValue =
      a.exposedValue.currency === undefined
        ? { amount: a.exposedValue.amount }
        : { amount: a.exposedValue.amount, currency: a.exposedValue.currency };
  return o;
}

function addValue(to: ValueByCurrency, o: ReplayOutcome): void {
  if (!o.exposedValue) return;
  const cur = o.exposedValue.currency ?? '';
  to[cur] = Math.round(((to[cur] ?? 0) + o.exposedValue.amount) * 100) / 100;
}

/** The events to score: each order's latest event in input order (or every event). */
export function latestEvents(events: Iterable<OrderEvent>, everyEvent = false): { scored: OrderEvent[]; total: number } {
  let total = 0;
  if (everyEvent) {
    const scored = [...events];
    return { scored, total: scored.length };
  }
  const byOrder = new Map<string, OrderEvent>();
  for (const e of events) {
    total++;
    byOrder.delete(e.order.orderId); // keep the map in the order of each order's latest event
    byOrder.set(e.order.orderId, e);
  }
  return { scored: [...byOrder.values()], total };
}

/**
 * Scores `events` under `base` and under `next` and reports the difference: orders newly exposed (below
 * `exposedAt` before, at or above it after), no longer exposed, and whose verdict changed while staying
 * on the same side. Orders are compared on their latest event in the input; `asOf` forces one as-of
 * date on every order (default: each order's own ship / order / event date, as the engine does).
 */
export function replayDiff(
  events: Iterable<OrderEvent>,
  base: ReplaySide,
  next: ReplaySide,
  asOf?: string,
  opts: ReplayOptions = {},
): ReplayDiffResult {
  const exposedAt = opts.exposedAt ?? 'review';
  const exposed = (v: Verdict) => verdictRank(v) >= verdictRank(exposedAt);
  const baseView = base.view ?? createLocalView(base.refdata, base.policy);
  const nextView = next.view ?? createLocalView(next.refdata, next.policy);
  const { scored, total } = latestEvents(events, opts.everyEvent);

  const result: ReplayDiffResult = {
    base: { policyVersion: base.policy.version, refdataVersion: base.refdata.version },
    next: { policyVersion: next.policy.version, refdataVersion: next.refdata.version },
    exposedAt,
    events: total,
    orders: new Set(scored.map((e) => e.order.orderId)).size,
    unchanged: 0,
    counts: { newlyExposed: 0, noLongerExposed: 0, verdictChanged: 0 },
    verdicts: { base: emptyVerdicts(), next: emptyVerdicts() },
    exposedValue: { base: {}, next: {}, newlyExposed: {}, noLongerExposed: {} },
    newlyExposed: [],
    noLongerExposed: [],
    verdictChanged: [],
  };
  if (asOf !== undefined) result.asOf = asOf;

  for (const event of scored) {
    const a = assess(event, baseView, base.policy, asOf);
    const b = assess(event, nextView, next.policy, asOf);
    const before = outcome(a);
    const after = outcome(b);
    result.verdicts.base[before.verdict]++;
    result.verdicts.next[after.verdict]++;
    if (exposed(before.verdict)) addValue(result.exposedValue.base, before);
    if (exposed(after.verdict)) addValue(result.exposedValue.next, after);

    let change: ReplayChange | null = null;
    if (!exposed(before.verdict) && exposed(after.verdict)) change = 'newly_exposed';
    else if (exposed(before.verdict) && !exposed(after.verdict)) change = 'no_longer_exposed';
    else if (before.verdict !== after.verdict) change = 'verdict_changed';
    if (!change) {
      result.unchanged++;
      continue;
    }
    const diff: ReplayOrderDiff = {
      orderId: event.order.orderId,
      eventId: event.eventId,
      asOf: b.asOf,
      change,
      base: before,
      next: after,
      reasonsAdded: after.reasonCodes.filter((c) => !before.reasonCodes.includes(c)),
      reasonsRemoved: before.reasonCodes.filter((c) => !after.reasonCodes.includes(c)),
    };
    if (change === 'newly_exposed') {
      result.newlyExposed.push(diff);
      addValue(result.exposedValue.newlyExposed, after);
    } else if (change === 'no_longer_exposed') {
      result.noLongerExposed.push(diff);
      addValue(result.exposedValue.noLongerExposed, before);
    } else result.verdictChanged.push(diff);
  }
  result.counts = {
    newlyExposed: result.newlyExposed.length,
    noLongerExposed: result.noLongerExposed.length,
    verdictChanged: result.verdictChanged.length,
  };
  return result;
}

const LABEL: Record<ReplayChange, string> = {
  newly_exposed: 'newly exposed',
  no_longer_exposed: 'no longer exposed',
  verdict_changed: 'verdict changed',
};

const money = (v: ValueByCurrency): string => {
  const parts = Object.entries(v).map(
    ([cur, amount]) => `${amount.toLocaleString('en-US', { maximumFractionDigits: 2 })}${cur ? ` ${cur}` : ''}`,
  );
  return parts.length ? parts.join(' + ') : '0';
};

/** The diff as text for people: a summary, then one row per changed order. */
export function formatReplayTable(d: ReplayDiffResult): string {
  const out: string[] = [];
  out.push(`base: policy ${d.base.policyVersion}, reference data ${d.base.refdataVersion}`);
  out.push(`next: policy ${d.next.policyVersion}, reference data ${d.next.refdataVersion}`);
  out.push(`${d.events} event(s), ${d.orders} order(s)${d.asOf ? `, as of ${d.asOf}` : ''}; exposed = ${d.exposedAt} or worse`);
  out.push('');
  out.push(`newly exposed      ${String(d.counts.newlyExposed).padStart(6)}   value ${money(d.exposedValue.newlyExposed)}`);
  out.push(`no longer exposed  ${String(d.counts.noLongerExposed).padStart(6)}   value ${money(d.exposedValue.noLongerExposed)}`);
  out.push(`verdict changed    ${String(d.counts.verdictChanged).padStart(6)}`);
  out.push(`unchanged          ${String(d.unchanged).padStart(6)}`);
  out.push(`exposed value      base ${money(d.exposedValue.base)} → next ${money(d.exposedValue.next)}`);
  const rows = [...d.newlyExposed, ...d.noLongerExposed, ...d.verdictChanged];
  if (rows.length) {
    out.push('');
    const head = ['change', 'order', 'as of', 'base', 'next', 'value', 'reasons added / removed'];
    const body = rows.map((r) => [
      LABEL[r.change],
      r.orderId,
      r.asOf,
      `${r.base.verdict} (${r.base.score})`,
      `${r.next.verdict} (${r.next.score})`,
      money(
        r.next.exposedValue
          ? { [r.next.exposedValue.currency ?? '']: r.next.exposedValue.amount }
          : r.base.exposedValue
            ? { [r.base.exposedValue.currency ?? '']: r.base.exposedValue.amount }
            : {},
      ),
      [...r.reasonsAdded.map((c) => `+${c}`), ...r.reasonsRemoved.map((c) => `-${c}`)].join(' '),
    ]);
    out.push(...alignedLines(head, body));
  }
  return `${out.join('\n')}\n`;
}
