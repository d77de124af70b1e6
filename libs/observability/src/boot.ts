import type { DynamicModule, INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import type pino from 'pino';
import { SettingsError } from '@dualwatch/config';
import { createLogger, NestPinoLogger, redactText, type Logger } from './logger';

/** The settings every app has (httpSettings in @dualwatch/config). */
export interface AppSettingsBase {
  readonly httpPort: number;
  readonly httpHost: string;
  readonly logLevel: string;
}

export interface AppDefinition<S extends AppSettingsBase, A extends INestApplication> {
  /** The app's name: the `app` field of every log line and the prefix of its messages. */
  name: string;
  /** Reads and validates the settings; throws SettingsError naming every bad variable. */
  loadSettings(env: NodeJS.ProcessEnv): S;
  module(settings: S, logger: Logger): DynamicModule;
  nestOptions?: NestApplicationOptions;
  /** Express middleware and the like, before the app listens. */
  configure?(app: A, settings: S, logger: Logger): void;
  /** Extra paths named in the "ready" log line next to /health, /ready and /metrics. */
  links?: string[];
  /**
   * Nest transports of the app (e.g. KafkaChunkTransport), made once the app is initialised (its
   * providers bootstrapped) and started before it listens; Nest closes them first on shutdown.
   */
  microservices?(app: A, settings: S, logger: Logger): CustomTransportStrategy[];
  /** Awaited after the transports started, before the app listens (e.g. a store caught up with its log). */
  beforeListen?(app: A): Promise<void>;
}

export interface BootOptions {
  /** Where the logs go (default: stdout); tests capture them. */
  logDestination?: pino.DestinationStream;
}

/**
 * How every Dualwatch app starts: settings (a bad one: its message on stderr and a SettingsError) →
 * logger → Nest app → shutdown hooks → listen. SIGTERM and SIGINT run every shutdown hook (consumers
 * leave their groups, work in hand is finished) and then exit, which flushes the logger.
 */
export async function bootApp<S extends AppSettingsBase, A extends INestApplication = INestApplication>(
  def: AppDefinition<S, A>,
  env: NodeJS.ProcessEnv = process.env,
  o: BootOptions = {},
): Promise<A> {
  let settings: S;
  try {
    settings = def.loadSettings(env);
  } catch (err) {
    if (err instanceof SettingsError) process.stderr.write(`${def.name}: ${err.message}\n`);
    throw err;
  }
  const logger = createLogger(def.name, settings.logLevel, o.logDestination);
  const app = await NestFactory.create<A>(def.module(settings, logger), {
    logger: new NestPinoLogger(logger),
    bufferLogs: false,
    ...def.nestOptions,
  });
  def.configure?.(app, settings, logger);
  // before listen: a SIGTERM while the consumers start still shuts down in order
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const transports = def.microservices ? (await app.init(), def.microservices(app, settings, logger)) : [];
  if (transports.length > 0) {
    for (const strategy of transports) app.connectMicroservice({ strategy });
    await app.startAllMicroservices();
  }
  await def.beforeListen?.(app);
  await app.listen(settings.httpPort, settings.httpHost);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  const links = ['/health', '/ready', '/metrics', ...(def.links ?? [])].map((p) => url + p);
  // not `url`: that field is redacted (it may hold credentials)
  logger.info({ address: url }, `${def.name} ready: ${links.join(', ')}`);
  return app;
}

/**
 * The body of every main.ts: runs `start`; exit code 2 for bad settings (already explained on
 * stderr by bootApp), 1 for any other failure to start.
 */
export function runMain(name: string, start: () => Promise<unknown>): void {
  start().catch((err: unknown) => {
    if (err instanceof SettingsError) process.exit(2);
    process.stderr.write(`${name} failed to start: ${redactText(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
    process.exit(1);
  });
}
