import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, NestPinoLogger } from '@dualwatch/observability';
import { SettingsError } from '@dualwatch/config';
import { RiskEngineModule } from './app.module';
import { loadEngineSettings } from './settings';

/** Starts the risk-engine: settings first (a bad one stops here with a clear message), then the app. */
export async function bootstrap(env: NodeJS.ProcessEnv = process.env) {
  let settings;
  try {
    settings = loadEngineSettings(env);
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`risk-engine: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger('risk-engine', settings.logLevel);
  const app = await NestFactory.create(RiskEngineModule.forRoot(settings, logger), { logger: new NestPinoLogger(logger), bufferLogs: false });
  app.enableShutdownHooks();
  await app.listen(settings.httpPort, settings.httpHost);
  const url = await app.getUrl();
  logger.info({ url }, `risk-engine ready: ${url}/health, ${url}/ready, ${url}/metrics`);
  return app;
}

if (require.main === module) {
  bootstrap().catch((err) => {
    process.stderr.write(`risk-engine failed to start: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
