import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import Redis from 'ioredis';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { topicName, type Alert, type Assessment, type OrderEvent } from '@dualwatch/contracts';
import { decideAlert, type AlertState, type BookEntry } from '@dualwatch/alerting';
import { readDeadLetter } from '@dualwatch/messaging';
import { loadBundledRefData } from '@dualwatch/refdata';
import { assess, createLocalView, loadBundledPolicy } from '@dualwatch/scoring';
import { generateOrders } from '@dualwatch/scoring/testing/order-generator';
import { EngineProcess, engineEnv, parseValue, type AppProcess } from '@dualwatch/testing/engine';
import { encodeShiftJis } from '@dualwatch/testing/encodings';
import { recordScenario } from './support/report';
import { scaled, scenarioTimeout } from './support/size';
import { loadRefData, Stack } from './support/stack';
import { AssessmentTail, clientFor, exactlyOnceCount, OrderStream, provisionEngineTopics, readAll } from './support/engine-stream';

/**
 * The open-order book as state (issue 17), against a broker and a Redis of each scenario's own and the
 * built engine as an OS process:
 *  1. the engine SIGKILLed three times while a CPU hog runs beside it and Redis answers through a
 *     proxy that delays every reply: every order's alerts (raised, updated, withdrawn) exactly as the
 *     book's history says, cancels and updates after each kill included; the changelog and the Redis
 *     cache hold every order's last state; no assessment degraded (Redis was up throughout);
 *  2. Redis flushed entirely mid-stream: the book rebuilt from the changelog, cancels after the flush
 *     still withdraw, nothing missed;
 *  3. order messages in Shift-JIS, Latin-1 and broken UTF-8 (keys too): each dead-lettered as
 *     INVALID_ENCODING with its original value and key bytes; the valid orders around them assessed once.
 */

const policy = loadBundledPolicy();
const localView = createLocalView(loadBundledRefData(), policy);
const minVerdict = policy.alerting.minVerdict;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

interface Rig {
  stack: Stack;
  kafka: Kafka;
  prefix: string;
  env: Record<string, string>;
  topics: Awaited<ReturnType<typeof provisionEngineTopics>>;
  tail: AssessmentTail;
  engine?: AppProcess;
  starts: number;
}

async function rig(name: string, extraEnv: Record<string, string> = {}): Promise<Rig> {
  const stack = await Stack.start(name);
  cleanups.push(() => stack.stop());
  const prefix = `rel-${name}`;
  const kafka = clientFor(stack.brokers, name);
  const topics = await provisionEngineTopics(kafka, prefix);
  await loadRefData({ KAFKA_BROKERS: stack.brokers, REDIS_URL: stack.redisUrl, DW_TOPIC_PREFIX: prefix, REDIS_KEY_PREFIX: `${prefix}:` });
  const env = {
    ...engineEnv(prefix, { LOG_LEVEL: 'warn', ...extraEnv }),
    KAFKA_BROKERS: stack.brokers,
    REDIS_URL: stack.redisUrl,
    ...extraEnv,
  };
  const tail = new AssessmentTail(kafka, topics.assessments);
  await tail.start();
  cleanups.push(() => tail.stop());
  return { stack, kafka, prefix, env, topics, tail, starts: 0 };
}

function startEngine(r: Rig): AppProcess {
  const engine = EngineProcess.start(r.env);
  r.engine = engine;
  r.starts++;
  cleanups.push(() => engine.kill('SIGKILL'));
  return engine;
}

/** A TCP proxy in front of Redis that holds every chunk, both ways, for `delayMs` (order kept). */
async function slowProxy(target: { host: string; port: number }, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (d) => setTimeout(() => upstream.write(d), delayMs));
    upstream.on('data', (d) => setTimeout(() => client.write(d), delayMs));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A process that keeps one core busy (a loaded machine), stopped by pid at the end. */
function cpuHog(): ChildProcess {
  const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  cleanups.push(async () => hog.kill('SIGKILL'));
  return hog;
}

