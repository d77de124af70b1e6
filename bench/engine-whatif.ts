/**
 * A what-if variant of the risk-engine for the benchmark's findings, NOT the shipped engine: the same
 * app started through its own bootstrap(env), with the kafkajs client's first retry back-off set to
 * BENCH_KAFKA_RETRY_MS (libs/messaging createKafka hard-codes 200 ms). After a transaction commits, the
 * next AddPartitionsToTxn on the same transactional.id answers CONCURRENT_TRANSACTIONS until the broker
 * has written the commit markers (tens of ms); kafkajs then waits its retry back-off, so 200 ms here
 * is paid by almost every transaction. Used by `bench/run.js --engine-retry-ms N`.
 */
import type * as Kafkajs from 'kafkajs';

// the module object itself (an `import *` would be a getter-only copy)
const kafkajs = require('kafkajs') as typeof Kafkajs;

const retryMs = Number(process.env.BENCH_KAFKA_RETRY_MS ?? '200');
const Original = kafkajs.Kafka;
class PatchedKafka extends Original {
  constructor(config: Kafkajs.KafkaConfig) {
    super({ ...config, retry: { ...config.retry, initialRetryTime: retryMs } });
  }
}
// libs/messaging reads `kafkajs.Kafka` when it creates the client, so replacing the export is enough
(kafkajs as { Kafka: typeof Original }).Kafka = PatchedKafka;

const { bootstrap } = require('../apps/risk-engine/src/main') as typeof import('../apps/risk-engine/src/main');
bootstrap(process.env).catch((err) => {
  process.stderr.write(`engine-whatif failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
