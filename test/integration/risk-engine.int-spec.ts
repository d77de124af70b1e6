import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import Redis from 'ioredis';
import {
  alertValidator,
  assessmentValidator,
  contractSchemaPath,
  topicName,
  verdictRank,
  type Alert,
  type Assessment,
  type OrderEvent,
} from '@dualwatch/contracts';
import { provisionTopics, readDeadLetter } from '@dualwatch/messaging';
import { loadBundledRefData, RefDataStore } from '@dualwatch/refdata';
import { assess, createLocalView, loadBundledPolicy } from '@dualwatch/scoring';
import { generateOrders } from '@dualwatch/scoring/testing/order-generator';
import { bootstrap } from '../../apps/risk-engine/src/main';
import { expectEventually, kafkaFor, uniqueName } from '@dualwatch/testing';
import { EngineProcess, engineEnv, parseValue, readCommitted, topicsFor } from '@dualwatch/testing/engine';

/**
 * The risk-engine against a real Kafka broker and a real Redis (started by the integration project's
 * global setup): exactly one assessment per order event, alerts only where the policy says, poison
 * messages in the DLQ, crashes and rebalances that lose and double nothing, and re-screening.
 */
const policy = loadBundledPolicy();
const refdata = loadBundledRefData();
const localView = createLocalView(refdata, policy);
const examples = fs
  .readdirSync(contractSchemaPath('examples'))
  .map((f) => JSON.parse(fs.readFileSync(contractSchemaPath('examples', f), 'utf8')) as OrderEvent);

let kafka: Kafka;
let producer: Producer;

beforeAll(async () => {
  kafka = kafkaFor('risk-engine');
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
});

async function deployment(extra: Record<string, string> = {}) {
  const prefix = uniqueName('eng');
  const env = engineEnv(prefix, extra);
  await provisionTopics(kafka, ['orders', 'assessments', 'alerts', 'ordersDlq', 'refdataChanges'], prefix);
  return { prefix, env, topics: topicsFor(prefix) };
}

async function produceOrders(topic: string, events: OrderEvent[], chunk = 500) {
  for (let i = 0; i < events.length; i += chunk) {
    await producer.send({
      topic,
      messages: events.slice(i, i + chunk).map((e) => ({ key: e.order.orderId, value: JSON.stringify(e) })),
    });
  }
}

const alertable = (e: OrderEvent) => verdictRank(assess(e, localView, policy).verdict) >= verdictRank(policy.alerting.minVerdict);

async function startInProcess(env: Record<string, string>): Promise<INestApplication> {
  return bootstrap({ ...process.env, ...env });
}

