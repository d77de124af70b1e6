import { sql, type Transaction } from 'kysely';
import { parseAlert, type Alert } from '@dualwatch/contracts';
import { CASES_CHANNEL, type CaseRepository } from './case-repository';
import { foldAlert, pgText, type PriorCase } from './case-view';
import type { CaseworkDatabase } from './schema';
import { SYSTEM_USER, type CaseStatus } from './triage';

export interface ProjectedMessage {
  offset: string;
  value: Buffer | null;
}

export interface ProjectionResult {
  /** Messages applied (new to the database). */
  applied: number;
  /** Messages at or below the stored offset, or already present: skipped. */
  skipped: number;
  /** Messages that are not valid alerts (logged by the caller, never block the partition). */
  invalid: { offset: string; error: string }[];
  /** Cases written. */
  cases: number;
}

/** NOTIFY payloads stay under PostgreSQL's 8,000-byte limit. */
const NOTIFY_BYTES = 7000;

const messageKey = (orderId: string, raisedAt: string | Date, kind: string, alertId: string) =>
  `${orderId}\u0000${new Date(raisedAt).getTime()}\u0000${kind}\u0000${alertId}`;

/**
 * risk.alerts.v1 into PostgreSQL exactly once: each chunk is one database transaction that writes the
 * cases, their messages and the consumed offset together. The offset row is locked first, so two
 * instances handed the same partition during a rebalance take turns, and messages below the stored
 * offset (a chunk handed over again after a crash, a replay) are skipped: nothing is written twice.
 * Kafka's committed offset only saves re-reading; PostgreSQL's is the one that counts.
 */
export class CaseProjector {
  constructor(
    private readonly repo: CaseRepository,
    /** Name of this consumer in consumer_offsets (one per source topic). */
    private readonly consumer = 'projector',
  ) {}

  /** The next offset to project per partition of a topic (what a fresh consumer should seek to). */
  async positions(topic: string): Promise<Map<number, string>> {
    const rows = await this.repo.db
      .selectFrom('consumer_offsets')
      .select(['partition', 'next_offset'])
      .where('consumer', '=', this.consumer)
      .where('topic', '=', topic)
      .execute();
    return new Map(rows.map((r) => [r.partition, r.next_offset]));
  }

  /**
   * One chunk in one transaction. A chunk the database refuses for what a message holds (a data
   * exception: a value out of range, text it cannot store) is applied again one message at a time, and
   * the message it still refuses is reported as invalid and passed over, with its offset: one bad alert
   * never blocks its partition. Any other error (the database away) fails the chunk, to be retried.
   */
  async applyChunk(topic: string, partition: number, messages: ProjectedMessage[]): Promise<ProjectionResult> {
    try {
      return await this.applyOnce(topic, partition, messages);
    } catch (err) {
      if (!isDataError(err)) throw err;
      const result: ProjectionResult = { applied: 0, skipped: 0, invalid: [], cases: 0 };
      for (const m of messages) {
        let r: ProjectionResult;
        try {
          r = await this.applyOnce(topic, partition, [m]);
        } catch (one) {
          if (!isDataError(one)) throw one;
          r = await this.applyOnce(topic, partition, [{ offset: m.offset, value: null }]);
          r.invalid.push({ offset: m.offset, error: `refused by PostgreSQL: ${(one as Error).message}` });
        }
        result.applied += r.applied;
        result.skipped += r.skipped;
        result.cases += r.cases;
        result.invalid.push(...r.invalid);
      }
      return result;
    }
  }

