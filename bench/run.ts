/**
 * The pipeline benchmark (issue 9): `npm run bench` = `node dist/bench/run.js` after `npm run build`.
 *
 * In one run, against a real Kafka broker and Redis that it starts itself on free ports (tools/infra)
 * and stops by pid at the end (the broker's temp data dir removed with it):
 *   1. raw ceiling: kafkajs alone, eachBatch → one ~assessment-sized output per order, plain and
 *      transactional per chunk (bench/raw-worker.ts, its own process);
 *   2. the risk-engine (`node dist/apps/risk-engine/src/main.js`, reference data in Redis through
 *      RefDataStore) over a pre-produced backlog after a warm-up pass;
 *   3. the naive NestJS way (apps/naive-engine) over a smaller backlog, measured the same way;
 *   4. end-to-end latency order produced → assessment / alert readable by a read_committed consumer,
 *      at fixed offered rates;
 *   5. the pure scoring core on one core (bench/scoring.js, pinned with taskset);
 *   6. the engine's peak RSS (/proc/<pid>/status every 100 ms);
 *   7. on request (--only transport, --transport): the risk-engine on its Nest transport (KafkaChunkTransport,
 *      the shipped main.js) against the same engine driving TransactionalPipeline directly (the way before
 *      the transport, bench/engine-direct.ts), alternately over backlogs of the same size: orders/s and CPU
 *      per order of each, the difference, and whether the transport is within 5% of the direct pipeline's CPU.
 * Prints a table and writes it with the machine's description into docs/benchmarks.md under
 * "## Pipeline (npm run bench)" (only that section is touched; --profile and --transport write their own).
 *
 *   --quick              small counts (~1-2 min), proves the benchmark works; does not write the doc
 *   --write / --no-write force / skip writing docs/benchmarks.md
 *   --only a,b           phases: raw,engine,latency,naive,scoring (default: all), profile, transport
 *   --profile            also profile the engine over a backlog (V8 CPU profiler, .cpuprofile under
 *                        .run/bench/) and write "## Pipeline: engine CPU profile"
 *   --heap-snapshot      with --profile: one heap snapshot (full GC, live objects) half-way through the
 *                        backlog, summarised by constructor (it pauses the engine: the profiled rate drops)
 *   --transport          also run phase 7 and write "## Engine: Nest transport vs direct pipeline"; each run
 *                        is --warmup + --backlog orders, in rounds of one of each (the order flips every
 *                        round: transport, direct, direct, transport, ...); --transport-rounds N (default 2)
 *   --tick-ms N (latency load: one produce request every N ms, default 10) --reader-wait-ms N (the
 *   read_committed reader's maxWaitTimeInMs, default 100: the broker answers as soon as data is committed)
 *   --warmup N --backlog N --naive-warmup N --naive-backlog N --rates 1000,5000 --latency-seconds S --scoring-orders N
 *   --engine-retry-ms N  what-if: run the engine through bench/engine-whatif.ts with kafkajs's first retry
 *                        back-off at N ms (the shipped createKafka has 200); not the shipped engine
 *   --engine-consumer-batching MIN_BYTES:MAX_WAIT_MS  what-if (same wrapper): the engine's kafkajs
 *                        consumers fetch with these minBytes / maxWaitTimeInMs
 *   --txn-retry-ms N (the what-if raw ceiling's transactional-producer first retry back-off, default 200:
 *     the engine before its fix; the fair ceiling 1b uses the engine's 15 ms)
 *   --seed S --log-level L --engine-env KEY=VALUE (repeatable: ENGINE_MAX_CHUNK_MESSAGES=2000 ...)
 *   --naive-env KEY=VALUE (repeatable) --doc path
 *
 * Measurement: warm-up + backlog orders are produced before the consumer under test starts. Its outputs
 * are read back with read_committed, each counted once (duplicates and gaps are reported: exactly-once
 * evidence), and sorted by Kafka timestamp: the first `warm-up` outputs are the warm-up (JIT, caches),
 * and throughput = the remaining `backlog` outputs over the time from the first of them to the last.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { topicName, verdictRank, type OrderEvent } from '@dualwatch/contracts';
import { KAFKA_VERSION, KafkaBroker, RedisServer, freePort, repoRoot, sleep } from '@dualwatch/infra';
import { provisionTopics } from '@dualwatch/messaging';
import { loadBundledRefData, RefDataStore } from '@dualwatch/refdata';
import { assess, createLocalView, createOrderGenerator, loadBundledPolicy, withAssessedAt } from '@dualwatch/scoring';
import { benchKafka, produceAll, readAll, topicMessageCount, waitCommitted, type KeyedMessage } from './lib/kafka';
import { CpuAccount, mib, RssSampler, startProcess, type CpuUse, type ManagedProcess } from './lib/proc';
import { summarizeHeapSnapshot, type HeapSnapshotJson, type HeapSummary } from './lib/heap';
import { summarizeProfile, type CpuProfile, type ProfileSummary } from './lib/profile';
import {
  fmtInt,
  fmtMs,
  fmtPct,
  markdownTable,
  rateFromTimestamps,
  replaceSection,
  summarizeLatencies,
  textTable,
  trailingNumber,
  type LatencySummary,
} from './lib/stats';

// ---------------------------------------------------------------------------------------------- options

const PHASES = ['raw', 'engine', 'latency', 'naive', 'scoring'] as const;
type Phase = (typeof PHASES)[number];

interface Options {
  quick: boolean;
  write: boolean;
  phases: Set<Phase>;
  profile: boolean;
  heapSnapshot: boolean;
  /** Phase 7: the engine on its Nest transport against the direct pipeline, this many rounds of one run each. */
  transport: boolean;
  transportRounds: number;
  warmup: number;
  backlog: number;
  naiveBacklog: number;
  naiveWarmup: number;
  fastRetryMs: number;
  /** Run the what-if engine wrapper with this kafkajs retry back-off instead of the shipped main.js. */
  engineRetryMs?: number;
  /** What-if: the engine's consumers with this fetch minBytes and maxWaitTimeInMs. */
  engineConsumerBatching?: { minBytes: number; maxWaitMs: number };
  rates: number[];
  latencySeconds: number;
  /** Latency load: one produce request per tick (ms); the read_committed reader's fetch maxWaitTimeInMs. */
  tickMs: number;
  readerWaitMs: number;
  scoringOrders: number;
  seed: number;
  logLevel: string;
  engineEnv: Record<string, string>;
  naiveEnv: Record<string, string>;
  doc: string;
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const o: Options = {
    quick,
    write: !quick,
    phases: new Set(PHASES),
    profile: false,
    heapSnapshot: false,
    transport: false,
    transportRounds: 2,
    warmup: quick ? 1_000 : 20_000,
    backlog: quick ? 4_000 : 100_000,
    naiveBacklog: quick ? 500 : 10_000,
    naiveWarmup: quick ? 500 : 2_000,
    fastRetryMs: 200,
    rates: quick ? [200, 1_000] : [1_000, 5_000],
    latencySeconds: quick ? 4 : 20,
    tickMs: 10,
    readerWaitMs: 100,
    scoringOrders: quick ? 20_000 : 100_000,
    seed: 42,
    logLevel: 'info',
    engineEnv: {},
    naiveEnv: {},
    doc: path.join(repoRoot(), 'docs', 'benchmarks.md'),
  };
  const num = (v: string | undefined, name: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number, got ${v}`);
    return n;
  };
  const kv = (v: string | undefined, name: string): [string, string] => {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(v ?? '');
    if (!m) throw new Error(`${name} needs KEY=VALUE, got ${v}`);
    return [m[1], m[2]];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case '--quick':
        break;
      case '--write':
        o.write = true;
        break;
      case '--no-write':
        o.write = false;
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--heap-snapshot':
        o.profile = true;
        o.heapSnapshot = true;
        break;
      case '--transport':
        o.transport = true;
        break;
      case '--transport-rounds':
        o.transportRounds = Math.floor(num(next(), a));
        break;
      case '--only': {
        const list = (next() ?? '').split(',').filter(Boolean);
        const extra = (p: string) => p === 'profile' || p === 'transport';
        if (list.includes('profile')) o.profile = true;
        if (list.includes('transport')) o.transport = true;
        for (const p of list)
          if (!extra(p) && !(PHASES as readonly string[]).includes(p))
            throw new Error(`--only: unknown phase ${p} (${PHASES.join(', ')}, profile, transport)`);
        o.phases = new Set(list.filter((p) => !extra(p)) as Phase[]);
        break;
      }
      case '--warmup':
        o.warmup = Math.floor(num(next(), a));
        break;
      case '--backlog':
        o.backlog = Math.floor(num(next(), a));
        break;
      case '--naive-backlog':
        o.naiveBacklog = Math.floor(num(next(), a));
        break;
      case '--engine-retry-ms':
        o.engineRetryMs = Math.floor(num(next(), a));
        break;
      case '--engine-consumer-batching': {
        const m = /^(\d+):(\d+)$/.exec(next() ?? '');
        if (!m) throw new Error('--engine-consumer-batching needs MIN_BYTES:MAX_WAIT_MS');
        o.engineConsumerBatching = { minBytes: Number(m[1]), maxWaitMs: Number(m[2]) };
        break;
      }
      case '--txn-retry-ms':
        o.fastRetryMs = Math.floor(num(next(), a));
        break;
      case '--naive-warmup':
        o.naiveWarmup = Math.floor(num(next(), a));
        break;
      case '--rates':
        o.rates = (next() ?? '').split(',').map((r) => num(r, a));
        break;
      case '--tick-ms':
        o.tickMs = num(next(), a);
        break;
      case '--reader-wait-ms':
        o.readerWaitMs = num(next(), a);
        break;
      case '--latency-seconds':
        o.latencySeconds = num(next(), a);
        break;
      case '--scoring-orders':
        o.scoringOrders = Math.floor(num(next(), a));
        break;
      case '--seed':
        o.seed = Math.floor(num(next(), a));
        break;
      case '--log-level':
        o.logLevel = next() ?? 'info';
        break;
      case '--engine-env': {
        const [k, v] = kv(next(), a);
        o.engineEnv[k] = v;
        break;
      }
      case '--naive-env': {
        const [k, v] = kv(next(), a);
        o.naiveEnv[k] = v;
        break;
      }
      case '--doc':
        o.doc = path.resolve(next() ?? o.doc);
        break;
      case '--help':
      case '-h':
        {
          // the doc comment at the top of the source (this file is its compiled copy)
          const src = path.join(repoRoot(), 'bench', 'run.ts');
          const text = fs.existsSync(src) ? fs.readFileSync(src, 'utf8') : '';
          const m = /\/\*\*[\s\S]*?\*\//.exec(text);
          process.stdout.write(
            `${m ? m[0] : 'node dist/bench/run.js [--quick] [--profile] [--only phases] [--no-write] ... (see bench/run.ts)'}\n`,
          );
        }
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${a} (--help)`);
    }
  }
  if (o.transport && (o.engineRetryMs !== undefined || o.engineConsumerBatching))
    throw new Error('--transport compares the shipped engine with the direct pipeline: not with the what-if flags');
  return o;
}

