import { sql, type Expression, type ExpressionBuilder, type SqlBool, type Transaction } from 'kysely';
import type { Alert } from '@dualwatch/contracts';
import type { CaseFilter, Page } from './case-filter';
import { pgText, VIEW_COLUMNS, viewOf, type CaseView } from './case-view';
import type { CaseworkDb } from './db';
import { lifecycleRecordOf, type CaseEvent, type LifecycleRecordV2 } from './lifecycle-record';
import type { CaseworkDatabase, CaseEventRow } from './schema';
import {
  allowedActions,
  decide,
  OPEN_STATUSES,
  TriageRefused,
  type AnalystAction,
  type CaseStatus,
  type Disposition,
  type TriageRequest,
} from './triage';

/** The NOTIFY channel of changed cases (payload: JSON array of order ids). Every api instance listens. */
export const CASES_CHANNEL = 'dw_cases';
/** The NOTIFY channel that wakes the outbox relay. */
export const OUTBOX_CHANNEL = 'dw_outbox';

export class CaseNotFound extends Error {}

/** A change that named a version other than the current one (409, with the current state). */
export class StaleVersion extends Error {
  constructor(
    readonly current: CaseDetail,
    readonly expected: number,
  ) {
    super(`the case changed since you loaded it (version ${expected}, now ${current.view.version}): reload and try again`);
  }
}

export interface CaseMessage {
  alertId: string;
  kind: string;
  raisedAt: string;
  verdict: string;
  severity: string;
  score: number;
  previousVerdict?: string;
  effectiveOn?: string;
  asOf?: string;
}

export interface CaseDetail {
  view: CaseView;
  /** The latest raised/updated/withdrawn alert in full (or the look-ahead one, for an order known only by it). */
  alert: Alert;
  /** The look-ahead alert beside it, if any: the verdict the order takes "from" its date. */
  upcoming?: Alert;
  messages: CaseMessage[];
  lifecycle: { status: CaseStatus; version: number; history: CaseEvent[]; allowedActions: AnalystAction[] };
}

export interface CaseSummary {
  total: number;
  byVerdict: Record<string, number>;
  bySeverity: Record<string, number>;
  byStatus: Record<string, number>;
  exposedValue: { currency: string; amount: number; alerts: number }[];
  bySupplier: { supplier: string; alerts: number; exposedValue: { currency: string; amount: number }[] }[];
  byItemFamily: { itemFamily: string; alerts: number; exposedValue: { currency: string; amount: number }[] }[];
  overTime: { date: string; bySeverity: Record<string, number> }[];
}

type Db = CaseworkDb | Transaction<CaseworkDatabase>;
type Eb = ExpressionBuilder<CaseworkDatabase, 'cases'>;

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A filter as a WHERE condition on `cases` (the indexes in migrations/ serve these). */
export function filterCondition(eb: Eb, f: CaseFilter, today: string): Expression<SqlBool> {
  const c: Expression<SqlBool>[] = [];
  if (f.verdicts) c.push(eb('verdict', 'in', f.verdicts));
  if (f.severities) c.push(eb('severity', 'in', f.severities));
  if (f.statuses) c.push(eb('status', 'in', f.statuses));
  if (f.kinds) c.push(eb('kind', 'in', f.kinds));
  if (f.dispositions) c.push(eb('disposition', 'in', f.dispositions));
  if (f.assignee) c.push(eb('assignee', '=', f.assignee));
  if (f.overdue) c.push(eb.and([eb('due_on', '<', today), eb('status', 'in', [...OPEN_STATUSES])]));
  if (f.countries) c.push(eb('ship_to', 'in', f.countries));
  // the search text holds the parties and item families: its trigram index narrows, the column checks
  if (f.supplier) c.push(sql<SqlBool>`search LIKE ${like(f.supplier)} AND lower(seller) LIKE ${like(f.supplier)}`);
  if (f.buyer)
    c.push(sql<SqlBool>`search LIKE ${like(f.buyer)} AND (lower(buyer) LIKE ${like(f.buyer)} OR lower(end_user) LIKE ${like(f.buyer)})`);
  if (f.itemFamily)
    c.push(
      sql<SqlBool>`search LIKE ${like(f.itemFamily)} AND EXISTS (SELECT 1 FROM unnest(item_families) f WHERE lower(f) LIKE ${like(f.itemFamily)})`,
    );
  if (f.q) c.push(sql<SqlBool>`search LIKE ${like(f.q)}`);
  if (f.from !== undefined) c.push(eb('first_raised_at', '>=', new Date(f.from)));
  if (f.to !== undefined) c.push(eb('first_raised_at', '<', new Date(f.to)));
  return eb.and(c);
}

