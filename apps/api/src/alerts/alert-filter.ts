import { AlertKinds, Severities, Verdicts, type AlertKind, type Severity, type Verdict } from '@dualwatch/contracts';
import { AlertStatuses, type AlertStatus } from './lifecycle';

/** The filters GET /alerts, the live stream and the summaries share. Every criterion has to hold. */
export interface AlertFilter {
  verdicts?: Verdict[];
  severities?: Severity[];
  statuses?: AlertStatus[];
  kinds?: AlertKind[];
  /** Seller name, case-insensitive substring. */
  supplier?: string;
  /** Buyer or end-user name, case-insensitive substring. */
  buyer?: string;
  /** Ship-to countries (ISO alpha-2). */
  countries?: string[];
  /** Item family name, case-insensitive substring. */
  itemFamily?: string;
  /** Order id, alert id or any party name, case-insensitive substring. */
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
  { name: 'status', description: `comma-separated: ${AlertStatuses.join(', ')}` },
  { name: 'kind', description: `comma-separated: ${AlertKinds.join(', ')}` },
  { name: 'supplier', description: 'seller name contains (case-insensitive)' },
  { name: 'buyer', description: 'buyer or end-user name contains (case-insensitive)' },
  { name: 'country', description: 'comma-separated ship-to countries (ISO alpha-2)' },
  { name: 'itemFamily', description: 'an item family name contains (case-insensitive)' },
  { name: 'q', description: 'order id, alert id or a party name contains' },
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
  return s.toLowerCase();
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
export function parseFilter(q: Record<string, unknown>): AlertFilter {
  const countries =
    q.country === undefined || q.country === ''
      ? undefined
      : String(q.country)
          .split(',')
          .map((c) => c.trim().toUpperCase())
          .filter(Boolean);
  if (countries?.some((c) => !/^[A-Z]{2}$/.test(c))) throw new FilterError('country: expects ISO alpha-2 codes such as JP,KR');
  const f: AlertFilter = {
    verdicts: list(q.verdict, 'verdict', Verdicts),
    severities: list(q.severity, 'severity', Severities),
    statuses: list(q.status, 'status', AlertStatuses),
    kinds: list(q.kind, 'kind', AlertKinds),
    supplier: text(q.supplier, 'supplier'),
    buyer: text(q.buyer, 'buyer'),
    countries,
    itemFamily: text(q.itemFamily, 'itemFamily'),
    q: text(q.q, 'q'),
    from: date(q.from, 'from', false),
    to: date(q.to, 'to', true),
  };
  for (const k of Object.keys(f) as (keyof AlertFilter)[]) if (f[k] === undefined) delete f[k];
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