const say = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

// ------------------------------------------------------------------------------------------- the world

interface World {
  broker: KafkaBroker;
  redisServer: RedisServer;
  kafka: Kafka;
  admin: Admin;
  producers: Producer[];
  redis: Redis;
  runId: string;
  tmp: string;
}

const ROOT = repoRoot();
// the apps of the same build as this file (dist/ normally)
const ENGINE_MAIN = path.join(__dirname, '..', 'apps/risk-engine/src/main.js');
const NAIVE_MAIN = path.join(__dirname, '..', 'apps/naive-engine/src/main.js');
const RAW_WORKER = path.join(__dirname, 'raw-worker.js');
const PROFILED_ENGINE = path.join(__dirname, 'engine-profiled.js');
const WHATIF_ENGINE = path.join(__dirname, 'engine-whatif.js');
const DIRECT_ENGINE = path.join(__dirname, 'engine-direct.js');
const DISPATCH = path.join(__dirname, 'dispatch.js');
const SCORING = path.join(__dirname, 'scoring.js');

const processes: ManagedProcess[] = [];
function track(p: ManagedProcess): ManagedProcess {
  processes.push(p);
  return p;
}

// ----------------------------------------------------------------------------------------- throughput

interface ThroughputResult {
  label: string;
  warmup: number;
  backlog: number;
  /**
   * Steady rate: every output, in timestamp order; the first `warmup` of them are the warm-up (JIT,
   * caches); rate = the next `backlog` outputs over the time from the first of them to the last.
   */
  rate: number;
  /** All outputs over the time from the very first to the last (warm-up and start included). */
  overallRate: number;
  outputsRead: number;
  expectedOutputs: number;
  duplicates: number;
  missing: number;
  produceSeconds: number;
  /** CPU over the measured window: ours (consumer, broker, Redis, this process) and everyone else's. */
  cpu: CpuUse;
  /** CPU time per order over the measured window: the consumer process, and the broker. */
  consumerCpuUsPerOrder: number;
  brokerCpuUsPerOrder: number;
}

interface ThroughputPlan {
  label: string;
  prefix: string;
  groupId: string;
  /** Starts the consumer under test. */
  start: () => ManagedProcess;
  warm: KeyedMessage[];
  backlog: KeyedMessage[];
  /** Once the warm-up's worth of orders is committed (profiler start...). */
  afterWarmup?: (proc: ManagedProcess) => Promise<void>;
  /** Once half of the backlog is committed. */
  halfway?: (proc: ManagedProcess) => Promise<void>;
  /** After the backlog is committed, before the outputs are read (metrics scrape, profiler stop...). */
  afterBacklog?: (proc: ManagedProcess) => Promise<void>;
}

/** Topic names of one deployment: "<prefix>.orders.v1". */
const topicPrefix = (prefix: string) => `${prefix}.`;

/** The input topic holds exactly what we produced (no producer retry doubled anything). */
async function expectCount(admin: Admin, topic: string, expected: number): Promise<void> {
  const n = await topicMessageCount(admin, topic);
  if (n !== expected) throw new Error(`${topic} holds ${n} messages, expected ${expected}`);
}

/**
 * Produces warm-up + backlog into a fresh orders topic, then starts the consumer under test on the full
 * backlog and reads its outputs back with read_committed once everything is committed.
 */
async function runThroughput(w: World, plan: ThroughputPlan): Promise<{ result: ThroughputResult; proc: ManagedProcess }> {
  const ordersTopic = topicName('orders', topicPrefix(plan.prefix));
  const outTopic = topicName('assessments', topicPrefix(plan.prefix));
  const total = plan.warm.length + plan.backlog.length;
  await provisionTopics(w.kafka, ['orders', 'assessments', 'alerts', 'ordersDlq', 'refdataChanges'], topicPrefix(plan.prefix));
  const p0 = performance.now();
  await produceAll(w.producers, ordersTopic, [...plan.warm, ...plan.backlog]);
  const produceSeconds = (performance.now() - p0) / 1000;
  await expectCount(w.admin, ordersTopic, total);
  say(`${plan.label}: ${fmtInt(total)} orders produced in ${produceSeconds.toFixed(1)} s; starting the consumer`);
  const proc = track(plan.start());
  const alive = () => !proc.exited();
  const context = () => proc.tail();
  await waitCommitted(w.admin, plan.groupId, ordersTopic, plan.warm.length, { alive, context, stallMs: 120_000, intervalMs: 50 });
  await plan.afterWarmup?.(proc);
  const cpu = new CpuAccount([process.pid, w.broker.pid, w.redisServer.pid, proc.pid]);
  let lastReport = performance.now();
  let halfway: Promise<void> | undefined;
  await waitCommitted(w.admin, plan.groupId, ordersTopic, total, {
    alive,
    context,
    onProgress: (n) => {
      if (!halfway && plan.halfway && n >= plan.warm.length + plan.backlog.length / 2) halfway = plan.halfway(proc);
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        say(`${plan.label}: ${fmtInt(n)}/${fmtInt(total)} committed`);
      }
    },
  });
  const cpuUse = cpu.stop();
  await halfway;
  const inWindow = total - plan.warm.length;
  await plan.afterBacklog?.(proc);

  // read every output back as a downstream read_committed consumer would
  const byNumber = new Map<number, number>();
  for (const m of plan.warm) byNumber.set(trailingNumber(m.key), 0);
  for (const m of plan.backlog) byNumber.set(trailingNumber(m.key), 0);
  let duplicates = 0;
  const stamps: number[] = [];
  const read = await readAll(w.kafka, outTopic, total, (key, ts) => {
    const n = trailingNumber(key);
    const seen = byNumber.get(n);
    if (seen === undefined) return;
    if (seen > 0) duplicates++;
    else stamps.push(ts);
    byNumber.set(n, seen + 1);
  });
  const sorted = Float64Array.from(stamps).sort();
  const from = Math.min(plan.warm.length, sorted.length - 1);
  const result: ThroughputResult = {
    label: plan.label,
    warmup: plan.warm.length,
    backlog: plan.backlog.length,
    rate: rateFromTimestamps(sorted.length - from, sorted[from], sorted[sorted.length - 1]),
    overallRate: rateFromTimestamps(sorted.length, sorted[0], sorted[sorted.length - 1]),
    outputsRead: read,
    expectedOutputs: total,
    duplicates,
    missing: total - sorted.length,
    produceSeconds,
    cpu: cpuUse,
    consumerCpuUsPerOrder: ((cpuUse.cpuSeconds[proc.pid] ?? NaN) * 1e6) / inWindow,
    brokerCpuUsPerOrder: ((cpuUse.cpuSeconds[w.broker.pid] ?? NaN) * 1e6) / inWindow,
  };
  say(
    `${plan.label}: ${fmtInt(result.rate)} orders/s after the warm-up (overall ${fmtInt(result.overallRate)}/s; outputs ${read}/${total}, duplicates ${duplicates}, ` +
      `missing ${result.missing}; CPU cores: ours ${cpuUse.oursCores.toFixed(2)}, others ${cpuUse.othersCores.toFixed(2)}; ` +
      `CPU per order: consumer ${fmtInt(result.consumerCpuUsPerOrder)} µs, broker ${fmtInt(result.brokerCpuUsPerOrder)} µs)`,
  );
  return { result, proc };
}

// -------------------------------------------------------------------------------------------- latency

interface LatencyResult {
  rate: number;
  seconds: number;
  offered: number;
  achievedRate: number;
  assessments: LatencySummary;
  alerts: LatencySummary;
  missingAssessments: number;
  rssPeak: number;
  cpu: CpuUse;
  /** From the engine's /metrics over the run: transactions (chunks), their mean duration, orders per chunk. */
  chunks?: { count: number; meanMs: number; ordersPerChunk: number; retries: number };
}

