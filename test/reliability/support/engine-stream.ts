import { Kafka, logLevel, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import type { Assessment, OrderEvent } from '@dualwatch/contracts';
import { provisionTopics } from '@dualwatch/messaging';
import { parseValue, topicsFor } from '@dualwatch/testing/engine';

/**
 * Helpers for the risk-engine fault scenarios (engine-faults.rel-spec.ts): a client of the scenario's
 * own broker, the reference data loaded the way the system loads it (the `dualwatch refdata load` CLI),
 * a paced order stream from an idempotent producer that retries until the broker acknowledges, a
 * read_committed tail of the assessments (for recovery times) and the final exactly-once count.
 */

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A kafkajs client of the scenario's broker that keeps retrying through an outage. */
export function clientFor(brokers: string, name: string): Kafka {
  return new Kafka({
    clientId: `rel-${name}`,
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { retries: 1_000_000, initialRetryTime: 100, maxRetryTime: 2_000 },
  });
}

/** Creates the engine's topics (as the int tests do) so that the stream can start before the engine. */
export async function provisionEngineTopics(kafka: Kafka, prefix: string): Promise<ReturnType<typeof topicsFor>> {
  await provisionTopics(kafka, ['orders', 'assessments', 'alerts', 'ordersDlq', 'refdataChanges'], prefix);
  return topicsFor(prefix);
}

/**
 * Produces `events` at about `perSecond` with an idempotent producer whose sends retry until the broker
 * acknowledges (an outage stalls the stream, it never drops it). `ackedAt[i]` is when event i was
 * acknowledged. A send that still throws is retried (the input could then hold an event twice: the
 * exactly-once count compares against what the orders topic holds, and reports such input doubles).
 */
export class OrderStream {
  readonly ackedAt: number[] = [];
  produced = 0;
  sendErrors = 0;
  startedAt = 0;
  finishedAt = 0;
  private stopped = false;
  private producer: Producer;
  private waiters: (() => void)[] = [];
  private done?: Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    private readonly events: OrderEvent[],
    private readonly perSecond: number,
    private readonly batch = 50,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
  }

  async start(): Promise<void> {
    await this.producer.connect();
    this.startedAt = Date.now();
    this.done = this.run();
  }

  private async run(): Promise<void> {
    const { events, batch } = this;
    for (let i = 0; i < events.length && !this.stopped; i += batch) {
      const slice = events.slice(i, i + batch);
      for (;;) {
        try {
          await this.producer.send({
            topic: this.topic,
            acks: -1,
            messages: slice.map((e) => ({ key: e.order.orderId, value: JSON.stringify(e) })),
          });
          break;
        } catch {
          this.sendErrors++;
          if (this.stopped) return;
          await sleep(500);
        }
      }
      const now = Date.now();
      for (let j = 0; j < slice.length; j++) this.ackedAt[i + j] = now;
      this.produced = i + slice.length;
      for (const w of this.waiters.splice(0)) w();
      // pace: event i + batch is due at startedAt + (i + batch) / perSecond
      const due = this.startedAt + ((i + batch) * 1000) / this.perSecond;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    this.finishedAt = Date.now();
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * Resolves as soon as `n` events have been acknowledged (or the stream ended: check `produced`),
   * i.e. right after a send, when the engine is about to process that batch: a fault injected then is
   * likely to hit a transaction in flight.
   */
  async reached(n: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.produced < n && !this.finishedAt) {
      if (Date.now() > deadline) throw new Error(`order stream at ${this.produced}, not ${n}, after ${timeoutMs} ms`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(1_000)]);
    }
  }

  async finished(): Promise<void> {
    await this.done;
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.done?.catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }
}

export interface Seen {
  /** when this process received it (committed and visible to read_committed) */
  at: number;
  /** the engine's assessedAt */
  assessedAt: number;
  degraded: boolean;
  eventId: string;
}

/**
 * A read_committed tail of the assessments topic: when each committed assessment became visible, for
 * recovery times and throughput. (A restart of this consumer may show a message twice: the exactly-once
 * count is made by exactlyOnceCount(), never from the tail.)
 */
