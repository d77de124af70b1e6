import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import type { Page } from 'playwright-core';
import { assessmentValidator, verdictRank, type Assessment, type OrderEvent } from '@dualwatch/contracts';
import { DLQ_MAX_VALUE_BYTES, provisionTopics, readDeadLetter } from '@dualwatch/messaging';
import { hashApiKey, newSecretKey } from '@dualwatch/notify';
import { loadBundledRefData } from '@dualwatch/refdata';
import { assess, createLocalView, loadBundledPolicy } from '@dualwatch/scoring';
import { generateOrders } from '@dualwatch/scoring/testing/order-generator';
import { AppProcess, appMain, engineEnv, topicsFor } from '@dualwatch/testing/engine';
import { launchChromium } from '../e2e/browser';
import { generateHostile, MARKUP, POLLUTION_CANARY, tally, template, type HostileMessage } from './support/hostile';
import { recordScenario } from './support/report';
import { scaled, scenarioTimeout } from './support/size';
import { loadRefData, Stack } from './support/stack';

/**
 * Hostile input against the real system: a broker and a Redis of this file's own, the reference data
 * loaded with `dualwatch refdata load`, the built risk-engine and api as OS processes, and a real
 * headless Chromium for the dashboard.
 *
 * 1. hostile messages mixed into orders.v1 between valid orders: each lands in the DLQ with its code
 *    or is scored once; the valid ones are each assessed exactly once; the engine never exits and its
 *    memory stays bounded; nothing planted through `__proto__` / `constructor` shows up anywhere.
 * 2. the hostile strings that were scored and alerted, shown on the dashboard: nothing runs, every
 *    string is shown as text.
 * 3. api abuse: 401, 403, 413, 429 and hostile bodies, and the api still answers afterwards.
 *
 * Each scenario has a broker and a Redis of its own (Stack), its own processes, and stops them all
 * (by pid) when it ends, passed or failed.
 */
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

const MiB = 1024 * 1024;
const RSS_BOUND_MIB = 600;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const policy = loadBundledPolicy();
const localView = createLocalView(loadBundledRefData(), policy);

let stack: Stack | undefined;
let kafka: Kafka;
const started: AppProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

/** A broker and a Redis of the scenario's own, and a client of that broker. */
async function startStack(name: string, o: { postgres?: boolean } = {}): Promise<void> {
  stack = await Stack.start(name, o);
  kafka = new Kafka({
    clientId: `rel-${name}`,
    brokers: [stack.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 60_000,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 2_000 },
  });
}

afterEach(async () => {
  // whatever a scenario started goes, even when it failed: clients, browser, processes (by pid), then the stack
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  await Promise.allSettled(started.splice(0).map((p) => p.stop()));
  await stack?.stop();
  stack = undefined;
}, 120_000);

function start(app: 'risk-engine' | 'api' | 'projector', env: Record<string, string>): AppProcess {
  const p = AppProcess.start(appMain(app), env);
  started.push(p);
  return p;
}

function appEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return engineEnv(prefix, { KAFKA_BROKERS: stack!.brokers, REDIS_URL: stack!.redisUrl, LOG_LEVEL: 'error', ...extra });
}

/** The topics as the apps provision them, and the reference data as an operator loads it (the CLI). */
async function deploy(prefix: string): Promise<ReturnType<typeof topicsFor>> {
  await provisionTopics(kafka, ['orders', 'assessments', 'alerts', 'ordersDlq', 'refdataChanges', 'alertLifecycle'], prefix);
  await loadRefData({ ...appEnv(prefix), REDIS_KEY_PREFIX: `${prefix}:` });
  return topicsFor(prefix);
}

async function connectedProducer(o: Parameters<Kafka['producer']>[0] = { idempotent: true, maxInFlightRequests: 1 }): Promise<Producer> {
  const p = kafka.producer(o);
  await p.connect();
  cleanups.push(() => p.disconnect());
  return p;
}

/**
 * The largest value (with `key`) the broker takes into `topic`: from just under max.message.bytes down
 * in small steps, on a scratch topic with the same limit as orders.v1.
 */
async function largestAcceptedValue(key: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const scratch = `rel-hostile-probe-${Date.now()}`;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: scratch, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(12 * MiB) }] }],
    });
  } finally {
    await admin.disconnect();
  }
  const p = await connectedProducer({ allowAutoTopicCreation: false, retry: { retries: 2 } });
  for (let size = 12 * MiB - 64; size > 12 * MiB - 4096; size -= 16) {
    try {
      await p.send({ topic: scratch, acks: -1, messages: [{ key, value: Buffer.alloc(size, 'L') }] });
      return size;
    } catch (err) {
      if (
        !/larger than the max message size|MESSAGE_TOO_LARGE|too large/i.test(
          String((err as Error).message) + String((err as { type?: string }).type),
        )
      )
        throw err;
    }
  }
  throw new Error('the broker took no message within 4 KiB of 12 MiB');
}

