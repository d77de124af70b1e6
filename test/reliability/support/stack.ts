import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { KafkaBroker, PostgresServer, RedisServer } from '../../../tools/infra';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * Loads the bundled reference data the way an operator does (scripts/start.sh): `dualwatch refdata
 * load` with the apps' connection settings (KAFKA_BROKERS, REDIS_URL, DW_TOPIC_PREFIX,
 * REDIS_KEY_PREFIX), which stores the version, switches to it and announces it on refdata.changes.v1.
 * Fails unless the CLI says the version is current.
 */
export function loadRefData(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/dualwatch.js'), 'refdata', 'load'],
      { cwd: ROOT, timeout: 120_000, env: { PATH: process.env.PATH!, LOG_LEVEL: 'error', ...env } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`dualwatch refdata load failed: ${err.message}\n${stdout}\n${stderr}`));
        else if (!/is current/.test(stdout)) reject(new Error(`dualwatch refdata load said: ${stdout}\n${stderr}`));
        else resolve(stdout.trim());
      },
    );
  });
}

/**
 * A broker and a Redis of the scenario's own, on free ports, so that the scenario can stop, kill and
 * restart them without touching any other test (or the system Redis). Redis keeps its data in an
 * append-only file, as a production Redis holding state does, so a stopped Redis comes back with it.
 */
export class Stack {
  private constructor(
    readonly kafka: KafkaBroker,
    readonly redis: RedisServer,
    readonly postgres?: PostgresServer,
  ) {}

  /** `postgres`: also a PostgreSQL of the scenario's own, for the api and the projector (casework). */
  static async start(name: string, o: { postgres?: boolean } = {}): Promise<Stack> {
    const [k, r, p] = await Promise.allSettled([
      KafkaBroker.start({ name: `rel-${name}` }),
      RedisServer.start({ appendOnly: true }),
      o.postgres ? PostgresServer.start() : Promise.resolve(undefined),
    ]);
    if (k.status === 'rejected' || r.status === 'rejected' || p.status === 'rejected') {
      await Promise.allSettled([
        k.status === 'fulfilled' ? k.value.stop() : undefined,
        r.status === 'fulfilled' ? r.value.stop() : undefined,
        p.status === 'fulfilled' ? p.value?.stop() : undefined,
      ]);
      throw [k, r, p].find((x): x is PromiseRejectedResult => x.status === 'rejected')!.reason;
    }
    return new Stack(k.value, r.value, p.value);
  }

  /** The casework database URL (a Stack started with `postgres`). */
  get databaseUrl(): string {
    if (!this.postgres) throw new Error('this Stack has no PostgreSQL: Stack.start(name, { postgres: true })');
    return this.postgres.url;
  }

  get brokers(): string {
    return this.kafka.brokers;
  }

  get redisUrl(): string {
    return this.redis.url;
  }

  /** Stops them all (by pid) and removes their data. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.kafka.stop(), this.redis.stop(), this.postgres?.stop()]);
  }
}
