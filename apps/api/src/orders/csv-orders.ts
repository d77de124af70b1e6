import { createHash } from 'node:crypto';
import { orderEventValidator, type OrderEvent } from '@dualwatch/contracts';
import { CsvSyntaxError, parseCsv } from './csv';

/**
 * Bulk orders as CSV: one row per order line; rows with the same orderId form one order (its
 * order-level columns are read from its first row and must not contradict it on the others). Each
 * order becomes one order event; an order with any bad row is not sent, and every bad row is named.
 */
type Kind = 'text' | 'number' | 'bool' | 'list';
interface Column {
  name: string;
  /** JSON path in the order event; "line" columns are per row. */
  path: string[];
  level: 'event' | 'order' | 'line';
  kind?: Kind;
  description: string;
}

const party = (role: string, label: string): Column[] => [
  { name: `${role}Name`, path: ['order', role, 'name'], level: 'order', description: `${label}: name` },
  { name: `${role}Country`, path: ['order', role, 'country'], level: 'order', description: `${label}: country (ISO alpha-2)` },
  {
    name: `${role}CorporateNumber`,
    path: ['order', role, 'identifiers', 'jpCorporateNumber'],
    level: 'order',
    description: `${label}: Japanese corporate number (13 digits)`,
  },
];

export const CSV_COLUMNS: Column[] = [
  { name: 'orderId', path: ['order', 'orderId'], level: 'order', description: 'groups the rows of one order (required)' },
  {
    name: 'eventType',
    path: ['eventType'],
    level: 'event',
    description: 'order.created (default), order.updated, order.cancelled, order.shipped',
  },
  { name: 'direction', path: ['order', 'direction'], level: 'order', description: 'purchase or sale' },
  { name: 'orderDate', path: ['order', 'orderDate'], level: 'order', description: 'YYYY-MM-DD' },
  { name: 'shipDate', path: ['order', 'shipDate'], level: 'order', description: 'YYYY-MM-DD (the as-of date when given)' },
  ...party('seller', 'seller (required)'),
  ...party('buyer', 'buyer (required)'),
  ...party('consignee', 'consignee'),
  ...party('endUser', 'end user'),
  ...party('freightForwarder', 'freight forwarder'),
  {
    name: 'endUseCategory',
    path: ['order', 'endUse', 'category'],
    level: 'order',
    description: 'civil, military, dual, research, unknown',
  },
  { name: 'endUseStatement', path: ['order', 'endUse', 'statement'], level: 'order', description: 'the end-use statement' },
  { name: 'shipFrom', path: ['order', 'shipFrom'], level: 'order', description: 'country (required)' },
  { name: 'shipTo', path: ['order', 'shipTo'], level: 'order', description: 'country (required)' },
  { name: 'transit', path: ['order', 'transit'], level: 'order', kind: 'list', description: 'transit countries separated by ";"' },
  {
    name: 'consigneeInFreeTradeZone',
    path: ['order', 'consigneeInFreeTradeZone'],
    level: 'order',
    kind: 'bool',
    description: 'true or false',
  },
  {
    name: 'paymentTerms',
    path: ['order', 'paymentTerms'],
    level: 'order',
    description: 'open_account, letter_of_credit, cash_in_advance, cash, other',
  },
  { name: 'lineId', path: ['lineId'], level: 'line', description: 'line id, unique in the order (required)' },
  { name: 'sku', path: ['sku'], level: 'line', description: 'article number' },
  { name: 'description', path: ['description'], level: 'line', description: 'what the line is (required)' },
  { name: 'hsCode', path: ['hsCode'], level: 'line', description: '4 to 10 digits, dots allowed' },
  { name: 'controlCode', path: ['controlCode'], level: 'line', description: 'PRC dual-use list code, e.g. 1C902' },
  { name: 'originCountry', path: ['originCountry'], level: 'line', description: 'country of origin' },
  { name: 'chinaContentPct', path: ['chinaContentPct'], level: 'line', kind: 'number', description: 'PRC content, 0..100' },
  { name: 'quantity', path: ['quantity'], level: 'line', kind: 'number', description: 'greater than 0 (required)' },
  { name: 'unit', path: ['unit'], level: 'line', description: 'e.g. kg, pcs' },
  { name: 'unitPrice', path: ['unitPrice'], level: 'line', kind: 'number', description: 'price per unit' },
  { name: 'currency', path: ['currency'], level: 'line', description: 'ISO 4217, e.g. USD' },
];
const BY_NAME = new Map(CSV_COLUMNS.map((c) => [c.name, c]));
const REQUIRED = [
  'orderId',
  'sellerName',
  'sellerCountry',
  'buyerName',
  'buyerCountry',
  'shipFrom',
  'shipTo',
  'lineId',
  'description',
  'quantity',
];

export interface RowError {
  /** The row's line number in the file (line 1 is the header). */
  row: number;
  column?: string;
  message: string;
}

export interface CsvOrders {
  events: { event: OrderEvent; rows: number[] }[];
  rejected: { orderId: string; rows: number[]; errors: RowError[] }[];
}

export class CsvFileError extends Error {}

function typed(raw: string, kind: Kind | undefined): unknown {
  if (kind === 'number') return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  if (kind === 'bool') return /^(true|yes|1)$/i.test(raw) ? true : /^(false|no|0)$/i.test(raw) ? false : raw;
  if (kind === 'list')
    return raw
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean);
  return raw;
}

function put(target: Record<string, any>, path: string[], value: unknown): void {
  let t = target;
  for (const k of path.slice(0, -1)) t = t[k] ??= {};
  t[path[path.length - 1]] = value;
}

