import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Client } from 'pg';
import type { Alert } from '@dualwatch/contracts';
import { topicName } from '@dualwatch/contracts';
import { KafkaBroker, PostgresServer, RedisServer, freePort } from '@dualwatch/infra';
import { provisionTopics } from '@dualwatch/messaging';
import { hashApiKey } from '@dualwatch/notify';
import { alertFixture } from '@dualwatch/notify/testing/alert-fixtures';
import { clientFor, sleep } from './support/engine-stream';
import { recordScenario } from './support/report';
import { scaled, scenarioTimeout } from './support/size';

/**
 * Casework under faults, with the built apps in their own processes against a broker, a Redis and a
 * PostgreSQL of this file's own: the projector SIGKILLed mid-stream (no case or message lost or
 * written twice), PostgreSQL restarted under the api and the projector (not ready, then back by
 * themselves, nothing lost), and two api instances changing the same case at once (one wins, the
 * others get 409, the history holds exactly the winners).
 */
const ROOT = path.resolve(__dirname, '../..');
const VERDICTS = ['review', 'license_required', 'prohibited'] as const;
let kafka: KafkaBroker;
let redis: RedisServer;
let pg: PostgresServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  [kafka, redis, pg] = await Promise.all([
    KafkaBroker.start({ name: 'rel-casework' }),
    RedisServer.start(),
    PostgresServer.start({ durable: true }),
  ]);
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.allSettled([kafka?.stop(), redis?.stop(), pg?.stop()]);
});

interface App {
  child: ChildProcess;
  url: string;
  out: string[];
}

