/**
 * A what-if variant of the risk-engine for the benchmark's findings, NOT the shipped engine: the same
 * app started through its own bootstrap(env), with kafkajs client settings that libs/messaging does not
 * expose changed through the environment. Used by `bench/run.js --engine-retry-ms N` and
 * `--engine-consumer-batching MIN_BYTES:MAX_WAIT_MS`.
 *
 *   BENCH_KAFKA_RETRY_MS        the client's first retry back-off (createKafka hard-codes 200 ms). After a
 *                               transaction commits, the next AddPartitionsToTxn on the same
 *                               transactional.id answers CONCURRENT_TRANSACTIONS until the broker has
 *                               written the commit markers; kafkajs then waits this back-off.
 *   BENCH_CONSUMER_MIN_BYTES    the consumers' fetch minBytes / maxWaitTimeInMs (kafkajs defaults 1 and
 *   BENCH_CONSUMER_MAX_WAIT_MS  5000): a fetch waits for that many bytes or that long, so that a chunk,
 *                               and so a transaction, carries more orders at low rates.
 */
import type * as Kafkajs from 'kafkajs';

// the module object itself (an `import *` would be a getter-only copy)
const kafkajs = require('kafkajs') as typeof Kafkajs;

const num = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);
const retryMs = num('BENCH_KAFKA_RETRY_MS');
const minBytes = num('BENCH_CONSUMER_MIN_BYTES');
const maxWaitTimeInMs = num('BENCH_CONSUMER_MAX_WAIT_MS');

const Original = kafkajs.Kafka;
class PatchedKafka extends Original {
  constructor(config: Kafkajs.KafkaConfig) {
    super(retryMs === undefined ? config : { ...config, retry: { ...config.retry, initialRetryTime: retryMs } });
  }

  override consumer(config: Kafkajs.ConsumerConfig): Kafkajs.Consumer {
    return super.consumer({
      ...config,
      ...(minBytes === undefined ? {} : { minBytes }),
      ...(maxWaitTimeInMs === undefined ? {} : { maxWaitTimeInMs }),
    });
  }
}
// libs/messaging reads `kafkajs.Kafka` when it creates the client, so replacing the export is enough
(kafkajs as { Kafka: typeof Original }).Kafka = PatchedKafka;

const { bootstrap } = require('../apps/risk-engine/src/main') as typeof import('../apps/risk-engine/src/main');
bootstrap(process.env).catch((err) => {
  process.stderr.write(`engine-whatif failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
