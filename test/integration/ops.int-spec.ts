import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { provisionTopics } from '@dualwatch/messaging';
import { hashApiKey, newSecretKey } from '@dualwatch/notify';
import { KafkaBroker, PostgresServer, RedisServer, redisCommand } from '@dualwatch/infra';
import { expectEventually, testDatabase, uniqueName } from '@dualwatch/testing';

/**
 * Operations, proven on the built apps (dist/) in their own OS processes, as a deployment runs them:
 * a bad setting stops each app at boot; /ready follows Redis, Kafka and PostgreSQL going away and coming back;
 * no secret placed in a setting reaches the logs; SIGTERM shuts down cleanly.
 */
const APPS = ['risk-engine', 'notifier', 'api', 'projector'] as const;
type App = (typeof APPS)[number];
/** What each app's /ready checks. */
const DEPENDS: Record<App, string[]> = {
  'risk-engine': ['redis', 'kafka'],
  notifier: ['redis', 'kafka'],
  api: ['redis', 'kafka', 'postgres'],
  projector: ['kafka', 'postgres'],
};
const mainOf = (app: App) => path.resolve(__dirname, `../../dist/apps/${app}/src/main.js`);

class AppProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdout!.on('data', (b: Buffer) => this.stdout.push(b.toString()));
    child.stderr!.on('data', (b: Buffer) => this.stderr.push(b.toString()));
  }
  static start(app: App, env: Record<string, string>): AppProcess {
    if (!fs.existsSync(mainOf(app))) throw new Error(`${mainOf(app)} missing: run \`npm run build\` first`);
    return new AppProcess(
      spawn(process.execPath, [mainOf(app)], { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
  }
  get output(): string {
    return this.stdout.join('') + this.stderr.join('');
  }
  /** The base URL from the app's "ready" log line (HTTP_PORT=0 picks a free port). */
  async url(): Promise<string> {
    let url = '';
    await expectEventually(
      () => {
        const line = this.stdout
          .join('')
          .split('\n')
          .find((l) => l.includes(' ready: '));
        if (!line) throw new Error(`no "ready" line yet:\n${this.output.slice(-3000)}`);
        url = (JSON.parse(line) as { address: string }).address.replace('localhost', '127.0.0.1');
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    return url;
  }
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

async function ready(url: string): Promise<{ status: number; body: { status: string; checks: Record<string, { status: string }> } }> {
  const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, { status: string }> } };
}

/** An isolated deployment of one app: its own topics, groups and Redis keys. */
function appEnv(app: App, prefix: string, extra: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    REDIS_URL: process.env.REDIS_URL!,
    DW_TOPIC_PREFIX: `${prefix}.`,
    REDIS_KEY_PREFIX: `${prefix}:`,
    HTTP_PORT: '0',
    LOG_LEVEL: 'info',
  };
  const own: Record<App, Record<string, string>> = {
    'risk-engine': {
      ENGINE_GROUP_ID: `${prefix}-engine`,
      ENGINE_TRANSACTIONAL_ID_PREFIX: `${prefix}-engine`,
      ENGINE_SESSION_TIMEOUT_MS: '6000',
    },
    notifier: { NOTIFIER_GROUP_ID: `${prefix}-notifier`, NOTIFIER_SECRET_KEY: newSecretKey() },
    api: {},
    projector: { PROJECTOR_GROUP_ID_PREFIX: `${prefix}-projector` },
  };
  return { ...base, ...own[app], ...extra };
}

/** Every topic of a deployment, created before its apps start (a fresh broker elects leaders lazily). */
async function provision(brokers: string, prefixes: string[]): Promise<void> {
  const kafka = new Kafka({ brokers: [brokers], clientId: 'ops-test', logLevel: logLevel.NOTHING });
  for (const prefix of prefixes)
    await expectEventually(() => provisionTopics(kafka, undefined, `${prefix}.`).then(() => undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
}

const running: AppProcess[] = [];
const start = (app: App, env: Record<string, string>) => {
  const p = AppProcess.start(app, env);
  running.push(p);
  return p;
};
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
});

describe('every app stops at boot on a bad setting', () => {
  const bad: Record<App, { env: Record<string, string>; says: RegExp[] }> = {
    'risk-engine': {
      env: { ENGINE_PARTITIONS_CONCURRENTLY: '0', KAFKA_BROKERS: 'kafka-without-port' },
      says: [
        /ENGINE_PARTITIONS_CONCURRENTLY="0" is invalid.*expects an integer >= 1 <= 64/,
        /KAFKA_BROKERS="kafka-without-port" is invalid.*host:port/,
      ],
    },
    notifier: {
      env: { NOTIFIER_SECRET_KEY: '', KAFKA_SASL_MECHANISM: 'scram-sha-512' },
      says: [/NOTIFIER_SECRET_KEY is required.*expects 32 bytes in base64/],
    },
    api: {
      env: { API_RATE_LIMIT_PER_SECOND: 'fast', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' },
      says: [/API_RATE_LIMIT_PER_SECOND="fast" is invalid.*expects an integer >= 1/],
    },
    projector: {
      env: { PROJECTOR_MAX_CHUNK_MESSAGES: '0' },
      says: [/PROJECTOR_MAX_CHUNK_MESSAGES="0" is invalid.*expects an integer >= 1/],
    },
  };

  it.each(APPS)('%s: exit code 2, the variable and what it expects on stderr, a secret value never shown', async (app) => {
    const secret = `pw-${randomBytes(8).toString('hex')}`;
    // a secret setting each app has: the projector has no Redis, only PostgreSQL
    const secretVar = app === 'projector' ? 'DATABASE_URL' : 'REDIS_URL';
    const p = start(app, appEnv(app, uniqueName('opsbad'), { ...bad[app].env, [secretVar]: `not-a-url-${secret}` }));
    const code = await p.exited;
    const stderr = p.stderr.join('');
    expect({ code, stderr }).toMatchObject({ code: 2 });
    expect(stderr).toMatch(new RegExp(`^${app}: invalid settings:`));
    for (const re of bad[app].says) expect(stderr).toMatch(re);
    expect(stderr).toContain(`${secretVar}=(secret) is invalid`);
    expect(p.output).not.toContain(secret);
    expect(p.stdout.join('')).toBe(''); // nothing started: no logger, no connection
  });

  it('names both variables when SASL has a mechanism but no user name or password', async () => {
    const p = start('risk-engine', appEnv('risk-engine', uniqueName('opsbad'), { KAFKA_SASL_MECHANISM: 'plain' }));
    expect(await p.exited).toBe(2);
    expect(p.stderr.join('')).toContain('KAFKA_SASL_MECHANISM=plain needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  });
});

describe('no secret placed in a setting reaches the logs', () => {
  let redis: RedisServer;
  afterAll(async () => {
    await redis?.stop();
  });

  it('of any app, at LOG_LEVEL=debug, while it starts, serves /ready and /metrics, and shuts down on SIGTERM', async () => {
    // a Redis with an ACL user, so the password in REDIS_URL is really used
    redis = await RedisServer.start();
    const redisPassword = `rpw-${randomBytes(12).toString('hex')}`;
    await redisCommand(redis.port, ['ACL', 'SETUSER', 'dualwatch', 'on', `>${redisPassword}`, '~*', '&*', '+@all']);
    await redisCommand(redis.port, ['ACL', 'SETUSER', 'default', 'off']);
    const database = await testDatabase('opssec');
    const dbPassword = `dbpw-${randomBytes(12).toString('hex')}`;
    const secrets = {
      kafkaSaslPassword: `kpw-${randomBytes(12).toString('hex')}`,
      redisPassword,
      notifierSecretKey: newSecretKey(),
      apiKey: `key-${randomBytes(12).toString('hex')}`,
      dbPassword, // the test server trusts loopback, so the password is not checked, but it is in the setting
    };
    const dbUrl = new URL(database.url);
    dbUrl.password = dbPassword;
    const extra = {
      LOG_LEVEL: 'debug',
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: `redis://dualwatch:${redisPassword}@127.0.0.1:${redis.port}`,
      KAFKA_SASL_PASSWORD: secrets.kafkaSaslPassword, // unused by the plaintext test broker, but in the settings
      NOTIFIER_SECRET_KEY: secrets.notifierSecretKey,
    };
    const prefixes = APPS.map(() => uniqueName('opssec'));
    await provision(process.env.KAFKA_BROKERS!, prefixes);
    const procs = APPS.map((app, i) =>
      start(app, appEnv(app, prefixes[i], { ...extra, ...(app === 'api' ? { API_KEYS: `ops:admin:${hashApiKey(secrets.apiKey)}` } : {}) })),
    );
    await Promise.all(
      procs.map(async (p, i) => {
        const url = await p.url();
        await expectEventually(async () => expect((await ready(url)).status).toBe(200), { timeoutMs: 60_000, intervalMs: 250 });
        expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^dw_(engine|notifier|api|projector)_/m);
        if (APPS[i] === 'api') {
          const res = await fetch(`${url}/alerts`, { headers: { 'x-api-key': secrets.apiKey } });
          expect(res.status).toBe(200);
        }
        expect(await p.stop('SIGTERM')).toBe(0); // graceful: shutdown hooks ran, then exit 0
      }),
    );
    for (const [i, p] of procs.entries()) {
      const logs = p.output;
      expect(logs).toContain(`"app":"${APPS[i]}"`);
      for (const secret of Object.values(secrets)) expect(logs).not.toContain(secret);
    }
    expect(procs[0].output).toContain('risk-engine stopped'); // the logger is flushed on exit
    expect(procs[1].output).toContain('notifier stopped');
    await database.drop();
  });
});

describe('/ready follows Redis, Kafka and PostgreSQL', () => {
  let redis: RedisServer;
  let broker: KafkaBroker;
  let pg: PostgresServer;
  afterAll(async () => {
    await Promise.allSettled([redis?.stop(), broker?.stop(), pg?.stop()]);
  });

  it('turns 503 naming the dependency when Redis, Kafka or PostgreSQL goes away, and 200 again when it returns, for every app', async () => {
    [redis, broker, pg] = await Promise.all([
      RedisServer.start(),
      KafkaBroker.start({ name: 'ops-ready', heapMb: 384 }),
      PostgresServer.start(),
    ]);
    const prefixes = APPS.map(() => uniqueName('opsrdy'));
    await provision(broker.brokers, prefixes);
    const procs = await Promise.all(
      APPS.map(async (app, i) =>
        start(
          app,
          appEnv(app, prefixes[i], {
            KAFKA_BROKERS: broker.brokers,
            REDIS_URL: redis.url,
            DATABASE_URL: await pg.createDatabase(`ops_${i}`),
          }),
        ),
      ),
    );
    const urls = await Promise.all(procs.map((p) => p.url()));
    const expectAll = (status: number, down?: string) =>
      Promise.all(
        urls.map((url, i) =>
          expectEventually(
            async () => {
              const r = await ready(url);
              const affected = !down || DEPENDS[APPS[i]].includes(down);
              expect(r.status).toBe(affected ? status : 200);
              if (down && affected) expect(r.body.checks[down].status).toBe('down');
            },
            { timeoutMs: 90_000, intervalMs: 500 },
          ),
        ),
      );

    await expectAll(200);
    await redis.kill();
    await expectAll(503, 'redis');
    await redis.restart();
    await expectAll(200);

    await broker.kill();
    await expectAll(503, 'kafka');
    await broker.restart();
    await expectAll(200);

    await pg.kill();
    await expectAll(503, 'postgres');
    await pg.restart();
    await expectAll(200);

    for (const p of procs) expect(p.child.exitCode).toBeNull(); // no app crashed on the way
  });
});