async function startApp(app: 'projector' | 'api', env: Record<string, string>): Promise<App> {
  const port = await freePort();
  const out: string[] = [];
  const child = spawn(process.execPath, [path.join(ROOT, `dist/apps/${app}/src/main.js`)], {
    env: { PATH: process.env.PATH!, HTTP_PORT: String(port), LOG_LEVEL: 'warn', KAFKA_BROKERS: kafka.brokers, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => out.push(b.toString()));
  child.stderr!.on('data', (b: Buffer) => out.push(b.toString()));
  children.push(child);
  return { child, url: `http://127.0.0.1:${port}`, out };
}

async function readyStatus(url: string): Promise<number> {
  try {
    return (await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5_000) })).status;
  } catch {
    return 0;
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await check()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function query<T>(url: string, text: string): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Order i's messages: raised, and for some an update or a withdrawal later. */
function messagesOf(i: number, prefix: string): Alert[] {
  const orderId = `${prefix}-${String(i).padStart(7, '0')}`;
  const raisedAt = new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString();
  const raised = { ...alertFixture({ orderId, verdict: VERDICTS[i % 3], seller: `Supplier ${i % 97}`, amount: 100 + (i % 50) }), raisedAt };
  const out: Alert[] = [raised];
  if (i % 10 === 0)
    out.push({
      ...raised,
      kind: 'updated',
      raisedAt: new Date(Date.parse(raisedAt) + 3_600_000).toISOString(),
      assessment: { ...raised.assessment, score: 99 },
    });
  if (i % 25 === 1) out.push({ ...raised, kind: 'withdrawn', raisedAt: new Date(Date.parse(raisedAt) + 7_200_000).toISOString() });
  return out;
}

async function produce(prefix: string, alerts: Alert[]): Promise<void> {
  const k = clientFor(kafka.brokers, 'casework-producer');
  const producer = k.producer({ idempotent: true });
  await producer.connect();
  for (let i = 0; i < alerts.length; i += 1000)
    await producer.send({
      topic: topicName('alerts', prefix),
      acks: -1,
      messages: alerts.slice(i, i + 1000).map((a) => ({ key: a.orderId, value: JSON.stringify(a) })),
    });
  await producer.disconnect();
}

it(
  'the projector SIGKILLed three times mid-stream: every case and message once, the queue right',
  async () => {
    const startedAt = Date.now();
    const orders = scaled({ ci: 6_000, full: 60_000 });
    const prefix = 'relkill.';
    const database = await pg.createDatabase('relkill');
    const k = clientFor(kafka.brokers, 'casework-admin');
    await provisionTopics(k, ['alerts', 'alertLifecycle'], prefix);
    const alerts = Array.from({ length: orders }, (_, i) => messagesOf(i, 'K')).flat();
    await produce(prefix, alerts);
    const env = { DATABASE_URL: database, DW_TOPIC_PREFIX: prefix, PROJECTOR_MAX_CHUNK_MESSAGES: '200' };
    const count = async () =>
      Number((await query<{ n: string }>(database, 'SELECT count(*) AS n FROM case_messages').catch(() => [{ n: '0' }]))[0].n);
    const kills: number[] = [];
    let p = await startApp('projector', env);
    for (const share of [0.2, 0.45, 0.7]) {
      await until('projector progress', async () => (await count()) >= alerts.length * share, 180_000);
      p.child.kill('SIGKILL');
      await new Promise((r) => p.child.once('exit', r));
      kills.push(await count());
      p = await startApp('projector', env);
    }
    const recoveryMs = await until('all messages projected', async () => (await count()) >= alerts.length, 300_000);
    await sleep(1_500); // a chunk still in flight after the last one could only double, never add
    const [m] = await query<{ n: string; distinct_n: string }>(
      database,
      `SELECT count(*) AS n, count(DISTINCT (order_id, raised_at, kind, alert_id)) AS distinct_n FROM case_messages`,
    );
    const [c] = await query<{ n: string; withdrawn: string; open: string }>(
      database,
      `SELECT count(*) AS n, count(*) FILTER (WHERE status = 'withdrawn') AS withdrawn, count(*) FILTER (WHERE status = 'open') AS open FROM cases`,
    );
    const [e] = await query<{ n: string; events: string }>(
      database,
      `SELECT count(DISTINCT order_id) AS n, count(*) AS events FROM case_events`,
    );
    const [r] = await query<{ n: string }>(database, `SELECT sum(n) AS n FROM rollup_day`);
    const withdrawnExpected = Array.from({ length: orders }, (_, i) => i).filter((i) => i % 25 === 1).length;
    expect({
      messages: Number(m.n),
      distinct: Number(m.distinct_n),
      cases: Number(c.n),
      withdrawn: Number(c.withdrawn),
      rollup: Number(r.n),
    }).toEqual({
      messages: alerts.length,
      distinct: alerts.length,
      cases: orders,
      withdrawn: withdrawnExpected,
      rollup: orders,
    });
    expect({ events: Number(e.events), ordersWithEvents: Number(e.n) }).toEqual({
      events: withdrawnExpected,
      ordersWithEvents: withdrawnExpected,
    });
    p.child.kill('SIGTERM');

    recordScenario(
      {
        id: 'casework-projector-sigkill',
        title: 'projector SIGKILLed 3 times mid-stream: alerts into PostgreSQL exactly once',
        done:
          `${alerts.length.toLocaleString('en')} alert messages of ${orders.toLocaleString('en')} orders (10% updated, 4% withdrawn) on the alerts topic; ` +
          `the projector (built app, own process, chunks of 200) SIGKILLed when ${kills.map((x) => x.toLocaleString('en')).join(', ')} messages were in PostgreSQL, restarted at once each time.`,
        amount: { messages: alerts.length, orders, kills: kills.length },
        lost: alerts.length - Number(m.distinct_n),
        doubled: Number(m.n) - Number(m.distinct_n),
        recoveryMs: { 'last restart → every message in PostgreSQL': recoveryMs },
        figures: {
          'cases (one per order)': Number(c.n),
          'withdrawn cases out of the queue by themselves (expected)': `${c.withdrawn} (${withdrawnExpected})`,
          'system withdraw events in the audit trail': Number(e.events),
          'cases counted by the rollups': Number(r.n),
        },
        notes: [
          'rows and consumed offsets are written in one database transaction: a chunk re-read after a kill finds its offsets stored and writes nothing.',
        ],
      },
      startedAt,
    );
  },
  scenarioTimeout(600_000, 1_800_000),
);

it(
  'PostgreSQL restarted under the api and the projector: not ready, then back by themselves, nothing lost',
  async () => {
    const startedAt = Date.now();
    const prefix = 'relpg.';
    const database = await pg.createDatabase('relpg');
    const key = 'dw_rel_key_casework_0123456789';
    await provisionTopics(clientFor(kafka.brokers, 'casework-admin'), ['orders', 'alerts', 'alertLifecycle'], prefix);
    const env = { DATABASE_URL: database, DW_TOPIC_PREFIX: prefix, REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'relpg:' };
    const projector = await startApp('projector', env);
    const api = await startApp('api', { ...env, API_KEYS: `anna:analyst:${hashApiKey(key)}` });
    await until('both ready', async () => (await readyStatus(projector.url)) === 200 && (await readyStatus(api.url)) === 200, 120_000);
    const before = Array.from({ length: 200 }, (_, i) => messagesOf(i, 'B')[0]);
    await produce(prefix, before);
    const cases = async () => {
      const r = await fetch(`${api.url}/alerts?limit=1`, { headers: { 'x-api-key': key } }).catch(() => null);
      return r?.ok ? ((await r.json()) as { total: number }).total : -1;
    };
    await until('first alerts projected', async () => (await cases()) === 200, 60_000);

    await pg.kill(); // a crash, not a clean stop
    const notReadyMs = await until(
      'api and projector say not ready',
      async () => (await readyStatus(api.url)) === 503 && (await readyStatus(projector.url)) === 503,
      60_000,
    );
    const during = await fetch(`${api.url}/alerts?limit=1`, { headers: { 'x-api-key': key } });
    expect(during.status).toBe(503);
    const after = Array.from({ length: 200 }, (_, i) => messagesOf(i + 200, 'B')[0]);
    await produce(prefix, after); // produced while PostgreSQL is down
    await sleep(2_000);
    const restartAt = Date.now();
    await pg.restart();
    const readyAgainMs = await until(
      'api and projector ready again by themselves',
      async () => (await readyStatus(api.url)) === 200 && (await readyStatus(projector.url)) === 200,
      120_000,
    );
    await until('alerts of the outage projected', async () => (await cases()) === 400, 120_000);
    const caughtUpMs = Date.now() - restartAt;
    const triage = await fetch(`${api.url}/alerts/B-0000001/acknowledge`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'after the restart' }),
    });
    expect(triage.status).toBe(200);
    expect(api.child.exitCode).toBeNull();
    expect(projector.child.exitCode).toBeNull();
    const [m] = await query<{ n: string }>(database, 'SELECT count(*) AS n FROM case_messages');
    expect(Number(m.n)).toBe(400);
    api.child.kill('SIGTERM');
    projector.child.kill('SIGTERM');

    recordScenario(
      {
        id: 'casework-postgres-restart',
        title: 'PostgreSQL crashed and restarted under the api and the projector',
        done:
          '200 alerts projected; PostgreSQL SIGKILLed; 200 more alerts produced while it was down; PostgreSQL started again on the same data; ' +
          'the api and the projector (built apps, own processes) left running throughout.',
        amount: { alerts: 400 },
        lost: 400 - Number(m.n),
        doubled: 0,
        recoveryMs: {
          'kill → both /ready 503 (postgres)': notReadyMs,
          'restart → both /ready 200 by themselves': readyAgainMs,
          "restart → the outage's alerts in PostgreSQL": caughtUpMs,
        },
        figures: {
          'GET /alerts while PostgreSQL was down': `${during.status} (UNAVAILABLE)`,
          'a triage change after the restart': triage.status,
        },
        notes: [
          'no app was restarted: the pool reconnects, the LISTEN connection reconnects, the projector retries its chunk after a back-off.',
        ],
      },
      startedAt,
    );
  },
  scenarioTimeout(300_000, 600_000),
);

