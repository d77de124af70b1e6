import type { Alert } from '@dualwatch/contracts';
import type { CaseRow, PendingApproval } from './schema';
import { OPEN_STATUSES, type CaseAction, type CaseStatus } from './triage';

/**
 * One order, one case: how the alert messages of an order (raised, updated, withdrawn, upcoming, under
 * any policy version) fold into one row. Pure; the projector writes what it returns.
 *
 * - The case's verdict is that of its latest raised/updated/withdrawn message, "as of" the date that
 *   assessment refers to (the ship date, or the order date). An order known only from a look-ahead
 *   message takes that message's verdict "from" its date.
 * - A look-ahead (upcoming) message is kept beside it, "from date D", until a later message on or
 *   after D supersedes it.
 * - The same message read twice changes nothing (the caller keys messages by order, time, kind, id).
 */
export interface CaseFields {
  order_id: string;
  alert_id: string;
  kind: string;
  verdict: string;
  severity: string;
  score: number;
  first_raised_at: string;
  updated_at: string;
  as_of: string | null;
  effective_on: string | null;
  upcoming_verdict: string | null;
  seller: string | null;
  buyer: string | null;
  end_user: string | null;
  ship_to: string | null;
  item_families: string[];
  exposed_amount: number | null;
  exposed_currency: string | null;
  headline: string | null;
  reason_count: number;
  degraded: boolean;
  latest: Alert;
  upcoming: Alert | null;
  search: string;
}

/** What the projector knows of a case before a message (null: a new order). */
export interface PriorCase {
  status: CaseStatus;
  first_raised_at: string;
  latest: Alert;
  upcoming: Alert | null;
}

export interface Folded {
  fields: CaseFields;
  /** A status change the message makes by itself (by SYSTEM_USER), if any. */
  change?: { action: Extract<CaseAction, 'withdraw' | 'reopen'>; to: CaseStatus };
}

/** Party, military-user and end-use reasons make a better headline than item or origin facts. */
function reasonWeight(code: string): number {
  if (/CONTROL_LIST|MILITARY/.test(code)) return 3;
  if (/WATCH_LIST|END_USE/.test(code)) return 2;
  return /PARTY|RED_FLAG/.test(code) ? 1 : 0;
}

export function headlineOf(a: Alert): string | null {
  let best: { w: number; message: string } | null = null;
  for (const r of a.assessment.reasons) {
    const w = reasonWeight(r.code);
    if (!best || w > best.w) best = { w, message: r.message };
  }
  return best?.message ?? null;
}

/** Lower-cased text that search matches: ids, parties, families, and the goods the reasons name. */
export function searchTextOf(a: Alert): string {
  const s = a.summary ?? {};
  const parts = [a.orderId, a.alertId, s.seller, s.buyer, s.endUser, s.shipTo, ...(s.itemFamilies ?? [])];
  for (const r of a.assessment.reasons) {
    if (!r.lineId || !r.evidence) continue;
    for (const k of ['description', 'hsCode', 'family', 'item', 'material'])
      if (typeof r.evidence[k] === 'string') parts.push(r.evidence[k] as string);
  }
  return [...new Set(parts.filter((p): p is string => !!p))].join(' \u2502 ').toLowerCase().slice(0, 4000);
}

const isCurrent = (a: Alert) => a.kind !== 'upcoming';

/**
 * PostgreSQL's text cannot hold U+0000: in the columns it becomes U+2400 (the visible symbol for NUL).
 * The alert itself is stored as it came (its JSON escapes it), so nothing is lost.
 */
export function pgText(s: string): string;
export function pgText(s: string | null | undefined): string | null;
export function pgText(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  return s.includes('\u0000') ? s.replace(/\u0000/g, '\u2400') : s;
}