describe('risk-engine, one instance in this process (a NestJS app)', () => {
  it('publishes exactly one assessment per order event, the same as `dualwatch score` field for field, and alerts exactly for the orders the policy says', async () => {
    const { env, topics } = await deployment();
    const events = [...examples, ...generateOrders(300, 7)];
    const app = await startInProcess(env);
    try {
      await produceOrders(topics.orders, events);
      const assessments = await readCommitted(kafka, topics.assessments, (m) => m.length >= events.length);
      // give a doubled message the chance to show up
      await new Promise((r) => setTimeout(r, 1500));
      const again = await readCommitted(kafka, topics.assessments, (m) => m.length >= events.length, 5000);
      expect(again.length).toBe(events.length);
      const parsed = assessments.map((m) => parseValue<Assessment>(m));
      expect(new Set(parsed.map((a) => a.eventId)).size).toBe(events.length);
      for (const a of parsed) expect(assessmentValidator.check(a)).toBe(true);

      const byOrder = new Map(parsed.map((a) => [a.orderId, a]));
      expect(byOrder.get('PO-2026-0001')?.verdict).toBe('prohibited');
      expect(byOrder.get('SO-KR-7781')?.verdict).toBe('license_required');
      expect(byOrder.get('PO-5521')?.verdict).toBe('clear');

      const expectedAlerts = new Set(events.filter(alertable).map((e) => e.order.orderId));
      expect(expectedAlerts.size).toBeGreaterThan(2);
      const alerts = await readCommitted(kafka, topics.alerts, (m) => m.length >= expectedAlerts.size, 20000);
      const parsedAlerts = alerts.map((m) => parseValue<Alert>(m));
      for (const al of parsedAlerts) expect(alertValidator.check(al)).toBe(true);
      expect(parsedAlerts.every((al) => al.kind === 'raised')).toBe(true);
      expect(new Set(parsedAlerts.map((al) => al.orderId))).toEqual(expectedAlerts);
      expect(parsedAlerts.length).toBe(expectedAlerts.size);

      // the engine = the CLI: the same events through `dualwatch score` (the built command, its own
      // process) give the same assessments, field for field (assessedAt aside: the engine stamps it)
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-equiv-'));
      try {
        const file = path.join(dir, 'events.ndjson');
        fs.writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
        const cli = spawnSync(process.execPath, [path.resolve(__dirname, '../../bin/dualwatch.js'), 'score', '--input', file], {
          encoding: 'utf8',
          maxBuffer: 256 * 1024 * 1024,
        });
        expect(cli.status).toBe(0);
        const fromCli = cli.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Assessment);
        expect(fromCli).toHaveLength(events.length);
        const engineByEvent = new Map(parsed.map(({ assessedAt: _a, ...rest }) => [rest.eventId, rest]));
        const differ = fromCli.filter((a) => JSON.stringify(engineByEvent.get(a.eventId)) !== JSON.stringify(a)).map((a) => a.eventId);
        expect(differ).toEqual([]);
        expect(fromCli.map((a) => engineByEvent.get(a.eventId))).toEqual(fromCli);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await app.close();
    }
  });

  it('sends poison messages to the DLQ with the original bytes and the reason, and scores the valid ones around them', async () => {
    const { env, topics } = await deployment({ ENGINE_MAX_EVENT_BYTES: String(64 * 1024) });
    const valid = generateOrders(60, 11);
    const poison: { value: Buffer | string | null; code: string }[] = [
      { value: '{"schemaVersion": 1, "eventId": ', code: 'INVALID_JSON' },
      { value: 'not json at all', code: 'INVALID_JSON' },
      { value: null, code: 'INVALID_JSON' },
      { value: JSON.stringify({ ...valid[0], eventId: 'poison-1', order: { ...valid[0].order, lines: [] } }), code: 'SCHEMA_VIOLATION' },
      { value: JSON.stringify({ ...valid[0], eventId: 'poison-2', schemaVersion: 2 }), code: 'SCHEMA_VIOLATION' },
      {
        value: JSON.stringify({ ...valid[0], eventId: 'poison-3', __proto__x: 1 }).replace('__proto__x', '__proto__'),
        code: 'SCHEMA_VIOLATION',
      },
      { value: 'x'.repeat(100 * 1024), code: 'TOO_LARGE' },
      { value: '['.repeat(50000) + ']'.repeat(50000), code: 'TOO_LARGE' },
    ];
    const app = await startInProcess(env);
    try {
      const messages = [];
      for (let i = 0; i < valid.length; i++) {
        messages.push({ key: valid[i].order.orderId, value: JSON.stringify(valid[i]) });
        if (i % 8 === 0 && poison[i / 8]) messages.push({ key: `poison-${i}`, value: poison[i / 8].value });
      }
      await producer.send({ topic: topics.orders, messages });
      const assessments = await readCommitted(kafka, topics.assessments, (m) => m.length >= valid.length);
      expect(new Set(assessments.map((m) => parseValue<Assessment>(m).eventId))).toEqual(new Set(valid.map((v) => v.eventId)));
      const dlq = await readCommitted(kafka, topics.dlq, (m) => m.length >= poison.length, 20000);
      expect(dlq.length).toBe(poison.length);
      const letters = dlq.map(readDeadLetter);
      expect(letters.map((l) => l.code).sort()).toEqual(poison.map((p) => p.code).sort());
      for (const l of letters) {
        expect(l.source.topic).toBe(topics.orders);
        expect(l.error.length).toBeGreaterThan(0);
        const original = poison.find((p) => (p.value === null ? l.value === null : l.value?.equals(Buffer.from(p.value))));
        expect(original).toBeDefined();
      }
    } finally {
      await app.close();
    }
  });
});