const today = () => new Date().toISOString().slice(0, 10);

/**
 * The casework store in PostgreSQL: cases (one per order) for lists, summaries and exports, and triage
 * as database transactions with optimistic concurrency, each change recorded in the audit trail and put
 * in the outbox for alerts.lifecycle.v1 in the same transaction.
 */
export class CaseRepository {
  constructor(
    readonly db: CaseworkDb,
    /** The topic the outbox relays lifecycle changes to. */
    readonly lifecycleTopic: string,
  ) {}

  async count(): Promise<number> {
    const r = await sql<{ n: number }>`SELECT reltuples::bigint AS n FROM pg_class WHERE relname = 'cases'`.execute(this.db);
    const estimate = Number(r.rows[0]?.n ?? 0);
    if (estimate > 100_000) return estimate;
    const exact = await this.db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirst();
    return Number(exact?.n ?? 0);
  }

  /** Newest first (by first raised), filtered and paginated, with the number that match. */
  async list(f: CaseFilter, page: Page): Promise<{ items: CaseView[]; total: number; limit: number; offset: number }> {
    const d = today();
    const [rows, total] = await Promise.all([
      this.db
        .selectFrom('cases')
        .select(VIEW_COLUMNS)
        .where((eb) => filterCondition(eb, f, d))
        .orderBy('first_raised_at', 'desc')
        .orderBy('order_id', 'desc')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      this.total(f),
    ]);
    return { items: rows.map(viewOf), total, limit: page.limit, offset: page.offset };
  }

  /** Views of the given orders (the live stream, after a NOTIFY). */
  async views(orderIds: string[]): Promise<CaseView[]> {
    if (!orderIds.length) return [];
    const rows = await this.db.selectFrom('cases').select(VIEW_COLUMNS).where('order_id', 'in', orderIds).execute();
    return rows.map(viewOf);
  }

  /** Order id of a case from its order id or any of its alert ids. */
  async resolveId(rawId: string, db: Db = this.db): Promise<string | undefined> {
    const id = pgText(rawId);
    const byOrder = await db.selectFrom('cases').select('order_id').where('order_id', '=', id).executeTakeFirst();
    if (byOrder) return byOrder.order_id;
    const byAlert = await db.selectFrom('case_messages').select('order_id').where('alert_id', '=', id).limit(1).executeTakeFirst();
    return byAlert?.order_id;
  }

  async get(id: string, db: Db = this.db): Promise<CaseDetail | undefined> {
    const orderId = await this.resolveId(id, db);
    if (!orderId) return;
    const row = await db
      .selectFrom('cases')
      .select([...VIEW_COLUMNS, 'latest', 'upcoming'])
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    if (!row) return;
    const [messages, events] = await Promise.all([
      db.selectFrom('case_messages').selectAll().where('order_id', '=', orderId).orderBy('raised_at').orderBy('kind').execute(),
      db.selectFrom('case_events').selectAll().where('order_id', '=', orderId).orderBy('version').execute(),
    ]);
    const view = viewOf(row);
    return {
      view,
      alert: row.latest as Alert,
      ...(row.upcoming ? { upcoming: row.upcoming as Alert } : {}),
      messages: messages.map((m) => ({
        alertId: m.alert_id,
        kind: m.kind,
        raisedAt: new Date(m.raised_at).toISOString(),
        verdict: m.verdict,
        severity: m.severity,
        score: m.score,
        ...(m.previous_verdict ? { previousVerdict: m.previous_verdict } : {}),
        ...(m.effective_on ? { effectiveOn: m.effective_on } : {}),
        ...(m.as_of ? { asOf: m.as_of } : {}),
      })),
      lifecycle: { status: view.status, version: view.version, history: events.map(eventOf), allowedActions: allowedActions(view.status) },
    };
  }

