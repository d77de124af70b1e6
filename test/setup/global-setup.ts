/**
 * Jest globalSetup of the `integration` project: one real Kafka broker, one Redis server and one
 * PostgreSQL server on free ports for the whole run, exposed to the test workers as KAFKA_BROKERS,
 * REDIS_URL and DW_TEST_DATABASE_URL (each test file makes databases of its own on it: testDatabase()).
 *
 * To reuse running servers instead (e.g. `node dist/tools/infra/cli.js start`), set
 * DW_TEST_KAFKA_BROKERS, DW_TEST_REDIS_URL and/or DW_TEST_DATABASE_URL: whatever is given is used, the
 * rest is started.
 * DW_TEST_KAFKA_HEAP_MB changes the broker's heap (default 512).
 */
import { KafkaBroker, PostgresServer, RedisServer } from '../../tools/infra';
import { setTestInfra, type DwTestInfra } from './infra-handles';

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  const givenBrokers = process.env.DW_TEST_KAFKA_BROKERS?.trim();
  const givenRedis = process.env.DW_TEST_REDIS_URL?.trim();
  const givenPg = process.env.DW_TEST_DATABASE_URL?.trim();
  const heapMb = process.env.DW_TEST_KAFKA_HEAP_MB ? Number(process.env.DW_TEST_KAFKA_HEAP_MB) : undefined;

  const [kafkaRes, redisRes, pgRes] = await Promise.allSettled([
    givenBrokers ? Promise.resolve(undefined) : KafkaBroker.start({ name: 'test-kafka', heapMb }),
    givenRedis ? Promise.resolve(undefined) : RedisServer.start(),
    givenPg ? Promise.resolve(undefined) : PostgresServer.start(),
  ]);
  const infra: DwTestInfra = {
    kafka: kafkaRes.status === 'fulfilled' ? kafkaRes.value : undefined,
    redis: redisRes.status === 'fulfilled' ? redisRes.value : undefined,
    postgres: pgRes.status === 'fulfilled' ? pgRes.value : undefined,
  };
  const failed = [kafkaRes, redisRes, pgRes].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled([infra.kafka?.stop(), infra.redis?.stop(), infra.postgres?.stop()]);
    throw failed.reason;
  }
  setTestInfra(infra);

  process.env.KAFKA_BROKERS = givenBrokers || infra.kafka!.brokers;
  process.env.REDIS_URL = givenRedis || infra.redis!.url;
  process.env.DW_TEST_DATABASE_URL = givenPg || infra.postgres!.url;

  const kafkaWhat = infra.kafka
    ? `started Kafka ${infra.kafka.brokers} (pid ${infra.kafka.pid}, log ${infra.kafka.logFile})`
    : `using Kafka ${process.env.KAFKA_BROKERS} (DW_TEST_KAFKA_BROKERS)`;
  const redisWhat = infra.redis
    ? `started Redis ${infra.redis.url} (pid ${infra.redis.pid})`
    : `using Redis ${process.env.REDIS_URL} (DW_TEST_REDIS_URL)`;
  const pgWhat = infra.postgres
    ? `started PostgreSQL ${infra.postgres.url} (pid ${infra.postgres.pid})`
    : `using PostgreSQL ${process.env.DW_TEST_DATABASE_URL} (DW_TEST_DATABASE_URL)`;
  process.stdout.write(`\n[dw-test] ${kafkaWhat}; ${redisWhat}; ${pgWhat} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
