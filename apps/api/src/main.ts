import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { isUtf8 } from 'node:buffer';
import { json, raw, type NextFunction, type Request, type Response } from 'express';
import { firstInvalidUtf8 } from '@dualwatch/contracts';
import { bootApp, runMain, type BootOptions } from '@dualwatch/observability';
import { ApiModule } from './app.module';
import { authenticate } from './auth/api-keys';
import { API_KEY_HEADER } from './auth/auth.guard';
import { RateLimiter, rateLimitMiddleware } from './http/rate-limit';
import { requestLog } from './http/request-log';
import { securityHeaders, serveDashboard } from './http/static';
import { loadApiSettings, type ApiSettings } from './settings';
import type { Logger } from '@dualwatch/observability';

/** body-parser's verify hook: a body that is not UTF-8 is a 400 naming the first bad byte. */
function strictUtf8(_req: unknown, _res: unknown, buf: Buffer): void {
  if (isUtf8(buf)) return;
  const at = firstInvalidUtf8(buf);
  throw Object.assign(
    new Error(
      `the request body is not UTF-8: the bytes at offset ${at} (0x${buf[at]?.toString(16).padStart(2, '0')}) are not a UTF-8 sequence; send JSON as UTF-8 (Shift-JIS files go through POST /orders/csv)`,
    ),
    { status: 400, type: 'encoding.invalid' },
  );
}

/** Express-level pieces of the api: headers, rate limit, body limits, the dashboard's files. */
function configure(app: NestExpressApplication, settings: ApiSettings, logger: Logger): void {
  if (!settings.keys.length) logger.warn('API_KEYS is empty: every endpoint but /health, /ready, /metrics and /docs answers 401');
  app.disable('x-powered-by');
  app.use(requestLog(logger));
  app.use(securityHeaders);
  const isKnownKey = (key: string) => authenticate(key, settings.keys) !== null;
  app.use(rateLimitMiddleware(new RateLimiter(settings.rateLimitPerSecond, settings.rateLimitBurst), API_KEY_HEADER, isKnownKey));
  // bodies over the limits are refused (413) before they are read in full
  // JSON bodies must be UTF-8 (RFC 8259): other bytes are refused with 400, not read as U+FFFD
  app.use(json({ limit: settings.maxBodyBytes, verify: strictUtf8 }));
  // CSV as bytes: the controller decodes them (UTF-8 with or without BOM, or Shift-JIS / CP932)
  app.use(raw({ type: ['text/csv', 'application/csv'], limit: settings.maxCsvBytes }));
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (!err.status || err.status >= 500) return next(err);
    const error =
      err.type === 'entity.too.large'
        ? 'PAYLOAD_TOO_LARGE'
        : err.type === 'encoding.invalid'
          ? 'INVALID_ENCODING'
          : err.status === 400
            ? 'INVALID'
            : 'REFUSED';
    res.status(err.status).json({ statusCode: err.status, error, message: err.message });
  });
  serveDashboard(app);
}

/** Starts the api the way every app starts (see bootApp). */
export function bootstrap(env: NodeJS.ProcessEnv = process.env, o: BootOptions = {}) {
  return bootApp<ApiSettings, NestExpressApplication>(
    {
      name: 'api',
      loadSettings: loadApiSettings,
      module: ApiModule.forRoot,
      nestOptions: { bodyParser: false, forceCloseConnections: true },
      configure,
      links: ['/dashboard/', '/docs'],
    },
    env,
    o,
  );
}

if (require.main === module) runMain('api', () => bootstrap());
