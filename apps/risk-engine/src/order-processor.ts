import type { KafkaMessage } from 'kafkajs';
import { parseOrderEvent, type Assessment, type Order, type OrderEvent, type Verdict } from '@dualwatch/contracts';
import { deadLetter, type ChunkContext, type OutputMessage } from '@dualwatch/messaging';
import type { Logger } from '@dualwatch/observability';
import { assess, type Policy } from '@dualwatch/scoring';
import type { ScreeningView } from '@dualwatch/refdata';
import {
  buildAlert,
  decideAlert,
  OpenOrderBook,
  serializeAlert,
  type AlertState,
  type BookEntry,
  type BookWrite,
} from '@dualwatch/alerting';
import type { EngineMetrics } from './metrics';

export interface ProcessorTopics {
  assessments: string;
  alerts: string;
  dlq: string;
}

/** What the processor reads reference data through (ReferenceService: Redis behind an LRU, bundled fallback). */
export interface ChunkReference {
  viewFor(orders: Order[]): Promise<ScreeningView>;
}

/**
 * The open-order book as the processor uses it (DurableOrderBook: a changelog topic of record, cached in
 * Redis; an in-memory one in unit tests). Reads and writes throw when the book is unavailable: the
 * chunk is then retried, never processed without its state.
 */
export interface OrderBookStore {
  getMany(orderIds: string[]): Promise<Map<string, BookEntry>>;
  /**
   * Writes the entries to the cache (before the chunk's transaction commits) and returns their
   * changelog records, to be produced in that transaction. Each entry is serialised once for both.
   */
  write(entries: Map<string, BookWrite>, ctx?: Pick<ChunkContext, 'afterCommit'>): Promise<OutputMessage[]>;
}

export interface ProcessorOptions {
  topics: ProcessorTopics;
  reference: ChunkReference;
  book: OrderBookStore;
  policy: () => Policy;
  /** Alerts for assessments at or above this verdict; defaults to the policy's alerting.minVerdict. */
  minAlertVerdict?: Verdict;
  maxEventBytes: number;
  metrics: EngineMetrics;
  logger: Logger;
  now?: () => Date;
}

interface Parsed {
  msg: KafkaMessage;
  event: OrderEvent;
}

/**
 * One chunk of order messages → the messages to commit with its offset: a DLQ record for each message
 * that is not a valid order event or cannot be scored, an assessment for every valid one, and the
 * alerts the open-order book says are due. Parties are screened for the whole chunk at once (one Redis
 * round trip behind the LRU) and the book is read and written once per chunk.
 */
export class OrderProcessor {
  constructor(private readonly o: ProcessorOptions) {}

  async process(messages: KafkaMessage[], ctx: ChunkContext): Promise<OutputMessage[]> {
    const { topics, metrics, logger } = this.o;
    const out: OutputMessage[] = [];
    const valid: Parsed[] = [];
    metrics.eventsIn.inc(messages.length);

    for (const msg of messages) {
      const parsed = parseOrderEvent(msg.value, this.o.maxEventBytes);
      if (parsed.ok) valid.push({ msg, event: parsed.event });
      else {
        out.push(deadLetter(topics.dlq, msg, ctx, parsed.code, parsed.error));
        metrics.dlq.inc({ code: parsed.code });
        logger.warn(
          { offset: msg.offset, partition: ctx.partition, code: parsed.code },
          `order message sent to the DLQ: ${parsed.error.slice(0, 300)}`,
        );
      }
    }
    if (!valid.length) return out;

    const policy = this.o.policy();
    const minVerdict = this.o.minAlertVerdict ?? policy.alerting.minVerdict;
    const view = await this.o.reference.viewFor(valid.map((v) => v.event.order));
    if (view.degraded) metrics.degraded.inc(valid.length);

    const orderIds = [...new Set(valid.map((v) => v.event.order.orderId))];
    // the state of these orders; when it cannot be read the chunk fails and is retried (the partition
    // waits), it is never decided without it
    const book = await this.o.book.getMany(orderIds);

    const raisedAt = (this.o.now?.() ?? new Date()).toISOString();
    const writes = new Map<string, BookWrite>();
    // counted per chunk, not per order: the metrics and the log line are off the per-order path
    const verdicts = new Map<string, number>();
    const alertCounts = new Map<string, number>();
    // within a chunk, the state an order reached so far (an order may have several events in one chunk)
    const running = new Map<string, { state: AlertState | null; prior: AlertState | null }>();

    for (const { msg, event } of valid) {
      const orderId = event.order.orderId;
      let assessment: Assessment;
      try {
        // assess() returns a fresh object: stamp it in place rather than copy it (withAssessedAt)
        assessment = assess(event, view, policy);
        assessment.assessedAt = raisedAt;
      } catch (err) {
        out.push(deadLetter(topics.dlq, msg, ctx, 'SCORING_FAILED', (err as Error).stack ?? String(err)));
        metrics.dlq.inc({ code: 'SCORING_FAILED' });
        logger.error({ err, orderId, eventId: event.eventId }, 'scoring failed; event sent to the DLQ');
        continue;
      }
      let current = running.get(orderId);
      if (!current) {
        const entry = book.get(orderId);
        const prior = OpenOrderBook.priorFor(entry, msg.offset, 'orders');
        current = { state: prior, prior };
        running.set(orderId, current);
      }
      const decision = decideAlert(event, assessment, current.state, minVerdict);
      const assessmentJson = JSON.stringify(assessment);
      out.push({ topic: topics.assessments, key: orderId, value: assessmentJson, headers: { 'dw-event-id': event.eventId } });
      verdicts.set(assessment.verdict, (verdicts.get(assessment.verdict) ?? 0) + 1);
      if (decision.kind) {
        const alert = buildAlert(decision.kind, assessment, event, current.state, raisedAt);
        out.push({
          topic: topics.alerts,
          key: orderId,
          value: serializeAlert(alert, assessmentJson),
          headers: { 'dw-alert-kind': decision.kind },
        });
        const k = `${assessment.severity}|${decision.kind}`;
        alertCounts.set(k, (alertCounts.get(k) ?? 0) + 1);
        logger.debug(
          { orderId, eventId: event.eventId, alertId: alert.alertId, kind: decision.kind, verdict: assessment.verdict },
          'alert',
        );
      }
      current.state = decision.next;
      writes.set(orderId, {
        state: decision.next,
        prior: current.prior,
        lastOffset: msg.offset,
        source: 'orders',
        eventJson: msg.value ?? undefined,
      });
    }

    for (const [verdict, n] of verdicts) metrics.assessmentsOut.inc({ verdict }, n);
    for (const [k, n] of alertCounts) {
      const [severity, kind] = k.split('|');
      metrics.alerts.inc({ severity, kind }, n);
    }
    if (alertCounts.size)
      logger.info(
        { partition: ctx.partition, assessments: valid.length, alerts: Object.fromEntries(alertCounts) },
        'alerts raised, updated or withdrawn in this chunk (each one: LOG_LEVEL=debug)',
      );
    if (writes.size) {
      // the cache before the transaction commits (see BookEntry), the changelog inside it; a write that
      // fails fails the chunk, which is retried: the book never misses a chunk
      out.push(...(await this.o.book.write(writes, ctx)));
    }
    return out;
  }
}