/** An event of an order later in its life: an update that changes the buyer, or a cancellation. */
function later(e: OrderEvent, kind: 'order.updated' | 'order.cancelled', n: number): OrderEvent {
  const order =
    kind === 'order.updated'
      ? {
          ...e.order,
          buyer: { name: 'Example Hokuriku Motor Works K.K.', country: 'JP' },
          endUse: { category: 'civil' as const, statement: 'motors' },
        }
      : e.order;
  return {
    ...e,
    eventId: `${e.eventId}-${kind === 'order.updated' ? 'upd' : 'cxl'}-${n}`,
    eventType: kind,
    occurredAt: new Date(Date.parse(e.occurredAt) + 60_000).toISOString(),
    order,
  };
}

/** What the alerts and the book must be: every order's events through the same decisions, in order. */
function expectedHistory(events: OrderEvent[]): { kinds: Map<string, string[]>; final: Map<string, AlertState | null> } {
  const kinds = new Map<string, string[]>();
  const state = new Map<string, AlertState | null>();
  for (const e of events) {
    const id = e.order.orderId;
    const a: Assessment = assess(e, localView, policy);
    const d = decideAlert(e, a, state.get(id) ?? null, minVerdict);
    if (d.kind) kinds.set(id, [...(kinds.get(id) ?? []), d.kind]);
    state.set(id, d.next);
  }
  return { kinds, final: state };
}

/** The alerts committed, by order, in log order (an order's alerts share its key, hence a partition). */
async function alertKinds(r: Rig, expected: number): Promise<Map<string, string[]>> {
  const messages = await readAll(r.kafka, r.topics.alerts, { expected, quietMs: 3_000, timeoutMs: 120_000 });
  const out = new Map<string, string[]>();
  for (const m of messages) {
    const a = parseValue<Alert>(m);
    if (a.kind === 'upcoming') continue;
    out.set(a.orderId, [...(out.get(a.orderId) ?? []), a.kind]);
  }
  return out;
}

/** The book's last record of each order in the changelog (read_committed), and the Redis cache's entry. */
async function bookState(r: Rig, orders: number): Promise<{ changelog: Map<string, BookEntry>; cache: Map<string, BookEntry | null> }> {
  const records = await readAll(r.kafka, topicName('book', r.prefix), { expected: orders, quietMs: 2_000, timeoutMs: 60_000 });
  const changelog = new Map<string, BookEntry>();
  for (const m of records) if (m.key && m.value) changelog.set(m.key.toString(), JSON.parse(m.value.toString()) as BookEntry);
  const redis = new Redis(r.stack.redisUrl);
  try {
    const ids = [...changelog.keys()];
    const raw = ids.length ? await redis.mget(ids.map((id) => `${r.prefix}:book:${id}`)) : [];
    return { changelog, cache: new Map(ids.map((id, i) => [id, raw[i] ? (JSON.parse(raw[i]!) as BookEntry) : null])) };
  } finally {
    redis.disconnect();
  }
}

/** Compares alerts and book with the expected history; returns the mismatches (empty when all agree). */
async function checkBook(
  r: Rig,
  events: OrderEvent[],
): Promise<{ alertMismatches: string[]; bookMismatches: string[]; orders: number; alerts: number }> {
  const want = expectedHistory(events);
  const alertCount = [...want.kinds.values()].reduce((n, k) => n + k.length, 0);
  const got = await alertKinds(r, alertCount);
  const alertMismatches: string[] = [];
  for (const id of new Set([...want.kinds.keys(), ...got.keys()])) {
    const w = (want.kinds.get(id) ?? []).join(',');
    const g = (got.get(id) ?? []).join(',');
    if (w !== g) alertMismatches.push(`${id}: alerts ${g || '-'}, expected ${w || '-'}`);
  }
  const book = await bookState(r, want.final.size);
  const bookMismatches: string[] = [];
  for (const [id, final] of want.final) {
    const entry = book.changelog.get(id);
    const cached = book.cache.get(id);
    if (!entry) bookMismatches.push(`${id}: not in the changelog`);
    else if (
      (entry.state?.verdict ?? null) !== (final?.verdict ?? null) ||
      (entry.state?.alertOpen ?? false) !== (final?.alertOpen ?? false)
    )
      bookMismatches.push(
        `${id}: changelog ${entry.state?.verdict}/${entry.state?.alertOpen}, expected ${final?.verdict}/${final?.alertOpen}`,
      );
    if (entry && JSON.stringify(cached?.state ?? null) !== JSON.stringify(entry.state))
      bookMismatches.push(`${id}: the Redis cache differs from the changelog`);
  }
  return { alertMismatches, bookMismatches, orders: want.final.size, alerts: alertCount };
}

