import type { KafkaMessage } from 'kafkajs';
import { chunkContext, type ChunkHandler, type OutputMessage } from '../transactional-pipeline';
import type { ChunkBinding, ChunkDriver, ChunkDriverFactory, Delivery } from './chunk-transport';

/*
 * An in-memory stand-in for the Kafka side of KafkaChunkTransport, for unit tests of handlers in a Nest
 * TestingModule without a broker. It keeps the semantics the handlers rely on: a partition's messages
 * are handed over in order, in chunks of at most maxChunkMessages; a chunk's outputs become visible and
 * its offset moves on together (the transaction commits) only if the handler succeeds; a failed chunk
 * leaves nothing behind and is handed over again on the next drain. The integration and reliability
 * suites prove the same on the real broker.
 */

interface Bound {
  binding: ChunkBinding & { delivery: Delivery };
  handler: ChunkHandler;
  running: boolean;
}

export interface DrainResult {
  /** Chunks committed by this drain. */
  committed: number;
  /** The first failure, where a chunk's transaction was aborted (its partition waits for the next drain). */
  failed?: Error;
}

export class InMemoryChunkBroker {
  /** Committed outputs, in commit order (what a read_committed consumer would see). */
  readonly outputs: OutputMessage[] = [];
  private readonly logs = new Map<string, KafkaMessage[]>();
  /** `${groupId}|${topic}|${partition}` → next offset to hand over. */
  private readonly offsets = new Map<string, number>();
  private readonly bound: Bound[] = [];

  /** The driver factory to give KafkaChunkTransport (`driver: broker.driver`). */
  readonly driver: ChunkDriverFactory = (binding, handler) => {
    const b: Bound = { binding, handler, running: false };
    this.bound.push(b);
    const driver: ChunkDriver = {
      start: async () => {
        b.running = true;
      },
      stop: async () => {
        b.running = false;
      },
    };
    return driver;
  };

  /** The topics bound so far (after the transport listens). */
  bindings(): (ChunkBinding & { delivery: Delivery })[] {
    return this.bound.map((b) => b.binding);
  }

  /** Appends messages to a partition of a topic (offsets 0, 1, ... per partition). */
  produce(
    topic: string,
    partition: number,
    messages: { key?: Buffer | string | null; value: string | Buffer | null; headers?: Record<string, string> }[],
  ): void {
    const key = `${topic}|${partition}`;
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = []));
    for (const m of messages) {
      log.push({
        key: m.key == null ? null : Buffer.from(m.key),
        value: m.value == null ? null : Buffer.isBuffer(m.value) ? m.value : Buffer.from(m.value),
        headers: m.headers ? Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v)])) : {},
        offset: String(log.length),
        timestamp: String(Date.now()),
        attributes: 0,
      } as KafkaMessage);
    }
  }

  /** Hands every running handler what it has not committed yet, chunk by chunk, until done or a chunk fails. */
  async drain(): Promise<DrainResult> {
    let committedChunks = 0;
    let failed: Error | undefined;
    for (const b of this.bound) {
      if (!b.running) continue;
      for (const [key, log] of this.logs) {
        const [topic, p] = key.split('|');
        if (topic !== b.binding.topic) continue;
        const partition = Number(p);
        const okey = `${b.binding.groupId}|${key}`;
        const size = b.binding.maxChunkMessages ?? 500;
        let next = this.offsets.get(okey) ?? 0;
        while (next < log.length) {
          const chunk = log.slice(next, next + size);
          const { ctx, committed } = chunkContext({ topic, partition, highWatermark: String(log.length) });
          try {
            const out = await b.handler(chunk, ctx);
            if (b.binding.delivery === 'replay' && out.length)
              throw new Error(`a replay handler produces nothing; "${topic}" returned ${out.length}`);
            this.outputs.push(...out);
            next += chunk.length;
            this.offsets.set(okey, next);
            committedChunks++;
            await committed();
          } catch (err) {
            failed ??= err as Error;
            break;
          }
        }
      }
    }
    return { committed: committedChunks, failed };
  }

  /** The committed outputs to one topic. */
  outputsTo(topic: string): OutputMessage[] {
    return this.outputs.filter((o) => o.topic === topic);
  }
}
