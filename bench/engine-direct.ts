/**
 * The risk-engine the way it consumed orders before KafkaChunkTransport, for `bench/run.js --only
 * transport`, NOT the shipped engine: the same app (bootApp, RiskEngineModule, the same providers and
 * settings from the environment, the same OrderProcessor instance), but orders.v1 is driven by a
 * TransactionalPipeline whose handler calls `OrderProcessor.process` directly, with no Nest dispatch
 * (no @EventPattern handler, RPC context, exception filter, Observable) in between.
 *
 * Everything else is what KafkaChunkTransport's exactly-once driver builds: the binding comes from
 * `EngineService.bind('orders', { delivery: 'exactly-once' })` (topic, group, transactional id prefix,
 * chunk size, partitions at once, session timeout, the metrics hooks) and the logger is the app's.
 * Differences that do not touch the per-chunk path: the pipeline starts once the app listens (the
 * transport starts just before), and on SIGTERM it is stopped first, as Nest closes its transports
 * before the providers' shutdown hooks.
 */
import 'reflect-metadata';
import { TransactionalPipeline, type ChunkHandlerExtras } from '@dualwatch/messaging';
import { bootApp, runMain, type Logger } from '@dualwatch/observability';
import { RiskEngineModule } from '../apps/risk-engine/src/app.module';
import { EngineService, LOGGER } from '../apps/risk-engine/src/engine.service';
import { OrderProcessor } from '../apps/risk-engine/src/order-processor';
import { loadEngineSettings } from '../apps/risk-engine/src/settings';

async function start(env: NodeJS.ProcessEnv): Promise<void> {
  let pipeline: TransactionalPipeline | undefined;
  const app = await bootApp(
    {
      // apps/risk-engine/src/main.ts's definition, with no Nest transport
      name: 'risk-engine',
      loadSettings: loadEngineSettings,
      module: RiskEngineModule.forRoot,
      microservices: (nest) => {
        const engine = nest.get(EngineService);
        const processor = nest.get(OrderProcessor);
        // OrdersConsumer's extras; kafkaDriver() in libs/messaging/src/nest/chunk-transport.ts with its binding
        const extras: ChunkHandlerExtras = { delivery: 'exactly-once' };
        const b = engine.bind('orders', extras);
        pipeline = new TransactionalPipeline({
          kafka: engine.kafka,
          groupId: b.groupId,
          inputTopic: b.topic,
          transactionalIdPrefix: b.transactionalIdPrefix!,
          handler: (messages, ctx) => processor.process(messages, ctx),
          maxChunkMessages: b.maxChunkMessages ?? extras.maxChunkMessages,
          partitionsConsumedConcurrently: b.partitionsConsumedConcurrently,
          sessionTimeoutMs: b.sessionTimeoutMs,
          fromBeginning: b.fromBeginning,
          logger: nest.get<Logger>(LOGGER),
          hooks: b.hooks,
        });
        return [];
      },
    },
    env,
  );
  const driver = pipeline!;
  // SIGTERM: the pipeline finishes and commits its chunk, then the app closes (Redis last)
  const close = app.close.bind(app);
  app.close = async (...args: Parameters<typeof app.close>) => {
    await driver.stop().catch(() => undefined);
    return close(...args);
  };
  await driver.start();
  app.get<Logger>(LOGGER).info('orders bound to a TransactionalPipeline directly (bench/engine-direct.js, no Nest transport)');
}

runMain('risk-engine (direct)', () => start(process.env));
