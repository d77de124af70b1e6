import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { SettingsError } from '@dualwatch/config';
import { createLogger, NestPinoLogger } from '@dualwatch/observability';
import { NaiveEngineModule } from './app.module';
import { loadNaiveSettings } from './settings';

/**
 * The naive engine (benchmark comparison only, see naive-engine.service.ts): a NestJS microservice on
 * the @nestjs/microservices Kafka transport, one @EventPattern handler call per order message.
 * Env: KAFKA_BROKERS, REDIS_URL, DW_TOPIC_PREFIX, REDIS_KEY_PREFIX, NAIVE_GROUP_ID, NAIVE_AWAIT_EMIT, LOG_LEVEL.
 */
export async function bootstrap(env: NodeJS.ProcessEnv = process.env) {
  let settings;
  try {
    settings = loadNaiveSettings(env);
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`naive-engine: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger('naive-engine', settings.logLevel);
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(NaiveEngineModule.forRoot(settings, logger), {
    transport: Transport.KAFKA,
    options: {
      client: { clientId: `${settings.kafkaClientId}-naive`, brokers: settings.kafkaBrokers },
      consumer: { groupId: settings.groupId },
      subscribe: { fromBeginning: true },
      postfixId: '',
    },
    logger: new NestPinoLogger(logger),
  });
  app.enableShutdownHooks();
  await app.listen();
  logger.info({ groupId: settings.groupId }, 'naive-engine consuming');
  return app;
}

if (require.main === module) {
  bootstrap().catch((err) => {
    process.stderr.write(`naive-engine failed to start: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