async function runLatency(
  w: World,
  prefix: string,
  nextOrders: (n: number) => KeyedMessage[],
  rate: number,
  seconds: number,
  engine: ManagedProcess,
  metricsPort: string | undefined,
  o: { tickMs: number; readerWaitMs: number },
  sampler?: RssSampler,
): Promise<LatencyResult> {
  const total = Math.round(rate * seconds);
  const msgs = nextOrders(total);
  const base = trailingNumber(msgs[0].key);
  const sentAt = new Float64Array(total);
  const gotAssessment = new Uint8Array(total);
  const gotAlert = new Uint8Array(total);
  const aLat: number[] = [];
  const alLat: number[] = [];
  const assessmentsTopic = topicName('assessments', topicPrefix(prefix));
  const alertsTopic = topicName('alerts', topicPrefix(prefix));
  const reader = w.kafka.consumer({
    groupId: `bench-latency-${prefix}-${rate}-${Date.now()}`,
    readUncommitted: false,
    maxWaitTimeInMs: o.readerWaitMs,
    minBytes: 1,
  });
  let joined!: () => void;
  const joinedP = new Promise<void>((r) => (joined = r));
  reader.on(reader.events.GROUP_JOIN, () => joined());
  await reader.connect();
  await reader.subscribe({ topics: [assessmentsTopic, alertsTopic], fromBeginning: false });
  await reader.run({
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      const isAlert = batch.topic === alertsTopic;
      for (const m of batch.messages) {
        const i = trailingNumber(m.key?.toString('utf8') ?? '') - base;
        if (i < 0 || i >= total || sentAt[i] === 0) continue;
        if (isAlert) {
          if (!gotAlert[i]) {
            gotAlert[i] = 1;
            alLat.push(now - sentAt[i]);
          }
        } else if (!gotAssessment[i]) {
          gotAssessment[i] = 1;
          aLat.push(now - sentAt[i]);
        }
      }
    },
  });
  await joinedP;
  await sleep(2_000); // the first fetch positions the new group at the end of both topics
  sampler?.takeWindowMax();

  const producer = w.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const ordersTopic = topicName('orders', topicPrefix(prefix));
  const inflight = new Set<Promise<unknown>>();
  let sendErrors = 0;
  let sent = 0;
  const before = metricsPort ? await scrapeMetrics(metricsPort) : undefined;
  const cpu = new CpuAccount([process.pid, w.broker.pid, w.redisServer.pid, engine.pid]);
  const t0 = performance.now();
  let lastSend = t0;
  say(`latency @ ${rate}/s: offering ${total} orders over ${seconds} s`);
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000));
    if (due > sent) {
      const now = performance.now();
      for (let i = sent; i < due; i++) sentAt[i] = now;
      const p = producer
        .send({ topic: ordersTopic, acks: -1, messages: msgs.slice(sent, due) })
        .catch(() => void sendErrors++)
        .finally(() => inflight.delete(p));
      inflight.add(p);
      sent = due;
      lastSend = now;
    }
    await sleep(o.tickMs);
  }
  await Promise.all(inflight);
  const achievedRate = total / ((lastSend - t0) / 1000);
  const cpuUse = cpu.stop();
  const deadline = Date.now() + 20_000;
  while (aLat.length < total && Date.now() < deadline) await sleep(50);
  await sleep(500); // alerts commit with their assessments; a moment for the reader to see the last ones
  const after = metricsPort ? await scrapeMetrics(metricsPort) : undefined;
  await reader.disconnect();
  await producer.disconnect();
  if (sendErrors) say(`latency @ ${rate}/s: ${sendErrors} produce requests failed`);
  const cores = (pid: number) => ((cpuUse.cpuSeconds[pid] ?? NaN) / cpuUse.seconds).toFixed(2);
  const res: LatencyResult = {
    rate,
    seconds,
    offered: total,
    achievedRate,
    assessments: summarizeLatencies(aLat),
    alerts: summarizeLatencies(alLat),
    missingAssessments: total - aLat.length,
    rssPeak: sampler?.takeWindowMax() ?? NaN,
    cpu: cpuUse,
    chunks:
      before && after && after.chunks > before.chunks
        ? {
            count: after.chunks - before.chunks,
            meanMs: ((after.chunkSeconds - before.chunkSeconds) * 1000) / (after.chunks - before.chunks),
            ordersPerChunk: (after.assessments - before.assessments) / (after.chunks - before.chunks),
            retries: after.retries - before.retries,
          }
        : undefined,
  };
  say(
    `latency @ ${rate}/s: order→assessment p50 ${fmtMs(res.assessments.p50)} p95 ${fmtMs(res.assessments.p95)} p99 ${fmtMs(res.assessments.p99)}; ` +
      `order→alert (${res.alerts.count}) p50 ${fmtMs(res.alerts.p50)} p95 ${fmtMs(res.alerts.p95)} p99 ${fmtMs(res.alerts.p99)}` +
      (res.chunks
        ? `; ${res.chunks.count} transactions, ${fmtMs(res.chunks.meanMs)} each on average (process + commit), ${res.chunks.ordersPerChunk.toFixed(1)} orders each, ${res.chunks.retries} retries`
        : '') +
      `; CPU cores ours ${res.cpu.oursCores.toFixed(2)} (consumer ${cores(engine.pid)}, broker ${cores(w.broker.pid)}, redis ${cores(w.redisServer.pid)}, ` +
      `this process ${cores(process.pid)}), others ${res.cpu.othersCores.toFixed(2)}`,
  );
  return res;
}

// --------------------------------------------------------------------------------------------- engine

async function engineEnv(prefix: string, o: Options, extra: Record<string, string>): Promise<Record<string, string>> {
  return {
    KAFKA_BROKERS: '',
    REDIS_URL: '',
    DW_TOPIC_PREFIX: topicPrefix(prefix),
    REDIS_KEY_PREFIX: `${prefix}:`,
    ENGINE_GROUP_ID: `${prefix}-engine`,
    ENGINE_TRANSACTIONAL_ID_PREFIX: `${prefix}-engine`,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(await freePort()),
    LOG_LEVEL: o.logLevel,
    // as deployed (Dockerfile, scripts/start.sh): fewer glibc malloc arenas, lower RSS
    MALLOC_ARENA_MAX: '2',
    ...o.engineEnv,
    ...extra,
  };
}

interface EngineMetricsScrape {
  assessments: number;
  alerts: number;
  hitRatio: number;
  /** dw_engine_batch_duration_seconds: chunks processed and committed, and their total time. */
  chunks: number;
  chunkSeconds: number;
  retries: number;
}

async function scrapeMetrics(port: string): Promise<EngineMetricsScrape | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const sum = (name: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
        .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    return {
      assessments: sum('dw_engine_assessments_total'),
      alerts: sum('dw_engine_alerts_total'),
      hitRatio: sum('dw_engine_screening_cache_hit_ratio'),
      chunks: sum('dw_engine_batch_duration_seconds_count'),
      chunkSeconds: sum('dw_engine_batch_duration_seconds_sum'),
      retries: sum('dw_engine_chunk_retries_total'),
    };
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------------------- profiling

function ipcRequest(proc: ManagedProcess, msg: object, expect: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${proc.name}: no ${expect} reply within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: Record<string, unknown>) => {
      if (m.ok === expect || m.error) {
        clearTimeout(timer);
        proc.child.off('message', onMessage);
        if (m.error) reject(new Error(String(m.error)));
        else resolve(m);
      }
    };
    proc.child.on('message', onMessage);
    proc.child.send(msg);
  });
}

interface EngineMemory {
  usage: NodeJS.MemoryUsage;
  spaces: { name: string; size: number; used: number }[];
}

// ---------------------------------------------------------------------------------------------- report

interface Machine {
  /** Virtualisation as far as the kernel command line tells (this matters: see the findings). */
  virt: string;
  loadAvg: string;
  nproc: string;
  cpu: string;
  memory: string;
  os: string;
  node: string;
  kafka: string;
  redis: string;
  date: string;
}

function describeMachine(broker?: KafkaBroker): Machine {
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  let kafka = `${KAFKA_VERSION} (wanted)`;
  if (broker) {
    const jar = fs.readdirSync(broker.state().libsDir).find((f) => /^kafka_2\.13-[\d.]+\.jar$/.test(f));
    if (jar) kafka = `${/kafka_2\.13-([\d.]+)\.jar/.exec(jar)![1]} (KRaft, single node, -Xmx${broker.heapMb}m)`;
  }
  let cmdline = '';
  try {
    cmdline = fs.readFileSync('/proc/cmdline', 'utf8');
  } catch {
    /* not Linux */
  }
  const virt = /firecracker/i.test(cmdline)
    ? `Firecracker microVM${/nested_pvm=1/.test(cmdline) ? ' (kernel cmdline: nested_pvm=1, nested virtualisation)' : ''}`
    : 'unknown (not detected)';
  return {
    virt,
    loadAvg: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    nproc: sh('nproc', []),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    kafka,
    redis: sh('redis-server', ['--version']).replace(/^Redis server /, ''),
    date: new Date().toISOString(),
  };
}

interface Results {
  machine: Machine;
  command: string;
  options: Options;
  orderBytes: number;
  assessmentBytes: number;
  alertShare: number;
  engineSettings: string;
  rawPlain?: ThroughputResult;
  rawTx?: ThroughputResult;
  rawTxFast?: ThroughputResult;
  engine?: ThroughputResult;
  engineMetrics?: EngineMetricsScrape;
  naive?: ThroughputResult;
  latency: LatencyResult[];
  /** Latency of the raw workers (outputs on the assessments topic only) at the first offered rate. */
  rawLatency: { label: string; mode: 'plain' | 'tx'; result: LatencyResult }[];
  scoring?: { rate: number; median: number; output: string; pinned: boolean };
  rss?: { backlogPeak: number; overallPeak: number; hwm: number; samples: number };
  profile?: {
    summary: ProfileSummary;
    file: string;
    rate: number;
    backlog: number;
    memory?: EngineMemory;
    rssPeak: number;
    consumerCpuUsPerOrder: number;
    heap?: { file: string; summary: HeapSummary };
  };
  transport?: TransportComparison;
}

const TARGETS = {
  ofCeiling: 60,
  vsNaive: 10,
  rate: 20_000,
  p99At1000: 50,
  scoring: 100_000,
  rssMiB: 300,
};

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? '—' : ok ? 'met' : 'MISSED';
}

