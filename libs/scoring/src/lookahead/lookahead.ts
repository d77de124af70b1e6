import { isIsoDate, type Assessment, type OrderEvent, type Severity, type Verdict } from '@dualwatch/contracts';
import type { IsoDate, RefData, Suspension } from '@dualwatch/refdata';
import { assess } from '../assess';
import {
  describeStatus,
  resolveAsOf,
  statusAt,
  statusChangeDates,
  type DatedLike,
  type InForceState,
  type SuspensionReading,
} from '../dates';
import { evaluate, suspensionReading } from '../evaluate';
import { alignedLines } from '../format-table';
import type { Policy } from '../policy';
import { createLocalView, type ReferenceView } from '../reference-view';

/**
 * Look-ahead: for an open order, the known future dates (after "today") at which a dated measure
 * relevant to it changes status (a suspension ends, a listing or a family takes effect, an entry is
 * repealed), the order re-assessed at each, and the dates at which its verdict changes, with why.
 * Pure: "today" is an argument, never the clock.
 */

export type DatedKind = 'item_family' | 'list_entry' | 'announcement';
export type StatusChange = 'takes_effect' | 'suspension_ends' | 'suspended' | 'repealed';

/** One measure whose status changes on the date. */
export interface LookaheadCause {
  kind: DatedKind;
  id: string;
  name: string;
  change: StatusChange;
  from: InForceState;
  to: InForceState;
  /** In words: "suspended from 2025-11-07 until 2026-11-10 (MOFCOM-2025-70) → in force". */
  description: string;
  /** The announcement behind the date (the suspension's, or the measure's own). */
  announcement?: string;
  /** true where the date rests on an uncertain suspension end (and the assumption in words). */
  uncertain?: boolean;
  assumption?: string;
}

export interface LookaheadChange {
  date: IsoDate;
  from: { verdict: Verdict; severity: Severity; score: number };
  to: { verdict: Verdict; severity: Severity; score: number };
  why: LookaheadCause[];
  /** The assessment as of the date (what the order will be assessed as from then on). */
  assessment: Assessment;
}

export interface OrderLookahead {
  orderId: string;
  eventId: string;
  today: IsoDate;
  /** The last day looked at: the order's as-of date (its ship date, else its order date), at most today + the horizon. */
  until: IsoDate;
  untilSource: 'shipDate' | 'orderDate' | 'occurredAt' | 'horizon';
  /** The assessment as of today. */
  current: { verdict: Verdict; severity: Severity; score: number };
  changes: LookaheadChange[];
}

export interface LookaheadOptions {
  /** Days ahead to look at most (default 365). */
  horizonDays?: number;
}