describe('risk-engine, operations', () => {
  it('stops at boot with a message naming a bad setting', async () => {
    const { env } = await deployment();
    const engine = EngineProcess.start({ ...env, ENGINE_MAX_CHUNK_MESSAGES: 'lots', KAFKA_BROKERS: 'nohost' });
    expect(await engine.waitForExit()).toBe(2);
    const out = engine.output.join('');
    expect(out).toMatch(/ENGINE_MAX_CHUNK_MESSAGES="lots" is invalid/);
    expect(out).toMatch(/KAFKA_BROKERS="nohost" is invalid.*host:port/);
  });

  it('serves /health, /ready (Kafka and Redis) and Prometheus /metrics with the pipeline figures', async () => {
    const { env, topics } = await deployment();
    const app = await startInProcess(env);
    try {
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: unknown }).checks).toMatchObject({ kafka: { status: 'up' }, redis: { status: 'up' } });
      await produceOrders(topics.orders, examples);
      await readCommitted(kafka, topics.assessments, (m) => m.length >= examples.length);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/dw_engine_events_in_total 3/);
      expect(metrics).toMatch(/dw_engine_assessments_total\{verdict="prohibited"\} 1/);
      expect(metrics).toMatch(/dw_engine_alerts_total\{severity="critical",kind="raised"\} 1/);
      expect(metrics).toMatch(/dw_engine_batch_duration_seconds_count [1-9]/);
      expect(metrics).toMatch(/dw_engine_consumer_lag\{partition="\d"\} 0/);
      expect(metrics).toMatch(/dw_engine_screening_cache_hit_ratio/);
    } finally {
      await app.close();
    }
  });
});

