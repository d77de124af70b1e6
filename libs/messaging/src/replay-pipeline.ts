import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '@dualwatch/observability';
import { heartbeatIntervalFor } from './heartbeat';
import { PartitionBackoff } from './partition-backoff';
import type { ChunkHandler, PipelineHooks } from './transactional-pipeline';

export interface ReplayPipelineOptions {
  kafka: Kafka;
  /** A group of this reader's own (every instance reads everything); nothing is ever committed in it. */
  groupId: string;
  inputTopic: string;
  handler: ChunkHandler;
  maxChunkMessages?: number;
  sessionTimeoutMs?: number;
  /** How long a fetch waits for data (kafkajs maxWaitTimeInMs): low, a view should follow its log closely. */
  maxWaitTimeInMs?: number;
  /** First back-off after a failed chunk; doubles up to 30 s. */
  retryBackoffMs?: number;
  logger: Logger;
  hooks?: PipelineHooks;
}

/**
 * Replay: a state rebuilt from a log, in every instance. The whole topic is read from the beginning,
 * read_committed, in a consumer group of the reader's own, and no offset is ever committed: a restart
 * reads the log again and rebuilds the same state (the api's alert store). The handler must not
 * produce (what it returns is refused); a chunk that fails pauses the partition, backs off and is
 * handed over again. `hooks.reached` reports every position read, transaction markers included (a
 * batch of markers only reaches no handler), so a reader can tell when it has caught up with the log.
 */
export class ReplayPipeline {
  private readonly consumer: Consumer;
  private readonly backoff: PartitionBackoff;
  private running = false;

  constructor(private readonly o: ReplayPipelineOptions) {
    const session = o.sessionTimeoutMs ?? 10_000;
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      readUncommitted: false,
      sessionTimeout: session,
      heartbeatInterval: heartbeatIntervalFor(session),
      maxWaitTimeInMs: o.maxWaitTimeInMs ?? 100,
    });
    this.backoff = new PartitionBackoff({ firstMs: o.retryBackoffMs, logger: o.logger, hooks: o.hooks, running: () => this.running });
  }

  async start(): Promise<void> {
    const { consumer } = this;
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      this.o.hooks?.reached?.({ topic: payload.topic, partition: payload.partition, offset: payload.lastOffset }),
    );
    await consumer.connect();
    await consumer.subscribe({ topic: this.o.inputTopic, fromBeginning: true });
    this.running = true;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, pause }) => {
        const { topic, partition } = batch;
        const size = this.o.maxChunkMessages ?? 1000;
        for (let i = 0; i < batch.messages.length; i += size) {
          if (!isRunning() || isStale()) return;
          const chunk = batch.messages.slice(i, i + size);
          const started = Date.now();
          try {
            const outputs = await this.o.handler(chunk, { topic, partition, highWatermark: batch.highWatermark });
            if (outputs.length) throw new Error(`a replay handler produces nothing; "${topic}" returned ${outputs.length} messages`);
          } catch (err) {
            this.backoff.failed(topic, partition, err, pause);
            return;
          }
          const last = chunk[chunk.length - 1].offset;
          resolveOffset(last);
          this.backoff.succeeded(topic, partition);
          const lag = Number(BigInt(batch.highWatermark) - BigInt(last) - 1n);
          this.o.hooks?.committed?.({ topic, partition, messages: chunk.length, outputs: 0, ms: Date.now() - started, lag });
          await heartbeat();
        }
      },
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }
}
