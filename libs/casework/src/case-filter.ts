import { AlertKinds, Severities, Verdicts, type AlertKind, type Severity, type Verdict } from '@dualwatch/contracts';
import type { CaseView } from './case-view';
import { CaseStatuses, Dispositions, OPEN_STATUSES, type CaseStatus, type Disposition } from './triage';

/** The filters GET /alerts, the live stream, the exports and the summaries share. Every criterion has to hold. */
export interface CaseFilter {
  verdicts?: Verdict[];
  severities?: Severity[];
  statuses?: CaseStatus[];
  kinds?: AlertKind[];
  dispositions?: Disposition[];
  /** Assigned to this user ("me" is replaced by the caller's name before the query). */
  assignee?: string;
  /** Only cases whose due date has passed (and still open). */
  overdue?: boolean;
  /** Seller name, case-insensitive substring. */
  supplier?: string;
  /** Buyer or end-user name, case-insensitive substring. */
  buyer?: string;
  /** Ship-to countries (ISO alpha-2). */
  countries?: string[];
  /** Item family name, case-insensitive substring. */
  itemFamily?: string;
  /** Order id, alert id, any party name or the goods, case-insensitive substring. */
  q?: string;
  /** First raised at or after (epoch ms). */
  from?: number;
  /** First raised before (epoch ms). */
  to?: number;
}

export interface Page {
  limit: number;
  offset: number;
}

/** The query parameters, as the OpenAPI document lists them. */
export const FILTER_PARAMS: { name: string; description: string }[] = [
  { name: 'verdict', description: `comma-separated: ${Verdicts.join(', ')}` },
  { name: 'severity', description: `comma-separated: ${Severities.join(', ')}` },
  { name: 'status', description: `comma-separated: ${CaseStatuses.join(', ')}; "queue" = open, acknowledged, awaiting_approval` },
  { name: 'kind', description: `comma-separated: ${AlertKinds.join(', ')} (of the case's latest message)` },
  { name: 'disposition', description: `comma-separated: ${Dispositions.join(', ')}` },
  { name: 'assignee', description: 'assigned to this user; "me" for the caller' },
  { name: 'overdue', description: 'true: only cases past their due date that are still open' },
  { name: 'supplier', description: 'seller name contains (case-insensitive)' },
  { name: 'buyer', description: 'buyer or end-user name contains (case-insensitive)' },
  { name: 'country', description: 'comma-separated ship-to countries (ISO alpha-2)' },
  { name: 'itemFamily', description: 'an item family name contains (case-insensitive)' },
  { name: 'q', description: 'order id, alert id, a party name or the goods contain (case-insensitive)' },
  { name: 'from', description: 'first raised on or after: YYYY-MM-DD or a date-time' },
  { name: 'to', description: 'first raised on or before: YYYY-MM-DD (the whole day) or a date-time (exclusive)' },
];
export const PAGE_PARAMS = [
  { name: 'limit', description: 'page size, 1..500 (default 50)' },
  { name: 'offset', description: 'items to skip (default 0); items are newest first' },
];

export class FilterError extends Error {}

const DAY = 86_400_000;

function list<T extends string>(raw: unknown, name: string, allowed: readonly T[]): T[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const items = String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((i) => !(allowed as readonly string[]).includes(i));
  if (bad.length) throw new FilterError(`${name}: ${bad.join(', ')} not one of ${allowed.join(', ')}`);
  return items as T[];
}

function text(raw: unknown, name: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const s = String(raw).trim();
  if (s.length > 200) throw new FilterError(`${name}: at most 200 characters`);
  // as the projector stores text (U+0000 cannot be in PostgreSQL's text)
  return s.toLowerCase().replace(/\u0000/g, '\u2400');
}

function date(raw: unknown, name: string, endOfDay: boolean): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const s = String(raw);
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(s);
  const t = Date.parse(dayOnly ? `${s}T00:00:00Z` : s);
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(s) || Number.isNaN(t))
    throw new FilterError(`${name}: expects YYYY-MM-DD or a date-time`);
  return dayOnly && endOfDay ? t + DAY : t;
}

