import pino, { type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';

export type { Logger };

/** Field paths whose values never reach a log line, whatever the caller passes. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'redisUrl',
  '*.redisUrl',
  'url',
  '*.url',
  'kafkaSaslPassword',
  '*.kafkaSaslPassword',
  'webhookSecret',
  '*.webhookSecret',
  'secretKey',
  '*.secretKey',
  'sasl',
  '*.sasl',
  'secrets',
  '*.secrets',
];

/** Strips credentials out of connection strings that end up inside messages (redis://user:pw@host). */
export function redactText(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^:/@\s]*):([^@\s]*)@/gi, '$1$2:***@').replace(/whsec_[A-Za-z0-9+/=]+/g, 'whsec_***');
}

/** One structured JSON logger per app: `{level, time, app, msg, orderId?, eventId?, alertId?...}`. */
export function createLogger(app: string, level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app },
      redact: { paths: REDACTED_PATHS, censor: '***' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          // messages are the only free text: scrub credentials that slipped into them
          if (typeof args[args.length - 1] === 'string') args[args.length - 1] = redactText(args[args.length - 1] as string);
          return method.apply(this, args as Parameters<typeof method>);
        },
      },
    },
    destination ?? pino.destination({ sync: false }),
  );
}

/** Nest's LoggerService on top of the same logger, so framework messages come out as the same JSON. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
