import { Inject, Injectable } from '@nestjs/common';
import type { KafkaMessage } from 'kafkajs';
import type { Verdict } from '@dualwatch/contracts';
import type { ChunkContext, OutputMessage } from '@dualwatch/messaging';
import type { Logger } from '@dualwatch/observability';
import { ReferenceService } from '@dualwatch/refdata';
import { assess, withAssessedAt, type Policy } from '@dualwatch/scoring';
import { buildAlert, decideAlert, OpenOrderBook, type BookEntry } from '@dualwatch/alerting';
import { EngineMetrics } from './metrics';
import type { OrderBookStore } from './order-processor';
import { ENGINE_SETTINGS, LOGGER, ORDER_BOOK, POLICY, RESCREEN_TOPICS } from './providers';
import type { EngineSettings } from './settings';

/** A message on refdata.changes.v1. */
export interface RefdataChange {
  version: string;
  label?: string;
  previous?: string | null;
  switchedAt?: string;
}

/** A record on engine.rescreen.v1 (key: the orderId): re-screen this open order under `version`. */
export interface RescreenTask {
  version: string;
  /** The refdata.changes.v1 offset of the change that asked for it. */
  change: string;
}

export interface RescreenTopics {
  rescreen: string;
  alerts: string;
}

/**
 * Re-screening of the open-order book after a reference-data change, in two exactly-once steps on
 * KafkaChunkTransport (RescreenConsumer), so that no transaction spans the whole book:
 *
 * 1. `fanOut`: a change on refdata.changes.v1 becomes one task per open order on engine.rescreen.v1 (key:
 *    orderId), in the change's transaction. A change that a later one superseded becomes nothing (the later
 *    one's tasks cover every open order).
 * 2. `rescreen`: tasks in chunks (ENGINE_MAX_CHUNK_MESSAGES), each chunk one transaction: the orders are
 *    assessed again under the new version and what changed goes out as alerts (newly exposed: raised;
 *    verdict changed: updated; no longer exposed: withdrawn). The tasks spread over the topic's partitions,
 *    so every instance of the group takes a share. The book entry is written before the transaction
 *    commits, with the task's offset: a chunk done again after an abort starts from `prior` and reaches
 *    the same decisions (OpenOrderBook.priorFor), so nothing is doubled; the changes go to the book's
 *    changelog in the same transaction. The book being unreadable or unwritable fails the chunk, which is
 *    retried: a re-screen never skips an order.
 */
@Injectable()
export class RescreenService {
  constructor(
    @Inject(ENGINE_SETTINGS) private readonly s: EngineSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(POLICY) private readonly policy: Policy,
    @Inject(RESCREEN_TOPICS) private readonly topics: RescreenTopics,
    private readonly reference: ReferenceService,
    @Inject(ORDER_BOOK) private readonly book: OrderBookStore & { scanOpen(): AsyncGenerator<[string, BookEntry][]> },
    private readonly metrics: EngineMetrics,
  ) {}

  /** Changes → one re-screen task per open order (nothing for a superseded change). */
  async fanOut(messages: KafkaMessage[], ctx: ChunkContext): Promise<OutputMessage[]> {
    // the loader switched Redis before publishing the change: follow it
    await this.reference.refresh();
    const current = this.reference.refdata.version;
    const out: OutputMessage[] = [];
    for (const m of messages) {
      let change: RefdataChange;
      try {
        change = JSON.parse(m.value?.toString('utf8') ?? '') as RefdataChange;
      } catch {
        this.logger.error({ partition: ctx.partition, offset: m.offset }, 'reference-data change skipped: not JSON');
        continue;
      }
      if (change?.version !== current) {
        this.logger.info({ version: change?.version, current }, 'reference-data change superseded; not re-screening for it');
        continue;
      }
      let orders = 0;
      for await (const page of this.book.scanOpen()) {
        for (const [orderId] of page) {
          const task: RescreenTask = { version: change.version, change: m.offset };
          out.push({ topic: this.topics.rescreen, key: orderId, value: JSON.stringify(task) });
          orders++;
        }
      }
      this.logger.info({ version: change.version, orders }, 'reference-data change: re-screening the open orders');
    }
    return out;
  }

  /** A chunk of re-screen tasks → the alerts of what changed, the book updated with the chunk's offsets. */
  async rescreen(messages: KafkaMessage[], ctx: ChunkContext): Promise<OutputMessage[]> {
    await this.reference.refresh();
    const version = this.reference.refdata.version;
    // the last task of each order in the chunk (an order has at most one per change)
    const tasks = new Map<string, string>();
    let superseded = 0;
    for (const m of messages) {
      const orderId = m.key?.toString('utf8');
      let task: RescreenTask | undefined;
      try {
        task = JSON.parse(m.value?.toString('utf8') ?? '') as RescreenTask;
      } catch {
        task = undefined;
      }
      if (!orderId || !task?.version) {
        this.logger.error({ partition: ctx.partition, offset: m.offset }, 're-screen task skipped: not a task');
        continue;
      }
      // a later change superseded this one: its own tasks re-screen the order
      if (task.version !== version) superseded++;
      else tasks.set(orderId, m.offset);
    }
    if (!tasks.size) return [];

    const entries = await this.book.getMany([...tasks.keys()]);
    const open = [...tasks].flatMap(([orderId, offset]) => {
      const entry = entries.get(orderId);
      const prior = OpenOrderBook.priorFor(entry, offset, 'rescreen');
      return entry?.state && prior ? [{ orderId, offset, entry, prior }] : [];
    });
    if (!open.length) return [];
    const policy = this.policy;
    const minVerdict: Verdict = this.s.minAlertVerdict === 'policy' ? policy.alerting.minVerdict : this.s.minAlertVerdict;
    const view = await this.reference.viewFor(open.map((o) => o.entry.state!.event.order));
    if (view.degraded) this.metrics.degraded.inc(open.length);
    const raisedAt = new Date().toISOString();
    const out: OutputMessage[] = [];
    const writes = new Map<string, BookEntry>();
    for (const { orderId, offset, entry, prior } of open) {
      // re-screening never changes an order's event, so state.event is also the prior's event
      const event = entry.state!.event;
      const a = withAssessedAt(assess(event, view, policy), new Date(raisedAt));
      const decision = decideAlert(event, a, prior, minVerdict);
      if (decision.kind) {
        const alert = buildAlert(decision.kind, a, event, prior, raisedAt);
        out.push({
          topic: this.topics.alerts,
          key: orderId,
          value: JSON.stringify(alert),
          headers: { 'dw-alert-kind': decision.kind, 'dw-rescreen': version },
        });
        this.metrics.alerts.inc({ severity: a.severity, kind: decision.kind });
      }
      writes.set(orderId, { state: decision.next, prior, lastOffset: offset, source: 'rescreen' });
    }
    // the cache before the transaction commits (see BookEntry), the changelog inside it; a failure
    // aborts the chunk, which is retried
    out.push(...(await this.book.write(writes, ctx)));
    this.logger.debug(
      { version, partition: ctx.partition, screened: open.length, alerts: out.length, superseded },
      'open orders re-screened',
    );
    return out;
  }
}