  /**
   * One analyst's change, in one transaction: the case locked, its version checked (StaleVersion when
   * `expectedVersion` is given and differs), the rule applied (TriageRefused), the case updated, the
   * change appended to the audit trail and put in the outbox, and every api instance told.
   */
  async triage(id: string, r: TriageRequest, expectedVersion?: number): Promise<CaseDetail> {
    return this.db.transaction().execute(async (tx) => {
      const orderId = await this.resolveId(id, tx);
      if (!orderId) throw new CaseNotFound(`no alert or order ${id}`);
      const c = await tx
        .selectFrom('cases')
        .select(['order_id', 'alert_id', 'status', 'version', 'verdict', 'pending', 'assignee', 'due_on', 'disposition'])
        .where('order_id', '=', orderId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (expectedVersion !== undefined && expectedVersion !== c.version)
        throw new StaleVersion((await this.get(orderId, tx))!, expectedVersion);
      const at = new Date().toISOString();
      const out = decide({ status: c.status as CaseStatus, verdict: c.verdict, pending: c.pending }, r, at);
      const version = c.version + 1;
      await tx
        .updateTable('cases')
        .set({
          status: out.to,
          version,
          pending: out.pending ? JSON.stringify(out.pending) : null,
          ...(out.disposition !== undefined ? { disposition: out.disposition } : {}),
          ...(out.assignee !== undefined ? { assignee: out.assignee, due_on: out.dueOn ?? null } : {}),
        })
        .where('order_id', '=', orderId)
        .execute();
      await this.record(tx, {
        orderId,
        alertId: c.alert_id,
        version,
        action: r.action,
        from: c.status as CaseStatus,
        to: out.to,
        user: r.user,
        at,
        note: r.note,
        disposition: out.disposition ?? (out.pending?.disposition as Disposition | undefined) ?? null,
        assignee: out.assignee !== undefined ? out.assignee : null,
        dueOn: out.dueOn ?? null,
      });
      return (await this.get(orderId, tx))!;
    });
  }

  /**
   * Appends one change to the audit trail, puts the lifecycle record in the outbox, and notifies: the
   * caller's transaction makes the three one (the projector uses it for withdrawals too).
   */
  async record(tx: Transaction<CaseworkDatabase>, e: CaseEvent): Promise<void> {
    await tx
      .insertInto('case_events')
      .values({
        order_id: e.orderId,
        alert_id: e.alertId,
        version: e.version,
        action: e.action,
        from_status: e.from,
        to_status: e.to,
        user_name: e.user,
        at: e.at,
        note: e.note,
        disposition: e.disposition ?? null,
        assignee: e.assignee ?? null,
        due_on: e.dueOn ?? null,
      })
      .execute();
    const history = (await tx.selectFrom('case_events').selectAll().where('order_id', '=', e.orderId).orderBy('version').execute()).map(
      eventOf,
    );
    const record: LifecycleRecordV2 = lifecycleRecordOf(e, history);
    await tx
      .insertInto('outbox')
      .values({ topic: this.lifecycleTopic, key: e.orderId, value: JSON.stringify(record), headers: JSON.stringify({ 'dw-user': e.user }) })
      .execute();
    await sql`SELECT pg_notify(${CASES_CHANNEL}, ${JSON.stringify([e.orderId])}), pg_notify(${OUTBOX_CHANNEL}, '')`.execute(tx);
  }

  /**
   * Exposure summaries over the cases that pass the filter; each order counted once. A filter of
   * verdicts, severities, statuses, kinds, countries and whole UTC days is answered from the rollups
   * (migrations/002-rollups.ts); any other (a name, a search, an assignee) scans the matching cases,
   * which the indexes narrow first.
   */
  async summary(f: CaseFilter): Promise<CaseSummary> {
    const r = rollupFilter(f);
    const dated = f.from !== undefined || f.to !== undefined;
    const [main, sellers, families] = await Promise.all([
      r ? this.rollupMain(r) : this.scanMain(f),
      r && !dated ? this.rollupGroups('rollup_seller', 'seller', r) : this.scanGroups('seller', f),
      r && !dated ? this.rollupGroups('rollup_family', 'family', r) : this.scanGroups('family', f),
    ]);
    const groups = (rows: GroupRow[]) => {
      const m = new Map<string, { alerts: number; value: { currency: string; amount: number }[] }>();
      for (const row of rows) {
        const g = m.get(row.k) ?? { alerts: 0, value: [] };
        g.alerts += Number(row.n);
        if (row.currency) g.value.push({ currency: row.currency, amount: Number(row.amount) });
        m.set(row.k, g);
      }
      return [...m]
        .map(([k, g]) => ({ k, alerts: g.alerts, exposedValue: g.value }))
        .sort((a, b) => b.alerts - a.alerts || a.k.localeCompare(b.k))
        .slice(0, SUMMARY_GROUPS);
    };
    return {
      ...main,
      bySupplier: groups(sellers).map(({ k, ...g }) => ({ supplier: k, ...g })),
      byItemFamily: groups(families).map(({ k, ...g }) => ({ itemFamily: k, ...g })),
    };
  }

  /** The number of cases that pass a filter: from the rollups where it fits them, else counted. */
  async total(f: CaseFilter): Promise<number> {
    const r = rollupFilter(f);
    if (r) {
      const row = await this.db
        .selectFrom('rollup_day')
        .select(sql<string>`coalesce(sum(n), 0)`.as('n'))
        .where((eb) => rollupCondition(eb, r, true))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    }
    const d = today();
    const row = await this.db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where((eb) => filterCondition(eb, f, d))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async rollupMain(r: RollupFilter): Promise<Omit<CaseSummary, 'bySupplier' | 'byItemFamily'>> {
    const rows = await this.db
      .selectFrom('rollup_day')
      .select([
        sql<number>`GROUPING(verdict, severity, status, currency, day)`.as('g'),
        'verdict',
        'severity',
        'status',
        'currency',
        sql<string | null>`to_char(day, 'YYYY-MM-DD')`.as('day'),
        sql<string>`sum(n)`.as('n'),
        sql<number>`sum(amount)`.as('amount'),
        sql<string>`sum(valued)`.as('valued'),
      ])
      .where((eb) => rollupCondition(eb, r, true))
      .groupBy(sql`GROUPING SETS ((), (verdict), (severity), (status), (currency), (day, severity))`)
      .execute();
    // GROUPING() bits, left to right: verdict, severity, status, currency, day (1 = not grouped by it)
    return mainSummary(rows, { all: 0b11111, verdict: 0b01111, severity: 0b10111, status: 0b11011, currency: 0b11101 });
  }

  private async scanMain(f: CaseFilter): Promise<Omit<CaseSummary, 'bySupplier' | 'byItemFamily'>> {
    const d = today();
    const day = sql`to_char(first_raised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    const rows = await this.db
      .selectFrom('cases')
      .select([
        sql<number>`GROUPING(verdict, severity, status, exposed_currency, ${day})`.as('g'),
        'verdict',
        'severity',
        'status',
        sql<string | null>`exposed_currency`.as('currency'),
        sql<string | null>`${day}`.as('day'),
        sql<string>`count(*)`.as('n'),
        sql<number>`coalesce(sum(exposed_amount), 0)`.as('amount'),
        sql<string>`count(exposed_amount)`.as('valued'),
      ])
      .where((eb) => filterCondition(eb, f, d))
      .groupBy(sql`GROUPING SETS ((), (verdict), (severity), (status), (exposed_currency), (${day}, severity))`)
      .execute();
    return mainSummary(rows, { all: 0b11111, verdict: 0b01111, severity: 0b10111, status: 0b11011, currency: 0b11101 });
  }

  /** The 50 biggest suppliers or item families of a rollup, by currency. */
  private async rollupGroups(table: 'rollup_seller' | 'rollup_family', key: 'seller' | 'family', r: RollupFilter): Promise<GroupRow[]> {
    const where = rollupSql(r);
    const t = sql.table(table);
    const k = sql.ref(key);
    const rows = await sql<GroupRow>`
      WITH top AS (
        SELECT ${k} AS k FROM ${t} WHERE ${where} GROUP BY ${k} ORDER BY sum(n) DESC, ${k} LIMIT ${SUMMARY_GROUPS}
      )
      SELECT ${k} AS k, currency, sum(n) AS n, sum(amount) AS amount
      FROM ${t} JOIN top ON top.k = ${k}
      WHERE ${where}
      GROUP BY ${k}, currency`.execute(this.db);
    return rows.rows.map((x) => ({ ...x, currency: x.currency || null }));
  }

  private async scanGroups(key: 'seller' | 'family', f: CaseFilter): Promise<GroupRow[]> {
    const d = today();
    const expr =
      key === 'seller'
        ? sql<string>`coalesce(seller, '(unknown)')`
        : sql<string>`unnest(CASE WHEN cardinality(item_families) = 0 THEN ARRAY['(no controlled family)'] ELSE item_families END)`;
    return this.db
      .selectFrom((qb) =>
        qb
          .selectFrom('cases')
          .select([expr.as('k'), 'exposed_currency', 'exposed_amount'])
          .where((eb) => filterCondition(eb, f, d))
          .as('c'),
      )
      .select([
        'k',
        sql<string | null>`exposed_currency`.as('currency'),
        sql<string>`count(*)`.as('n'),
        sql<number>`coalesce(sum(exposed_amount), 0)`.as('amount'),
      ])
      .groupBy(['k', 'exposed_currency'])
      .execute();
  }

  /** The cases that pass a filter, newest first, a page at a time by keyset (an export of any size in bounded memory). */
  async *scan(f: CaseFilter, pageSize = 1000): AsyncGenerator<CaseView[]> {
    const d = today();
    let after: { at: Date; id: string } | undefined;
    for (;;) {
      const rows = await this.db
        .selectFrom('cases')
        .select(VIEW_COLUMNS)
        .where((eb) => filterCondition(eb, f, d))
        .$if(!!after, (qb) =>
          qb.where((eb) =>
            eb.or([eb('first_raised_at', '<', after!.at), eb.and([eb('first_raised_at', '=', after!.at), eb('order_id', '<', after!.id)])]),
          ),
        )
        .orderBy('first_raised_at', 'desc')
        .orderBy('order_id', 'desc')
        .limit(pageSize)
        .execute();
      if (!rows.length) return;
      yield rows.map(viewOf);
      const last = rows[rows.length - 1];
      after = { at: new Date(last.first_raised_at), id: last.order_id };
      if (rows.length < pageSize) return;
    }
  }

  /** The audit trail of a period [from, to), oldest first, a page at a time. */
  async *events(from: Date, to: Date, pageSize = 1000): AsyncGenerator<CaseEvent[]> {
    let afterId = '0';
    for (;;) {
      const rows = await this.db
        .selectFrom('case_events')
        .selectAll()
        .where('at', '>=', from)
        .where('at', '<', to)
        .where(sql<SqlBool>`id > ${afterId}::bigint`)
        .orderBy('id')
        .limit(pageSize)
        .execute();
      if (!rows.length) return;
      yield rows.map(eventOf);
      afterId = rows[rows.length - 1].id;
      if (rows.length < pageSize) return;
    }
  }

  // saved views: a name and the query string of a filter, per user
  async savedViews(owner: string): Promise<{ id: string; name: string; query: Record<string, string> }[]> {
    return this.db.selectFrom('saved_views').select(['id', 'name', 'query']).where('owner', '=', owner).orderBy('name').execute();
  }

  async saveView(
    owner: string,
    name: string,
    query: Record<string, string>,
  ): Promise<{ id: string; name: string; query: Record<string, string> }> {
    return this.db
      .insertInto('saved_views')
      .values({ owner, name, query: JSON.stringify(query) })
      .onConflict((oc) => oc.columns(['owner', 'name']).doUpdateSet({ query: JSON.stringify(query) }))
      .returning(['id', 'name', 'query'])
      .executeTakeFirstOrThrow();
  }

  async deleteView(owner: string, id: string): Promise<boolean> {
    if (!/^\d{1,18}$/.test(id)) return false;
    const r = await this.db.deleteFrom('saved_views').where('owner', '=', owner).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

/** Groups a summary lists at most (suppliers, item families), the biggest first. */
export const SUMMARY_GROUPS = 50;

interface GroupRow {
  k: string;
  currency: string | null;
  n: string;
  amount: number;
}

interface MainRow {
  g: number;
  verdict: string | null;
  severity: string | null;
  status: string | null;
  currency: string | null;
  day: string | null;
  n: string;
  amount: number;
  valued: string;
}

function mainSummary(
  rows: MainRow[],
  bits: { all: number; verdict: number; severity: number; status: number; currency: number },
): Omit<CaseSummary, 'bySupplier' | 'byItemFamily'> {
  const s: Omit<CaseSummary, 'bySupplier' | 'byItemFamily'> = {
    total: 0,
    byVerdict: {},
    bySeverity: {},
    byStatus: {},
    exposedValue: [],
    overTime: [],
  };
  const days = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const n = Number(r.n);
    const g = Number(r.g);
    if (g === bits.all) s.total = n;
    else if (g === bits.verdict) {
      if (n) s.byVerdict[r.verdict!] = n;
    } else if (g === bits.severity) {
      if (n) s.bySeverity[r.severity!] = n;
    } else if (g === bits.status) {
      if (n) s.byStatus[r.status!] = n;
    } else if (g === bits.currency) {
      if (r.currency && Number(r.valued)) s.exposedValue.push({ currency: r.currency, amount: Number(r.amount), alerts: Number(r.valued) });
    } else if (r.day && n) days.set(r.day, { ...(days.get(r.day) ?? {}), [r.severity!]: n });
  }
  s.exposedValue.sort((a, b) => b.amount - a.amount);
  s.overTime = [...days].sort(([a], [b]) => a.localeCompare(b)).map(([date, bySeverity]) => ({ date, bySeverity }));
  return s;
}

/** A filter the rollups can answer: only their dimensions, and dates on whole UTC days. */
interface RollupFilter {
  f: CaseFilter;
  fromDay?: string;
  toDay?: string;
}

const DAY_MS = 86_400_000;

function rollupFilter(f: CaseFilter): RollupFilter | null {
  const allowed = new Set(['verdicts', 'severities', 'statuses', 'kinds', 'countries', 'from', 'to']);
  if (Object.keys(f).some((k) => !allowed.has(k) && f[k as keyof CaseFilter] !== undefined)) return null;
  if ((f.from !== undefined && f.from % DAY_MS !== 0) || (f.to !== undefined && f.to % DAY_MS !== 0)) return null;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { f, ...(f.from !== undefined ? { fromDay: day(f.from) } : {}), ...(f.to !== undefined ? { toDay: day(f.to) } : {}) };
}

type RollupEb = ExpressionBuilder<CaseworkDatabase, 'rollup_day'>;

function rollupCondition(eb: RollupEb, r: RollupFilter, withDays: boolean): Expression<SqlBool> {
  const c: Expression<SqlBool>[] = [sql<SqlBool>`n <> 0`];
  const { f } = r;
  if (f.verdicts) c.push(eb('verdict', 'in', f.verdicts));
  if (f.severities) c.push(eb('severity', 'in', f.severities));
  if (f.statuses) c.push(eb('status', 'in', f.statuses));
  if (f.kinds) c.push(eb('kind', 'in', f.kinds));
  if (f.countries) c.push(eb('ship_to', 'in', f.countries));
  if (withDays && r.fromDay) c.push(eb('day', '>=', r.fromDay));
  if (withDays && r.toDay) c.push(eb('day', '<', r.toDay));
  return eb.and(c);
}

/** The same condition as raw SQL, for the supplier and family rollups (no day: dated filters scan the cases). */
function rollupSql(r: RollupFilter) {
  const { f } = r;
  const parts = [sql`n <> 0`];
  const inList = (col: string, values: readonly string[]) => sql`${sql.ref(col)} IN (${sql.join(values.map((v) => sql`${v}`))})`;
  if (f.verdicts) parts.push(inList('verdict', f.verdicts));
  if (f.severities) parts.push(inList('severity', f.severities));
  if (f.statuses) parts.push(inList('status', f.statuses));
  if (f.kinds) parts.push(inList('kind', f.kinds));
  if (f.countries) parts.push(inList('ship_to', f.countries));
  return sql.join(parts, sql` AND `);
}

export function eventOf(r: CaseEventRow): CaseEvent {
  return {
    orderId: r.order_id,
    alertId: r.alert_id,
    version: r.version,
    action: r.action as CaseEvent['action'],
    from: r.from_status as CaseStatus,
    to: r.to_status as CaseStatus,
    user: r.user_name,
    at: new Date(r.at).toISOString(),
    note: r.note,
    disposition: (r.disposition as Disposition | null) ?? null,
    assignee: r.assignee,
    dueOn: r.due_on,
  };
}

export { TriageRefused };