function buildRows(r: Results): string[][] {
  const rows: string[][] = [];
  const thr = (t: ThroughputResult | undefined) => (t ? `${fmtInt(t.rate)} orders/s` : 'not run');
  const check = (t: ThroughputResult | undefined) =>
    t
      ? `${fmtInt(t.warmup)} warm-up + ${fmtInt(t.backlog)} measured; outputs ${t.outputsRead}/${t.expectedOutputs}, duplicates ${t.duplicates}, missing ${Math.max(0, t.missing)}; ` +
        `CPU cores ours ${t.cpu.oursCores.toFixed(2)} / others' ${t.cpu.othersCores.toFixed(2)}; ` +
        `CPU per order: consumer ${fmtInt(t.consumerCpuUsPerOrder)} µs, broker ${fmtInt(t.brokerCpuUsPerOrder)} µs`
      : '';
  rows.push(['1a. Raw ceiling, plain (kafkajs eachBatch → send, acks=all)', thr(r.rawPlain), '—', '', check(r.rawPlain)]);
  rows.push(['1b. Raw ceiling, transactional per chunk (fair EOS ceiling)', thr(r.rawTx), '—', '', check(r.rawTx)]);
  rows.push([
    `1c. Raw ceiling, transactional, first retry back-off ${r.options.fastRetryMs} ms (what-if: the engine's before its fix)`,
    thr(r.rawTxFast),
    '—',
    '',
    `${check(r.rawTxFast)}; 1a/1b use the engine's client settings (transactional producers: initialRetryTime 15 ms; fetch 1 MiB/partition)`,
  ]);
  rows.push([
    '2. risk-engine pipeline (exactly once)',
    thr(r.engine),
    `≥ ${fmtInt(TARGETS.rate)}/s`,
    verdict(r.engine && r.engine.rate >= TARGETS.rate),
    check(r.engine),
  ]);
  const ofTx = r.engine && r.rawTx ? (100 * r.engine.rate) / r.rawTx.rate : NaN;
  const ofPlain = r.engine && r.rawPlain ? (100 * r.engine.rate) / r.rawPlain.rate : NaN;
  rows.push([
    '   pipeline as % of the transactional ceiling',
    fmtPct(ofTx),
    `≥ ${TARGETS.ofCeiling}%`,
    verdict(Number.isFinite(ofTx) ? ofTx >= TARGETS.ofCeiling : undefined),
    '',
  ]);
  rows.push([
    '   pipeline as % of the plain ceiling',
    fmtPct(ofPlain),
    '—',
    '',
    'the plain ceiling has no transactions: not a like-for-like bound',
  ]);
  rows.push(['3. naive NestJS (Transport.KAFKA, GET per party, emit per output)', thr(r.naive), '—', '', check(r.naive)]);
  const vsNaive = r.engine && r.naive ? r.engine.rate / r.naive.rate : NaN;
  rows.push([
    '   pipeline ÷ naive',
    Number.isFinite(vsNaive) ? `${vsNaive.toFixed(1)}×` : 'n/a',
    `≥ ${TARGETS.vsNaive}×`,
    verdict(Number.isFinite(vsNaive) ? vsNaive >= TARGETS.vsNaive : undefined),
    '',
  ]);
  for (const l of r.latency) {
    const target = l.rate === 1_000 ? `p99 ≤ ${TARGETS.p99At1000} ms` : '—';
    const ok = l.rate === 1_000 ? l.alerts.count > 0 && l.alerts.p99 <= TARGETS.p99At1000 : undefined;
    rows.push([
      `4. latency @ ${fmtInt(l.rate)}/s, order → alert (read_committed)`,
      `p50 ${fmtMs(l.alerts.p50)}, p95 ${fmtMs(l.alerts.p95)}, p99 ${fmtMs(l.alerts.p99)}`,
      target,
      verdict(ok),
      `${l.alerts.count} alerts, max ${fmtMs(l.alerts.max)}; offered ${l.offered} over ${l.seconds} s (achieved ${fmtInt(l.achievedRate)}/s); ` +
        `CPU cores ours ${l.cpu.oursCores.toFixed(2)} / others' ${l.cpu.othersCores.toFixed(2)}`,
    ]);
    rows.push([
      `   latency @ ${fmtInt(l.rate)}/s, order → assessment`,
      `p50 ${fmtMs(l.assessments.p50)}, p95 ${fmtMs(l.assessments.p95)}, p99 ${fmtMs(l.assessments.p99)}`,
      '—',
      '',
      `${l.assessments.count} assessments, max ${fmtMs(l.assessments.max)}${l.missingAssessments ? `, ${l.missingAssessments} not seen` : ''}` +
        (l.chunks
          ? `; engine /metrics: ${fmtInt(l.chunks.count)} transactions of ${l.chunks.ordersPerChunk.toFixed(1)} orders, ${fmtMs(l.chunks.meanMs)} each (process + commit)`
          : ''),
    ]);
  }
  for (const { label, mode, result: l } of r.rawLatency) {
    rows.push([
      `   latency @ ${fmtInt(l.rate)}/s, raw ${mode === 'tx' ? 'transactional' : 'plain'} worker (kafkajs only), order → output`,
      `p50 ${fmtMs(l.assessments.p50)}, p95 ${fmtMs(l.assessments.p95)}, p99 ${fmtMs(l.assessments.p99)}`,
      '—',
      '',
      `${label}: ${l.assessments.count} outputs, max ${fmtMs(l.assessments.max)}; the floor under the engine's latency on this machine`,
    ]);
  }
  rows.push([
    '5. scoring core alone, one core (bench/scoring.js)',
    r.scoring
      ? `${fmtInt(r.scoring.rate)} orders/s${Number.isFinite(r.scoring.median) ? ` (best round; median ${fmtInt(r.scoring.median)})` : ''}`
      : 'not run',
    `≥ ${fmtInt(TARGETS.scoring)}/s`,
    verdict(r.scoring ? r.scoring.rate >= TARGETS.scoring : undefined),
    r.scoring ? `${fmtInt(r.options.scoringOrders)} orders${r.scoring.pinned ? ', pinned with taskset -c 1' : ''}` : '',
  ]);
  rows.push([
    '6. engine peak RSS under load',
    r.rss ? mib(Math.max(r.rss.overallPeak, r.rss.hwm)) : 'not run',
    `≤ ${TARGETS.rssMiB} MiB`,
    verdict(r.rss ? Math.max(r.rss.overallPeak, r.rss.hwm) <= TARGETS.rssMiB * 1024 * 1024 : undefined),
    r.rss
      ? `VmHWM ${mib(r.rss.hwm)}; max VmRSS sample ${mib(r.rss.overallPeak)} (${r.rss.samples} samples / 100 ms), ${mib(r.rss.backlogPeak)} during the backlog`
      : '',
  ]);
  return rows;
}

const HEADER = ['Measurement', 'Result', 'Target', 'Status', 'Notes'];

function markdownReport(r: Results): string {
  const m = r.machine;
  const o = r.options;
  const lines: string[] = [];
  lines.push(
    `Measured by \`${r.command}\` (equivalently \`node dist/bench/run.js${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}\` after \`npm run build\`), ` +
      `against a Kafka broker and a Redis server that the run started on free ports on the same machine and stopped at its end.`,
  );
  lines.push('');
  lines.push('**Machine**');
  lines.push('');
  lines.push(
    `- ${m.nproc} CPUs (nproc), ${m.cpu}; ${m.memory} memory; ${m.os}; virtualisation: ${m.virt}; load average at start ${m.loadAvg}`,
  );
  lines.push(`- Node ${m.node}; Apache Kafka ${m.kafka}; Redis ${m.redis}; kafkajs 2.2.4`);
  lines.push(`- date: ${m.date}`);
  lines.push(`- engine settings: ${r.engineSettings}`);
  lines.push(
    `- workload: seeded generator (seed ${o.seed}), ${fmtInt(o.warmup)} warm-up + ${fmtInt(o.backlog)} backlog orders (naive: ${fmtInt(Math.min(o.naiveWarmup, o.warmup))} + ${fmtInt(o.naiveBacklog)}); ` +
      `orders ${fmtInt(r.orderBytes)} B of JSON on average, assessments ${fmtInt(r.assessmentBytes)} B; ${(100 * r.alertShare).toFixed(1)}% of orders alert under the bundled policy`,
  );
  lines.push('');
  lines.push(markdownTable(HEADER, buildRows(r)));
  lines.push('');
  lines.push('**How it is measured**');
  lines.push('');
  lines.push(
    '- Every consumer under test runs in its own process (engine, naive engine, raw worker) and starts on a full topic: warm-up + backlog orders produced ' +
      'beforehand. Its outputs are read back by a read_committed consumer, each counted once (duplicates and gaps reported), and sorted by Kafka timestamp: ' +
      'the first warm-up-many outputs are the warm-up (JIT, LRU, Redis caches), and throughput = the next backlog-many outputs ÷ the time from the first of them to the last.',
  );
  lines.push(
    '- CPU cores "ours" = the consumer under test + the broker + Redis + the benchmark process over the measured window; "others\'" = everything else on the machine ' +
      '(other people\'s builds and tests on a shared machine): when it is not ~0, results are understated. "CPU per order" = CPU time of the consumer process ' +
      '(all its threads) and of the broker over the measured window ÷ orders: much less sensitive to foreign load than orders/s.',
  );
  lines.push(
    "- Raw ceilings (bench/raw-worker.ts): kafkajs alone with the consumer settings of TransactionalPipeline, eachBatch cut into chunks of the engine's " +
      `ENGINE_MAX_CHUNK_MESSAGES, ENGINE_PARTITIONS_CONCURRENTLY partitions at once, one output of ${fmtInt(r.assessmentBytes)} B per input, no parsing. ` +
      'Plain: one idempotent producer, acks=all. Transactional: a transactional producer per input partition, one transaction per chunk with the outputs and the offset.',
  );
  lines.push(
    '- Naive (apps/naive-engine): @nestjs/microservices Transport.KAFKA, @EventPattern per message, postfixId "", one Redis GET per party screening (SET on a miss) and per ' +
      "open-order state, `await lastValueFrom(ClientKafka.emit())` per assessment and alert; scoring and alert decisions are the risk-engine's own functions.",
  );
  lines.push(
    '- Latency: after the backlog, the same engine gets orders at a fixed offered rate, one produce request (acks=all) every ' +
      `${o.tickMs} ms with the orders due; each order's send time is taken just before producer.send and its arrival when a read_committed consumer ` +
      `(maxWaitTimeInMs ${o.readerWaitMs}: the broker answers a waiting fetch as soon as a transaction commits) in the benchmark process receives the alert ` +
      '(or the assessment), matched by order id. Orders continue the same generator (known parties), so alerts follow the default mix above. ' +
      '"transactions" comes from the engine\'s /metrics (dw_engine_batch_duration_seconds: process + commit of one chunk).',
  );
  lines.push('- RSS: /proc/<engine pid>/status VmRSS every 100 ms over warm-up, backlog and latency runs, and VmHWM at the end.');
  if (r.engineMetrics) {
    lines.push(
      `- Cross-check from the engine's /metrics after the backlog: dw_engine_assessments_total ${fmtInt(r.engineMetrics.assessments)}, ` +
        `dw_engine_alerts_total ${fmtInt(r.engineMetrics.alerts)}, screening cache hit ratio ${r.engineMetrics.hitRatio.toFixed(3)}.`,
    );
  }
  if (r.scoring) {
    lines.push('');
    lines.push('Scoring core output:');
    lines.push('');
    lines.push('```');
    lines.push(r.scoring.output.trim());
    lines.push('```');
  }
  return lines.join('\n');
}

