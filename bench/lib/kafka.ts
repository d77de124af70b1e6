/** Kafka helpers of the pipeline benchmark: a client, a fast backlog producer, progress and output readers. */
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { sleep } from '@dualwatch/infra';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface KeyedMessage {
  key: string;
  value: Buffer;
}

export function benchKafka(brokers: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2_000 },
  });
}

/**
 * Sends every message (acks=all), `batch` per request. Each producer must be idempotent: kafkajs
 * retries a whole per-broker request when only some of its partitions failed (e.g. a topic just
 * created under KRaft), which a plain producer turns into duplicates. An idempotent producer must not
 * have two requests for one partition in flight (its sequence numbers would collide), so each producer
 * sends its share one request at a time, and the producers (own producer ids) run side by side.
 */
export async function produceAll(producers: Producer | Producer[], topic: string, messages: KeyedMessage[], batch = 2_000): Promise<void> {
  const list = Array.isArray(producers) ? producers : [producers];
  const share = Math.ceil(messages.length / list.length);
  await Promise.all(
    list.map(async (producer, i) => {
      const mine = messages.slice(i * share, (i + 1) * share);
      for (let from = 0; from < mine.length; from += batch) {
        await producer.send({ topic, acks: -1, messages: mine.slice(from, from + batch) });
      }
    }),
  );
}

/** Messages in a non-transactional topic: the sum of its partitions' high watermarks. */
export async function topicMessageCount(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((s, o) => s + Number(o.high) - Number(o.low), 0);
}

/** Sum of the group's committed offsets on a topic (0 for partitions without one). */
export async function committedTotal(admin: Admin, groupId: string, topic: string): Promise<number> {
  const res = await admin.fetchOffsets({ groupId, topics: [topic] });
  let total = 0;
  for (const t of res) for (const p of t.partitions) total += Math.max(0, Number(p.offset));
  return total;
}

/**
 * Waits until the group has committed `target` offsets in total on `topic` (what a consumer of a
 * non-transactional, single-segment backlog produced by us has to reach). Fails when nothing moves for
 * `stallMs`, or when `alive()` says the consumer process died, with `context()` in the message.
 */
export async function waitCommitted(
  admin: Admin,
  groupId: string,
  topic: string,
  target: number,
  opts: { stallMs?: number; intervalMs?: number; alive?: () => boolean; context?: () => string; onProgress?: (n: number) => void } = {},
): Promise<number> {
  const stallMs = opts.stallMs ?? 90_000;
  let last = -1;
  let lastMove = Date.now();
  for (;;) {
    const n = await committedTotal(admin, groupId, topic).catch(() => last);
    if (n !== last) {
      last = n;
      lastMove = Date.now();
      opts.onProgress?.(n);
    }
    if (n >= target) return Date.now();
    if (opts.alive && !opts.alive()) throw new Error(`consumer died at ${n}/${target} committed on ${topic}\n${opts.context?.() ?? ''}`);
    if (Date.now() - lastMove > stallMs)
      throw new Error(`no progress for ${stallMs / 1000} s at ${n}/${target} committed on ${topic}\n${opts.context?.() ?? ''}`);
    await sleep(opts.intervalMs ?? 100);
  }
}

/**
 * Reads a topic from the beginning with read_committed isolation (what downstream consumers see),
 * calling `onMessage(key, timestampMs)` for each message, until `expected` were read or nothing new
 * arrived for `idleMs`. Returns how many were read.
 */
export async function readAll(
  kafka: Kafka,
  topic: string,
  expected: number,
  onMessage: (key: string, timestampMs: number) => void,
  idleMs = 8_000,
): Promise<number> {
  const consumer = kafka.consumer({
    groupId: `bench-reader-${topic}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    readUncommitted: false,
    maxWaitTimeInMs: 250,
    maxBytes: 64 * 1024 * 1024,
  });
  let count = 0;
  let lastAt = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) onMessage(m.key?.toString('utf8') ?? '', Number(m.timestamp));
        count += batch.messages.length;
        lastAt = Date.now();
      },
    });
    while (count < expected && Date.now() - lastAt < idleMs) await sleep(50);
  } finally {
    await consumer.disconnect();
  }
  return count;
}
