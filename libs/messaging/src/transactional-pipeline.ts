import type { Admin, Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from '@dualwatch/observability';
import { heartbeatIntervalFor } from './heartbeat';
import { PartitionBackoff } from './partition-backoff';

export interface OutputMessage {
  topic: string;
  /** A string, or bytes kept as they came (a dead letter's key is the original key's bytes). */
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
}

export interface ChunkContext {
  topic: string;
  partition: number;
  /** Highest offset of the partition known to the broker, for lag metrics. */
  highWatermark: string;
  /**
   * Registers work to do once the chunk's outputs are committed (never when they are not): e.g. a cache
   * updated again with what the transaction made durable. Failures are logged, not retried.
   */
  afterCommit?(work: () => Promise<unknown> | unknown): void;
}

/** A chunk's context and the runner of what it registered to do after its commit. */
export function chunkContext(
  base: Omit<ChunkContext, 'afterCommit'>,
  logger?: { warn(obj: object, msg: string): void },
): { ctx: ChunkContext; committed(): Promise<void> } {
  const after: (() => Promise<unknown> | unknown)[] = [];
  return {
    ctx: { ...base, afterCommit: (work) => void after.push(work) },
    committed: async () => {
      for (const work of after)
        await Promise.resolve()
          .then(work)
          .catch((err: unknown) => logger?.warn({ err, topic: base.topic, partition: base.partition }, 'after-commit work failed'));
    },
  };
}

/** Most bytes of output messages sent in one produce request of a chunk's transaction. */
export const SEND_BUDGET_BYTES = 1024 * 1024;

/** Approximate bytes of one output message on the wire (key, value, headers). */
export function outputBytes(o: OutputMessage): number {
  const len = (v: Buffer | string | null | undefined) => (v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);
  let n = 64 + len(o.key) + len(o.value);
  for (const [k, v] of Object.entries(o.headers ?? {})) n += len(k) + len(v) + 8;
  return n;
}

/**
 * Output messages in order, cut into groups of at most `budget` bytes; a message over the budget is a
 * group of its own. (One record batch per partition per request: a chunk of large dead letters sent at
 * once could exceed the topic's max.message.bytes and fail on every retry.)
 */
export function splitByBytes(outputs: OutputMessage[], budget: number): OutputMessage[][] {
  const groups: OutputMessage[][] = [];
  let current: OutputMessage[] = [];
  let bytes = 0;
  for (const o of outputs) {
    const n = outputBytes(o);
    if (current.length && bytes + n > budget) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(o);
    bytes += n;
  }
  if (current.length) groups.push(current);
  return groups;
}

/** Turns a chunk of input messages into output messages. Must not throw for bad input: route it to a DLQ. */
export type ChunkHandler = (messages: KafkaMessage[], ctx: ChunkContext) => Promise<OutputMessage[]>;

export interface PipelineHooks {
  /** After each committed transaction: how many in, how many out, how long it took. */
  committed?(info: { topic: string; partition: number; messages: number; outputs: number; ms: number; lag: number }): void;
  /** A chunk failed and the partition paused before it is retried. */
  retrying?(info: { topic: string; partition: number; error: Error; backoffMs: number }): void;
  /** Replay only: the last offset of each batch read, transaction markers included. */
  reached?(info: { topic: string; partition: number; offset: string }): void;
}

export interface TransactionalPipelineOptions {
  kafka: Kafka;
  groupId: string;
  inputTopic: string;
  /** transactional.id = `${transactionalIdPrefix}-${topic}-${partition}`: one per input partition. */
  transactionalIdPrefix: string;
  handler: ChunkHandler;
  /** Messages per transaction; a fetched batch is cut into chunks of at most this many. */
  maxChunkMessages?: number;
  /** Partitions processed at once (bounded concurrency). */
  partitionsConsumedConcurrently?: number;
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  /** First back-off after a failed chunk; doubles up to 30 s. */
  retryBackoffMs?: number;
  logger: Logger;
  hooks?: PipelineHooks;
}

/**
 * Consume → process → produce, exactly once inside Kafka.
 *
 * Each chunk of a partition's batch is processed, and its outputs plus the consumed offset are written
 * in ONE Kafka transaction. A crash before the commit aborts the transaction (or the next producer with
 * the same transactional.id fences and aborts it), so the chunk is processed again and its first
 * outputs were never visible to read_committed consumers; after the commit, the offset moves on with
 * them. The transactional.id is per input partition (not per instance): whoever owns partition p after
 * a rebalance or restart uses the same id, which fences a zombie that still thinks it owns p. kafkajs
 * does not send the group generation with the offsets (KIP-447), so per-instance ids would not be safe.
 *
 * Offsets after a hand-over: the transaction coordinator writes the commit markers of a transaction
 * (including its consumed offsets) after it answers the commit, and kafkajs fetches committed offsets
 * without KIP-447's "require stable" flag, so a new owner can read an offset that is one transaction
 * behind and process a chunk twice. Initialising the partition's transactional producer (an empty
 * transaction: kafkajs initialises the transactional id there, not at connect) completes any transaction
 * the previous owner left (same transactional.id), so the pipeline reads the committed offset right
 * after that and skips what is below it.
 *
 * Back-pressure: a chunk that fails (broker unavailable, transaction aborted) pauses its partition,
 * backs off and resumes from the last committed chunk; other partitions go on.
 */
export class TransactionalPipeline {
  private readonly consumer: Consumer;
  private readonly producers = new Map<string, Promise<{ producer: Producer; floor: bigint }>>();
  private readonly admin: Admin;
  private readonly backoff: PartitionBackoff;
  private running = false;

  constructor(private readonly o: TransactionalPipelineOptions) {
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      readUncommitted: false,
      sessionTimeout: o.sessionTimeoutMs ?? 30000,
      heartbeatInterval: heartbeatIntervalFor(o.sessionTimeoutMs ?? 30000),
      // 1 MiB per partition, 8 MiB per fetch: enough for chunks of hundreds of orders, and fewer
      // Buffers in flight (RSS; docs/benchmarks.md). The broker still returns a larger single record.
      maxBytesPerPartition: o.maxBytesPerPartition ?? 1024 * 1024,
      maxBytes: 8 * 1024 * 1024,
      retry: { retries: 10 },
    });
    this.admin = o.kafka.admin();
    this.backoff = new PartitionBackoff({ firstMs: o.retryBackoffMs, logger: o.logger, hooks: o.hooks, running: () => this.running });
  }

  get kafkaConsumer(): Consumer {
    return this.consumer;
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.o.inputTopic, fromBeginning: this.o.fromBeginning ?? true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.o.partitionsConsumedConcurrently ?? 3,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, pause }) => {
        const { topic, partition } = batch;
        const chunkSize = this.o.maxChunkMessages ?? 500;
        for (let i = 0; i < batch.messages.length; i += chunkSize) {
          // a graceful stop finishes the chunk in hand and commits it, then stops
          if (!isRunning() || isStale()) return;
          let chunk = batch.messages.slice(i, i + chunkSize);
          const started = Date.now();
          try {
            // what a previous owner already committed is skipped (see the class comment)
            const { floor } = await this.producerFor(topic, partition);
            if (BigInt(chunk[chunk.length - 1].offset) < floor) {
              resolveOffset(chunk[chunk.length - 1].offset);
              continue;
            }
            chunk = chunk.filter((m) => BigInt(m.offset) >= floor);
            const { ctx, committed } = chunkContext({ topic, partition, highWatermark: batch.highWatermark }, this.o.logger);
            const outputs = await this.o.handler(chunk, ctx);
            const last = chunk[chunk.length - 1].offset;
            await this.commit(topic, partition, outputs, BigInt(last) + 1n);
            resolveOffset(last);
            await committed();
            this.backoff.succeeded(topic, partition);
            const lag = Number(BigInt(batch.highWatermark) - BigInt(last) - 1n);
            this.o.hooks?.committed?.({ topic, partition, messages: chunk.length, outputs: outputs.length, ms: Date.now() - started, lag });
          } catch (err) {
            this.dropProducer(topic, partition);
            this.backoff.failed(topic, partition, err, pause);
            return;
          }
          await heartbeat();
        }
      },
    });
  }

  /** Graceful stop: the chunk in hand finishes and commits, then the consumer leaves the group. */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
    const producers = await Promise.allSettled([...this.producers.values()]);
    this.producers.clear();
    await Promise.allSettled(producers.map((p) => (p.status === 'fulfilled' ? p.value.producer.disconnect() : undefined)));
    await this.admin.disconnect();
  }

  private async commit(topic: string, partition: number, outputs: OutputMessage[], nextOffset: bigint): Promise<void> {
    const owned = await this.producerFor(topic, partition);
    const { producer } = owned;
    const tx = await producer.transaction();
    try {
      // in requests of at most SEND_BUDGET_BYTES (a big message alone): kafkajs puts all of a request's
      // messages for one partition in one record batch, which must stay under max.message.bytes
      for (const part of splitByBytes(outputs, SEND_BUDGET_BYTES)) {
        const byTopic = new Map<
          string,
          { key: Buffer | string | null; value: Buffer | string | null; headers?: Record<string, string> }[]
        >();
        for (const o of part) {
          let list = byTopic.get(o.topic);
          if (!list) byTopic.set(o.topic, (list = []));
          list.push({ key: o.key, value: o.value, headers: o.headers });
        }
        await tx.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([t, messages]) => ({ topic: t, messages })) });
      }
      await tx.sendOffsets({
        consumerGroupId: this.o.groupId,
        topics: [{ topic, partitions: [{ partition, offset: nextOffset.toString() }] }],
      });
      await tx.commit();
      // our own commit may not be readable yet either: a re-fetch after a rebalance that left us the
      // partition must not take us back before it
      owned.floor = nextOffset;
    } catch (err) {
      await tx.abort().catch(() => undefined);
      throw err;
    }
  }

  private producerFor(topic: string, partition: number): Promise<{ producer: Producer; floor: bigint }> {
    const key = `${topic}-${partition}`;
    let p = this.producers.get(key);
    if (!p) {
      const producer = this.o.kafka.producer({
        transactionalId: `${this.o.transactionalIdPrefix}-${key}`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60000,
        // an idempotent producer must not give up on a send by itself (kafkajs warns otherwise); a broker
        // outage stalls the chunk until it returns, and a fenced producer fails at once regardless.
        // The first retries are short: right after a commit the broker answers the next transaction's
        // AddPartitionsToTxn with CONCURRENT_TRANSACTIONS until its markers are written (a few ms), and
        // the client-wide 200 ms back-off halved the transactional ceiling (docs/benchmarks.md).
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 15, maxRetryTime: 5000 },
      });
      p = producer.connect().then(async () => {
        // kafkajs's connect() gets an idempotent producer id only; the transactional id is initialised
        // at the first transaction(). Do that now, before the floor is read: InitProducerId fences the
        // previous owner and waits until its last transaction is complete (markers and offsets written),
        // so the committed offset read next is not one transaction behind. (Reading it right after
        // connect() let a new owner redo the previous owner's last chunk after a rebalance: 29 doubled
        // assessments in a CI run.) An abort with nothing sent ends the empty transaction locally.
        const init = await producer.transaction();
        await init.abort();
        return { producer, floor: await this.committedOffset(topic, partition) };
      });
      p.catch(() => this.producers.delete(key));
      this.producers.set(key, p);
    }
    return p;
  }

  private dropProducer(topic: string, partition: number): void {
    const key = `${topic}-${partition}`;
    const p = this.producers.get(key);
    this.producers.delete(key);
    p?.then(({ producer }) => producer.disconnect()).catch(() => undefined);
  }

  /** The group's committed offset for one partition (0 when none), read after the producer fenced. */
  private async committedOffset(topic: string, partition: number): Promise<bigint> {
    const [t] = await this.admin.fetchOffsets({ groupId: this.o.groupId, topics: [topic] });
    const offset = t?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    return BigInt(offset) < 0n ? 0n : BigInt(offset);
  }
}
