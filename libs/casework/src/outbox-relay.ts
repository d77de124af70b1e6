import { sql } from 'kysely';
import type { Producer } from 'kafkajs';
import type { Logger } from '@dualwatch/observability';
import type { CaseworkDb } from './db';

/** One relay at a time across instances (a transaction-level advisory lock), so records keep their order per key. */
const RELAY_LOCK = 0x64770001;

/**
 * The outbox to Kafka: lifecycle changes committed with their triage transaction are published in id
 * order, then marked published in the same database transaction that read them. A change is never sent
 * before it committed (it is not in the outbox before), and never lost (it stays unpublished until the
 * broker acknowledged it). A crash between the acknowledgement and the mark sends it again: records
 * carry the case's version, so a reader drops the repeat.
 */
export class OutboxRelay {
  constructor(
    private readonly db: CaseworkDb,
    private readonly producer: Producer,
    private readonly logger: Logger,
    private readonly batch = 500,
  ) {}

  /** Publishes what is waiting, a batch at a time; returns how many were published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.relayOnce();
      total += n;
      if (n < this.batch) return total;
    }
  }

  private async relayOnce(): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${RELAY_LOCK}) AS ok`.execute(tx);
      if (!lock.rows[0].ok) return 0;
      const rows = await tx
        .selectFrom('outbox')
        .select(['id', 'topic', 'key', 'value', 'headers'])
        .where('published_at', 'is', null)
        .orderBy('id')
        .limit(this.batch)
        .execute();
      if (!rows.length) return 0;
      const byTopic = new Map<string, typeof rows>();
      for (const r of rows) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, rs]) => ({
          topic,
          messages: rs.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
        })),
      });
      await tx
        .updateTable('outbox')
        .set({ published_at: new Date() })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      this.logger.debug({ records: rows.length }, 'outbox relayed to Kafka');
      return rows.length;
    });
  }

  /** Published records older than this are deleted (the audit trail keeps the changes). */
  async prune(olderThanMs: number): Promise<number> {
    const r = await this.db
      .deleteFrom('outbox')
      .where('published_at', '<', new Date(Date.now() - olderThanMs))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Records waiting to be published (a metric). */
  async backlog(): Promise<number> {
    const r = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('published_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