/** Query parameters → a filter; throws FilterError naming the bad parameter. */
export function parseFilter(q: Record<string, unknown>): CaseFilter {
  const countries =
    q.country === undefined || q.country === ''
      ? undefined
      : String(q.country)
          .split(',')
          .map((c) => c.trim().toUpperCase())
          .filter(Boolean);
  if (countries?.some((c) => !/^[A-Z]{2}$/.test(c))) throw new FilterError('country: expects ISO alpha-2 codes such as JP,KR');
  if (q.overdue !== undefined && q.overdue !== '' && q.overdue !== 'true' && q.overdue !== 'false')
    throw new FilterError('overdue: expects true or false');
  const statusRaw = q.status === 'queue' ? 'open,acknowledged,awaiting_approval' : q.status;
  const f: CaseFilter = {
    verdicts: list(q.verdict, 'verdict', Verdicts),
    severities: list(q.severity, 'severity', Severities),
    statuses: list(statusRaw, 'status', CaseStatuses),
    kinds: list(q.kind, 'kind', AlertKinds),
    dispositions: list(q.disposition, 'disposition', Dispositions),
    assignee: q.assignee === undefined || q.assignee === '' ? undefined : String(q.assignee).trim().slice(0, 64),
    overdue: q.overdue === 'true' ? true : undefined,
    supplier: text(q.supplier, 'supplier'),
    buyer: text(q.buyer, 'buyer'),
    countries,
    itemFamily: text(q.itemFamily, 'itemFamily'),
    q: text(q.q, 'q'),
    from: date(q.from, 'from', false),
    to: date(q.to, 'to', true),
  };
  for (const k of Object.keys(f) as (keyof CaseFilter)[]) if (f[k] === undefined) delete f[k];
  return f;
}

export function parsePage(q: Record<string, unknown>): Page {
  const int = (raw: unknown, name: string, dflt: number, min: number, max: number) => {
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new FilterError(`${name}: expects an integer ${min}..${max}`);
    return n;
  };
  return { limit: int(q.limit, 'limit', 50, 1, 500), offset: int(q.offset, 'offset', 0, 0, 10_000_000) };
}

/** Whether a case passes a filter in memory (the live stream checks each change with it; SQL does the rest). */
export function caseMatches(v: CaseView, f: CaseFilter, today = new Date().toISOString().slice(0, 10)): boolean {
  const lower = (s: string | undefined) => (s ?? '').toLowerCase();
  if (f.verdicts && !f.verdicts.includes(v.verdict as Verdict)) return false;
  if (f.severities && !f.severities.includes(v.severity as Severity)) return false;
  if (f.statuses && !f.statuses.includes(v.status)) return false;
  if (f.kinds && !f.kinds.includes(v.kind as AlertKind)) return false;
  if (f.dispositions && !(v.disposition && f.dispositions.includes(v.disposition as Disposition))) return false;
  if (f.assignee && v.assignee !== f.assignee) return false;
  if (f.overdue && !(v.dueOn && v.dueOn < today && OPEN_STATUSES.includes(v.status))) return false;
  if (f.countries && !(v.shipTo && f.countries.includes(v.shipTo.toUpperCase()))) return false;
  if (f.supplier && !lower(v.seller).includes(f.supplier)) return false;
  if (f.buyer && !(lower(v.buyer).includes(f.buyer) || lower(v.endUser).includes(f.buyer))) return false;
  if (f.itemFamily && !v.itemFamilies.some((x) => lower(x).includes(f.itemFamily!))) return false;
  if (f.q && ![v.orderId, v.alertId, v.seller, v.buyer, v.endUser, ...v.itemFamilies].some((x) => lower(x).includes(f.q!))) return false;
  const first = Date.parse(v.raisedAt);
  if (f.from !== undefined && first < f.from) return false;
  if (f.to !== undefined && first >= f.to) return false;
  return true;
}
