import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { Verdict } from '@dualwatch/contracts';
import { heartbeatIntervalFor } from '@dualwatch/messaging';
import type { Logger } from '@dualwatch/observability';
import type { ReferenceService } from '@dualwatch/refdata';
import { assess, withAssessedAt, type Policy } from '@dualwatch/scoring';
import type { EngineMetrics } from './metrics';
import { buildAlert, decideAlert, OpenOrderBook, type BookEntry } from '@dualwatch/alerting';

export interface RescreenOptions {
  kafka: Kafka;
  groupId: string;
  transactionalId: string;
  /** Consumer session timeout (ENGINE_SESSION_TIMEOUT_MS). */
  sessionTimeoutMs?: number;
  changesTopic: string;
  alertsTopic: string;
  reference: ReferenceService;
  book: OpenOrderBook;
  policy: () => Policy;
  minAlertVerdict?: Verdict;
  metrics: EngineMetrics;
  logger: Logger;
}

/** A message on refdata.changes.v1. */
export interface RefdataChange {
  version: string;
  label?: string;
  previous?: string | null;
  switchedAt?: string;
}

/**
 * On every reference-data change, re-screens the open-order book under the new version and publishes
 * what changed as alerts: newly exposed (raised), verdict changed (updated), no longer exposed
 * (withdrawn). The changes topic has one partition, so one instance of the group does it; its alerts
 * and the consumed offset commit in one transaction, so a crash re-screens again without doubling.
 */
export class RescreenService {
  private readonly consumer: Consumer;
  private readonly producer: Producer;

  constructor(private readonly o: RescreenOptions) {
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      readUncommitted: false,
      sessionTimeout: o.sessionTimeoutMs ?? 30000,
      heartbeatInterval: heartbeatIntervalFor(o.sessionTimeoutMs ?? 30000),
    });
    this.producer = o.kafka.producer({
      transactionalId: o.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5000 },
    });
  }

  async start(): Promise<void> {
    await this.producer.connect();
    // initialise the transactional id now (kafkajs does it at the first transaction(), not at connect):
    // it fences a previous owner and waits for its last transaction, so the offset the consumer then
    // starts from is not one re-screen behind (which would send that re-screen's alerts again)
    const init = await this.producer.transaction();
    await init.abort();
    await this.consumer.connect();
    // from the beginning: a change announced while the group was forming must not be skipped; changes
    // that a later one superseded are acknowledged without work (see rescreen)
    await this.consumer.subscribe({ topic: this.o.changesTopic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        const change = JSON.parse(message.value?.toString() ?? '{}') as RefdataChange;
        await this.rescreen(change, message.offset);
        // the offset was committed inside the transaction; nothing more to do
        void partition;
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async rescreen(change: RefdataChange, offset: string): Promise<void> {
    const { reference, book, logger } = this.o;
    // the loader switched Redis before publishing the change: follow it. A change that is no longer the
    // current version was superseded by a later one, whose own message re-screens: acknowledge it only.
    await reference.refresh();
    if (reference.refdata.version !== change.version) {
      logger.info(
        { version: change.version, current: reference.refdata.version },
        'reference-data change superseded; not re-screening for it',
      );
      await this.consumer.commitOffsets([{ topic: this.o.changesTopic, partition: 0, offset: (BigInt(offset) + 1n).toString() }]);
      return;
    }
    const policy = this.o.policy();
    const minVerdict = this.o.minAlertVerdict ?? policy.alerting.minVerdict;
    const raisedAt = new Date().toISOString();
    const tx = await this.producer.transaction();
    let screened = 0;
    let alerts = 0;
    try {
      for await (const page of book.scanOpen()) {
        const view = await reference.viewFor(page.map(([, e]) => e.state!.event.order));
        const writes = new Map<string, BookEntry>();
        const messages = [];
        for (const [orderId, entry] of page) {
          const prior = OpenOrderBook.priorFor(entry, offset, 'rescreen');
          if (!prior) continue;
          // re-screening never changes an order's event, so state.event is also the prior's event
          const event = entry.state!.event;
          const a = withAssessedAt(assess(event, view, policy), new Date(raisedAt));
          const decision = decideAlert(event, a, prior, minVerdict);
          screened++;
          if (decision.kind) {
            const alert = buildAlert(decision.kind, a, event, prior, raisedAt);
            messages.push({
              key: orderId,
              value: JSON.stringify(alert),
              headers: { 'dw-alert-kind': decision.kind, 'dw-rescreen': change.version },
            });
            this.o.metrics.alerts.inc({ severity: a.severity, kind: decision.kind });
          }
          writes.set(orderId, { state: decision.next, prior, lastOffset: offset, source: 'rescreen' });
        }
        await book.putMany(writes);
        if (messages.length) await tx.send({ topic: this.o.alertsTopic, messages, acks: -1 });
        alerts += messages.length;
      }
      await tx.sendOffsets({
        consumerGroupId: this.o.groupId,
        topics: [{ topic: this.o.changesTopic, partitions: [{ partition: 0, offset: (BigInt(offset) + 1n).toString() }] }],
      });
      await tx.commit();
      logger.info({ version: change.version, screened, alerts }, 'open orders re-screened');
    } catch (err) {
      await tx.abort().catch(() => undefined);
      throw err;
    }
  }
}
