import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '@dualwatch/observability';
import { TransactionalPipeline } from './transactional-pipeline';

/*
 * The order of the Kafka calls a new partition owner makes, with a recording fake of kafkajs (the real
 * broker runs in test/integration/transactional-pipeline.int-spec.ts and the reliability suite). The
 * committed offset below which a chunk is skipped must be read only after the partition's transactional
 * id is initialised: that is what waits for the previous owner's last transaction to complete. kafkajs
 * initialises it at the first transaction(), not at connect().
 */

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;

function fakeKafka(committed: string) {
  const calls: string[] = [];
  let eachBatch: ((payload: unknown) => Promise<void>) | undefined;
  const kafka = {
    consumer: () => ({
      connect: async () => undefined,
      subscribe: async () => undefined,
      run: async (o: { eachBatch: (payload: unknown) => Promise<void> }) => {
        eachBatch = o.eachBatch;
      },
      disconnect: async () => undefined,
    }),
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchOffsets: async () => {
        calls.push('fetchOffsets');
        return [{ topic: 'in', partitions: [{ partition: 0, offset: committed }] }];
      },
    }),
    producer: () => ({
      connect: async () => calls.push('connect'),
      disconnect: async () => undefined,
      transaction: async () => {
        calls.push('transaction');
        return {
          sendBatch: async () => calls.push('sendBatch'),
          sendOffsets: async (o: { topics: { partitions: { offset: string }[] }[] }) =>
            calls.push(`sendOffsets ${o.topics[0].partitions[0].offset}`),
          commit: async () => calls.push('commit'),
          abort: async () => calls.push('abort'),
        };
      },
    }),
  } as unknown as Kafka;
  return { kafka, calls, batch: (payload: unknown) => eachBatch!(payload) };
}

const message = (offset: number): KafkaMessage =>
  ({ key: null, value: Buffer.from(String(offset)), offset: String(offset), timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage;

function batchOf(offsets: number[], resolved: string[]) {
  return {
    batch: { topic: 'in', partition: 0, highWatermark: String(offsets[offsets.length - 1] + 1), messages: offsets.map(message) },
    resolveOffset: (o: string) => resolved.push(o),
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
    pause: () => () => undefined,
  };
}

describe('TransactionalPipeline, a new owner of a partition', () => {
  it('initialises the transactional id before it reads the committed offset, then skips what is below it', async () => {
    const { kafka, calls, batch } = fakeKafka('12');
    const handled: string[] = [];
    const pipeline = new TransactionalPipeline({
      kafka,
      groupId: 'g',
      inputTopic: 'in',
      transactionalIdPrefix: 'tx',
      logger: quiet,
      handler: async (messages) => {
        handled.push(...messages.map((m) => m.offset));
        return [{ topic: 'out', key: null, value: 'x' }];
      },
    });
    await pipeline.start();
    const resolved: string[] = [];
    // the fetch starts one transaction behind the previous owner's last commit (offsets 10..13; 12 committed)
    await batch(batchOf([10, 11, 12, 13], resolved));

    expect(calls.slice(0, 4)).toEqual(['connect', 'transaction', 'abort', 'fetchOffsets']);
    expect(handled).toEqual(['12', '13']); // 10 and 11 were the previous owner's
    expect(calls.slice(4)).toEqual(['transaction', 'sendBatch', 'sendOffsets 14', 'commit']);
    expect(resolved).toEqual(['13']);
    await pipeline.stop();
  });
});