export class AssessmentTail {
  readonly seen: Seen[] = [];
  private consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.consumer = kafka.consumer({
      groupId: `tail-${topic}-${Date.now()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      retry: { retries: 1_000_000, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        const at = Date.now();
        for (const m of batch.messages) {
          const a = parseValue<Assessment>(m);
          this.seen.push({ at, assessedAt: Date.parse(a.assessedAt ?? ''), degraded: a.degraded === true, eventId: a.eventId });
        }
      },
    });
  }

  /** The first assessment the engine made at or after `since`, once it is visible. */
  firstAssessedSince(since: number): Seen | undefined {
    return this.seen.find((s) => s.assessedAt >= since);
  }

  /** Waits for the first assessment made at or after `since`; returns how long after `since` it was visible. */
  async recoveryAfter(since: number, timeoutMs: number, alive: () => void = () => undefined): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.firstAssessedSince(since);
      if (s) return s.at - since;
      alive();
      if (Date.now() > deadline) throw new Error(`no new committed assessment within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** Waits (up to timeoutMs; no error) until an assessment becomes visible at or after `since`. */
  async visibleSince(since: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !(this.seen.length && this.seen[this.seen.length - 1].at >= since)) await sleep(2);
  }

  /** Most assessments that became visible within one second (a sliding window). */
  peakPerSecond(): number {
    const at = this.seen.map((s) => s.at).sort((a, b) => a - b);
    let best = 0;
    for (let i = 0, j = 0; i < at.length; i++) {
      while (at[i] - at[j] >= 1000) j++;
      best = Math.max(best, i - j + 1);
    }
    return best;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
  }
}

/**
 * Reads a whole topic (read_committed unless told) from the beginning, in a fresh group: returns once at least
 * `expected` messages arrived and nothing more came for `quietMs`, or at `timeoutMs`.
 */
export async function readAll(
  kafka: Kafka,
  topic: string,
  o: { expected: number; quietMs: number; timeoutMs: number; readUncommitted?: boolean },
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({
    groupId: `readall-${topic}-${Date.now()}-${Math.random()}`,
    readUncommitted: o.readUncommitted ?? false,
    maxWaitTimeInMs: 200,
  });
  const messages: KafkaMessage[] = [];
  let last = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        messages.push(...batch.messages);
        last = Date.now();
      },
    });
    const deadline = Date.now() + o.timeoutMs;
    while (Date.now() < deadline && !(messages.length >= o.expected && Date.now() - last >= o.quietMs)) await sleep(100);
    return messages;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

export interface ExactlyOnceCount {
  /** order messages in the orders topic */
  inputMessages: number;
  /** generated events the producer got into the topic more than once (should be 0: idempotent producer) */
  inputDoubles: number;
  /** generated events missing from the orders topic (producer side loss) */
  inputMissing: string[];
  assessments: Assessment[];
  /** events with fewer assessments than order messages */
  lost: string[];
  /** assessments beyond one per order message */
  doubled: number;
  doubledIds: string[];
  /** assessments written in transactions that were aborted (seen read_uncommitted, never read_committed) */
  aborted: number;
}

/**
 * Every generated event against the orders topic and the committed assessments: exactly one assessment
 * per order message, none lost, none doubled. Waits up to `timeoutMs` for the engine to catch up.
 */
export async function exactlyOnceCount(kafka: Kafka, prefix: string, events: OrderEvent[], timeoutMs: number): Promise<ExactlyOnceCount> {
  const topics = topicsFor(prefix);
  const orders = await readAll(kafka, topics.orders, { expected: events.length, quietMs: 1_000, timeoutMs: 60_000 });
  const inCount = new Map<string, number>();
  for (const m of orders) {
    const id = parseValue<OrderEvent>(m).eventId;
    inCount.set(id, (inCount.get(id) ?? 0) + 1);
  }
  const messages = await readAll(kafka, topics.assessments, { expected: orders.length, quietMs: 3_000, timeoutMs });
  const assessments = messages.map((m) => parseValue<Assessment>(m));
  const uncommitted = await readAll(kafka, topics.assessments, {
    expected: messages.length,
    quietMs: 1_000,
    timeoutMs: 60_000,
    readUncommitted: true,
  });
  const outCount = new Map<string, number>();
  for (const a of assessments) outCount.set(a.eventId, (outCount.get(a.eventId) ?? 0) + 1);
  const lost: string[] = [];
  const doubledIds: string[] = [];
  let doubled = 0;
  for (const [id, n] of inCount) {
    const got = outCount.get(id) ?? 0;
    if (got < n) lost.push(id);
    if (got > n) {
      doubled += got - n;
      doubledIds.push(id);
    }
  }
  for (const [id, got] of outCount) {
    if (!inCount.has(id)) {
      doubled += got;
      doubledIds.push(id);
    }
  }
  return {
    inputMessages: orders.length,
    inputDoubles: [...inCount.values()].filter((n) => n > 1).length,
    inputMissing: events.filter((e) => !inCount.has(e.eventId)).map((e) => e.eventId),
    assessments,
    lost,
    doubled,
    doubledIds,
    aborted: uncommitted.length - messages.length,
  };
}

/** Samples a process's RSS every `everyMs`; `peak` is the highest seen. */
export class RssSampler {
  peak = 0;
  private timer: NodeJS.Timeout;

  constructor(sample: () => number, everyMs = 500) {
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, sample())), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