/** CSV text → order events, grouped by orderId, with per-row errors. Throws CsvFileError for a file that is not usable at all. */
export function ordersFromCsv(text: string, o: { now: Date; source?: string; maxOrders: number }): CsvOrders {
  let rows;
  try {
    rows = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new CsvFileError(err.message);
    throw err;
  }
  if (rows.length < 2) throw new CsvFileError('expected a header row and at least one order line');
  const header = rows[0].fields.map((h) => h.trim());
  const unknown = header.filter((h) => !BY_NAME.has(h));
  if (unknown.length) throw new CsvFileError(`unknown columns: ${unknown.join(', ')} (see GET /orders/csv/columns)`);
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) throw new CsvFileError(`column ${dup} appears twice`);
  const missing = REQUIRED.filter((r) => !header.includes(r));
  if (missing.length) throw new CsvFileError(`missing required columns: ${missing.join(', ')}`);

  const groups = new Map<string, { line: number; values: Map<string, string> }[]>();
  const out: CsvOrders = { events: [], rejected: [] };
  const loose: RowError[] = [];
  for (const row of rows.slice(1)) {
    if (row.fields.length !== header.length) {
      loose.push({ row: row.line, message: `has ${row.fields.length} fields, the header has ${header.length}` });
      continue;
    }
    const values = new Map(header.map((h, i) => [h, row.fields[i].trim()] as const).filter(([, v]) => v !== ''));
    const id = values.get('orderId');
    if (!id) {
      loose.push({ row: row.line, column: 'orderId', message: 'orderId is empty' });
      continue;
    }
    if (!groups.has(id)) groups.set(id, []);
    groups.get(id)!.push({ line: row.line, values });
  }
  if (groups.size > o.maxOrders) throw new CsvFileError(`${groups.size} orders in one upload: at most ${o.maxOrders}`);
  if (loose.length) out.rejected.push({ orderId: '', rows: loose.map((l) => l.row), errors: loose });

  for (const [orderId, group] of groups) {
    const errors: RowError[] = [];
    const doc: Record<string, any> = {
      schemaVersion: 1,
      eventType: 'order.created',
      occurredAt: o.now.toISOString(),
      ...(o.source ? { source: o.source } : {}),
      order: { lines: [] },
    };
    const first = group[0];
    for (const [name, raw] of first.values) {
      const c = BY_NAME.get(name)!;
      if (c.level !== 'line') put(doc, c.path, typed(raw, c.kind));
    }
    group.forEach((row, i) => {
      const line: Record<string, unknown> = {};
      for (const c of CSV_COLUMNS) {
        const raw = row.values.get(c.name);
        if (c.level === 'line') {
          if (raw !== undefined) put(line, c.path, typed(raw, c.kind));
        } else if (i > 0 && raw !== undefined && raw !== first.values.get(c.name)) {
          errors.push({
            row: row.line,
            column: c.name,
            message: `"${raw.slice(0, 60)}" contradicts "${(first.values.get(c.name) ?? '').slice(0, 60)}" on line ${first.line} of the same order`,
          });
        }
      }
      doc.order.lines.push(line);
    });
    const seen = new Map<string, number>();
    group.forEach((row, i) => {
      const id = row.values.get('lineId');
      if (id && seen.has(id)) errors.push({ row: row.line, column: 'lineId', message: `line ${id} appears twice in order ${orderId}` });
      if (id) seen.set(id, i);
    });
    // the event id follows from the content: uploading the same file twice sends the same events
    doc.eventId = `csv-${createHash('sha256')
      .update(JSON.stringify({ ...doc, occurredAt: undefined }))
      .digest('hex')
      .slice(0, 32)}`;
    const r = orderEventValidator.validate(doc);
    if (!r.ok)
      for (const issue of r.issues)
        errors.push(
          rowErrorOf(
            issue.path,
            issue.message,
            group.map((g) => g.line),
          ),
        );
    const rowNumbers = group.map((g) => g.line);
    if (errors.length) out.rejected.push({ orderId, rows: rowNumbers, errors: dedupe(errors) });
    else out.events.push({ event: doc as OrderEvent, rows: rowNumbers });
  }
  return out;
}

/** A validation issue's JSON path → the CSV line and column it came from. */
function rowErrorOf(path: string, message: string, rows: number[]): RowError {
  const parts = path.split('/').slice(1);
  const lineIdx = parts[1] === 'lines' && parts[2] !== undefined ? Number(parts[2]) : -1;
  if (lineIdx >= 0) {
    const rest = parts.slice(3);
    const col = CSV_COLUMNS.find((c) => c.level === 'line' && c.path.join('/') === rest.join('/'));
    return {
      row: rows[lineIdx] ?? rows[0],
      ...(col ? { column: col.name } : {}),
      message: `${col?.name ?? rest.join('.') ?? 'line'}: ${message}`,
    };
  }
  const col = CSV_COLUMNS.find(
    (c) => c.level !== 'line' && (c.path.join('/') === parts.join('/') || parts.join('/').startsWith(c.path.join('/') + '/')),
  );
  const parent = !col ? CSV_COLUMNS.find((c) => c.path.slice(0, -1).join('/') === parts.join('/')) : undefined;
  const name = col?.name ?? parent?.name;
  return { row: rows[0], ...(name ? { column: name } : {}), message: `${name ?? (parts.join('.') || 'order')}: ${message}` };
}

function dedupe(errors: RowError[]): RowError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.row}|${e.column}|${e.message}`;
    return !seen.has(k) && (seen.add(k), true);
  });
}