function profileReport(p: NonNullable<Results['profile']>, r: Results): string {
  const s = p.summary;
  const lines: string[] = [];
  lines.push(
    `V8 CPU profile of the risk-engine (bench/engine-profiled.ts: the same bootstrap(), profiler started once the warm-up is committed and stopped when the backlog is), ` +
      `${fmtInt(p.backlog)} backlog orders at ${fmtInt(p.rate)} orders/s while profiled; ${r.machine.date}; engine settings: ${r.engineSettings}. ` +
      `Profile file: \`${path.relative(ROOT, p.file)}\`.`,
  );
  lines.push('');
  lines.push(
    `Main thread busy ${(100 * s.busyShare).toFixed(0)}% of ${(s.totalMs / 1000).toFixed(1)} s (idle ${(s.idleMs / 1000).toFixed(1)} s). Shares below are of busy time.`,
  );
  lines.push('');
  lines.push(
    markdownTable(
      ['Self time by category', 'ms', 'share'],
      s.categories.slice(0, 16).map((c) => [c.name, fmtInt(c.ms), `${(100 * c.share).toFixed(1)}%`]),
    ),
  );
  lines.push('');
  const meaning: Record<string, string> = {
    process: 'OrderProcessor.process: one chunk, everything but the Kafka commit',
    parseOrderEvent: 'JSON.parse + schema check of the order messages',
    Check: 'the TypeBox schema check alone',
    viewFor: 'party screening for the chunk (LRU, Redis MGET)',
    assess: 'the scoring core',
    withAssessedAt: 'copy of the assessment with assessedAt',
    decideAlert: 'alert decision (reason codes sorted, ...)',
    buildAlert: 'alert message',
    getMany: 'open-order book read (MGET; the JSON.parse of its replies runs in a callback, see top functions)',
    putMany: 'open-order book write: JSON.stringify of each entry + pipeline',
    LOG: 'pino log lines (one per alert at info)',
    encode: 'kafkajs: encoding produce requests (record batches, CRC32C)',
  };
  lines.push(
    markdownTable(
      ['Inclusive time of', 'what it is', 'ms', 'share'],
      s.inclusive.map((c) => [c.name, meaning[c.name] ?? '', fmtInt(c.ms), `${(100 * c.share).toFixed(1)}%`]),
    ),
  );
  lines.push('');
  lines.push(
    'JSON.parse and JSON.stringify are V8 builtins: their time is the self time of their caller (`process` self: stringify of assessments and alerts; ' +
      '`putMany` self: stringify of book entries; `parseOrderEvent` self: JSON.parse of the orders).',
  );
  lines.push('');
  lines.push(
    markdownTable(
      ['Top functions (self)', 'where', 'ms', 'share'],
      s.topSelf.map((f) => [f.name, f.where, fmtInt(f.ms), `${(100 * f.share).toFixed(1)}%`]),
    ),
  );
  if (p.heap) {
    const h = p.heap.summary;
    lines.push('');
    lines.push(
      `Live heap half-way through the backlog (heap snapshot after a full GC, \`${path.relative(ROOT, p.heap.file)}\`): ${mib(h.totalBytes)} in ${fmtInt(h.nodeCount)} objects; ` +
        'largest groups by shallow size:',
    );
    lines.push('');
    lines.push(
      markdownTable(
        ['constructor / kind', 'MiB', 'objects'],
        h.top.map((g) => [g.name, (g.bytes / 1048576).toFixed(1), fmtInt(g.count)]),
      ),
    );
  }
  return lines.join('\n');
}

// ------------------------------------------------------------------------------ transport vs direct

type EngineVariant = 'transport' | 'direct';

const VARIANTS: Record<EngineVariant, { label: string; name: string; script: string; what: string }> = {
  transport: {
    label: 'Nest transport',
    name: 'risk-engine',
    script: ENGINE_MAIN,
    what: 'the shipped engine (main.js): KafkaChunkTransport → Nest dispatch (@EventPattern handler, ChunkErrorFilter, Observable) → OrdersConsumer → OrderProcessor.process',
  },
  direct: {
    label: 'direct pipeline',
    name: 'risk-engine (direct)',
    script: DIRECT_ENGINE,
    what: 'bench/engine-direct.js, the way before the transport: the same app, TransactionalPipeline (same binding from EngineService.bind) → OrderProcessor.process',
  },
};

/** The transport may cost at most this much more engine CPU per order than the direct pipeline (the issue's 5%). */
const TRANSPORT_CPU_TOLERANCE_PCT = 5;

interface VariantSummary {
  runs: number;
  /** Means over the runs, and their range. */
  rate: number;
  rateMin: number;
  rateMax: number;
  cpuUsPerOrder: number;
  cpuMin: number;
  cpuMax: number;
  brokerCpuUsPerOrder: number;
}

/** bench/dispatch.js: the Nest dispatch alone, µs per awaited chunk handler call (medians over blocks). */
interface DispatchCost {
  chunk: number;
  calls: number;
  blocks: number;
  nestUs: number;
  directUs: number;
  overheadUs: number;
  overheadCpuUs: number;
}

interface TransportComparison {
  runs: {
    variant: EngineVariant;
    round: number;
    result: ThroughputResult;
    /** From the engine's /metrics at the end of the run (warm-up included): transactions, orders per transaction. */
    chunks?: { count: number; ordersPerChunk: number };
  }[];
  transport: VariantSummary;
  direct: VariantSummary;
  /** (transport − direct) ÷ direct in %: engine CPU per order (positive: the transport costs more), orders/s. */
  cpuDiffPct: number;
  rateDiffPct: number;
  /** The CPU difference within each round (one run of each). */
  roundCpuDiffPct: number[];
  withinTolerance: boolean;
  /** Mean orders per chunk (transaction) over the runs, from the engines' /metrics. */
  ordersPerChunk: number;
  dispatch?: DispatchCost;
}

function summarizeVariant(runs: ThroughputResult[]): VariantSummary {
  const mean = (f: (r: ThroughputResult) => number) => runs.reduce((s, r) => s + f(r), 0) / runs.length;
  const rates = runs.map((r) => r.rate);
  const cpus = runs.map((r) => r.consumerCpuUsPerOrder);
  return {
    runs: runs.length,
    rate: mean((r) => r.rate),
    rateMin: Math.min(...rates),
    rateMax: Math.max(...rates),
    cpuUsPerOrder: mean((r) => r.consumerCpuUsPerOrder),
    cpuMin: Math.min(...cpus),
    cpuMax: Math.max(...cpus),
    brokerCpuUsPerOrder: mean((r) => r.brokerCpuUsPerOrder),
  };
}

function compareTransport(runs: TransportComparison['runs'], dispatch: DispatchCost | undefined): TransportComparison {
  const of = (v: EngineVariant) => runs.filter((r) => r.variant === v).map((r) => r.result);
  const transport = summarizeVariant(of('transport'));
  const direct = summarizeVariant(of('direct'));
  const diff = (a: number, b: number) => (100 * (a - b)) / b;
  const rounds = [...new Set(runs.map((r) => r.round))];
  const cpuDiffPct = diff(transport.cpuUsPerOrder, direct.cpuUsPerOrder);
  return {
    runs,
    transport,
    direct,
    cpuDiffPct,
    rateDiffPct: diff(transport.rate, direct.rate),
    roundCpuDiffPct: rounds.map((n) => {
      const cpu = (v: EngineVariant) => runs.find((r) => r.round === n && r.variant === v)?.result.consumerCpuUsPerOrder ?? NaN;
      return diff(cpu('transport'), cpu('direct'));
    }),
    withinTolerance: cpuDiffPct <= TRANSPORT_CPU_TOLERANCE_PCT,
    ordersPerChunk: runs.reduce((s, r) => s + (r.chunks?.ordersPerChunk ?? NaN), 0) / runs.length,
    dispatch,
  };
}

/** The widest run-to-run spread of one engine's CPU per order, (max − min) ÷ mean, in %. */
function cpuSpreadPct(t: TransportComparison): number {
  return Math.max(...[t.transport, t.direct].map((v) => (100 * (v.cpuMax - v.cpuMin)) / v.cpuUsPerOrder));
}

/** The Nest dispatch's cost per order at the measured chunk size, as a share of the direct pipeline's CPU per order. */
function dispatchShare(t: TransportComparison): { usPerOrder: number; pct: number } | undefined {
  if (!t.dispatch || !Number.isFinite(t.ordersPerChunk)) return undefined;
  const usPerOrder = t.dispatch.overheadCpuUs / t.ordersPerChunk;
  return { usPerOrder, pct: (100 * usPerOrder) / t.direct.cpuUsPerOrder };
}

const fmtUs = (us: number) => `${us.toFixed(1)} µs`;
const fmtSignedPct = (p: number) => (Number.isFinite(p) ? `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(1)}%` : 'n/a');

const TRANSPORT_RUN_HEADER = [
  'Run',
  'Engine',
  'orders/s',
  'CPU per order, engine',
  'CPU per order, broker',
  "others' cores",
  'orders per transaction',
  'outputs',
];
const TRANSPORT_SUMMARY_HEADER = ['', VARIANTS.transport.label, VARIANTS.direct.label, 'transport vs direct', 'Target', 'Status'];

function transportRows(t: TransportComparison): { runs: string[][]; summary: string[][] } {
  const runs = t.runs.map(({ variant, round, result: r, chunks }, i) => [
    `${i + 1} (round ${round})`,
    VARIANTS[variant].label,
    fmtInt(r.rate),
    fmtUs(r.consumerCpuUsPerOrder),
    fmtUs(r.brokerCpuUsPerOrder),
    r.cpu.othersCores.toFixed(2),
    chunks ? chunks.ordersPerChunk.toFixed(0) : 'n/a',
    `${r.outputsRead}/${r.expectedOutputs}, duplicates ${r.duplicates}, missing ${Math.max(0, r.missing)}`,
  ]);
  const range = (lo: string, hi: string) => `${lo} – ${hi}`;
  const summary = [
    [
      `orders/s, mean of ${t.transport.runs} / ${t.direct.runs} runs`,
      `${fmtInt(t.transport.rate)} (${range(fmtInt(t.transport.rateMin), fmtInt(t.transport.rateMax))})`,
      `${fmtInt(t.direct.rate)} (${range(fmtInt(t.direct.rateMin), fmtInt(t.direct.rateMax))})`,
      fmtSignedPct(t.rateDiffPct),
      '—',
      '',
    ],
    [
      'engine CPU per order, mean',
      `${fmtUs(t.transport.cpuUsPerOrder)} (${range(fmtUs(t.transport.cpuMin), fmtUs(t.transport.cpuMax))})`,
      `${fmtUs(t.direct.cpuUsPerOrder)} (${range(fmtUs(t.direct.cpuMin), fmtUs(t.direct.cpuMax))})`,
      `${fmtSignedPct(t.cpuDiffPct)} (per round: ${t.roundCpuDiffPct.map(fmtSignedPct).join(', ')})`,
      `≤ +${TRANSPORT_CPU_TOLERANCE_PCT}%`,
      t.withinTolerance ? 'met' : 'MISSED',
    ],
    ['broker CPU per order, mean', fmtUs(t.transport.brokerCpuUsPerOrder), fmtUs(t.direct.brokerCpuUsPerOrder), '', '—', ''],
  ];
  const share = dispatchShare(t);
  if (t.dispatch)
    summary.push([
      `Nest dispatch alone (bench/dispatch.js), per chunk of ${t.dispatch.chunk}`,
      `${t.dispatch.nestUs.toFixed(2)} µs`,
      `${t.dispatch.directUs.toFixed(2)} µs`,
      `+${t.dispatch.overheadCpuUs.toFixed(2)} µs CPU per chunk` +
        (share
          ? `; ${share.usPerOrder.toFixed(4)} µs per order at ${t.ordersPerChunk.toFixed(0)} orders per transaction = ${share.pct.toFixed(3)}%`
          : ''),
      '—',
      '',
    ]);
  return { runs, summary };
}

