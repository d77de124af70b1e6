#!/usr/bin/env node
/**
 * Dev/CI infrastructure: a real Kafka broker, a Redis server and a PostgreSQL server that outlive this command.
 *
 *   npm run build && node dist/tools/infra/cli.js <command> [options]
 *
 *   fetch                          fetch the Kafka jars (Maven, once) and make sure redis-server and PostgreSQL exist
 *   start  [--state FILE] [--kafka-port N] [--redis-port N] [--pg-port N] [--kafka-heap-mb N]
 *                                  start the three detached, write the state file, print
 *                                  KAFKA_BROKERS=..., REDIS_URL=... and DATABASE_URL=... on stdout
 *   stop   [--state FILE]          stop exactly the pids in the state file, remove data dirs + state file
 *   status [--state FILE]          show what runs (exit 0 if all run, 1 otherwise)
 *
 * Default state file: <repoRoot>/.run/infra.json. Progress goes to stderr, so
 * `eval "$(node dist/tools/infra/cli.js start)"` sets the variables in a shell.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ensureKafkaDistribution, KafkaBroker, type KafkaBrokerState } from './kafka';
import { ensurePostgres, PostgresServer, type PostgresServerState } from './postgres';
import { ensureRedisServer, RedisServer, type RedisServerState } from './redis';
import { repoRoot, writeFileAtomic } from './util';

interface InfraState {
  version: 1;
  startedAt: string;
  brokers: string;
  redisUrl: string;
  databaseUrl: string;
  pids: { kafka: number; redis: number; postgres: number };
  ports: { kafka: number; kafkaController: number; redis: number; postgres: number };
  dataDirs: { kafka: string; redis: string; postgres: string };
  kafka: KafkaBrokerState;
  redis: RedisServerState;
  postgres: PostgresServerState;
}

const USAGE = `usage: cli.js <fetch|start|stop|status> [--state FILE] [--kafka-port N] [--redis-port N] [--pg-port N] [--kafka-heap-mb N]`;

const info = (m: string): void => {
  process.stderr.write(`[dw-infra] ${m}\n`);
};

function parseArgs(argv: string[]): { cmd: string; opts: Map<string, string> } {
  const [cmd = '', ...rest] = argv;
  const opts = new Map<string, string>();
  const known = new Set(['--state', '--kafka-port', '--redis-port', '--pg-port', '--kafka-heap-mb']);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(0, eq) : arg;
    if (!known.has(key)) throw new UsageError(`unknown option ${arg}`);
    const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined) throw new UsageError(`${key} needs a value`);
    opts.set(key, value);
  }
  return { cmd, opts };
}

class UsageError extends Error {}

function intOpt(opts: Map<string, string>, key: string): number | undefined {
  const v = opts.get(key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new UsageError(`${key} must be a port/number, got ${v}`);
  return n;
}

function stateFile(opts: Map<string, string>): string {
  return path.resolve(opts.get('--state') ?? path.join(repoRoot(), '.run', 'infra.json'));
}

function readState(file: string): InfraState | undefined {
  if (!fs.existsSync(file)) return undefined;
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as InfraState;
  if (parsed.version !== 1 || !parsed.kafka || !parsed.redis) throw new Error(`${file} is not an infra state file`);
  return parsed;
}

function envLines(s: { brokers: string; redisUrl: string; databaseUrl: string }): string {
  return `KAFKA_BROKERS=${s.brokers}\nREDIS_URL=${s.redisUrl}\nDATABASE_URL=${s.databaseUrl}\n`;
}

function tcpOpen(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => finish(false));
    s.once('connect', () => finish(true));
    s.once('error', () => finish(false));
  });
}

async function stopFromState(state: InfraState): Promise<void> {
  const kafka = KafkaBroker.attach(state.kafka);
  const redis = RedisServer.attach(state.redis);
  const results = await Promise.allSettled([
    kafka.stop(),
    redis.stop(),
    state.postgres ? PostgresServer.attach(state.postgres).stop() : undefined,
  ]);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length) throw new Error(failed.map((f) => String(f.reason)).join('\n'));
}

async function cmdFetch(): Promise<number> {
  const t0 = Date.now();
  const [libs, redis, pg] = await Promise.all([ensureKafkaDistribution(), ensureRedisServer(), ensurePostgres()]);
  info(`kafka libs: ${libs}`);
  info(`redis-server: ${redis}`);
  info(`postgresql: ${pg}`);
  info(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return 0;
}

async function cmdStart(opts: Map<string, string>): Promise<number> {
  const file = stateFile(opts);
  const existing = readState(file);
  if (existing) {
    const kafkaUp = KafkaBroker.attach(existing.kafka).isRunning();
    const redisUp = RedisServer.attach(existing.redis).isRunning();
    const pgUp = !!existing.postgres && PostgresServer.attach(existing.postgres).isRunning();
    if (kafkaUp && redisUp && pgUp) {
      info(
        `already running (kafka pid ${existing.pids.kafka}, redis pid ${existing.pids.redis}, postgres pid ${existing.pids.postgres}); state ${file}`,
      );
      process.stdout.write(envLines(existing));
      return 0;
    }
    info(
      `stale state file ${file} (kafka ${kafkaUp ? 'up' : 'down'}, redis ${redisUp ? 'up' : 'down'}, postgres ${pgUp ? 'up' : 'down'}): cleaning up`,
    );
    await stopFromState(existing);
    fs.rmSync(file, { force: true });
  }

  const t0 = Date.now();
  await Promise.all([ensureKafkaDistribution(), ensureRedisServer(), ensurePostgres()]);
  const [kafkaRes, redisRes, pgRes] = await Promise.allSettled([
    KafkaBroker.start({
      name: 'dev-kafka',
      port: intOpt(opts, '--kafka-port'),
      heapMb: intOpt(opts, '--kafka-heap-mb'),
      detached: true,
    }),
    RedisServer.start({ port: intOpt(opts, '--redis-port'), detached: true }),
    PostgresServer.start({ port: intOpt(opts, '--pg-port'), detached: true }),
  ]);
  if (kafkaRes.status === 'rejected' || redisRes.status === 'rejected' || pgRes.status === 'rejected') {
    if (kafkaRes.status === 'fulfilled') await kafkaRes.value.stop();
    if (redisRes.status === 'fulfilled') await redisRes.value.stop();
    if (pgRes.status === 'fulfilled') await pgRes.value.stop();
    const reasons = [kafkaRes, redisRes, pgRes]
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => (r.reason instanceof Error ? r.reason.message : String(r.reason)));
    throw new Error(`start failed:\n${reasons.join('\n')}`);
  }
  const kafka = kafkaRes.value;
  const redis = redisRes.value;
  const pg = pgRes.value;
  const state: InfraState = {
    version: 1,
    startedAt: new Date().toISOString(),
    brokers: kafka.brokers,
    redisUrl: redis.url,
    databaseUrl: pg.url,
    pids: { kafka: kafka.pid, redis: redis.pid, postgres: pg.pid },
    ports: { kafka: kafka.port, kafkaController: kafka.controllerPort, redis: redis.port, postgres: pg.port },
    dataDirs: { kafka: kafka.dataDir, redis: redis.dir, postgres: pg.dir },
    kafka: kafka.state(),
    redis: redis.state(),
    postgres: pg.state(),
  };
  writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
  info(
    `started in ${((Date.now() - t0) / 1000).toFixed(1)} s: kafka ${kafka.brokers} (pid ${kafka.pid}, log ${kafka.logFile}), ` +
      `redis ${redis.url} (pid ${redis.pid}), postgres ${pg.url} (pid ${pg.pid}); state ${file}`,
  );
  process.stdout.write(envLines(state));
  return 0;
}

async function cmdStop(opts: Map<string, string>): Promise<number> {
  const file = stateFile(opts);
  const state = readState(file);
  if (!state) {
    info(`nothing to stop (no ${file})`);
    return 0;
  }
  const t0 = Date.now();
  await stopFromState(state);
  fs.rmSync(file, { force: true });
  info(
    `stopped kafka pid ${state.pids.kafka}, redis pid ${state.pids.redis} and postgres pid ${state.pids.postgres ?? '-'} in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
      `removed ${state.dataDirs.kafka}, ${state.dataDirs.redis}, ${state.dataDirs.postgres ?? '-'} and ${file}`,
  );
  return 0;
}

async function cmdStatus(opts: Map<string, string>): Promise<number> {
  const file = stateFile(opts);
  const state = readState(file);
  if (!state) {
    info(`not running (no ${file})`);
    return 1;
  }
  const kafka = KafkaBroker.attach(state.kafka);
  const redis = RedisServer.attach(state.redis);
  const kafkaUp = kafka.isRunning() && (await tcpOpen(kafka.port));
  const redisUp = redis.isRunning() && (await redis.ping());
  const pg = state.postgres ? PostgresServer.attach(state.postgres) : undefined;
  const pgUp = !!pg && pg.isRunning() && (await pg.ping());
  info(`kafka ${state.brokers} pid ${state.pids.kafka}: ${kafkaUp ? 'running' : 'NOT running'} (data ${state.dataDirs.kafka})`);
  info(`redis ${state.redisUrl} pid ${state.pids.redis}: ${redisUp ? 'running' : 'NOT running'}`);
  info(`postgres ${state.databaseUrl ?? '-'} pid ${state.pids.postgres ?? '-'}: ${pgUp ? 'running' : 'NOT running'}`);
  if (kafkaUp && redisUp && pgUp) process.stdout.write(envLines(state));
  return kafkaUp && redisUp && pgUp ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const { cmd, opts } = parseArgs(argv);
  switch (cmd) {
    case 'fetch':
      return cmdFetch();
    case 'start':
      return cmdStart(opts);
    case 'stop':
      return cmdStop(opts);
    case 'status':
      return cmdStatus(opts);
    case '':
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return cmd === '' ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${cmd}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`${err.message}\n${USAGE}\n`);
        process.exit(2);
      }
      process.stderr.write(`[dw-infra] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

export { main };