  private async applyOnce(topic: string, partition: number, messages: ProjectedMessage[]): Promise<ProjectionResult> {
    const result: ProjectionResult = { applied: 0, skipped: 0, invalid: [], cases: 0 };
    if (!messages.length) return result;
    await this.repo.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('consumer_offsets')
        .values({ consumer: this.consumer, topic, partition, next_offset: '0' })
        .onConflict((oc) => oc.doNothing())
        .execute();
      const { next_offset } = await tx
        .selectFrom('consumer_offsets')
        .select('next_offset')
        .where('consumer', '=', this.consumer)
        .where('topic', '=', topic)
        .where('partition', '=', partition)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const from = BigInt(next_offset);
      const alerts: Alert[] = [];
      const raw = new Map<Alert, string>();
      for (const m of messages) {
        if (BigInt(m.offset) < from) {
          result.skipped++;
          continue;
        }
        if (m.value === null) continue; // a tombstone
        const p = parseAlert(m.value);
        if (p.ok) {
          alerts.push(p.alert);
          raw.set(p.alert, p.text);
        } else result.invalid.push({ offset: m.offset, error: p.error });
      }
      const changed = alerts.length ? await this.apply(tx, alerts, raw, result) : [];
      const last = BigInt(messages[messages.length - 1].offset);
      if (last >= from)
        await tx
          .updateTable('consumer_offsets')
          .set({ next_offset: String(last + 1n), updated_at: new Date() })
          .where('consumer', '=', this.consumer)
          .where('topic', '=', topic)
          .where('partition', '=', partition)
          .execute();
      for (const payload of notifyPayloads(changed)) await sql`SELECT pg_notify(${CASES_CHANNEL}, ${payload})`.execute(tx);
    });
    return result;
  }

  /** Folds the new messages into their cases; returns the order ids written. */
  private async apply(
    tx: Transaction<CaseworkDatabase>,
    alerts: Alert[],
    raw: Map<Alert, string>,
    result: ProjectionResult,
  ): Promise<string[]> {
    // the messages not seen before (a message read twice is skipped here, whatever the offsets said);
    // the rows go as one JSON document (json_to_recordset), not a VALUES list of thousands of parameters
    const messageRows = JSON.stringify(
      alerts.map((a) => ({
        order_id: pgText(a.orderId),
        alert_id: pgText(a.alertId),
        kind: a.kind,
        raised_at: a.raisedAt,
        verdict: a.assessment.verdict,
        severity: a.assessment.severity,
        score: a.assessment.score,
        previous_verdict: a.previousVerdict ?? null,
        effective_on: a.effectiveOn ?? null,
        as_of: a.assessment.asOf ?? null,
      })),
    );
    const inserted = await sql<{ order_id: string; raised_at: Date; kind: string; alert_id: string }>`
      INSERT INTO case_messages (order_id, alert_id, kind, raised_at, verdict, severity, score, previous_verdict, effective_on, as_of)
      SELECT * FROM json_to_recordset(${messageRows}::json) AS m(order_id text, alert_id text, kind text, raised_at timestamptz,
        verdict text, severity text, score int, previous_verdict text, effective_on date, as_of date)
      ON CONFLICT DO NOTHING
      RETURNING order_id, raised_at, kind, alert_id`
      .execute(tx)
      .then((r) => r.rows);
    const fresh = new Set(inserted.map((r) => messageKey(r.order_id, r.raised_at, r.kind, r.alert_id)));
    const orderIds = [...new Set(alerts.map((a) => pgText(a.orderId)))];
    const priorRows = await tx
      .selectFrom('cases')
      .select(['order_id', 'status', 'version', 'first_raised_at', 'latest', 'upcoming'])
      .where('order_id', 'in', orderIds)
      .forUpdate()
      .execute();
    const state = new Map<string, { prior: PriorCase; version: number; fields?: ReturnType<typeof foldAlert>['fields'] }>();
    for (const r of priorRows)
      state.set(r.order_id, {
        prior: {
          status: r.status as CaseStatus,
          first_raised_at: new Date(r.first_raised_at).toISOString(),
          latest: r.latest as Alert,
          upcoming: (r.upcoming as Alert | null) ?? null,
        },
        version: r.version,
      });
    const events: Parameters<CaseRepository['record']>[1][] = [];
    for (const a of alerts) {
      const key = messageKey(pgText(a.orderId), a.raisedAt, a.kind, pgText(a.alertId));
      if (!fresh.delete(key)) {
        result.skipped++;
        continue;
      }
      result.applied++;
      const s = state.get(pgText(a.orderId));
      const folded = foldAlert(s?.prior ?? null, a);
      const status: CaseStatus = folded.change?.to ?? s?.prior.status ?? 'open';
      let version = s?.version ?? 0;
      if (folded.change && s) {
        version++;
        events.push({
          orderId: pgText(a.orderId),
          alertId: folded.fields.alert_id,
          version,
          action: folded.change.action,
          from: s.prior.status,
          to: folded.change.to,
          user: SYSTEM_USER,
          at: new Date().toISOString(),
          note:
            folded.change.action === 'withdraw'
              ? `alert withdrawn at ${a.raisedAt}: the order left the open queue`
              : `order exposed again at ${a.raisedAt}`,
          disposition: folded.change.action === 'withdraw' ? 'order_cancelled' : null,
        });
      }
      const f = folded.fields;
      state.set(pgText(a.orderId), {
        prior: { status, first_raised_at: f.first_raised_at, latest: f.latest, upcoming: f.upcoming },
        version,
        fields: f,
      });
    }
    const rows = [...state.values()].filter((x) => x.fields);
    if (rows.length) {
      // the alert texts go in as they came (spliced into the document, never escaped or stringified again)
      // (PostgreSQL cannot hold U+0000 in any text, JSON included: its escape becomes U+2400, as in the columns)
      const text = (a: Alert | null) => {
        if (a === null) return 'null';
        const t = raw.get(a) ?? JSON.stringify(a);
        return t.includes('\\u0000') ? t.replace(/\\u0000/g, '\\u2400') : t;
      };
      const doc = `[${rows
        .map((x) => {
          const { latest, upcoming, ...f } = x.fields!;
          const head = JSON.stringify({ ...f, status: x.prior.status, version: x.version });
          return `${head.slice(0, -1)},"latest":${text(latest)},"upcoming":${text(upcoming)}}`;
        })
        .join(',')}]`;
      await sql`
        INSERT INTO cases (order_id, alert_id, kind, verdict, severity, score, status, version, first_raised_at, updated_at, as_of,
          effective_on, upcoming_verdict, seller, buyer, end_user, ship_to, item_families, exposed_amount, exposed_currency,
          headline, reason_count, degraded, latest, upcoming, search)
        SELECT order_id, alert_id, kind, verdict, severity, score, status, version, first_raised_at, updated_at, as_of,
          effective_on, upcoming_verdict, seller, buyer, end_user, ship_to, item_families, exposed_amount, exposed_currency,
          headline, reason_count, degraded, latest, upcoming, search
        FROM json_to_recordset(${doc}::json) AS u(order_id text, alert_id text, kind text, verdict text, severity text, score int,
          status text, version int, first_raised_at timestamptz, updated_at timestamptz, as_of date, effective_on date,
          upcoming_verdict text, seller text, buyer text, end_user text, ship_to text, item_families text[],
          exposed_amount float8, exposed_currency text, headline text, reason_count int, degraded bool, latest json,
          upcoming json, search text)
        ON CONFLICT (order_id) DO UPDATE SET
          alert_id = excluded.alert_id, kind = excluded.kind, verdict = excluded.verdict, severity = excluded.severity,
          score = excluded.score, status = excluded.status, version = excluded.version, first_raised_at = excluded.first_raised_at,
          updated_at = excluded.updated_at, as_of = excluded.as_of, effective_on = excluded.effective_on,
          upcoming_verdict = excluded.upcoming_verdict, seller = excluded.seller, buyer = excluded.buyer,
          end_user = excluded.end_user, ship_to = excluded.ship_to, item_families = excluded.item_families,
          exposed_amount = excluded.exposed_amount, exposed_currency = excluded.exposed_currency, headline = excluded.headline,
          reason_count = excluded.reason_count, degraded = excluded.degraded, latest = excluded.latest,
          upcoming = excluded.upcoming, search = excluded.search`.execute(tx);
    }
    result.cases += rows.length;
    for (const e of events) await this.repo.record(tx, e);
    return rows.map((x) => x.fields!.order_id);
  }
}

/** Order ids as JSON arrays, each under the NOTIFY payload limit. */
export function notifyPayloads(ids: string[]): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  let size = 2;
  for (const id of ids) {
    const n = Buffer.byteLength(JSON.stringify(id)) + 1;
    if (batch.length && size + n > NOTIFY_BYTES) {
      out.push(JSON.stringify(batch));
      batch = [];
      size = 2;
    }
    batch.push(id);
    size += n;
  }
  if (batch.length) out.push(JSON.stringify(batch));
  return out;
}

/** SQLSTATE class 22 (data exception) or 54 (program limit exceeded): what a message holds, not the database's state. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'));
}