/** The case after one alert message. */
export function foldAlert(prior: PriorCase | null, a: Alert): Folded {
  const hasCurrent = prior !== null && isCurrent(prior.latest);
  let latest = prior?.latest ?? a;
  let upcoming = prior?.upcoming ?? null;
  let change: Folded['change'];
  if (isCurrent(a)) {
    if (!hasCurrent || a.raisedAt >= prior!.latest.raisedAt) {
      latest = a;
      if (prior && a.kind === 'withdrawn' && OPEN_STATUSES.includes(prior.status)) change = { action: 'withdraw', to: 'withdrawn' };
      if (prior && a.kind !== 'withdrawn' && prior.status === 'withdrawn') change = { action: 'reopen', to: 'open' };
    }
    // a look-ahead is over once a message on or after its date has been seen
    if (upcoming?.effectiveOn && latest.raisedAt.slice(0, 10) >= upcoming.effectiveOn) upcoming = null;
  } else {
    const later = !upcoming || a.raisedAt >= upcoming.raisedAt;
    const stillAhead = !hasCurrent || !a.effectiveOn || latest.raisedAt.slice(0, 10) < a.effectiveOn;
    if (later && stillAhead) upcoming = a;
    if (!hasCurrent && (!prior || a.raisedAt >= prior.latest.raisedAt)) latest = a;
  }
  const asm = latest.assessment;
  const s = latest.summary ?? {};
  const first = prior && prior.first_raised_at <= a.raisedAt ? prior.first_raised_at : a.raisedAt;
  return {
    fields: {
      order_id: pgText(a.orderId),
      alert_id: pgText(latest.alertId),
      kind: latest.kind,
      verdict: asm.verdict,
      severity: asm.severity,
      score: asm.score,
      first_raised_at: first,
      updated_at: latest.raisedAt,
      as_of: asm.asOf ?? null,
      effective_on: upcoming?.effectiveOn ?? null,
      upcoming_verdict: upcoming && upcoming !== latest ? upcoming.assessment.verdict : null,
      seller: pgText(s.seller),
      buyer: pgText(s.buyer),
      end_user: pgText(s.endUser),
      ship_to: pgText(s.shipTo),
      item_families: (s.itemFamilies ?? []).map((x) => pgText(x)),
      exposed_amount: asm.exposedValue?.amount ?? null,
      exposed_currency: asm.exposedValue?.amount !== undefined ? pgText(asm.exposedValue.currency ?? 'n/a') : null,
      headline: pgText(headlineOf(latest)),
      reason_count: asm.reasons.length,
      degraded: !!asm.degraded,
      latest,
      upcoming: upcoming && upcoming !== latest ? upcoming : null,
      search: pgText(searchTextOf(latest) + (upcoming && upcoming !== latest ? ` \u2502 ${upcoming.alertId.toLowerCase()}` : '')),
    },
    change,
  };
}

/** A case as the api answers it (list rows, the live stream, the detail's header). */
export interface CaseView {
  orderId: string;
  /** The alert id of the case's latest message (every alert id of the order finds the case). */
  alertId: string;
  kind: string;
  verdict: string;
  severity: string;
  score: number;
  status: CaseStatus;
  /** Triage version: a change names the version it saw, and a stale one is refused (409). */
  version: number;
  raisedAt: string;
  updatedAt: string;
  /** The date the verdict refers to (the ship date, else the order date). */
  asOf?: string;
  /** A look-ahead: the verdict the order takes from this date. */
  effectiveOn?: string;
  upcomingVerdict?: string;
  seller?: string;
  buyer?: string;
  endUser?: string;
  shipTo?: string;
  itemFamilies: string[];
  exposedValue?: { amount?: number; currency?: string };
  headline?: string;
  reasonCount: number;
  degraded: boolean;
  assignee?: string;
  dueOn?: string;
  disposition?: string;
  pending?: PendingApproval;
}

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

/** The columns a view needs (everything but the stored messages and search text). */
export const VIEW_COLUMNS = [
  'order_id',
  'alert_id',
  'kind',
  'verdict',
  'severity',
  'score',
  'status',
  'version',
  'first_raised_at',
  'updated_at',
  'as_of',
  'effective_on',
  'upcoming_verdict',
  'seller',
  'buyer',
  'end_user',
  'ship_to',
  'item_families',
  'exposed_amount',
  'exposed_currency',
  'headline',
  'reason_count',
  'degraded',
  'assignee',
  'due_on',
  'disposition',
  'pending',
] as const;
export type ViewRow = Pick<CaseRow, (typeof VIEW_COLUMNS)[number]>;

export function viewOf(r: ViewRow): CaseView {
  return {
    orderId: r.order_id,
    alertId: r.alert_id,
    kind: r.kind,
    verdict: r.verdict,
    severity: r.severity,
    score: r.score,
    status: r.status as CaseStatus,
    version: r.version,
    raisedAt: iso(r.first_raised_at),
    updatedAt: iso(r.updated_at),
    ...(r.as_of ? { asOf: r.as_of } : {}),
    ...(r.effective_on ? { effectiveOn: r.effective_on } : {}),
    ...(r.upcoming_verdict ? { upcomingVerdict: r.upcoming_verdict } : {}),
    ...(r.seller !== null ? { seller: r.seller } : {}),
    ...(r.buyer !== null ? { buyer: r.buyer } : {}),
    ...(r.end_user !== null ? { endUser: r.end_user } : {}),
    ...(r.ship_to !== null ? { shipTo: r.ship_to } : {}),
    itemFamilies: r.item_families,
    ...(r.exposed_amount !== null
      ? {
          exposedValue: {
            amount: r.exposed_amount,
            ...(r.exposed_currency && r.exposed_currency !== 'n/a' ? { currency: r.exposed_currency } : {}),
          },
        }
      : {}),
    ...(r.headline !== null ? { headline: r.headline } : {}),
    reasonCount: r.reason_count,
    degraded: r.degraded,
    ...(r.assignee ? { assignee: r.assignee } : {}),
    ...(r.due_on ? { dueOn: r.due_on } : {}),
    ...(r.disposition ? { disposition: r.disposition } : {}),
    ...(r.pending ? { pending: r.pending } : {}),
  };
}
