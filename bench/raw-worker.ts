/**
 * The raw ceiling of the pipeline benchmark, run as its own process like the engine: kafkajs alone,
 * eachBatch over the orders topic, one output message of assessment size per input, no processing.
 *
 *   BENCH_MODE=plain  one idempotent producer, acks=all, a send per chunk, offsets auto-committed
 *   BENCH_MODE=tx     like TransactionalPipeline: a transactional producer per input partition and, per
 *                     chunk, one transaction with the outputs and the consumed offset (the fair ceiling
 *                     of an exactly-once pipeline)
 *
 * Consumer and producer settings mirror libs/messaging's TransactionalPipeline. Started by bench/run.ts.
 */
// The same kafkajs as the engine's, record-batch checksum included (patches/kafkajs+2.2.4.patch, applied at install).
import { Kafka, logLevel, type Producer } from 'kafkajs';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

function env(name: string, fallback?: string): string {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`raw-worker: ${name} is not set`);
  return v;
}

async function main(): Promise<void> {
  const mode = env('BENCH_MODE');
  if (mode !== 'plain' && mode !== 'tx') throw new Error(`raw-worker: BENCH_MODE must be plain or tx, not ${mode}`);
  const inTopic = env('BENCH_IN_TOPIC');
  const outTopic = env('BENCH_OUT_TOPIC');
  const groupId = env('BENCH_GROUP');
  const chunkSize = Number(env('BENCH_CHUNK', '500'));
  const concurrency = Number(env('BENCH_CONCURRENCY', '6'));
  const payload = Buffer.alloc(Number(env('BENCH_PAYLOAD_BYTES', '1500')), 'x');
  const txPrefix = env('BENCH_TXN_PREFIX', groupId);

  const kafka = new Kafka({
    clientId: `bench-raw-${mode}`,
    brokers: env('BENCH_BROKERS').split(','),
    logLevel: logLevel.ERROR,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    // the engine's client settings (libs/messaging createKafka); BENCH_RETRY_MS changes the first
    // back-off, which is what a transaction waits after CONCURRENT_TRANSACTIONS (see docs/benchmarks.md)
    retry: { initialRetryTime: Number(env('BENCH_RETRY_MS', '200')), retries: 8 },
  });
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: 30000,
    heartbeatInterval: 3000,
    // the engine's fetch sizes (libs/messaging TransactionalPipeline)
    maxBytesPerPartition: 1024 * 1024,
    maxBytes: 8 * 1024 * 1024,
    retry: { retries: 10 },
  });

  const producers = new Map<number, Promise<Producer>>();
  const txProducer = (partition: number): Promise<Producer> => {
    let p = producers.get(partition);
    if (!p) {
      const producer = kafka.producer({
        transactionalId: `${txPrefix}-${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60000,
        // the engine's transactional producers' retry (libs/messaging TransactionalPipeline.producerFor);
        // BENCH_TXN_RETRY_MS changes the first back-off
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: Number(env('BENCH_TXN_RETRY_MS', '15')), maxRetryTime: 5000 },
      });
      p = producer.connect().then(() => producer);
      producers.set(partition, p);
    }
    return p;
  };
  const plain = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  if (mode === 'plain') await plain.connect();

  await consumer.connect();
  await consumer.subscribe({ topic: inTopic, fromBeginning: true });
  await consumer.run({
    autoCommit: mode === 'plain',
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: concurrency,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const { topic, partition } = batch;
      for (let i = 0; i < batch.messages.length; i += chunkSize) {
        if (!isRunning() || isStale()) return;
        const chunk = batch.messages.slice(i, i + chunkSize);
        const messages = chunk.map((m) => ({ key: m.key, value: payload }));
        const last = chunk[chunk.length - 1].offset;
        if (mode === 'plain') {
          await plain.send({ topic: outTopic, acks: -1, messages });
          resolveOffset(last); // committed by kafkajs after each fetched batch (autoCommit)
        } else {
          const tx = await (await txProducer(partition)).transaction();
          try {
            await tx.sendBatch({ acks: -1, topicMessages: [{ topic: outTopic, messages }] });
            await tx.sendOffsets({
              consumerGroupId: groupId,
              topics: [{ topic, partitions: [{ partition, offset: (BigInt(last) + 1n).toString() }] }],
            });
            await tx.commit();
          } catch (err) {
            await tx.abort().catch(() => undefined);
            throw err;
          }
          resolveOffset(last);
        }
        await heartbeat();
      }
    },
  });

  const shutdown = async () => {
    await consumer.disconnect().catch(() => undefined);
    await plain.disconnect().catch(() => undefined);
    for (const p of producers.values()) await (await p).disconnect().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((err) => {
  process.stderr.write(`raw-worker failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