interface SeenAssessment {
  eventId: string;
  orderId: string;
  verdict: string;
  score: number;
  degraded: boolean;
  valid: boolean;
  canary: boolean;
}
interface SeenLetter {
  identity: string;
  code: string;
  error: string;
  sourceTopic: string;
  bytes: number;
  truncatedFrom?: number;
  headers: Record<string, string>;
}

/** Reads assessments and dead letters (read_committed) as they come, keeping digests, not the 10 MiB values. */
async function collect(topics: { assessments: string; dlq: string }) {
  const assessments: SeenAssessment[] = [];
  const letters: SeenLetter[] = [];
  const consumer: Consumer = kafka.consumer({
    groupId: `rel-hostile-reader-${Date.now()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 200,
    maxBytes: 16 * MiB,
    maxBytesPerPartition: 2 * MiB,
  });
  await consumer.connect();
  cleanups.push(() => consumer.disconnect());
  await consumer.subscribe({ topics: [topics.assessments, topics.dlq], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === topics.assessments) {
        const text = message.value!.toString('utf8');
        const a = JSON.parse(text) as Assessment;
        assessments.push({
          eventId: a.eventId,
          orderId: a.orderId,
          verdict: a.verdict,
          score: a.score,
          degraded: a.degraded === true,
          valid: assessmentValidator.check(a),
          canary: text.includes(POLLUTION_CANARY),
        });
      } else {
        const l = readDeadLetter(message);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        // a value too large to carry whole is cut, with the digest of the whole in a header
        const digest = l.truncated ? l.truncated.sha256 : l.value === null ? 'null' : createHash('sha256').update(l.value).digest('hex');
        letters.push({
          identity: `${l.source.key ?? '(null)'}|${digest}`,
          code: l.code,
          error: l.error,
          sourceTopic: l.source.topic,
          bytes: l.value?.length ?? 0,
          truncatedFrom: l.truncated?.bytes,
          headers,
        });
      }
    },
  });
  return { assessments, letters };
}

const identityOf = (m: HostileMessage) => `${m.key ?? '(null)'}|${m.sha256 ?? 'null'}`;

describe('hostile input', () => {
  it(
    'hostile messages among valid orders: each in the DLQ with its code or scored once; valid orders exactly once; the engine stays up and bounded',
    async () => {
      const startedAt = Date.now();
      await startStack('hostile-orders');
      const prefix = `hostile-orders-${Date.now().toString(36)}`;
      const topics = await deploy(prefix);
      const hostileCount = scaled({ ci: 1_500, full: 10_000 });
      const hugeCount = scaled({ ci: 3, full: 12 });
      const limitKey = 'hostile-broker-limit';
      const limitBytes = await largestAcceptedValue(limitKey);
      const hostile = generateHostile(hostileCount, 1010, {
        huge: hugeCount,
        brokerLimitBytes: limitBytes,
        idPrefix: 'hostile',
        limitKey,
        limitBatch: { count: 10, bytesEach: Math.floor((12 * MiB - 2048) / 10) },
      });
      const valid = generateOrders(hostileCount, 2020, { idPrefix: 'valid' });
      const t = tally(hostile);
      expect(new Set(hostile.map(identityOf)).size).toBe(hostile.length);

      const engine = start('risk-engine', appEnv(prefix));
      const pid = engine.pid;
      let peakRss = 0;
      let exits = 0;
      void engine.waitForExit().then(() => exits++);
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, engine.rssBytes())), 200);
      cleanups.push(async () => clearInterval(sampler));

      const seen = await collect(topics);
      const producer = await connectedProducer();
      let batch: { key: string | null; value: Buffer | null }[] = [];
      const flush = async () => {
        if (batch.length) await producer.send({ topic: topics.orders, acks: -1, messages: batch });
        batch = [];
      };
      let together: { key: string | null; value: Buffer | null }[] = [];
      for (let i = 0; i < Math.max(valid.length, hostile.length); i++) {
        if (valid[i]) batch.push({ key: valid[i]!.order.orderId, value: Buffer.from(JSON.stringify(valid[i])) });
        const h = hostile[i];
        if (!h) continue;
        if (h.together) {
          // one request, one record batch (same key, same partition) as large as the broker takes
          together.push({ key: h.key, value: h.build() });
          if (hostile[i + 1]?.together !== h.together) {
            await flush();
            await producer.send({ topic: topics.orders, acks: -1, messages: together });
            together = [];
          }
        } else if (h.bytes > 512 * 1024) {
          // a big one goes in a record batch of its own (a batch holds at most max.message.bytes)
          await flush();
          await producer.send({ topic: topics.orders, acks: -1, messages: [{ key: h.key, value: h.build() }] });
        } else batch.push({ key: h.key, value: h.build() });
        if (batch.length >= 200) await flush();
      }
      await flush();
      const producedAt = Date.now();

      const scoredHostile = hostile.filter((h) => 'scored' in h.expect);
      const expectedEvents = new Map<string, OrderEvent>([
        ...valid.map((e) => [e.eventId, e] as const),
        ...scoredHostile.map((h) => [h.event!.eventId, h.event!] as const),
      ]);
      const deadline = Date.now() + scaled({ ci: 150_000, full: 900_000 });
      while (Date.now() < deadline && (seen.assessments.length < expectedEvents.size || seen.letters.length < t.dlq)) {
        if (!engine.running) break;
        await sleep(250);
      }
      const drainedAt = Date.now();
      await sleep(3_000); // room for anything doubled to show up
      clearInterval(sampler);

      // the engine: never exited, one and the same process, memory bounded
      expect({ running: engine.running, exits, pid: engine.pid }).toEqual({ running: true, exits: 0, pid });
      const peakRssMiB = Math.round(peakRss / MiB);
      expect(peakRssMiB).toBeGreaterThan(0);
      expect(peakRssMiB).toBeLessThan(RSS_BOUND_MIB);

      // every hostile message that should be a dead letter is one, exactly once, with its code
      const letters = new Map<string, SeenLetter[]>();
      for (const l of seen.letters) letters.set(l.identity, [...(letters.get(l.identity) ?? []), l]);
      const dlqProblems: string[] = [];
      const byCode: Record<string, number> = {};
      for (const h of hostile) {
        if (!('dlq' in h.expect)) continue;
        const got = letters.get(identityOf(h)) ?? [];
        if (got.length !== 1) dlqProblems.push(`#${h.index} ${h.kind}/${h.variant}: ${got.length} dead letters`);
        for (const l of got) {
          byCode[l.code] = (byCode[l.code] ?? 0) + 1;
          if (!h.expect.dlq.includes(l.code as never))
            dlqProblems.push(
              `#${h.index} ${h.kind}/${h.variant}: code ${l.code} (${l.error.slice(0, 120)}), expected ${h.expect.dlq.join('|')}`,
            );
          if (l.sourceTopic !== topics.orders || !l.error) dlqProblems.push(`#${h.index}: source ${l.sourceTopic}, error "${l.error}"`);
          // the original bytes whole, unless the DLQ topic could not take them with the headers
          const whole = h.bytes <= DLQ_MAX_VALUE_BYTES;
          if (whole ? l.bytes !== h.bytes || l.truncatedFrom !== undefined : l.truncatedFrom !== h.bytes)
            dlqProblems.push(`#${h.index} ${h.kind}: ${l.bytes} bytes in the DLQ (cut from ${l.truncatedFrom}), original ${h.bytes}`);
        }
      }
      const expectedIdentities = new Set(hostile.filter((h) => 'dlq' in h.expect).map(identityOf));
      const strayLetters = seen.letters.filter((l) => !expectedIdentities.has(l.identity));
      expect(dlqProblems.slice(0, 20)).toEqual([]);
      expect(strayLetters.map((l) => `${l.identity} ${l.code} ${l.error.slice(0, 200)}`).slice(0, 20)).toEqual([]);
      expect(seen.letters.length).toBe(t.dlq);

      // every valid order and every valid-but-hostile one: exactly one schema-valid assessment, as scored in this process
      const counts = new Map<string, number>();
      for (const a of seen.assessments) counts.set(a.eventId, (counts.get(a.eventId) ?? 0) + 1);
      const lostValid = valid.filter((e) => !counts.has(e.eventId)).length;
      const lostHostile = scoredHostile
        .filter((h) => !counts.has(h.event!.eventId))
        .map((h) => `#${h.index} ${h.kind}/${JSON.stringify(h.variant)}`);
      const doubled = [...counts].filter(([, n]) => n > 1).length;
      const unexpected = [...counts.keys()].filter((id) => !expectedEvents.has(id));
      expect({ lostValid, lostHostile: lostHostile.slice(0, 20), doubled, unexpected: unexpected.slice(0, 20) }).toEqual({
        lostValid: 0,
        lostHostile: [],
        doubled: 0,
        unexpected: [],
      });
      expect(seen.assessments.filter((a) => !a.valid).map((a) => a.eventId)).toEqual([]);
      // nothing planted through __proto__ / constructor reached any output
      expect(seen.assessments.filter((a) => a.canary).map((a) => a.eventId)).toEqual([]);
      expect(seen.assessments.filter((a) => a.degraded).length).toBe(0);

      const byEvent = new Map(seen.assessments.map((a) => [a.eventId, a]));
      const differs: string[] = [];
      for (const e of valid) {
        const mine = assess(e, localView, policy);
        const theirs = byEvent.get(e.eventId)!;
        if (mine.verdict !== theirs.verdict || mine.score !== theirs.score)
          differs.push(`${e.eventId}: engine ${theirs.verdict}/${theirs.score}, here ${mine.verdict}/${mine.score}`);
      }
      const lookalikes = { total: 0, screened: 0 };
      for (const h of scoredHostile) {
        const theirs = byEvent.get(h.event!.eventId)!;
        // a look-alike of a listed name is screened as the listed name
        const mine = assess(h.genuine ?? h.event!, localView, policy);
        if (h.genuine) {
          lookalikes.total++;
          if (theirs.verdict === mine.verdict) lookalikes.screened++;
        }
        if (mine.verdict !== theirs.verdict)
          differs.push(`#${h.index} ${h.kind} ${JSON.stringify(h.strings)}: engine ${theirs.verdict}, expected ${mine.verdict}`);
      }
      expect(differs.slice(0, 20)).toEqual([]);

      const scoredByKind: Record<string, number> = {};
      const dlqByKind: Record<string, number> = {};
      for (const h of hostile) {
        const bucket = 'dlq' in h.expect ? dlqByKind : scoredByKind;
        bucket[h.kind] = (bucket[h.kind] ?? 0) + 1;
      }
      const biggestLetter = Math.max(...seen.letters.map((l) => l.bytes));
      recordScenario(
        {
          id: 'hostile-orders',
          title: 'Hostile messages mixed into orders.v1',
          done: `${hostile.length} hostile messages (${Object.entries(t.byKind)
            .map(([k, n]) => `${n} ${k}`)
            .join(
              ', ',
            )}) produced between ${valid.length} valid generated orders to the built risk-engine (default limits: 1 MiB per event, 500 per chunk).`,
          amount: {
            hostile: hostile.length,
            valid: valid.length,
            ...Object.fromEntries(Object.entries(t.byKind).map(([k, n]) => [`hostile.${k}`, n])),
          },
          lost: lostValid + lostHostile.length,
          doubled,
          recoveryMs: { drainAfterLastProduced: drainedAt - producedAt },
          figures: {
            dlq: seen.letters.length,
            scored: scoredHostile.length,
            ...Object.fromEntries(Object.entries(byCode).map(([k, n]) => [`dlq.${k}`, n])),
            ...Object.fromEntries(Object.entries(dlqByKind).map(([k, n]) => [`dlqByKind.${k}`, n])),
            ...Object.fromEntries(Object.entries(scoredByKind).map(([k, n]) => [`scoredByKind.${k}`, n])),
            lookalikesScreenedAsListed: `${lookalikes.screened}/${lookalikes.total}`,
            brokerLimitValueBytes: limitBytes,
            biggestDeadLetterBytes: biggestLetter,
            deadLettersCut: seen.letters.filter((l) => l.truncatedFrom !== undefined).length,
            peakRssMiB,
            engineRestarts: 0,
          },
          notes: [
            'Every dead letter was matched to its hostile message by key and SHA-256 of the value; every assessment was compared with the same order scored in the test process.',
            `Peak RSS of the engine process sampled every 200 ms; bound asserted: ${RSS_BOUND_MIB} MiB.`,
          ],
        },
        startedAt,
      );
    },
    scenarioTimeout(240_000, 1_500_000),
  );

  it(
    'the hostile strings that were scored and alerted, on the dashboard in headless Chromium: shown as text, nothing runs',
    async () => {
      const startedAt = Date.now();
      await startStack('hostile-dash', { postgres: true });
      const prefix = `hostile-dash-${Date.now().toString(36)}`;
      const topics = await deploy(prefix);
      const count = scaled({ ci: 40, full: 200 });
      // valid orders carrying hostile strings (markup above all) that the policy alerts on; one event per order
      const orderIds = new Set<string>();
      const minRank = verdictRank(policy.alerting.minVerdict);
      const events: { event: OrderEvent; kind: string }[] = [];
      for (const h of generateHostile(count * 8, 3030, { huge: 0, idPrefix: 'dash' })) {
        if (!h.event || !h.strings?.length || orderIds.has(h.event.order.orderId)) continue;
        if (verdictRank(assess(h.event, localView, policy).verdict) < minRank) continue;
        if (h.kind !== 'markup' && events.filter((e) => e.kind !== 'markup').length >= count / 2) continue;
        orderIds.add(h.event.order.orderId);
        events.push({ event: h.event, kind: h.kind });
        if (events.length === count) break;
      }
      expect(events.length).toBe(count);
      const kinds: Record<string, number> = {};
      for (const e of events) kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;

      const engine = start('risk-engine', appEnv(prefix));
      // (the browser, not a flood: scenario 3 tests the default rate limit)
      const { api, url } = await startApi(prefix, { API_RATE_LIMIT_PER_SECOND: '500', API_RATE_LIMIT_BURST: '1000' });
      const pids = { engine: engine.pid, api: api.pid };
      const producer = await connectedProducer();
      const produce = (list: typeof events) =>
        producer.send({
          topic: topics.orders,
          acks: -1,
          messages: list.map(({ event }) => ({ key: event.order.orderId, value: JSON.stringify(event) })),
        });
      const views = async (): Promise<AlertViewLite[]> => {
        const r = await fetch(`${url}/alerts?limit=500`, { headers: { 'x-api-key': KEYS.admin } });
        expect(r.status).toBe(200);
        return ((await r.json()) as { items: AlertViewLite[] }).items;
      };
      const waitForAlerts = async (n: number) => {
        const deadline = Date.now() + 90_000;
        for (;;) {
          const items = await views();
          if (items.length >= n) return items;
          if (Date.now() > deadline || !engine.running || !api.running)
            throw new Error(`${items.length} of ${n} alerts reached the api\n${engine.tail()}\n${api.tail()}`);
          await sleep(300);
        }
      };
      const half = Math.floor(count / 2);
      await produce(events.slice(0, half));
      await waitForAlerts(half);

      const chromium = await launchChromium();
      cleanups.push(() => chromium.close());
      const page = await chromium.context.newPage();
      const dialogs: string[] = [];
      const pageErrors: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss().catch(() => undefined);
      });
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${url}/dashboard/`);
      await page.fill('input[name=apiKey]', KEYS.viewer);
      await page.click('button[type=submit]');
      await page.waitForSelector('#feed-rows tr', { timeout: 30_000 });
      await page.waitForSelector('#live.on', { timeout: 30_000 });

      // the second half arrives while the page is open: the live feed (SSE) adds it without a reload
      await produce(events.slice(half));
      const all = await waitForAlerts(count);
      const newest = all[0]!;
      await page.waitForSelector(`#feed-rows tr[data-alert-id="${newest.alertId}"]`, { timeout: 30_000 });
      const live = await inspect(page, KEYS.viewer);

      // what the api holds is what was produced, character for character, but U+0000, which PostgreSQL's
      // text cannot hold: casework stores it as the visible U+2400 (docs/api.md)
      const stored = (x: string) => x.replace(/\u0000/g, '\u2400');
      const byOrder = new Map(all.map((v) => [v.orderId, v]));
      const apiMismatches: string[] = [];
      for (const { event } of events) {
        const v = byOrder.get(stored(event.order.orderId));
        if (!v) apiMismatches.push(`no alert for ${JSON.stringify(event.order.orderId)}`);
        else if (v.seller !== stored(event.order.seller.name) || v.buyer !== stored(event.order.buyer.name))
          apiMismatches.push(`${JSON.stringify(event.order.orderId)}: ${JSON.stringify([v.seller, v.buyer])}`);
      }
      expect(apiMismatches).toEqual([]);

      // every feed page from a fresh load, then every alert page
      const pages = [live];
      for (let offset = 0; offset < count; offset += 25) {
        await page.goto(`${url}/dashboard/?offset=${offset}`);
        await page.waitForSelector('#feed-rows tr');
        pages.push(await inspect(page, KEYS.viewer));
      }
      const shownOnFeed = new Set(pages.slice(1).flatMap((p) => p.alertIds));
      expect(all.filter((v) => !shownOnFeed.has(v.alertId)).map((v) => v.orderId)).toEqual([]);
      for (const v of all) {
        await page.goto(`${url}/dashboard/alerts/${encodeURIComponent(v.alertId)}`);
        await page.waitForSelector('.alert-head');
        pages.push(await inspect(page, KEYS.viewer, v.alertId));
      }
      // a hostile filter typed into the address bar comes back as text too
      await page.goto(`${url}/dashboard/?q=${encodeURIComponent(MARKUP[1])}&supplier=${encodeURIComponent(MARKUP[0])}`);
      await page.waitForSelector('form.filters');
      pages.push(await inspect(page, KEYS.viewer));
      // the charts (supplier names in SVG text)
      await page.goto(`${url}/dashboard/exposure`);
      await page.waitForSelector('.chart svg rect');
      pages.push(await inspect(page, KEYS.viewer));

      // the inspection is not blind: an element a payload would have made is reported
      await page.evaluate(() => {
        const d = (
          globalThis as unknown as {
            document: {
              createElement(t: string): { setAttribute(k: string, v: string): void };
              querySelector(s: string): { append(e: unknown): void };
            };
          }
        ).document;
        const img = d.createElement('img');
        img.setAttribute('onerror', 'void 0');
        d.querySelector('main').append(img);
      });
      expect((await inspect(page, KEYS.viewer)).problems.length).toBeGreaterThanOrEqual(2);

      const problems = pages.flatMap((p) => p.problems);
      expect(problems.slice(0, 20)).toEqual([]);
      expect(pages.reduce((n, p) => n + p.checked, 0)).toBeGreaterThanOrEqual(count * 2);
      expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(pageErrors).toEqual([]);
      expect({ engine: engine.running && engine.pid, api: api.running && api.pid }).toEqual(pids);

      recordScenario(
        {
          id: 'hostile-dashboard',
          title: 'Hostile strings on the dashboard (headless Chromium)',
          done: `${count} valid orders whose names, descriptions, statements and ids carry hostile strings (${Object.entries(kinds)
            .map(([k, n]) => `${n} ${k}`)
            .join(
              ', ',
            )}) went through the built risk-engine and api; half before the page opened, half live over SSE; every feed page and every alert page inspected.`,
          amount: {
            alerts: count,
            feedPages: Math.ceil(count / 25),
            alertPages: all.length,
            ...Object.fromEntries(Object.entries(kinds).map(([k, n]) => [`strings.${k}`, n])),
          },
          lost: 0,
          doubled: 0,
          recoveryMs: {},
          figures: {
            rowsAndPagesChecked: pages.reduce((n, p) => n + p.checked, 0),
            dialogs: dialogs.length,
            injectedElements: 0,
            injectedGlobals: 0,
            pageErrors: pageErrors.length,
          },
          notes: [
            'Checked in the page: no dialog, window.__pwned unset, no element from data (script, img, iframe, svg, style, math, details, input, object, embed), no on* attribute or javascript: link, every orderId/seller/buyer shown as the exact string the api holds.',
          ],
        },
        startedAt,
      );
    },
    scenarioTimeout(180_000, 600_000),
  );

  it(
    'api abuse: 401, 403, 413, 429 and hostile bodies; the api answers normally afterwards, same process',
    async () => {
      const startedAt = Date.now();
      await startStack('hostile-api', { postgres: true });
      const prefix = `hostile-api-${Date.now().toString(36)}`;
      await deploy(prefix);
      // the api's own limits (defaults: 20 requests/s, burst 100; 1 MiB JSON; 10 MiB CSV)
      const { api, url } = await startApi(prefix);
      const pid = api.pid;
      const codes: Record<number, number> = {};
      const call = async (
        method: string,
        p: string,
        o: { key?: string | null; body?: string | Buffer | ReadableStream; type?: string; headers?: Record<string, string> } = {},
      ) => {
        const headers: Record<string, string> = {
          ...(o.body !== undefined ? { 'content-type': o.type ?? 'application/json' } : {}),
          ...(o.key ? { 'x-api-key': o.key } : {}),
          ...o.headers,
        };
        const res = await fetch(url + p, {
          method,
          headers,
          body: o.body as RequestInit['body'],
          ...(o.body instanceof ReadableStream ? { duplex: 'half' } : {}),
        } as RequestInit);
        const text = await res.text();
        codes[res.status] = (codes[res.status] ?? 0) + 1;
        return { status: res.status, text, retryAfter: res.headers.get('retry-after') };
      };
      const statuses = async (calls: Promise<{ status: number }>[]) => (await Promise.all(calls)).map((r) => r.status);
      const waitForRefill = () => sleep(6_000); // 100 tokens at 20/s

      // 401: no key, a wrong key, an empty one, the hash in place of the key, the key in other case, cut short or extended, a huge one
      // (a key with spaces around it is the key: HTTP strips them from a header value)
      const wrongKeys: (string | null)[] = [
        null,
        'dw_not-a-key',
        ' ',
        hashApiKey(KEYS.admin),
        KEYS.admin.toUpperCase(),
        KEYS.admin.slice(0, -1),
        `${KEYS.admin}x`,
        'k'.repeat(8_000),
      ];
      const guarded = ['GET /alerts', 'GET /alerts/summary', 'GET /session', 'GET /subscriptions', 'GET /replay/versions'];
      const not401: string[] = [];
      for (const [k, key] of wrongKeys.entries())
        for (const route of guarded) {
          const r = await call(route.split(' ')[0]!, route.split(' ')[1]!, { key });
          if (r.status !== 401) not401.push(`${route} with wrong key #${k}: ${r.status} ${r.text.slice(0, 200)}`);
        }
      const post = await call('POST', '/orders', { key: 'dw_not-a-key', body: JSON.stringify(template('abuse-1')) });
      if (post.status !== 401) not401.push(`POST /orders: ${post.status}`);
      expect(not401).toEqual([]);

      // 403: a key whose role is too low
      const r403 = await statuses([
        call('POST', '/orders', { key: KEYS.viewer, body: JSON.stringify(template('abuse-2')) }),
        call('POST', '/orders/csv', { key: KEYS.viewer, body: 'orderId\n1\n', type: 'text/csv' }),
        call('POST', '/alerts/alr-000000000000000000000000/acknowledge', { key: KEYS.viewer, body: '{"note":"x"}' }),
        call('GET', '/subscriptions', { key: KEYS.analyst }),
        call('POST', '/subscriptions', { key: KEYS.analyst, body: '{}' }),
        call('POST', '/replay/switch', { key: KEYS.analyst, body: '{}' }),
        call('GET', '/replay/versions', { key: KEYS.viewer }),
      ]);
      expect(r403).toEqual(Array(r403.length).fill(403));

      // 413: bodies over the limits, with a length and streamed without one
      const bigJson = JSON.stringify({ ...template('abuse-3'), pad: 'x'.repeat(2 * MiB) });
      const r413 = await statuses([
        call('POST', '/orders', { key: KEYS.analyst, body: bigJson }),
        call('POST', '/assess', { key: KEYS.viewer, body: bigJson }),
        call('POST', '/orders/csv', { key: KEYS.analyst, body: Buffer.alloc(11 * MiB, 'a,b\n'), type: 'text/csv' }),
        call('POST', '/orders', { key: KEYS.analyst, body: streamOf(Buffer.from(bigJson), 64 * 1024) }),
        call('POST', '/orders/csv', { key: KEYS.analyst, body: streamOf(Buffer.alloc(11 * MiB, 'a,b\n'), 256 * 1024), type: 'text/csv' }),
      ]);
      expect(r413).toEqual(Array(r413.length).fill(413));

      // hostile bodies: refused with 4xx (never 5xx), and nothing of them sticks
      const event = JSON.stringify(template('abuse-4'));
      const hostileBodies: { body: string; type?: string }[] = [
        { body: '{"schemaVersion": 1, "eventId": ' },
        { body: '['.repeat(200_000) + ']'.repeat(200_000) },
        { body: '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000) },
        { body: event.replace('{', `{"__proto__":{"${POLLUTION_CANARY}":"polluted","isAdmin":true},`) },
        { body: event.replace('{', `{"constructor":{"prototype":{"${POLLUTION_CANARY}":"polluted"}},`) },
        { body: 'null' },
        { body: '"\u0000"' },
        { body: event, type: 'text/plain' },
        { body: 'orderId,description\n<script>x</script>,"unterminated', type: 'text/csv' },
      ];
      const notRefused: string[] = [];
      for (const [k, b] of hostileBodies.entries()) {
        const r = await call('POST', b.type === 'text/csv' ? '/orders/csv' : '/orders', { key: KEYS.analyst, body: b.body, type: b.type });
        if (r.status < 400 || r.status >= 500) notRefused.push(`body #${k} to /orders: ${r.status} ${r.text.slice(0, 200)}`);
      }
      for (const [k, b] of hostileBodies.slice(0, 5).entries()) {
        const r = await call('POST', '/assess', { key: KEYS.viewer, body: b.body });
        if (r.status < 400 || r.status >= 500) notRefused.push(`body #${k} to /assess: ${r.status} ${r.text.slice(0, 200)}`);
      }
      expect(notRefused).toEqual([]);
      // (a byte order mark before valid JSON is ignored, as RFC 8259 allows: that order is accepted)
      expect((await call('POST', '/orders', { key: KEYS.analyst, body: `\ufeff${event}` })).status).toBe(202);
      await waitForRefill();
      const session = await call('GET', '/session', { key: KEYS.analyst });
      expect(session.status).toBe(200);
      expect(session.text).not.toContain(POLLUTION_CANARY);
      expect(session.text).not.toContain('isAdmin');

      // 429: floods from one key, from one address without a key, and with a new made-up key each time
      await waitForRefill();
      const floodKey = await Promise.all(Array.from({ length: 250 }, () => call('GET', '/alerts?limit=1', { key: KEYS.viewer })));
      const floodNoKey = await Promise.all(Array.from({ length: 250 }, () => call('GET', '/alerts', { key: null })));
      await waitForRefill();
      const floodWrongKeys = await Promise.all(
        Array.from({ length: 250 }, (_, i) => call('GET', '/alerts', { key: `dw_guess_${i}_${Date.now()}` })),
      );
      const count429 = (rs: { status: number }[]) => rs.filter((r) => r.status === 429).length;
      for (const flood of [floodKey, floodNoKey, floodWrongKeys]) {
        expect(count429(flood)).toBeGreaterThanOrEqual(100);
        expect(flood.filter((r) => r.status !== 429 && r.status !== 200 && r.status !== 401)).toEqual([]);
        expect(flood.filter((r) => r.status === 429).every((r) => Number(r.retryAfter) >= 1)).toBe(true);
      }
      expect(floodKey.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(90);

      // afterwards: the same process answers normally
      await waitForRefill();
      expect((await call('GET', '/health')).status).toBe(200);
      expect((await call('GET', '/ready')).status).toBe(200);
      expect((await call('GET', '/alerts', { key: KEYS.viewer })).status).toBe(200);
      const accepted = await call('POST', '/orders', { key: KEYS.analyst, body: JSON.stringify(template('abuse-after')) });
      expect(accepted.status).toBe(202);
      expect({ running: api.running, pid: api.pid }).toEqual({ running: true, pid });
      expect(Object.keys(codes).filter((c) => Number(c) >= 500)).toEqual([]);

      recordScenario(
        {
          id: 'hostile-api',
          title: 'API abuse against the api process',
          done: 'Wrong, missing and mangled API keys on every guarded route; keys of too low a role; JSON and CSV bodies over the limits (with a length and streamed); malformed, deeply nested and __proto__ bodies; three floods of 250 concurrent requests (one key, no key, a new made-up key each) against the default 20/s, burst 100.',
          amount: { requests: Object.values(codes).reduce((a, b) => a + b, 0), floods: 3, floodRequests: 750 },
          lost: 0,
          doubled: 0,
          recoveryMs: {},
          figures: {
            ...Object.fromEntries(Object.entries(codes).map(([c, n]) => [`status${c}`, n])),
            '429.oneKey': count429(floodKey),
            '429.noKey': count429(floodNoKey),
            '429.madeUpKeys': count429(floodWrongKeys),
            apiRestarts: 0,
          },
          notes: [
            'Status 5xx was never answered; /health, /ready, GET /alerts and POST /orders answered normally afterwards from the same pid.',
          ],
        },
        startedAt,
      );
    },
    scenarioTimeout(120_000, 180_000),
  );
});

