/**
 * Jest globalSetup of the `integration` project: one real Kafka broker and one Redis server on
 * free ports for the whole run, exposed to the test workers as KAFKA_BROKERS and REDIS_URL.
 *
 * To reuse running servers instead (e.g. `node dist/tools/infra/cli.js start`), set
 * DW_TEST_KAFKA_BROKERS and/or DW_TEST_REDIS_URL: whatever is given is used, the rest is started.
 * DW_TEST_KAFKA_HEAP_MB changes the broker's heap (default 512).
 */
import { KafkaBroker, RedisServer } from '../../tools/infra';
import { setTestInfra, type DwTestInfra } from './infra-handles';

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  const givenBrokers = process.env.DW_TEST_KAFKA_BROKERS?.trim();
  const givenRedis = process.env.DW_TEST_REDIS_URL?.trim();
  const heapMb = process.env.DW_TEST_KAFKA_HEAP_MB ? Number(process.env.DW_TEST_KAFKA_HEAP_MB) : undefined;

  const [kafkaRes, redisRes] = await Promise.allSettled([
    givenBrokers ? Promise.resolve(undefined) : KafkaBroker.start({ name: 'test-kafka', heapMb }),
    givenRedis ? Promise.resolve(undefined) : RedisServer.start(),
  ]);
  const infra: DwTestInfra = {
    kafka: kafkaRes.status === 'fulfilled' ? kafkaRes.value : undefined,
    redis: redisRes.status === 'fulfilled' ? redisRes.value : undefined,
  };
  if (kafkaRes.status === 'rejected' || redisRes.status === 'rejected') {
    await Promise.allSettled([infra.kafka?.stop(), infra.redis?.stop()]);
    throw kafkaRes.status === 'rejected' ? kafkaRes.reason : (redisRes as PromiseRejectedResult).reason;
  }
  setTestInfra(infra);

  process.env.KAFKA_BROKERS = givenBrokers || infra.kafka!.brokers;
  process.env.REDIS_URL = givenRedis || infra.redis!.url;

  const kafkaWhat = infra.kafka
    ? `started Kafka ${infra.kafka.brokers} (pid ${infra.kafka.pid}, log ${infra.kafka.logFile})`
    : `using Kafka ${process.env.KAFKA_BROKERS} (DW_TEST_KAFKA_BROKERS)`;
  const redisWhat = infra.redis
    ? `started Redis ${infra.redis.url} (pid ${infra.redis.pid})`
    : `using Redis ${process.env.REDIS_URL} (DW_TEST_REDIS_URL)`;
  process.stdout.write(`\n[dw-test] ${kafkaWhat}; ${redisWhat} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
