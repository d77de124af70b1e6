/**
 * Casework on PostgreSQL at size: `npm run build && node dist/bench/casework.js [--cases 1000000]
 * [--kafka-alerts 100000] [--runs 40] [--no-write]`.
 *
 * 1. The projector (the built app, its own process) reads `--kafka-alerts` alert messages from a real
 *    Kafka topic into an empty PostgreSQL (durable: fsync on): alerts/s, and CPU per alert of the
 *    projector and of PostgreSQL.
 * 2. The database is filled up to `--cases` cases through the same CaseProjector in this process
 *    (no Kafka: the figure of step 1 is the projector's), then a share of them is triaged (statuses,
 *    assignees, due dates, dispositions).
 * 3. The api (the built app, its own process) starts against the full database and against an empty
 *    one: time to /ready and RSS. Then the dashboard's queries over HTTP, each `--runs` times after a
 *    warm-up: the first page, each filter, the summaries and charts, a case: p50, p95 and max.
 *
 * The alerts are the risk-engine's own: orders from the seeded generator scored by the pure core and
 * built into alert messages as the engine builds them, then reused under new order ids (each case its
 * own id, time and history: raised, some updated, withdrawn or with a look-ahead). Writes the section
 * between the casework markers of docs/benchmarks.md unless --no-write.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { buildAlert, alertIdFor } from '@dualwatch/alerting';
import { CaseProjector, CaseRepository, createCaseworkDb, migrateToLatest } from '@dualwatch/casework';
import { topicName, type Alert } from '@dualwatch/contracts';
import { KafkaBroker, PostgresServer, freePort, sleep } from '@dualwatch/infra';
import { provisionTopics } from '@dualwatch/messaging';
import { loadBundledRefData } from '@dualwatch/refdata';
import { assess, createLocalView, loadBundledPolicy, withAssessedAt } from '@dualwatch/scoring';
import { generateOrders } from '@dualwatch/scoring/testing/order-generator';
import { hashApiKey } from '@dualwatch/notify';
import { benchKafka, produceAll } from './lib/kafka';
import { mib, readMemory, startProcess, type ManagedProcess } from './lib/proc';
import { fmtInt, percentile } from './lib/stats';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const CASES = opt('cases', 1_000_000);
const KAFKA_ALERTS = opt('kafka-alerts', 100_000);
const RUNS = opt('runs', 40);
const WRITE = !args.includes('--no-write');
const ROOT = path.resolve(__dirname, '../..');
const log = (m: string) => process.stderr.write(`[casework-bench] ${m}\n`);

/** A pool of real alert messages: generated orders, scored, built as the engine builds them. */
function alertPool(target: number): Alert[] {
  const policy = loadBundledPolicy();
  const view = createLocalView(loadBundledRefData(), policy);
  const pool: Alert[] = [];
  for (let seed = 1; pool.length < target; seed++)
    for (const e of generateOrders(5_000, seed)) {
      const a = withAssessedAt(assess(e, view, policy));
      if (a.verdict !== 'clear') pool.push(buildAlert('raised', a, e, null, new Date().toISOString()));
      if (pool.length >= target) break;
    }
  return pool;
}

const YEAR_MS = 365 * 86_400_000;

/**
 * The messages of case i: raised at a time spread over the last year; 8% updated a few days later, 3%
 * withdrawn, 2% with a look-ahead. The same i always gives the same messages.
 */
function caseMessages(pool: Alert[], i: number, now: number): Alert[] {
  const base = pool[i % pool.length];
  const orderId = `BO-${String(i).padStart(8, '0')}`;
  const asm = base.assessment;
  const raisedAt = new Date(now - YEAR_MS + Math.floor((i * YEAR_MS) / CASES)).toISOString();
  const alertId = alertIdFor(orderId, asm.policyVersion, asm.refdataVersion);
  const raised: Alert = { ...base, alertId, orderId, raisedAt, assessment: { ...asm, orderId } };
  const out = [raised];
  const later = (days: number) => new Date(Date.parse(raisedAt) + days * 86_400_000).toISOString();
  if (i % 100 < 8)
    out.push({ ...raised, kind: 'updated', raisedAt: later(3), assessment: { ...raised.assessment, score: Math.min(100, asm.score + 5) } });
  else if (i % 100 < 11) out.push({ ...raised, kind: 'withdrawn', raisedAt: later(5) });
  else if (i % 100 < 13)
    out.push({
      ...raised,
      kind: 'upcoming',
      alertId: `upc-${orderId}`,
      raisedAt: later(1),
      effectiveOn: later(30).slice(0, 10),
      previousVerdict: asm.verdict,
    });
  return out;
}