function transportReport(t: TransportComparison, r: Results): string {
  const m = r.machine;
  const o = r.options;
  const { runs, summary } = transportRows(t);
  const lines: string[] = [];
  lines.push(
    `Measured by \`${r.command}\` (equivalently \`node dist/bench/run.js${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}\` after \`npm run build\`), ` +
      `against a Kafka broker and a Redis server that the run started on free ports on the same machine and stopped at its end; ${m.date}.`,
  );
  lines.push('');
  lines.push(
    `- ${m.nproc} CPUs (nproc), ${m.cpu}; virtualisation: ${m.virt}; load average at start ${m.loadAvg}; Node ${m.node}; Apache Kafka ${m.kafka}`,
  );
  lines.push(`- engine settings (both engines): ${r.engineSettings}`);
  lines.push(
    `- each run: ${fmtInt(o.warmup)} warm-up + ${fmtInt(o.backlog)} backlog orders (seed ${o.seed}, the same orders every run) produced into a fresh topic before the engine starts; ` +
      `${o.transportRounds} rounds of one run of each engine, the order flipped every round (${t.runs.map((x) => VARIANTS[x.variant].label).join(', ')}), so that a drift of the machine over the phase weighs on both alike`,
  );
  lines.push(`- ${VARIANTS.transport.label}: ${VARIANTS.transport.what}`);
  lines.push(`- ${VARIANTS.direct.label}: ${VARIANTS.direct.what}`);
  lines.push('');
  const spread = cpuSpreadPct(t);
  const share = dispatchShare(t);
  lines.push(
    `**Result**: engine CPU per order ${fmtUs(t.transport.cpuUsPerOrder)} on the Nest transport, ${fmtUs(t.direct.cpuUsPerOrder)} on the direct pipeline: ` +
      `${fmtSignedPct(t.cpuDiffPct)} (target ≤ +${TRANSPORT_CPU_TOLERANCE_PCT}%): ${t.withinTolerance ? 'met' : 'MISSED'}. ` +
      `The runs of one and the same engine spread by up to ${spread.toFixed(1)}% here, so the difference is ` +
      `${Math.abs(t.cpuDiffPct) <= spread ? 'within' : 'larger than'} the machine's run-to-run noise` +
      ` (orders/s: ${fmtSignedPct(t.rateDiffPct)}, which moves with what else the machine runs, see "others' cores")` +
      (share
        ? `; the Nest dispatch alone costs ${t.dispatch!.overheadCpuUs.toFixed(2)} µs of CPU per chunk, ${share.pct.toFixed(3)}% of an order's CPU at ${t.ordersPerChunk.toFixed(0)} orders per transaction.`
        : '.'),
  );
  lines.push('');
  lines.push(markdownTable(TRANSPORT_SUMMARY_HEADER, summary));
  lines.push('');
  lines.push(markdownTable(TRANSPORT_RUN_HEADER, runs));
  lines.push('');
  lines.push(
    '"CPU per order, engine" = user + system CPU time of the engine process (all its threads, /proc/<pid>/stat) from the moment the warm-up is committed to the moment the backlog is, ÷ the backlog\'s orders; ' +
      'orders/s as in "Pipeline (npm run bench)" (Kafka timestamps of the backlog\'s outputs). "others\' cores" = CPU used by processes outside the benchmark over the same window: ' +
      'when it is not ~0, that run shared the machine. The target: the transport within ' +
      `${TRANSPORT_CPU_TOLERANCE_PCT}% of the direct pipeline's CPU per order, or better (mean over the runs of each).`,
  );
  if (t.dispatch) {
    lines.push('');
    lines.push(
      `"Nest dispatch alone": bench/dispatch.js runs the engine's own OrdersConsumer on KafkaChunkTransport with an OrderProcessor stand-in that returns ready outputs, ` +
        `and calls the handler the transport builds (Nest's event handler: ChunkErrorFilter, @Payload/@Ctx, the Observable → Promise) and the stand-in directly, ` +
        `${fmtInt(t.dispatch.calls)} awaited calls a block, ${t.dispatch.blocks} blocks each, alternating; medians of µs per call (wall) and of CPU per call. ` +
        'It is the direct cost of the dispatch per chunk, whatever else the machine is doing (not counted: indirect costs such as the garbage of its few objects per chunk). ' +
        '"orders per transaction" comes from the engine\'s /metrics at the end of each run (dw_engine_assessments_total ÷ dw_engine_batch_duration_seconds_count, warm-up included).',
    );
  }
  return lines.join('\n');
}

/** The section in the project's prettier style (tables padded), when prettier (a devDependency) is installed. */
async function prettierMarkdown(text: string): Promise<string> {
  try {
    const prettier = require('prettier') as { format(src: string, o: object): Promise<string> };
    return await prettier.format(text, { parser: 'markdown', printWidth: 140, singleQuote: true, trailingComma: 'all' });
  } catch {
    return text;
  }
}

async function writeDoc(file: string, sections: [string, string][]): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const formatted: [string, string][] = [];
  for (const [heading, body] of sections) formatted.push([heading, await prettierMarkdown(body)]);
  // read-modify-write in one go: other sections of the file belong to other people
  let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  for (const [heading, body] of formatted) doc = replaceSection(doc, heading, body);
  fs.writeFileSync(file, doc.endsWith('\n') ? doc : `${doc}\n`);
}

// ------------------------------------------------------------------------------------------------ main

/** What one run owns and stops at its end, whatever happens: the broker, Redis, their clients, its temp dir. */
interface Run {
  runId: string;
  tmp: string;
  broker?: KafkaBroker;
  redisServer?: RedisServer;
  w?: World;
}

/** What every phase works with: the world, the workload, the engine's settings, and the results so far. */
interface Bench {
  o: Options;
  run: Run;
  w: World;
  warm: KeyedMessage[];
  backlog: KeyedMessage[];
  naiveBacklog: KeyedMessage[];
  /** The latency phases' orders: the seeded stream goes on. */
  nextOrders: (n: number) => KeyedMessage[];
  refdata: ReturnType<typeof loadBundledRefData>;
  chunk: string;
  concurrency: string;
  /** The what-if wrapper's environment (--engine-retry-ms, --engine-consumer-batching); empty: the shipped engine. */
  whatIfEnv: Record<string, string>;
  whatIf: boolean;
  connection: { KAFKA_BROKERS: string; REDIS_URL: string };
  results: Results;
}