interface AlertViewLite {
  alertId: string;
  orderId: string;
  seller?: string;
  buyer?: string;
}

/** A request body sent in chunks without a content-length (chunked transfer encoding). */
function streamOf(buf: Buffer, chunk: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= buf.length) return controller.close();
      controller.enqueue(new Uint8Array(buf.subarray(at, at + chunk)));
      at += chunk;
    },
  });
}

/** The little of the DOM that inspect() uses (the test project has no DOM typings). */
interface El {
  tagName: string;
  outerHTML: string;
  textContent: string | null;
  attributes: ArrayLike<{ name: string; value: string }>;
  dataset: Record<string, string | undefined>;
  querySelectorAll(selector: string): ArrayLike<El>;
}
interface Doc {
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
  scripts: ArrayLike<{ src: string }>;
}

/**
 * Looks at the page from inside it (so strings with NUL or lone surrogates are compared as they are,
 * not after a trip through the DevTools protocol): no injected global, no element made from data, no
 * inline handler or javascript: link, and every alert's orderId, seller and buyer shown as the exact
 * string the api holds.
 */
async function inspect(page: Page, key: string, alertId?: string): Promise<{ alertIds: string[]; checked: number; problems: string[] }> {
  return page.evaluate(
    async ({ key, alertId }) => {
      const problems: string[] = [];
      const w = globalThis as unknown as {
        __pwned?: unknown;
        document: Doc;
        location: { pathname: string; search: string; origin: string };
      };
      const doc = w.document;
      const where = w.location.pathname + w.location.search;
      if (w.__pwned !== undefined) problems.push(`${where}: window.__pwned = ${String(w.__pwned)}`);
      const main = doc.querySelector('main');
      for (const el of Array.from(
        main?.querySelectorAll(
          'script, img, iframe, style, math, object, embed, frame, frameset, link, meta, base, form svg, #feed-rows svg, #feed-rows input, #feed-rows details, .alert-head details',
        ) ?? [],
      ))
        problems.push(`${where}: a <${el.tagName.toLowerCase()}> element in the page: ${el.outerHTML.slice(0, 120)}`);
      for (const el of Array.from(doc.querySelectorAll('*'))) {
        for (const a of Array.from(el.attributes)) {
          if (/^on/i.test(a.name)) problems.push(`${where}: ${el.tagName.toLowerCase()}[${a.name}]`);
          if (/^\s*javascript:/i.test(a.value)) problems.push(`${where}: ${el.tagName.toLowerCase()}[${a.name}=${a.value.slice(0, 60)}]`);
        }
      }
      for (const s of Array.from(doc.scripts))
        if (!s.src || new URL(s.src).origin !== w.location.origin) problems.push(`${where}: script ${s.src || '(inline)'}`);
      const views: Map<string, { alertId: string; orderId: string; seller?: string; buyer?: string }> = new Map();
      const res = await fetch(alertId ? `/alerts/${encodeURIComponent(alertId)}` : '/alerts?limit=500', { headers: { 'x-api-key': key } });
      const body = (await res.json()) as {
        items?: { alertId: string; orderId: string; seller?: string; buyer?: string }[];
        view?: { alertId: string; orderId: string; seller?: string; buyer?: string };
      };
      for (const v of body.items ?? (body.view ? [body.view] : [])) views.set(v.alertId, v);
      const alertIds: string[] = [];
      let checked = 0;
      const scopes: [string, El][] = alertId
        ? [[alertId, main!]]
        : Array.from(doc.querySelectorAll('#feed-rows tr')).map((tr) => [tr.dataset.alertId ?? '', tr]);
      for (const [id, scope] of scopes) {
        alertIds.push(id);
        const v = views.get(id);
        if (!v) continue;
        checked++;
        const text = scope.textContent ?? '';
        for (const s of [v.orderId, v.seller, v.buyer])
          if (s && !text.includes(s)) problems.push(`${where}: ${JSON.stringify(s)} not shown as text`);
      }
      if (alertId && !checked) problems.push(`${where}: the alert page's data was not found (${JSON.stringify(Object.keys(body))})`);
      return { alertIds, checked, problems };
    },
    { key, alertId },
  );
}