async function metric(url: string, name: string, label = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${label}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** utime+stime (s) of a process and its children (PostgreSQL's backends). */
function treeCpuSeconds(root: number): number {
  let jiffies = 0;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(d) === root || Number(f[1]) === root) jiffies += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return jiffies / 100;
}

async function waitReady(url: string, p: ManagedProcess, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (p.exited()) throw new Error(`${p.name} exited:\n${p.tail()}`);
    try {
      if ((await fetch(`${url}/ready`)).ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${p.name} not ready after ${timeoutMs} ms`);
    await sleep(50);
  }
}

interface QueryResult {
  name: string;
  path: string;
  p50: number;
  p95: number;
  max: number;
  rows: string;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  log(`cases ${fmtInt(CASES)}, through Kafka ${fmtInt(KAFKA_ALERTS)} alert messages, ${RUNS} runs per query`);
  const [broker, pg] = await Promise.all([
    KafkaBroker.start({ name: 'bench-casework', heapMb: 1024 }),
    PostgresServer.start({ durable: true }),
  ]);
  const procs: ManagedProcess[] = [];
  try {
    const pool = alertPool(20_000);
    const avgBytes = Math.round(pool.slice(0, 2000).reduce((n, a) => n + Buffer.byteLength(JSON.stringify(a)), 0) / 2000);
    log(`alert pool: ${pool.length} real alerts, ${avgBytes} B of JSON on average`);
    const now = Date.now();
    const prefix = 'bench.';
    const kafka = benchKafka(broker.brokers, 'casework-bench');
    await provisionTopics(kafka, ['alerts', 'alertLifecycle'], prefix);

    // 1. the projector through Kafka
    const messages: { key: string; value: Buffer }[] = [];
    let kafkaCases = 0;
    while (messages.length < KAFKA_ALERTS) {
      for (const a of caseMessages(pool, kafkaCases, now)) messages.push({ key: a.orderId, value: Buffer.from(JSON.stringify(a)) });
      kafkaCases++;
    }
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await produceAll(producer, topicName('alerts', prefix), messages);
    await producer.disconnect();
    log(`${fmtInt(messages.length)} alert messages (${fmtInt(kafkaCases)} cases) on the topic`);
    const projectorPort = await freePort();
    const projector = startProcess(
      'projector',
      [path.join(ROOT, 'dist/apps/projector/src/main.js')],
      {
        KAFKA_BROKERS: broker.brokers,
        DATABASE_URL: pg.url,
        DW_TOPIC_PREFIX: prefix,
        HTTP_PORT: String(projectorPort),
        LOG_LEVEL: 'warn',
        MALLOC_ARENA_MAX: '2',
      },
      { stdoutFile: path.join(os.tmpdir(), 'dw-bench-projector.log') },
    );
    procs.push(projector);
    const purl = `http://127.0.0.1:${projectorPort}`;
    await waitReady(purl, projector);
    let first: { t: number; n: number; cpuP: number; cpuPg: number } | undefined;
    let applied = 0;
    for (;;) {
      applied = await metric(purl, 'dw_projector_alerts_total', '{result="applied"}');
      if (!first && applied > 0)
        first = { t: performance.now(), n: applied, cpuP: treeCpuSeconds(projector.pid), cpuPg: treeCpuSeconds(pg.pid) };
      if (applied >= messages.length) break;
      if (projector.exited()) throw new Error(`projector exited:\n${projector.tail()}`);
      await sleep(100);
    }
    const done = { t: performance.now(), cpuP: treeCpuSeconds(projector.pid), cpuPg: treeCpuSeconds(pg.pid) };
    const projected = applied - first!.n;
    const seconds = (done.t - first!.t) / 1000;
    const projectorRate = projected / seconds;
    const cpuProjector = ((done.cpuP - first!.cpuP) / projected) * 1e6;
    const cpuPg = ((done.cpuPg - first!.cpuPg) / projected) * 1e6;
    const projectorRss = readMemory(projector.pid)?.hwm ?? NaN;
    log(
      `projector: ${fmtInt(projectorRate)} alerts/s; CPU per alert ${cpuProjector.toFixed(0)} µs projector, ${cpuPg.toFixed(0)} µs PostgreSQL`,
    );
    await projector.stop(30_000);
    procs.pop();

    // 2. fill to CASES through the same projector code, in this process
    const { db } = createCaseworkDb(pg.url, { max: 4 });
    await migrateToLatest(db);
    const repo = new CaseRepository(db, topicName('alertLifecycle', prefix));
    const direct = new CaseProjector(repo, 'bench-fill');
    const fillStart = performance.now();
    let offset = 0;
    let filled = 0;
    for (let i = kafkaCases; i < CASES;) {
      const chunk: { offset: string; value: Buffer }[] = [];
      for (; i < CASES && chunk.length < 1000; i++)
        for (const a of caseMessages(pool, i, now)) chunk.push({ offset: String(offset++), value: Buffer.from(JSON.stringify(a)) });
      await direct.applyChunk('fill', 0, chunk);
      filled += chunk.length;
      if (filled % 100_000 < 1000) log(`filled ${fmtInt(filled)} messages`);
    }
    const fillRate = filled / ((performance.now() - fillStart) / 1000);
    // a working set of triage: 20% acknowledged, 10% resolved, 3% false positives, 2% assigned with due dates
    await sql`UPDATE cases SET status = 'acknowledged', version = version + 1 WHERE status = 'open' AND hashtext(order_id) % 100 < 20`.execute(
      db,
    );
    await sql`UPDATE cases SET status = 'resolved', disposition = 'shipment_held', version = version + 1 WHERE status = 'open' AND hashtext(order_id) % 100 BETWEEN 20 AND 29`.execute(
      db,
    );
    await sql`UPDATE cases SET status = 'false_positive', disposition = 'false_match', version = version + 1 WHERE status = 'open' AND hashtext(order_id) % 100 BETWEEN 30 AND 32`.execute(
      db,
    );
    await sql`UPDATE cases SET assignee = CASE WHEN hashtext(order_id) % 2 = 0 THEN 'anna' ELSE 'otto' END, due_on = current_date + (hashtext(order_id) % 20 - 10) WHERE hashtext(order_id) % 100 BETWEEN 40 AND 41`.execute(
      db,
    );
    await sql`VACUUM ANALYZE`.execute(db);
    const size = await sql<{ cases: string; db: string; rollup: string }>`
      SELECT (SELECT count(*) FROM cases) AS cases, pg_size_pretty(pg_database_size(current_database())) AS db,
             (SELECT count(*) FROM rollup_day) || ' / ' || (SELECT count(*) FROM rollup_seller) || ' / ' || (SELECT count(*) FROM rollup_family) AS rollup`.execute(
      db,
    );
    const sample = await sql<{
      order_id: string;
      seller: string;
      buyer: string;
    }>`SELECT order_id, seller, buyer FROM cases ORDER BY order_id LIMIT 1 OFFSET ${Math.floor(CASES / 2)}`.execute(db);
    await db.destroy();
    log(
      `database: ${size.rows[0].cases} cases, ${size.rows[0].db}; rollup rows (day / seller / family) ${size.rows[0].rollup}; fill ${fmtInt(fillRate)} messages/s`,
    );

    // 3. the api: start, RSS, the dashboard's queries
    const key = 'dw_bench_key_0123456789';
    const startApi = async (databaseUrl: string) => {
      const port = await freePort();
      const t = performance.now();
      const api = startProcess(
        'api',
        [path.join(ROOT, 'dist/apps/api/src/main.js')],
        {
          KAFKA_BROKERS: broker.brokers,
          REDIS_URL: 'redis://127.0.0.1:1', // what-if falls back to the bundled data; nothing here needs Redis
          DATABASE_URL: databaseUrl,
          DW_TOPIC_PREFIX: prefix,
          HTTP_PORT: String(port),
          API_KEYS: `anna:analyst:${hashApiKey(key)}`,
          API_RATE_LIMIT_PER_SECOND: '100000',
          API_RATE_LIMIT_BURST: '100000',
          LOG_LEVEL: 'warn',
          MALLOC_ARENA_MAX: '2',
        },
        { stdoutFile: path.join(os.tmpdir(), 'dw-bench-api.log') },
      );
      procs.push(api);
      const url = `http://127.0.0.1:${port}`;
      // ready but for Redis (absent on purpose): the first answer of /alerts says the store is there
      for (;;) {
        if (api.exited()) throw new Error(`api exited:\n${api.tail()}`);
        try {
          if ((await fetch(`${url}/alerts?limit=1`, { headers: { 'x-api-key': key } })).ok) break;
        } catch {
          /* not listening */
        }
        await sleep(20);
      }
      return { api, url, startMs: performance.now() - t };
    };
    const emptyUrl = await pg.createDatabase('empty');
    const empty = await startApi(emptyUrl);
    const emptyRss = readMemory(empty.api.pid)?.rss ?? NaN;
    await empty.api.stop(10_000);
    const full = await startApi(pg.url);
    const fullRssStart = readMemory(full.api.pid)?.rss ?? NaN;
    log(
      `api start: ${full.startMs.toFixed(0)} ms with ${fmtInt(CASES)} cases (${empty.startMs.toFixed(0)} ms empty); RSS ${mib(fullRssStart)} (${mib(emptyRss)} empty)`,
    );

    const month = new Date(now - 60 * 86_400_000).toISOString().slice(0, 7);
    const word = (s: string) => (s.split(/\s+/).find((w) => w.length >= 5) ?? s).toLowerCase();
    const s0 = sample.rows[0];
    const queries: [string, string][] = [
      ['first page: the open queue (the feed)', '/alerts?status=queue&limit=25'],
      ['first page: everything', '/alerts?limit=25'],
      ['second page of the queue', '/alerts?status=queue&limit=25&offset=25'],
      ['filter: verdict=prohibited', '/alerts?verdict=prohibited&limit=25'],
      ['filter: severity=high', '/alerts?severity=high&limit=25'],
      ['filter: status=resolved', '/alerts?status=resolved&limit=25'],
      ['filter: kind=withdrawn', '/alerts?kind=withdrawn&limit=25'],
      ['filter: country=KR', '/alerts?country=KR&limit=25'],
      [`filter: supplier=${word(s0.seller)}`, `/alerts?supplier=${encodeURIComponent(word(s0.seller))}&limit=25`],
      [`filter: buyer=${word(s0.buyer)}`, `/alerts?buyer=${encodeURIComponent(word(s0.buyer))}&limit=25`],
      ['filter: itemFamily=gallium', '/alerts?itemFamily=gallium&limit=25'],
      ['filter: disposition=false_match', '/alerts?disposition=false_match&limit=25'],
      ['filter: my alerts (assignee=me)', '/alerts?assignee=me&limit=25'],
      ['filter: overdue', '/alerts?overdue=true&limit=25'],
      [`filter: a month (${month})`, `/alerts?from=${month}-01&to=${month}-28&limit=25`],
      ['search: an order id', `/alerts?q=${encodeURIComponent(s0.order_id.toLowerCase())}&limit=25`],
      [`search: a party word (${word(s0.buyer)})`, `/alerts?q=${encodeURIComponent(word(s0.buyer))}&limit=25`],
      ['summary: everything (Exposure page)', '/alerts/summary'],
      ['summary: the open queue', '/alerts/summary?status=queue'],
      ['summary: prohibited to JP', '/alerts/summary?verdict=prohibited&country=JP'],
      [`summary: a month (${month})`, `/alerts/summary?from=${month}-01&to=${month}-28`],
      [`summary: supplier=${word(s0.seller)}`, `/alerts/summary?supplier=${encodeURIComponent(word(s0.seller))}`],
      ['summary: my alerts', '/alerts/summary?assignee=me'],
      ['one case', `/alerts/${encodeURIComponent(s0.order_id)}`],
    ];
    const results: QueryResult[] = [];
    for (const [name, p] of queries) {
      const times: number[] = [];
      let rows = '';
      for (let i = 0; i < RUNS + 3; i++) {
        const t = performance.now();
        const res = await fetch(full.url + p, { headers: { 'x-api-key': key } });
        const body = (await res.json()) as { total?: number; items?: unknown[]; view?: unknown };
        const ms = performance.now() - t;
        if (!res.ok) throw new Error(`${p}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
        if (i >= 3) times.push(ms);
        rows = body.items
          ? `${body.items.length} of ${fmtInt(body.total ?? 0)}`
          : body.view
            ? '1 case'
            : `total ${fmtInt(body.total ?? 0)}`;
      }
      times.sort((a, b) => a - b);
      results.push({ name, path: p, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1], rows });
      log(`${name}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms (${rows})`);
    }
    const fullRssEnd = readMemory(full.api.pid);
    await full.api.stop(10_000);

    const worst = results.reduce((a, b) => (b.p95 > a.p95 ? b : a));
    const cpu = `${os.cpus().length} CPUs, ${os.cpus()[0]?.model.trim()}`;
    const md = [
      `Measured by \`npm run build && node dist/bench/casework.js --cases ${CASES} --kafka-alerts ${KAFKA_ALERTS} --runs ${RUNS}\` on ${new Date().toISOString().slice(0, 10)}: ${cpu}, load average at the end ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(
          ' ',
        )}; PostgreSQL ${fs.readFileSync(path.join(pg.dataDir, 'PG_VERSION'), 'utf8').trim()} started by the run with fsync on (shared_buffers 128 MB), Kafka 3.9.2 on the same machine. Alert messages are the engine's own (${avgBytes} B of JSON on average); each case has its own order id and history (8% updated, 3% withdrawn, 2% with a look-ahead), and a third is triaged.`,
      '',
      '| measure | figure | target |',
      '| --- | ---: | ---: |',
      `| projector, Kafka → PostgreSQL (exactly once, ${fmtInt(projected)} messages) | ${fmtInt(projectorRate)} alerts/s | ≥ 5,000/s |`,
      `| CPU per alert: projector / PostgreSQL | ${cpuProjector.toFixed(0)} µs / ${cpuPg.toFixed(0)} µs | |`,
      `| projector peak RSS | ${mib(projectorRss)} | |`,
      `| cases in PostgreSQL | ${fmtInt(Number(size.rows[0].cases))} (database ${size.rows[0].db}; rollup rows day / seller / family: ${size.rows[0].rollup}) | 1,000,000 |`,
      `| api start to first answer, ${fmtInt(CASES)} cases / empty store | ${full.startMs.toFixed(0)} ms / ${empty.startMs.toFixed(0)} ms | seconds |`,
      `| api RSS after start, ${fmtInt(CASES)} cases / empty store | ${mib(fullRssStart)} / ${mib(emptyRss)} | does not grow with the history |`,
      `| api RSS after the ${results.length * (RUNS + 3)} queries below (peak) | ${mib(fullRssEnd?.rss ?? NaN)} (${mib(fullRssEnd?.hwm ?? NaN)}) | |`,
      `| slowest query, p95 | ${worst.p95.toFixed(1)} ms (${worst.name}) | ≤ 100 ms |`,
      '',
      `The dashboard's queries over HTTP, one at a time, ${RUNS} runs each after 3 to warm up:`,
      '',
      '| query | p50 | p95 | max | answer |',
      '| --- | ---: | ---: | ---: | --- |',
      ...results.map((r) => `| ${r.name} | ${r.p50.toFixed(1)} ms | ${r.p95.toFixed(1)} ms | ${r.max.toFixed(1)} ms | ${r.rows} |`),
    ].join('\n');
    process.stdout.write(`${md}\n`);
    if (WRITE) {
      const file = path.join(ROOT, 'docs/benchmarks.md');
      const doc = fs.readFileSync(file, 'utf8');
      const [a, b] = ['<!-- casework:start -->', '<!-- casework:end -->'];
      const next = doc.includes(a)
        ? doc.slice(0, doc.indexOf(a) + a.length) + `\n${md}\n` + doc.slice(doc.indexOf(b))
        : `${doc.trimEnd()}\n\n## Casework on PostgreSQL (issue 18)\n\n${a}\n${md}\n${b}\n`;
      fs.writeFileSync(file, next);
      log('docs/benchmarks.md updated');
    }
    log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    for (const p of procs) await p.stop(5_000).catch(() => undefined);
    await Promise.allSettled([broker.stop(), pg.stop()]);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
