import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { Logger } from '@dualwatch/observability';
import { heartbeatIntervalFor } from './heartbeat';
import { PartitionBackoff } from './partition-backoff';
import { chunkContext, type ChunkHandler, type OutputMessage, type PipelineHooks } from './transactional-pipeline';

export interface AtLeastOncePipelineOptions {
  kafka: Kafka;
  groupId: string;
  inputTopic: string;
  handler: ChunkHandler;
  /** Messages per chunk; the offset is committed after each chunk the handler finished. */
  maxChunkMessages?: number;
  partitionsConsumedConcurrently?: number;
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  /** How long a fetch waits for data (kafkajs maxWaitTimeInMs): lower is lower latency on a quiet topic. */
  maxWaitTimeInMs?: number;
  /** Most bytes one fetch brings per partition (kafkajs maxBytesPerPartition, default 1 MiB): the ceiling of a chunk's size in bytes. */
  maxBytesPerPartition?: number;
  /** First back-off after a failed chunk; doubles up to 30 s. */
  retryBackoffMs?: number;
  logger: Logger;
  hooks?: PipelineHooks;
}

/**
 * Consume → handle → commit, at least once: for handlers whose effect lives outside Kafka (the notifier
 * schedules deliveries in Redis, idempotently) and must be done before the offset moves on. Each chunk
 * of a partition's batch is handed to the handler; what it returns is sent (acks=all, idempotent
 * producer) and then the chunk's offset is committed. A crash before the commit hands the chunk over
 * again, so the handler must be idempotent. A chunk that fails pauses its partition, backs off and is
 * retried; other partitions go on. Reads are read_committed.
 */
export class AtLeastOncePipeline {
  private readonly consumer: Consumer;
  private producer?: Promise<Producer>;
  private readonly backoff: PartitionBackoff;
  private running = false;

  constructor(private readonly o: AtLeastOncePipelineOptions) {
    const session = o.sessionTimeoutMs ?? 30000;
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      readUncommitted: false,
      sessionTimeout: session,
      heartbeatInterval: heartbeatIntervalFor(session),
      maxWaitTimeInMs: o.maxWaitTimeInMs ?? 5000,
      ...(o.maxBytesPerPartition
        ? { maxBytesPerPartition: o.maxBytesPerPartition, maxBytes: Math.max(10 * 1024 * 1024, o.maxBytesPerPartition * 4) }
        : {}),
      retry: { retries: 10 },
    });
    this.backoff = new PartitionBackoff({ firstMs: o.retryBackoffMs, logger: o.logger, hooks: o.hooks, running: () => this.running });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.o.inputTopic, fromBeginning: this.o.fromBeginning ?? true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.o.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, pause }) => {
        const { topic, partition } = batch;
        const size = this.o.maxChunkMessages ?? 500;
        for (let i = 0; i < batch.messages.length; i += size) {
          // a graceful stop finishes the chunk in hand and commits it, then stops
          if (!isRunning() || isStale()) return;
          const chunk = batch.messages.slice(i, i + size);
          const started = Date.now();
          try {
            const { ctx, committed } = chunkContext({ topic, partition, highWatermark: batch.highWatermark }, this.o.logger);
            const outputs = await this.o.handler(chunk, ctx);
            if (outputs.length > 0) await this.send(outputs);
            const last = chunk[chunk.length - 1].offset;
            await this.consumer.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
            resolveOffset(last);
            await committed();
            this.backoff.succeeded(topic, partition);
            const lag = Number(BigInt(batch.highWatermark) - BigInt(last) - 1n);
            this.o.hooks?.committed?.({ topic, partition, messages: chunk.length, outputs: outputs.length, ms: Date.now() - started, lag });
          } catch (err) {
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
    const producer = await this.producer?.catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
  }

  private async send(outputs: OutputMessage[]): Promise<void> {
    if (!this.producer) {
      const producer = this.o.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5000 },
      });
      this.producer = producer.connect().then(() => producer);
      this.producer.catch(() => (this.producer = undefined));
    }
    const producer = await this.producer;
    const byTopic = new Map<string, { key: Buffer | string | null; value: Buffer | string | null; headers?: Record<string, string> }[]>();
    for (const o of outputs) {
      let list = byTopic.get(o.topic);
      if (!list) byTopic.set(o.topic, (list = []));
      list.push({ key: o.key, value: o.value, headers: o.headers });
    }
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }
}