// ---------------------------------------------------------------------------------------------
// helpers shared by scenarios 2 and 3

const KEYS = { viewer: `dw_v_${newSecretKey()}`, analyst: `dw_a_${newSecretKey()}`, admin: `dw_ad_${newSecretKey()}` };
const apiKeys = () =>
  `vera:viewer:${hashApiKey(KEYS.viewer)},anna:analyst:${hashApiKey(KEYS.analyst)},adam:admin:${hashApiKey(KEYS.admin)}`;

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** The api and the projector that fills its casework database from the alerts topic. */
async function startApi(prefix: string, extra: Record<string, string> = {}): Promise<{ api: AppProcess; url: string }> {
  const port = await freePort();
  start('projector', {
    ...appEnv(prefix),
    DATABASE_URL: stack!.databaseUrl,
    PROJECTOR_GROUP_ID_PREFIX: `${prefix}-projector`,
    HTTP_PORT: '0',
  });
  const api = start('api', {
    ...appEnv(prefix),
    API_KEYS: apiKeys(),
    DATABASE_URL: stack!.databaseUrl,
    NOTIFIER_SECRET_KEY: newSecretKey(),
    HTTP_PORT: String(port),
    ...extra,
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (!api.running) throw new Error(`the api exited at start:\n${api.tail()}`);
    const ok = await fetch(`${url}/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { api, url };
    if (Date.now() > deadline) throw new Error(`the api was not ready in 90 s:\n${api.tail()}`);
    await sleep(250);
  }
}
