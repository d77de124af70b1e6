import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type pino from 'pino';
import { SettingsError } from '@dualwatch/config';
import { createLogger, NestPinoLogger } from '@dualwatch/observability';
import { ApiModule } from './app.module';
import { API_KEY_HEADER } from './auth/auth.guard';
import { RateLimiter, rateLimitMiddleware } from './http/rate-limit';
import { securityHeaders, serveDashboard } from './http/static';
import { loadApiSettings } from './settings';

/** Starts the api: settings first (a bad one stops here with a clear message), then the app. */
export async function bootstrap(env: NodeJS.ProcessEnv = process.env, o: { logDestination?: pino.DestinationStream } = {}) {
  let settings;
  try {
    settings = loadApiSettings(env);
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`api: ${err.message}\n`);
      if (require.main === module) process.exit(2);
    }
    throw err;
  }
  const logger = createLogger('api', settings.logLevel, o.logDestination);
  if (!settings.keys.length) logger.warn('API_KEYS is empty: every endpoint but /health, /ready, /metrics and /docs answers 401');
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(settings, logger), {
    logger: new NestPinoLogger(logger),
    bufferLogs: false,
    bodyParser: false,
    forceCloseConnections: true,
  });
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.use(rateLimitMiddleware(new RateLimiter(settings.rateLimitPerSecond, settings.rateLimitBurst), API_KEY_HEADER));
  // bodies over the limits are refused (413) before they are read in full
  app.useBodyParser('json', { limit: settings.maxBodyBytes });
  app.useBodyParser('text', { type: ['text/csv', 'application/csv'], limit: settings.maxCsvBytes });
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (!err.status || err.status >= 500) return next(err);
    const error = err.type === 'entity.too.large' ? 'PAYLOAD_TOO_LARGE' : err.status === 400 ? 'INVALID' : 'REFUSED';
    res.status(err.status).json({ statusCode: err.status, error, message: err.message });
  });
  serveDashboard(app);
  app.enableShutdownHooks();
  await app.listen(settings.httpPort, settings.httpHost);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  logger.info({ url }, `api ready: ${url}/dashboard/, ${url}/docs, ${url}/health, ${url}/ready, ${url}/metrics`);
  return app;
}

if (require.main === module) {
  bootstrap().catch((err) => {
    process.stderr.write(`api failed to start: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