describe('risk-engine, exactly once across crashes and rebalances (engines in their own processes)', () => {
  async function assertExactlyOnce(topic: string, events: OrderEvent[]) {
    const assessments = await readCommitted(kafka, topic, (m) => m.length >= events.length, 120000);
    await new Promise((r) => setTimeout(r, 2000));
    const settled = await readCommitted(kafka, topic, (m) => m.length > events.length, 4000);
    const ids = settled.map((m) => parseValue<Assessment>(m).eventId);
    expect(assessments.length).toBe(events.length);
    expect(settled.length).toBe(events.length); // none doubled
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.eventId))); // none lost
  }

  it('is SIGKILLed three times mid-stream and restarted: still exactly N assessments in committed output', async () => {
    const { env, topics } = await deployment({ ENGINE_MAX_CHUNK_MESSAGES: '100' });
    const events = generateOrders(6000, 21);
    // The stream keeps arriving while the engine is killed and restarted. Kill k comes once k+1
    // quarters of the stream are produced, and the producer waits for it before the next quarter, so
    // every kill lands before the stream is complete however fast the engine catches up.
    const quarter = events.length / 4;
    let producing = true;
    let produced = 0;
    const killDone: (() => void)[] = [];
    const killed = [0, 1, 2].map(() => new Promise<void>((r) => killDone.push(r)));
    const streaming = (async () => {
      for (let i = 0; i < events.length && producing; i += 200) {
        await produceOrders(topics.orders, events.slice(i, i + 200));
        produced = Math.min(events.length, i + 200);
        const k = Math.floor(produced / quarter) - 1;
        if (k >= 0 && k < 3 && produced - 200 < (k + 1) * quarter) await killed[k];
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    let engine = EngineProcess.start(env);
    const seen = () => readCommitted(kafka, topics.assessments, () => false, 1000).then((m) => m.length);
    const killedAt: number[] = [];
    try {
      for (let kill = 0; kill < 3; kill++) {
        // wait for this kill's quarter and for progress since the last kill, then kill -9 mid-stream
        const before = killedAt[killedAt.length - 1] ?? 0;
        await expectEventually(
          async () => {
            if (!engine.running) throw new Error(`the engine exited on its own:\n${engine.output.join('')}`);
            expect(produced).toBeGreaterThanOrEqual((kill + 1) * quarter);
            expect(await seen()).toBeGreaterThan(before);
          },
          { timeoutMs: 60000, intervalMs: 200 },
        );
        expect(await engine.kill('SIGKILL')).toBeNull();
        killedAt.push(await seen());
        killDone[kill]();
        engine = EngineProcess.start(env);
      }
      await streaming;
      // the kills did land mid-stream: output had started and was not complete
      expect(killedAt[0]).toBeGreaterThan(0);
      expect(killedAt[2]).toBeLessThan(events.length);
      await assertExactlyOnce(topics.assessments, events);
    } finally {
      producing = false;
      killDone.forEach((done) => done());
      await streaming;
      await engine.stop();
    }
  }, 300_000);

  it('shares the partitions between two instances of one group; a rebalance loses and doubles nothing', async () => {
    const { env, topics } = await deployment({ ENGINE_MAX_CHUNK_MESSAGES: '100' });
    const events = generateOrders(2000, 33);
    const a = EngineProcess.start(env);
    const b = EngineProcess.start(env);
    try {
      await produceOrders(topics.orders, events.slice(0, 1000));
      await expectEventually(
        async () => {
          const m = await readCommitted(kafka, topics.assessments, () => false, 1000);
          expect(m.length).toBeGreaterThan(200);
        },
        { timeoutMs: 60000 },
      );
      // one instance leaves mid-stream (rebalance), the rest of the stream arrives
      await a.stop();
      await produceOrders(topics.orders, events.slice(1000));
      await assertExactlyOnce(topics.assessments, events);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('risk-engine, order lifecycle and re-screening', () => {
  it('withdraws the alert of a cancelled order, and raises new alerts when a reference-data change lists a party', async () => {
    const { env, topics, prefix } = await deployment();
    const redis = new Redis(process.env.REDIS_URL!);
    const store = new RefDataStore(redis, `${prefix}:`);
    await store.publish(refdata);
    const app = await startInProcess(env);
    try {
      const base = examples.find((e) => e.order.orderId === 'PO-2026-0001')!;
      const cancel: OrderEvent = { ...base, eventId: 'evt-cancel-1', eventType: 'order.cancelled', occurredAt: '2026-03-03T09:00:00Z' };
      // an order to an unlisted Japanese maker of magnets: clear (or low) today
      const open: OrderEvent = {
        ...base,
        eventId: 'evt-open-1',
        order: {
          ...base.order,
          orderId: 'PO-RESCREEN-1',
          buyer: { name: 'Example Hokuriku Motor Works K.K.', country: 'JP', role: 'manufacturer' },
          endUse: { category: 'civil', statement: 'industrial motors' },
        },
      };
      await produceOrders(topics.orders, [base, cancel, open]);
      await readCommitted(kafka, topics.assessments, (m) => m.length >= 3);
      const alerts1 = await readCommitted(kafka, topics.alerts, (m) => m.some((x) => parseValue<Alert>(x).kind === 'withdrawn'), 20000);
      const forBase = alerts1.map((m) => parseValue<Alert>(m)).filter((a) => a.orderId === 'PO-2026-0001');
      expect(forBase.map((a) => a.kind)).toEqual(['raised', 'withdrawn']);
      expect(forBase[1].alertId).toBe(forBase[0].alertId);
      expect(alerts1.map((m) => parseValue<Alert>(m)).some((a) => a.orderId === 'PO-RESCREEN-1')).toBe(false);

      // a new reference-data version puts that buyer on the watch list
      const next = structuredClone(refdata);
      next.label = 'test-r2';
      next.parties.push({
        ...next.parties.find((p) => p.list === 'watch_list')!,
        id: 'WL-TEST-1',
        names: { en: 'Example Hokuriku Motor Works' },
        aliases: [],
        jpCorporateNumber: undefined,
        effectiveFrom: '2026-01-01',
        listedOn: '2026-01-01',
      });
      next.version = 'test-r2+rescreen';
      const change = await store.publish(next);
      await producer.send({ topic: topics.changes, messages: [{ key: 'refdata', value: JSON.stringify(change) }] });
      await expectEventually(
        async () => {
          const all = (await readCommitted(kafka, topics.alerts, () => false, 1000)).map((m) => parseValue<Alert>(m));
          const raised = all.filter((a) => a.orderId === 'PO-RESCREEN-1');
          expect(raised).toHaveLength(1);
          expect(raised[0].assessment.verdict).toBe('license_required');
          expect(raised[0].assessment.refdataVersion).toBe(next.version);
          // only the order the new entry matches changed
          expect(all.filter((a) => a.assessment.refdataVersion === next.version).map((a) => a.orderId)).toEqual(['PO-RESCREEN-1']);
        },
        { timeoutMs: 30000, intervalMs: 500 },
      );
    } finally {
      await app.close();
      await redis.quit();
    }
  });

  it('keeps the open-order book in its changelog: a lost cache is rebuilt from it, and a cancel after the loss still withdraws', async () => {
    const { env, topics, prefix } = await deployment();
    await provisionTopics(kafka, ['book'], prefix);
    const redis = new Redis(process.env.REDIS_URL!);
    const app = await startInProcess(env);
    try {
      const base = examples.find((e) => e.order.orderId === 'PO-2026-0001')!;
      const placed = Array.from({ length: 12 }, (_, i): OrderEvent => ({
        ...base,
        eventId: `evt-book-${i}`,
        order: { ...base.order, orderId: `PO-BOOK-${i}` },
      }));
      await produceOrders(topics.orders, placed);
      const raised = await readCommitted(kafka, topics.alerts, (m) => m.length >= placed.length, 30000);
      expect(raised.map((m) => parseValue<Alert>(m).kind)).toEqual(placed.map(() => 'raised'));
      // the changelog holds every order's entry, committed with the chunk
      const changelog = await readCommitted(kafka, topicName('book', prefix), (m) => m.length >= placed.length, 20000);
      expect(new Set(changelog.map((m) => m.key!.toString()))).toEqual(new Set(placed.map((e) => e.order.orderId)));

      // the cache is lost: every book key of this deployment and its marker
      const keys = await redis.keys(`${prefix}:book*`);
      expect(keys.length).toBeGreaterThan(placed.length);
      await redis.del(...keys);

      const cancels = placed.map((e, i): OrderEvent => ({ ...e, eventId: `evt-book-cancel-${i}`, eventType: 'order.cancelled' }));
      await produceOrders(topics.orders, cancels);
      await expectEventually(
        async () => {
          const all = (await readCommitted(kafka, topics.alerts, () => false, 1000)).map((m) => parseValue<Alert>(m));
          expect(
            all
              .filter((a) => a.kind === 'withdrawn')
              .map((a) => a.orderId)
              .sort(),
          ).toEqual(placed.map((e) => e.order.orderId).sort());
        },
        { timeoutMs: 30000, intervalMs: 500 },
      );
      expect(await redis.get(`${prefix}:book-epoch`)).not.toBeNull();
    } finally {
      await app.close();
      await redis.quit();
    }
  });
});