/**
 * Orders with alerts in the first part of the stream, and after each of the given points a wave of
 * cancellations and buyer updates of orders placed before it.
 */
function streamWithLaterEvents(n: number, seed: number, points: number[]): { events: OrderEvent[]; later: number } {
  const created = generateOrders(n, seed);
  const alertable = created
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => assess(e, localView, policy).verdict !== 'clear' && assess(e, localView, policy).severity !== 'none');
  const events: OrderEvent[] = [];
  let next = 0;
  let laterCount = 0;
  const cut = points.map((p) => Math.round(p * n));
  for (let i = 0; i < created.length; i++) {
    events.push(created[i]);
    const wave = cut.indexOf(i);
    if (wave < 0) continue;
    // up to 20 alerted orders placed before this point: half cancelled, half re-addressed
    const pick = alertable.filter((x) => x.i < i).slice(next, next + 20);
    next += pick.length;
    pick.forEach(({ e }, k) => events.push(later(e, k % 2 ? 'order.updated' : 'order.cancelled', wave)));
    laterCount += pick.length;
  }
  return { events, later: laterCount };
}

describe('the open-order book as state (real broker, real Redis, the built engine)', () => {
  it(
    'SIGKILLed three times on a loaded machine with a slow Redis: alerts and book exactly as the history says, none degraded',
    async () => {
      const startedAt = Date.now();
      const n = scaled({ ci: 2_000, full: 10_000 });
      const perSecond = scaled({ ci: 80, full: 200 });
      const delayMs = 15;
      const points = [0.25, 0.5, 0.75];
      const { events, later: laterEvents } = streamWithLaterEvents(
        n,
        4040,
        points.map((p) => p + 0.01),
      );
      const r0 = await rig('book-sigkill');
      const proxy = await slowProxy({ host: '127.0.0.1', port: r0.stack.redis.port }, delayMs);
      cleanups.push(() => proxy.close());
      const r: Rig = { ...r0, env: { ...r0.env, REDIS_URL: proxy.url } };
      const hog = cpuHog();
      const stream = new OrderStream(r.kafka, r.topics.orders, events, perSecond, 20);
      cleanups.push(() => stream.close());
      await stream.start();
      startEngine(r);
      await r.tail.recoveryAfter(Date.now() - 1, 120_000);
      const kills: number[] = [];
      for (const p of points) {
        await stream.reached(Math.round(p * events.length), 600_000);
        kills.push(stream.produced);
        expect(await r.engine!.kill('SIGKILL')).toBeNull();
        startEngine(r);
      }
      await stream.finished();
      hog.kill('SIGKILL');
      const c = await exactlyOnceCount(r.kafka, r.prefix, events, 300_000);
      expect({ lost: c.lost.length, doubled: c.doubled, inputMissing: c.inputMissing.length }).toEqual({
        lost: 0,
        doubled: 0,
        inputMissing: 0,
      });
      const degraded = c.assessments.filter((a) => a.degraded).length;
      const check = await checkBook(r, events);
      expect({ degraded, alerts: check.alertMismatches.slice(0, 10), book: check.bookMismatches.slice(0, 10) }).toEqual({
        degraded: 0,
        alerts: [],
        book: [],
      });
      expect(r.starts).toBe(4);

      recordScenario(
        {
          id: 'book-sigkill-loaded',
          title: 'risk-engine SIGKILLed 3 times on a loaded machine, Redis slow: the open-order book exactly once',
          done:
            `${n.toLocaleString('en')} generated orders at about ${perSecond}/s, with ${laterEvents} cancellations and buyer updates of ` +
            `alerted orders right after each kill; a CPU hog (one core busy) beside the engine, and Redis behind a proxy that delays every ` +
            `chunk ${delayMs} ms each way; the engine SIGKILLed at ${kills.map((k) => k.toLocaleString('en')).join(', ')} events and restarted at once.`,
          amount: { events: events.length, orders: check.orders, alerts: check.alerts, kills: kills.length },
          lost: c.lost.length,
          doubled: c.doubled,
          recoveryMs: {},
          figures: {
            'alerts that differ from the book history (raised / updated / withdrawn)': check.alertMismatches.length,
            'orders whose changelog or cache state differs': check.bookMismatches.length,
            'degraded assessments (Redis up throughout)': degraded,
            'assessments in aborted transactions': c.aborted,
          },
          notes: [
            'expected alerts: every order event in stream order through the same assess() and decideAlert() as the engine, from an empty book.',
          ],
        },
        startedAt,
      );
    },
    scenarioTimeout(420_000, 1_200_000),
  );

  it(
    'Redis flushed entirely mid-stream: the book is rebuilt from its changelog and cancels after the flush still withdraw',
    async () => {
      const startedAt = Date.now();
      const n = scaled({ ci: 1_500, full: 8_000 });
      const perSecond = scaled({ ci: 100, full: 200 });
      const { events, later: laterEvents } = streamWithLaterEvents(n, 5050, [0.52]);
      const r = await rig('book-flush');
      const stream = new OrderStream(r.kafka, r.topics.orders, events, perSecond, 25);
      cleanups.push(() => stream.close());
      await stream.start();
      startEngine(r);
      await r.tail.recoveryAfter(Date.now() - 1, 120_000);
      await stream.reached(Math.round(0.5 * events.length), 600_000);
      const redis = new Redis(r.stack.redisUrl);
      cleanups.push(async () => redis.disconnect());
      const keysBefore = await redis.dbsize();
      await redis.flushall();
      const flushedAt = Date.now();
      await stream.finished();
      const c = await exactlyOnceCount(r.kafka, r.prefix, events, 300_000);
      expect({ lost: c.lost.length, doubled: c.doubled }).toEqual({ lost: 0, doubled: 0 });
      const check = await checkBook(r, events);
      expect({ alerts: check.alertMismatches.slice(0, 10), book: check.bookMismatches.slice(0, 10) }).toEqual({ alerts: [], book: [] });
      expect(r.engine!.running).toBe(true);
      expect(r.starts).toBe(1);
      expect(await redis.get(`${r.prefix}:book-epoch`)).not.toBeNull();

      recordScenario(
        {
          id: 'book-redis-flush',
          title: 'Redis flushed entirely mid-stream: the open-order book rebuilt from its changelog',
          done:
            `${n.toLocaleString('en')} generated orders at about ${perSecond}/s; half-way, FLUSHALL on the engine's Redis (${keysBefore.toLocaleString('en')} keys: ` +
            `reference data, screening cache, book); right after it, ${laterEvents} cancellations and buyer updates of orders alerted before the flush.`,
          amount: { events: events.length, orders: check.orders, alerts: check.alerts },
          lost: c.lost.length,
          doubled: c.doubled,
          recoveryMs: { flushToEnd: Date.now() - flushedAt },
          figures: {
            'alerts that differ from the book history': check.alertMismatches.length,
            'orders whose changelog or cache state differs': check.bookMismatches.length,
            'degraded assessments': c.assessments.filter((a) => a.degraded).length,
          },
          notes: ['The reference data went with the flush: the engine kept the version it had loaded (screening is not state).'],
        },
        startedAt,
      );
    },
    scenarioTimeout(300_000, 900_000),
  );

  it(
    'Shift-JIS, Latin-1 and broken UTF-8 order messages: each dead-lettered with its original value and key bytes',
    async () => {
      const startedAt = Date.now();
      const r = await rig('bytes');
      startEngine(r);
      const valid = generateOrders(300, 6060, { idPrefix: 'valid' });
      const base = valid[0];
      const withBuyer = (id: string, name: string) =>
        JSON.stringify({ ...base, eventId: `evt-${id}`, order: { ...base.order, orderId: id, buyer: { name, country: 'JP' } } });
      type Bad = { kind: string; key: Buffer; value: Buffer };
      const bad: Bad[] = [];
      for (let i = 0; i < 30; i++) {
        const sjisKey = encodeShiftJis(`注文-${i}`);
        bad.push({ kind: 'shift-jis', key: sjisKey, value: encodeShiftJis(withBuyer(`PO-SJIS-${i}`, '三菱重工業株式会社')) });
        bad.push({
          kind: 'latin-1',
          key: Buffer.from(`Bestellung-${i}-é`, 'latin1'),
          value: Buffer.from(withBuyer(`PO-L1-${i}`, 'Société Générale Japon'), 'latin1'),
        });
        const broken = Buffer.from(withBuyer(`PO-BRK-${i}`, 'Hamamatsu XX'));
        const at = broken.indexOf('XX');
        broken[at] = 0xe6; // the first two bytes of a three-byte sequence, then a quote
        broken[at + 1] = 0x97;
        bad.push({ kind: 'broken-utf8', key: Buffer.from([0x50, 0x4f, 0xc3, 0x28, i]), value: broken });
      }
      const producer = r.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      cleanups.push(() => producer.disconnect());
      for (let i = 0; i < valid.length; i += 10) {
        const messages: { key: Buffer; value: Buffer }[] = valid
          .slice(i, i + 10)
          .map((e) => ({ key: Buffer.from(e.order.orderId), value: Buffer.from(JSON.stringify(e)) }));
        messages.push(...bad.slice(i * 0.3, i * 0.3 + 3).map((b) => ({ key: b.key, value: b.value })));
        await producer.send({ topic: r.topics.orders, acks: -1, messages });
      }
      const letters = await readAll(r.kafka, r.topics.dlq, { expected: bad.length, quietMs: 2_000, timeoutMs: 120_000 });
      const assessments = await readAll(r.kafka, r.topics.assessments, { expected: valid.length, quietMs: 2_000, timeoutMs: 120_000 });
      const problems: string[] = [];
      const byValue = new Map<string, KafkaMessage[]>();
      for (const l of letters) byValue.set(l.value!.toString('hex'), [...(byValue.get(l.value!.toString('hex')) ?? []), l]);
      for (const b of bad) {
        const got = byValue.get(b.value.toString('hex')) ?? [];
        if (got.length !== 1) {
          problems.push(`${b.kind}: ${got.length} dead letters`);
          continue;
        }
        const l = readDeadLetter(got[0]);
        if (l.code !== 'INVALID_ENCODING') problems.push(`${b.kind}: code ${l.code}`);
        if (!l.keyBytes?.equals(b.key)) problems.push(`${b.kind}: key ${l.keyBytes?.toString('hex')}, sent ${b.key.toString('hex')}`);
        if (!/^not UTF-8: the bytes at offset \d+/.test(l.error) || /[\u0000-\u001f\ufffd]/.test(l.error))
          problems.push(`${b.kind}: error "${l.error}"`);
      }
      const counts = new Map<string, number>();
      for (const m of assessments) counts.set(parseValue<Assessment>(m).eventId, (counts.get(parseValue<Assessment>(m).eventId) ?? 0) + 1);
      expect(problems).toEqual([]);
      expect(letters).toHaveLength(bad.length);
      expect({
        lost: valid.filter((e) => !counts.has(e.eventId)).length,
        doubled: [...counts.values()].filter((x) => x > 1).length,
        stray: assessments.length - valid.length,
      }).toEqual({
        lost: 0,
        doubled: 0,
        stray: 0,
      });

      recordScenario(
        {
          id: 'bytes-not-utf8',
          title: 'order messages in Shift-JIS, Latin-1 and broken UTF-8',
          done: `${bad.length} such messages (${bad.length / 3} of each, their keys in the same bytes) among ${valid.length} valid orders.`,
          amount: { messages: bad.length, validOrders: valid.length },
          lost: 0,
          doubled: 0,
          recoveryMs: {},
          figures: {
            'dead-lettered as INVALID_ENCODING with value and key bytes intact': bad.length - problems.length,
            'valid orders assessed once': counts.size,
          },
        },
        startedAt,
      );
    },
    scenarioTimeout(180_000, 300_000),
  );
});