interface DatedRef {
  kind: DatedKind;
  id: string;
  name: string;
  dated: DatedLike;
  announcement?: string;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The family and list entries an order could be touched by (any status), and the Japan ban. */
function relevantMeasures(event: OrderEvent, view: ReferenceView, policy: Policy, asOf: IsoDate): DatedRef[] {
  const e = evaluate(event, view, policy, asOf);
  const out = new Map<string, DatedRef>();
  const ban = e.japanBan.announcement;
  out.set(`a:${ban.id}`, { kind: 'announcement', id: ban.id, name: ban.citation, dated: ban, announcement: ban.id });
  for (const l of e.lines)
    for (const c of l.item.candidates)
      out.set(`f:${c.family.id}`, {
        kind: 'item_family',
        id: c.family.id,
        name: c.family.name,
        dated: c.family,
        announcement: c.family.announcement,
      });
  for (const p of e.parties)
    for (const c of p.candidates)
      out.set(`p:${c.entry.id}`, {
        kind: 'list_entry',
        id: c.entry.id,
        name: c.entry.names.en,
        dated: c.entry,
        announcement: c.entry.announcement,
      });
  return [...out.values()];
}

function classify(from: InForceState, to: InForceState): StatusChange {
  if (to === 'repealed') return 'repealed';
  if (to === 'suspended') return 'suspended';
  if (from === 'suspended') return 'suspension_ends';
  return 'takes_effect';
}

/** Of the measures, those whose status on `date` differs from the day before. */
function causesOn(measures: DatedRef[], date: IsoDate, honour: SuspensionReading): LookaheadCause[] {
  const before = addDays(date, -1);
  const out: LookaheadCause[] = [];
  for (const m of measures) {
    const a = statusAt(m.dated, before, honour);
    const b = statusAt(m.dated, date, honour);
    if (a.state === b.state) continue;
    const suspension: Suspension | undefined = a.state === 'suspended' ? a.suspension : b.suspension;
    const cause: LookaheadCause = {
      kind: m.kind,
      id: m.id,
      name: m.name,
      change: classify(a.state, b.state),
      from: a.state,
      to: b.state,
      description: `${describeStatus(a, m.dated)} → ${describeStatus(b, m.dated)}`,
    };
    const ann = suspension?.announcement ?? m.announcement;
    if (ann) cause.announcement = ann;
    const assumption = a.assumption ?? b.assumption;
    if (suspension?.uncertain || assumption) {
      cause.uncertain = true;
      if (assumption) cause.assumption = assumption;
    }
    out.push(cause);
  }
  return out;
}

const summary = (a: Assessment) => ({ verdict: a.verdict, severity: a.severity, score: a.score });

/**
 * The look-ahead of one order event: null when nothing lies ahead (a cancelled or shipped order, or a
 * ship date on or before today, whose as-of date is already fixed). The order is assessed as of today,
 * then as of every date after today and up to its ship date (else today + horizon) at which a measure
 * relevant to it changes status; a change of verdict from one such date to the next is reported.
 */
export function lookaheadOrder(
  event: OrderEvent,
  view: ReferenceView,
  policy: Policy,
  today: IsoDate,
  opts: LookaheadOptions = {},
): OrderLookahead | null {
  if (!isIsoDate(today)) throw new RangeError(`today must be a calendar date YYYY-MM-DD, got "${today}"`);
  if (event.eventType === 'order.cancelled' || event.eventType === 'order.shipped') return null;
  // a verdict refers to the order's as-of date (its ship date, else its order date): only an order whose
  // as-of date is still ahead can see its verdict change, and no later than that date
  const asOf = resolveAsOf(event, undefined, policy.asOf?.occurredAtUtcOffsetMinutes ?? 0);
  if (asOf.date <= today) return null;
  const horizon = addDays(today, opts.horizonDays ?? 365);
  const until = asOf.date < horizon ? asOf.date : horizon;
  const measures = relevantMeasures(event, view, policy, until);
  const honour = suspensionReading(policy);
  const dates = [...new Set(measures.flatMap((m) => statusChangeDates(m.dated, honour)))].filter((d) => d > today && d <= until).sort();

  let prev = assess(event, view, policy, today);
  const result: OrderLookahead = {
    orderId: event.order.orderId,
    eventId: event.eventId,
    today,
    until,
    untilSource: until === asOf.date ? (asOf.source === 'argument' ? 'shipDate' : asOf.source) : 'horizon',
    current: summary(prev),
    changes: [],
  };
  for (const date of dates) {
    const next = assess(event, view, policy, date);
    if (next.verdict !== prev.verdict)
      result.changes.push({ date, from: summary(prev), to: summary(next), why: causesOn(measures, date, honour), assessment: next });
    prev = next;
  }
  return result;
}

/** The look-ahead of many events (each order's latest), keeping only the orders whose verdict will change. */
export function lookahead(
  events: Iterable<OrderEvent>,
  ref: { refdata: RefData; policy: Policy; view?: ReferenceView },
  today: IsoDate,
  opts: LookaheadOptions = {},
): OrderLookahead[] {
  const view = ref.view ?? createLocalView(ref.refdata, ref.policy);
  const latest = new Map<string, OrderEvent>();
  for (const e of events) {
    latest.delete(e.order.orderId);
    latest.set(e.order.orderId, e);
  }
  const out: OrderLookahead[] = [];
  for (const e of latest.values()) {
    const r = lookaheadOrder(e, view, ref.policy, today, opts);
    if (r && r.changes.length) out.push(r);
  }
  return out.sort((a, b) => a.changes[0].date.localeCompare(b.changes[0].date) || a.orderId.localeCompare(b.orderId));
}

/** The look-ahead as text for people: one row per (order, date). */
export function formatLookaheadTable(rows: OrderLookahead[]): string {
  const head = ['date', 'order', 'now', 'then', 'why'];
  const body: string[][] = [];
  for (const r of rows)
    for (const c of r.changes)
      body.push([
        c.date,
        r.orderId,
        c.from.verdict,
        c.to.verdict,
        c.why.map((w) => `${w.name}: ${w.change.replace(/_/g, ' ')}${w.uncertain ? ' (uncertain date)' : ''}`).join('; '),
      ]);
  if (!body.length) return 'no open order changes verdict on a known future date\n';
  return `${alignedLines(head, body).join('\n')}\n${body.length} upcoming change(s) in ${rows.length} order(s)\n`;
}