/** Stops every process the run started, then the broker and Redis, and removes the temp dir (also on SIGINT/SIGTERM). */
function stopRunOnExit(run: Run): () => Promise<void> {
  let stopping = false;
  const cleanup = async () => {
    if (stopping) return;
    stopping = true;
    for (const p of processes) await p.stop(15_000).catch(() => undefined);
    if (run.w) {
      for (const p of run.w.producers) await p.disconnect().catch(() => undefined);
      await run.w.admin.disconnect().catch(() => undefined);
      run.w.redis.disconnect();
    }
    await run.broker?.stop().catch((err) => say(`broker stop failed: ${(err as Error).message}`));
    await run.redisServer?.stop().catch((err) => say(`redis stop failed: ${(err as Error).message}`));
    fs.rmSync(run.tmp, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      say(`${sig}: stopping everything this run started`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  return cleanup;
}

/** Kafka and Redis on free ports, an admin, two backlog producers and a Redis client. */
async function startWorld(o: Options, run: Run): Promise<World> {
  say(
    `mode ${o.quick ? 'quick' : 'full'}; phases ${[...o.phases].join(',')}${o.profile ? ',profile' : ''}${o.transport ? ',transport' : ''}; starting Kafka and Redis on free ports`,
  );
  const [broker, redisServer] = await Promise.all([KafkaBroker.start({ name: 'bench', heapMb: 1024 }), RedisServer.start()]);
  run.broker = broker;
  run.redisServer = redisServer;
  if (redisServer.port === 6379) throw new Error('refusing to use port 6379');
  const kafka = benchKafka(broker.brokers, `bench-${run.runId}`);
  const admin = kafka.admin();
  await admin.connect();
  const producers = [0, 1].map(() => kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 }));
  for (const p of producers) await p.connect();
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  run.w = { broker, redisServer, kafka, admin, producers, redis, runId: run.runId, tmp: run.tmp };
  return run.w;
}

/**
 * The workload (one seeded stream: warm-up, backlog and latency orders follow each other), its sizes
 * (assessment size for the raw ceiling's outputs, alert share, from the scoring core), the engine's
 * settings, and the results to fill.
 */
function prepare(o: Options, run: Run, w: World): Bench {
  const machine = describeMachine(w.broker);
  say(`broker ${w.broker.brokers} (pid ${w.broker.pid}), redis ${w.redisServer.url} (pid ${w.redisServer.pid})`);

  const gen = createOrderGenerator(o.seed);
  const toMsg = (e: OrderEvent): KeyedMessage => ({ key: e.order.orderId, value: Buffer.from(JSON.stringify(e)) });
  const events: OrderEvent[] = [];
  const need = o.warmup + Math.max(o.backlog, o.naiveBacklog);
  for (let i = 0; i < need; i++) events.push(gen.next());
  const msgs = events.map(toMsg);
  const orderBytes = msgs.reduce((s, m) => s + m.value.length, 0) / msgs.length;

  const policy = loadBundledPolicy();
  const refdata = loadBundledRefData();
  const view = createLocalView(refdata, policy);
  const sample = events.slice(o.warmup, o.warmup + Math.min(3_000, o.backlog));
  let aBytes = 0;
  let alerting = 0;
  for (const e of sample) {
    const a = withAssessedAt(assess(e, view, policy));
    aBytes += Buffer.byteLength(JSON.stringify(a));
    if (verdictRank(a.verdict) >= verdictRank(policy.alerting.minVerdict)) alerting++;
  }
  const assessmentBytes = Math.round(aBytes / sample.length);
  const chunk = o.engineEnv.ENGINE_MAX_CHUNK_MESSAGES ?? '500';
  const concurrency = o.engineEnv.ENGINE_PARTITIONS_CONCURRENTLY ?? '6';
  const whatIfEnv: Record<string, string> = {
    ...(o.engineRetryMs === undefined ? {} : { BENCH_KAFKA_RETRY_MS: String(o.engineRetryMs) }),
    ...(o.engineConsumerBatching
      ? {
          BENCH_CONSUMER_MIN_BYTES: String(o.engineConsumerBatching.minBytes),
          BENCH_CONSUMER_MAX_WAIT_MS: String(o.engineConsumerBatching.maxWaitMs),
        }
      : {}),
  };
  const whatIf = Object.keys(whatIfEnv).length > 0;
  const engineSettings =
    (whatIf
      ? `WHAT-IF engine (bench/engine-whatif.js: ${Object.entries(whatIfEnv)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}), `
      : '') +
    `ENGINE_MAX_CHUNK_MESSAGES=${chunk}, ENGINE_PARTITIONS_CONCURRENTLY=${concurrency}, LOG_LEVEL=${o.logLevel}, MALLOC_ARENA_MAX=2` +
    Object.entries(o.engineEnv)
      .filter(([k]) => k !== 'ENGINE_MAX_CHUNK_MESSAGES' && k !== 'ENGINE_PARTITIONS_CONCURRENTLY')
      .map(([k, v]) => `, ${k}=${v}`)
      .join('');
  const results: Results = {
    machine,
    command: `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    options: o,
    orderBytes,
    assessmentBytes,
    alertShare: alerting / sample.length,
    engineSettings,
    latency: [],
    rawLatency: [],
  };
  say(
    `workload: ${need} orders, ${fmtInt(orderBytes)} B each; assessments ${assessmentBytes} B; ${(100 * results.alertShare).toFixed(1)}% alert`,
  );
  return {
    o,
    run,
    w,
    warm: msgs.slice(0, o.warmup),
    backlog: msgs.slice(o.warmup, o.warmup + o.backlog),
    naiveBacklog: msgs.slice(o.warmup, o.warmup + o.naiveBacklog),
    nextOrders: (n: number) => Array.from({ length: n }, () => toMsg(gen.next())),
    refdata,
    chunk,
    concurrency,
    whatIfEnv,
    whatIf,
    connection: { KAFKA_BROKERS: w.broker.brokers, REDIS_URL: w.redisServer.url },
    results,
  };
}

/** 1. Raw ceilings: kafkajs alone, plain and transactional (and the raw workers' latency at the first rate). */
async function rawCeilingPhase(b: Bench): Promise<void> {
  const { o, w, results } = b;
  const variants = [
    { mode: 'plain', retryMs: 15, label: 'raw plain', slot: 'rawPlain' },
    { mode: 'tx', retryMs: 15, label: 'raw tx', slot: 'rawTx' },
    { mode: 'tx', retryMs: o.fastRetryMs, label: `raw tx, txn retry ${o.fastRetryMs} ms`, slot: 'rawTxFast' },
  ] as const;
  for (const v of variants) {
    const prefix = `bench-${b.run.runId}-${v.slot.toLowerCase()}`;
    const groupId = `${prefix}-group`;
    const { result, proc } = await runThroughput(w, {
      label: v.label,
      prefix,
      groupId,
      warm: b.warm,
      backlog: b.backlog,
      start: () =>
        startProcess(v.label, [RAW_WORKER], {
          BENCH_MODE: v.mode,
          BENCH_BROKERS: w.broker.brokers,
          BENCH_IN_TOPIC: topicName('orders', topicPrefix(prefix)),
          BENCH_OUT_TOPIC: topicName('assessments', topicPrefix(prefix)),
          BENCH_GROUP: groupId,
          BENCH_CHUNK: b.chunk,
          BENCH_CONCURRENCY: b.concurrency,
          BENCH_PAYLOAD_BYTES: String(results.assessmentBytes),
          BENCH_TXN_PREFIX: `${prefix}-tx`,
          BENCH_TXN_RETRY_MS: String(v.retryMs),
        }),
    });
    results[v.slot] = result;
    // the same worker at the first offered rate: what kafkajs alone adds to the end-to-end latency
    if (o.phases.has('latency') && v.slot !== 'rawTxFast') {
      const lat = await runLatency(w, prefix, b.nextOrders, o.rates[0], o.latencySeconds, proc, undefined, o);
      results.rawLatency.push({ label: v.label, mode: v.mode, result: lat });
    }
    await proc.stop();
  }
}

/** 2. The risk-engine over the backlog, then 4. latency at the offered rates and 6. its RSS, on the same running engine. */
async function enginePhase(b: Bench): Promise<void> {
  const { o, w, results } = b;
  const prefix = `bench-${b.run.runId}-engine`;
  const env = await engineEnv(prefix, o, b.connection);
  await new RefDataStore(w.redis, `${prefix}:`).publish(b.refdata);
  let sampler: RssSampler | undefined;
  const { result, proc } = await runThroughput(w, {
    label: 'risk-engine',
    prefix,
    groupId: env.ENGINE_GROUP_ID,
    warm: b.warm,
    backlog: o.phases.has('engine') ? b.backlog : b.backlog.slice(0, 1_000),
    start: () => {
      const p = b.whatIf
        ? startProcess(
            'risk-engine (what-if)',
            [WHATIF_ENGINE],
            { ...env, ...b.whatIfEnv },
            { stdoutFile: path.join(b.run.tmp, 'engine.log') },
          )
        : startProcess('risk-engine', [ENGINE_MAIN], env, { stdoutFile: path.join(b.run.tmp, 'engine.log') });
      sampler = new RssSampler(p.pid, 100).start();
      return p;
    },
    afterWarmup: async () => void sampler?.takeWindowMax(),
    afterBacklog: async () => {
      results.engineMetrics = await scrapeMetrics(env.HTTP_PORT);
    },
  });
  const backlogPeak = sampler?.takeWindowMax() ?? NaN;
  if (o.phases.has('engine')) results.engine = result;
  if (o.phases.has('latency')) {
    for (const rate of o.rates)
      results.latency.push(await runLatency(w, prefix, b.nextOrders, rate, o.latencySeconds, proc, env.HTTP_PORT, o, sampler));
  }
  if (sampler) {
    sampler.stop();
    results.rss = { backlogPeak, overallPeak: sampler.maxSampledRss, hwm: sampler.hwm, samples: sampler.sampleCount };
  }
  await proc.stop();
}

/** 3. The naive NestJS engine over its (smaller) backlog. */
async function naivePhase(b: Bench): Promise<void> {
  const { o, w } = b;
  if (!fs.existsSync(NAIVE_MAIN)) throw new Error(`${NAIVE_MAIN} is missing: run \`npm run build\` first`);
  const prefix = `bench-${b.run.runId}-naive`;
  await new RefDataStore(w.redis, `${prefix}:`).publish(b.refdata);
  const groupId = `${prefix}-naive`;
  const { result, proc } = await runThroughput(w, {
    label: 'naive',
    prefix,
    groupId,
    warm: b.warm.slice(0, o.naiveWarmup),
    backlog: b.naiveBacklog,
    start: () =>
      startProcess(
        'naive-engine',
        [NAIVE_MAIN],
        {
          ...b.connection,
          DW_TOPIC_PREFIX: topicPrefix(prefix),
          REDIS_KEY_PREFIX: `${prefix}:`,
          NAIVE_GROUP_ID: groupId,
          LOG_LEVEL: o.logLevel,
          ...o.naiveEnv,
        },
        { stdoutFile: path.join(b.run.tmp, 'naive.log') },
      ),
  });
  await proc.stop();
  b.results.naive = result;
}

/** --profile: a V8 CPU profile of the engine over a backlog (memory under load, optionally a heap snapshot). */
async function profilePhase(b: Bench): Promise<void> {
  const { o, w } = b;
  const prefix = `bench-${b.run.runId}-profile`;
  const env = await engineEnv(prefix, o, b.connection);
  await new RefDataStore(w.redis, `${prefix}:`).publish(b.refdata);
  const outDir = path.join(ROOT, '.run', 'bench');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `engine-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
  let readyP: Promise<unknown> = Promise.resolve();
  let memory: EngineMemory | undefined;
  let memPoll: NodeJS.Timeout | undefined;
  let heap: { file: string; summary: HeapSummary } | undefined;
  let sampler: RssSampler | undefined;
  const { result, proc } = await runThroughput(w, {
    label: 'risk-engine (profiled)',
    prefix,
    groupId: env.ENGINE_GROUP_ID,
    warm: b.warm,
    backlog: b.backlog,
    start: () => {
      const p = startProcess('risk-engine-profiled', [PROFILED_ENGINE], env, {
        stdoutFile: path.join(b.run.tmp, 'engine-profiled.log'),
        ipc: true,
      });
      readyP = new Promise((resolve) => p.child.on('message', (m: { ok?: string }) => m.ok === 'ready' && resolve(undefined)));
      return p;
    },
    afterWarmup: async (p) => {
      await readyP;
      await ipcRequest(p, { cmd: 'profile-start', intervalUs: 1000 }, 'started');
      // memory breakdown under load: keep the sample with the highest RSS
      let busy = false;
      memPoll = setInterval(() => {
        if (busy) return;
        busy = true;
        ipcRequest(p, { cmd: 'memory' }, 'memory', 10_000)
          .then((m) => {
            const mem = m as unknown as EngineMemory;
            if (!memory || mem.usage.rss > memory.usage.rss) memory = mem;
          })
          .catch(() => undefined)
          .finally(() => (busy = false));
      }, 1_000);
    },
    halfway: o.heapSnapshot
      ? async (p) => {
          const heapFile = file.replace(/\.cpuprofile$/, '.heapsnapshot');
          await ipcRequest(p, { cmd: 'heap-snapshot', file: heapFile }, 'heap', 300_000);
          heap = { file: heapFile, summary: summarizeHeapSnapshot(JSON.parse(fs.readFileSync(heapFile, 'utf8')) as HeapSnapshotJson) };
        }
      : undefined,
    afterBacklog: async (p) => {
      clearInterval(memPoll);
      await ipcRequest(p, { cmd: 'profile-stop', file }, 'stopped', 120_000);
    },
  });
  proc.child.send({ cmd: 'close' });
  await Promise.race([proc.exit, sleep(20_000)]);
  await proc.stop();
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  // names whose inclusive time means something here (JSON.parse/stringify are builtins: their time is
  // the self time of the function that calls them, so they are not listed)
  const summary = summarizeProfile(profile, [
    'process',
    'parseOrderEvent',
    'Check',
    'viewFor',
    'assess',
    'withAssessedAt',
    'decideAlert',
    'buildAlert',
    'getMany',
    'putMany',
    'LOG',
    'encode',
  ]);
  sampler?.stop();
  b.results.profile = {
    summary,
    file,
    rate: result.rate,
    backlog: b.backlog.length,
    memory,
    rssPeak: sampler?.maxSampledRss ?? NaN,
    consumerCpuUsPerOrder: result.consumerCpuUsPerOrder,
    heap,
  };
}

/**
 * 7. The engine on its Nest transport against the same engine driving TransactionalPipeline directly,
 * over the same workload, in rounds of one run each, the order flipped every round (ABBA...).
 */
async function transportPhase(b: Bench): Promise<void> {
  const { o, w } = b;
  if (!fs.existsSync(DIRECT_ENGINE)) throw new Error(`${DIRECT_ENGINE} is missing: run \`npm run build\` first`);
  const runs: TransportComparison['runs'] = [];
  for (let round = 1; round <= o.transportRounds; round++) {
    const order: EngineVariant[] = round % 2 === 1 ? ['transport', 'direct'] : ['direct', 'transport'];
    for (const variant of order) {
      const v = VARIANTS[variant];
      const prefix = `bench-${b.run.runId}-${variant}${round}`;
      const env = await engineEnv(prefix, o, b.connection);
      await new RefDataStore(w.redis, `${prefix}:`).publish(b.refdata);
      let metrics: EngineMetricsScrape | undefined;
      const { result, proc } = await runThroughput(w, {
        label: `${v.label}, round ${round}`,
        prefix,
        groupId: env.ENGINE_GROUP_ID,
        warm: b.warm,
        backlog: b.backlog,
        start: () => startProcess(v.name, [v.script], env, { stdoutFile: path.join(b.run.tmp, `engine-${variant}${round}.log`) }),
        afterBacklog: async () => {
          metrics = await scrapeMetrics(env.HTTP_PORT);
        },
      });
      await proc.stop();
      runs.push({
        variant,
        round,
        result,
        chunks: metrics && metrics.chunks > 0 ? { count: metrics.chunks, ordersPerChunk: metrics.assessments / metrics.chunks } : undefined,
      });
    }
  }
  let dispatch: DispatchCost | undefined;
  if (fs.existsSync(DISPATCH)) {
    say(`Nest dispatch alone: node dist/bench/dispatch.js --chunk ${b.chunk}`);
    const out = execFileSync(process.execPath, [DISPATCH, '--chunk', b.chunk], { encoding: 'utf8' });
    dispatch = JSON.parse(out.trim().split('\n').pop() ?? '{}') as DispatchCost;
  } else say(`${DISPATCH} missing: no figure for the Nest dispatch alone`);
  const t = compareTransport(runs, dispatch);
  b.results.transport = t;
  say(
    `transport vs direct: engine CPU per order ${fmtUs(t.transport.cpuUsPerOrder)} vs ${fmtUs(t.direct.cpuUsPerOrder)} (${fmtSignedPct(t.cpuDiffPct)}; ` +
      `${t.withinTolerance ? 'within' : 'NOT within'} ${TRANSPORT_CPU_TOLERANCE_PCT}%), ${fmtInt(t.transport.rate)} vs ${fmtInt(t.direct.rate)} orders/s (${fmtSignedPct(t.rateDiffPct)})`,
  );
}

