import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type pino from 'pino';
import { createLogger, NestPinoLogger } from '@dualwatch/observability';
import { SettingsError } from '@dualwatch/config';
import { NotifierModule } from './app.module';
import { loadNotifierSettings } from './settings';

/** Starts the notifier: settings first (a bad one stops here with a clear message), then the app. */
export async function bootstrap(env: NodeJS.ProcessEnv = process.env, o: { logDestination?: pino.DestinationStream } = {}) {
  let settings;
  try {
    settings = loadNotifierSettings(env);
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`notifier: ${err.message}\n`);
      if (require.main === module) process.exit(2);
    }
    throw err;
  }
  const logger = createLogger('notifier', settings.logLevel, o.logDestination);
  const app = await NestFactory.create(NotifierModule.forRoot(settings, logger), { logger: new NestPinoLogger(logger), bufferLogs: false });
  app.enableShutdownHooks();
  await app.listen(settings.httpPort, settings.httpHost);
  const url = await app.getUrl();
  logger.info({ ops: url }, `notifier ready: ${url}/health, ${url}/ready, ${url}/metrics, ${url}/subscriptions`);
  return app;
}

if (require.main === module) {
  bootstrap().catch((err) => {
    process.stderr.write(`notifier failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