it(
  'two api instances changing the same case at once: one wins each round, the others get 409, the history is complete',
  async () => {
    const startedAt = Date.now();
    const prefix = 'reltwo.';
    const database = await pg.createDatabase('reltwo');
    const keys = { anna: 'dw_rel_key_anna_0123456789', otto: 'dw_rel_key_otto_0123456789' };
    await provisionTopics(clientFor(kafka.brokers, 'casework-admin'), ['orders', 'alerts', 'alertLifecycle'], prefix);
    const env = {
      DATABASE_URL: database,
      DW_TOPIC_PREFIX: prefix,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'reltwo:',
      API_KEYS: `anna:analyst:${hashApiKey(keys.anna)},otto:analyst:${hashApiKey(keys.otto)}`,
      API_RATE_LIMIT_PER_SECOND: '10000',
      API_RATE_LIMIT_BURST: '10000',
    };
    const projector = await startApp('projector', { DATABASE_URL: database, DW_TOPIC_PREFIX: prefix });
    const apis = [await startApp('api', env), await startApp('api', env)];
    await until(
      'ready',
      async () => (await Promise.all([projector, ...apis].map((a) => readyStatus(a.url)))).every((s) => s === 200),
      120_000,
    );
    const caseCount = scaled({ ci: 20, full: 200 });
    await produce(
      prefix,
      Array.from({ length: caseCount }, (_, i) => ({ ...messagesOf(i * 3, 'T')[0] })),
    ); // i*3: review cases
    const get = (api: App, id: string) => fetch(`${api.url}/alerts/${id}`, { headers: { 'x-api-key': keys.anna } });
    await until('cases projected', async () => (await get(apis[0], `T-${String((caseCount - 1) * 3).padStart(7, '0')}`)).ok, 60_000);

    let wins = 0;
    let conflicts = 0;
    let other = 0;
    const rounds = 5;
    for (let c = 0; c < caseCount; c++) {
      const id = `T-${String(c * 3).padStart(7, '0')}`;
      for (let round = 0; round < rounds; round++) {
        const version = ((await (await get(apis[0], id)).json()) as { view: { version: number } }).view.version;
        // four writers at once, two through each instance, all on the version they read
        const attempts = await Promise.all(
          [0, 1, 2, 3].map((w) =>
            fetch(`${apis[w % 2].url}/alerts/${id}/assign`, {
              method: 'POST',
              headers: { 'x-api-key': w < 2 ? keys.anna : keys.otto, 'content-type': 'application/json' },
              body: JSON.stringify({ note: `round ${round} writer ${w}`, version, assignee: `person-${w}` }),
            }).then((r) => r.status),
          ),
        );
        wins += attempts.filter((s) => s === 200).length;
        conflicts += attempts.filter((s) => s === 409).length;
        other += attempts.filter((s) => s !== 200 && s !== 409).length;
        expect(attempts.filter((s) => s === 200)).toHaveLength(1);
      }
    }
    const [h] = await query<{ events: string; maxv: string; cases: string }>(
      database,
      `SELECT count(*) AS events, max(version) AS maxv, count(DISTINCT order_id) AS cases FROM case_events`,
    );
    const [gaps] = await query<{ n: string }>(
      database,
      `SELECT count(*) AS n FROM cases c WHERE c.version <> (SELECT count(*) FROM case_events e WHERE e.order_id = c.order_id) AND c.version > 0`,
    );
    expect({ wins, other, events: Number(h.events), gaps: Number(gaps.n), maxVersion: Number(h.maxv) }).toEqual({
      wins: caseCount * rounds,
      other: 0,
      events: caseCount * rounds,
      gaps: 0,
      maxVersion: rounds,
    });
    for (const a of [projector, ...apis]) a.child.kill('SIGTERM');

    recordScenario(
      {
        id: 'casework-two-api-instances',
        title: 'two api instances changing the same case at once',
        done:
          `${caseCount} cases × ${rounds} rounds; each round four assignments of the same case sent at once on the version just read, ` +
          'two through each api instance (built apps, own processes, one database).',
        amount: { cases: caseCount, rounds, requests: caseCount * rounds * 4 },
        lost: 0,
        doubled: Number(h.events) - wins,
        recoveryMs: {},
        figures: {
          'changes accepted (200): one per round': wins,
          'changes refused as stale (409 STALE_VERSION)': conflicts,
          'other answers': other,
          'audit-trail rows (= accepted changes)': Number(h.events),
          'cases whose version differs from their history': Number(gaps.n),
        },
        notes: ['the case row is locked and its version checked in the change’s transaction, whichever instance receives it.'],
      },
      startedAt,
    );
  },
  scenarioTimeout(300_000, 600_000),
);