/** 5. The scoring core alone on one core; the broker is stopped first (the machine to itself). */
async function scoringPhase(b: Bench): Promise<void> {
  const { o, run } = b;
  await run.broker!.stop(); // the machine to itself: nothing else running
  run.broker = undefined;
  if (!fs.existsSync(SCORING)) {
    say(`${SCORING} missing: skipping the scoring core`);
    return;
  }
  const pinned = fs.existsSync('/usr/bin/taskset') && os.cpus().length > 1;
  const cmd = pinned ? '/usr/bin/taskset' : process.execPath;
  const args = [
    ...(pinned ? ['-c', '1', process.execPath] : []),
    SCORING,
    '--orders',
    String(o.scoringOrders),
    '--seed',
    String(o.seed),
    ...(o.quick ? ['--rounds', '2'] : []),
  ];
  say(`scoring core: ${pinned ? 'taskset -c 1 ' : ''}node dist/bench/scoring.js ${args.slice(args.indexOf(SCORING) + 1).join(' ')}`);
  const output = execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  // "throughput: N orders/s" or "throughput (R rounds): best N orders/s, median M orders/s ..."
  const toNum = (x?: string) => (x ? Number(x.replace(/,/g, '')) : NaN);
  const best = /throughput[^:\n]*:\s*(?:best\s+)?([\d,]+)\s*orders\/s/.exec(output)?.[1];
  const median = /throughput[^\n]*?median\s+([\d,]+)\s*orders\/s/.exec(output)?.[1];
  b.results.scoring = { rate: toNum(best), median: toNum(median), output, pinned };
}

/** The raw results as JSON under .run/bench/ (for whoever wants to look closer). */
function saveResults(results: Results): void {
  const resultsDir = path.join(ROOT, '.run', 'bench');
  fs.mkdirSync(resultsDir, { recursive: true });
  const resultsFile = path.join(resultsDir, `pipeline-${results.machine.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(
    resultsFile,
    JSON.stringify(results, (_k, v: unknown) => (v instanceof Set ? [...v] : v), 2),
  );
  say(`results: ${path.relative(ROOT, resultsFile)}`);
}

/** The tables on stdout. */
function printReport(results: Results): void {
  const { machine, options: o } = results;
  const rows = buildRows(results);
  process.stdout.write(`\nPipeline benchmark (${o.quick ? 'quick' : 'full'} mode), ${machine.date}\n`);
  process.stdout.write(
    `${machine.nproc} CPUs, ${machine.cpu}, ${machine.memory}; Node ${machine.node}; Kafka ${machine.kafka}; Redis ${machine.redis}\n`,
  );
  process.stdout.write(`engine: ${results.engineSettings}\n\n${textTable(HEADER, rows)}\n`);
  if (results.profile) {
    const s = results.profile.summary;
    process.stdout.write(`\nEngine CPU profile (${results.profile.file}): busy ${(100 * s.busyShare).toFixed(0)}%\n`);
    if (results.profile.heap) {
      const h = results.profile.heap.summary;
      process.stdout.write(`live heap (snapshot ${results.profile.heap.file}): ${mib(h.totalBytes)}\n`);
      process.stdout.write(
        `${textTable(
          ['constructor / kind', 'MiB', 'objects'],
          h.top.map((g) => [g.name, (g.bytes / 1048576).toFixed(1), fmtInt(g.count)]),
        )}\n`,
      );
    }
    if (results.profile.memory) process.stdout.write(`memory under load (highest-RSS sample): ${JSON.stringify(results.profile.memory)}\n`);
    process.stdout.write(
      `${textTable(
        ['category', 'ms', 'share of busy'],
        s.categories.slice(0, 14).map((c) => [c.name, fmtInt(c.ms), `${(100 * c.share).toFixed(1)}%`]),
      )}\n\n`,
    );
    process.stdout.write(
      `${textTable(
        ['inclusive', 'ms', 'share of busy'],
        s.inclusive.map((c) => [c.name, fmtInt(c.ms), `${(100 * c.share).toFixed(1)}%`]),
      )}\n\n`,
    );
    process.stdout.write(
      `${textTable(
        ['function (self)', 'where', 'ms', 'share'],
        s.topSelf.map((f) => [f.name, f.where, fmtInt(f.ms), `${(100 * f.share).toFixed(1)}%`]),
      )}\n`,
    );
  }
  if (results.transport) {
    const { runs, summary } = transportRows(results.transport);
    process.stdout.write(`\nEngine: Nest transport vs direct pipeline\n${textTable(TRANSPORT_SUMMARY_HEADER, summary)}\n\n`);
    process.stdout.write(`${textTable(TRANSPORT_RUN_HEADER, runs)}\n`);
  }
}

/** --write: the sections of docs/benchmarks.md this run measured (only those). */
async function writeReport(b: Bench): Promise<void> {
  const { o, results } = b;
  const sections: [string, string][] = [];
  if (o.phases.size === PHASES.length && !b.whatIf) sections.push(['## Pipeline (npm run bench)', markdownReport(results)]);
  else say('not all phases ran: the "Pipeline (npm run bench)" section is left as it is');
  if (results.profile)
    sections.push(['## Pipeline: engine CPU profile (npm run bench -- --profile)', profileReport(results.profile, results)]);
  if (results.transport)
    sections.push([
      '## Engine: Nest transport vs direct pipeline (npm run bench -- --only transport)',
      transportReport(results.transport, results),
    ]);
  if (sections.length) {
    await writeDoc(o.doc, sections);
    say(`wrote ${sections.map(([h]) => `"${h.slice(3)}"`).join(' and ')} in ${path.relative(ROOT, o.doc)}`);
  }
}

/** Every consumer under test produced every output exactly once: the run fails otherwise. */
function expectExactlyOnce(results: Results): void {
  const failures = [
    results.rawPlain,
    results.rawTx,
    results.rawTxFast,
    results.engine,
    results.naive,
    ...(results.transport?.runs.map((r) => r.result) ?? []),
  ].filter((t) => t && (t.duplicates > 0 || t.missing > 0));
  if (failures.length) throw new Error(`outputs missing or doubled in: ${failures.map((t) => t!.label).join(', ')}`);
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  if (!fs.existsSync(ENGINE_MAIN)) throw new Error(`${ENGINE_MAIN} is missing: run \`npm run build\` first`);
  const run: Run = { runId: `${Date.now().toString(36)}`, tmp: fs.mkdtempSync(path.join(os.tmpdir(), 'dw-bench-')) };
  const cleanup = stopRunOnExit(run);
  try {
    const b = prepare(o, run, await startWorld(o, run));
    if (o.phases.has('raw')) await rawCeilingPhase(b); // 1
    if (o.phases.has('engine') || o.phases.has('latency')) await enginePhase(b); // 2, 4, 6
    if (o.phases.has('naive')) await naivePhase(b); // 3
    if (o.profile) await profilePhase(b);
    if (o.transport) await transportPhase(b); // 7
    if (o.phases.has('scoring')) await scoringPhase(b); // 5: stops the broker
    saveResults(b.results);
    printReport(b.results);
    if (o.write) await writeReport(b);
    expectExactlyOnce(b.results);
    say(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
