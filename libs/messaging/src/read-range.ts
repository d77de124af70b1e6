import type { Kafka, KafkaMessage } from 'kafkajs';

/** A partition's range to read: offsets from `start` (inclusive) to `high` (exclusive). */
export interface PartitionRange {
  partition: number;
  start: bigint;
  high: bigint;
}

/**
 * Reads committed messages of the given partition ranges once (read_committed, a throw-away group that
 * commits nothing) and returns when every range is read: for tools that read a slice of a log (the CLI's
 * replay). Transaction markers count as read (a range may end in one).
 */
export async function readRanges(
  kafka: Kafka,
  topic: string,
  ranges: PartitionRange[],
  onMessage: (partition: number, message: KafkaMessage) => void,
  o: { timeoutMs?: number; groupId?: string } = {},
): Promise<void> {
  const pending = new Set(ranges.filter((e) => e.start < e.high).map((e) => e.partition));
  if (!pending.size) return;
  const consumer = kafka.consumer({ groupId: o.groupId ?? `dualwatch-read-${process.pid}-${Date.now()}`, readUncommitted: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic} timed out with partitions ${[...pending].join(', ')} unfinished`)),
        o.timeoutMs ?? 60000,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = ranges.find((e) => e.partition === batch.partition)!;
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              if (offset >= end.start && offset < end.high) onMessage(batch.partition, message);
            }
            // lastOffset() counts transaction markers too, which are never delivered as messages
            if (BigInt(batch.lastOffset()) >= end.high - 1n && pending.delete(batch.partition) && !pending.size) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
      for (const e of ranges) if (e.start < e.high) consumer.seek({ topic, partition: e.partition, offset: e.start.toString() });
    });
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Follows a topic from its end (read_committed, a throw-away group): every new message to `onMessage`
 * until the returned function stops it. For tools that watch a topic (the demo's alert lines).
 */
export async function tailTopic(kafka: Kafka, topic: string, onMessage: (message: KafkaMessage) => void): Promise<() => Promise<void>> {
  const consumer = kafka.consumer({ groupId: `dualwatch-tail-${process.pid}-${Date.now()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({ eachMessage: async ({ message }) => onMessage(message) });
  return () => consumer.disconnect();
}
