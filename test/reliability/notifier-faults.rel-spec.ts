import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { severityRank, topicName, type Alert, type Assessment, type OrderEvent } from '@dualwatch/contracts';
import { provisionTopics } from '@dualwatch/messaging';
import { DeliveryQueue, hashApiKey, newSecretKey } from '@dualwatch/notify';
import { generateOrders } from '@dualwatch/scoring/testing/order-generator';
import { expectEventually } from '@dualwatch/testing';
import {
  alertKey,
  firstOkAt,
  HookReceiver,
  kafkaClient,
  metric,
  produceOrders,
  sleep,
  startApp,
  tally,
  TopicTap,
  withTails,
  type RunningApp,
  type Tally,
} from './support/notifier-rig';
import { recordScenario } from './support/report';
import { scaled, scenarioTimeout } from './support/size';
import { loadRefData, Stack } from './support/stack';

/**
 * Notifier faults (issue 10) against the real system: a broker and a Redis of the scenario's own, the
 * reference data loaded with `dualwatch refdata load`, the built risk-engine and notifier as OS
 * processes, seeded orders into orders.v1, real loopback webhook receivers that verify every
 * signature. What should arrive is read independently from risk.alerts.v1 (read_committed); each
 * receiver's deliveries are counted per alert and per webhook-id.
 *
 *  1. A webhook receiver is down for two minutes (ci: 20 s) while alerts keep coming, first with its
 *     port closed, then hanging (accepting, never answering): once it is back, it has every alert that
 *     matches its subscription, once; the other subscriber had every alert during the outage, promptly.
 *  2. The notifier is SIGKILLed while retries are pending and restarted: every pending delivery is
 *     delivered, nothing is lost; a resend is allowed only for a delivery whose 2xx the notifier had
 *     not recorded when it died (at least once, same webhook-id).
 */

const KEY_PREFIX = 'dw:';
const whsec = () => 'whsec_' + newSecretKey();

/** Subscription filters as the notifier documents them, written out here to compute what should arrive. */
const partnerMatches = (a: Alert) => a.kind === 'withdrawn' || ['review', 'license_required'].includes(a.assessment.verdict);
const highMatches = (a: Alert) => a.kind === 'withdrawn' || severityRank(a.assessment.severity) >= severityRank('high');

interface Rig {
  stack: Stack;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  alerts: TopicTap<Alert>;
  assessments: TopicTap<Assessment>;
  dlq: TopicTap<string>;
  tmp: string;
  receivers: HookReceiver[];
  apps: { name: string; app?: RunningApp }[];
  /** KAFKA_BROKERS, REDIS_URL, REDIS_KEY_PREFIX for every process */
  conn: Record<string, string>;
}

/** The scenario's own broker and Redis, every topic, the reference data, taps on the outputs. */
async function rig(name: string): Promise<Rig> {
  const stack = await Stack.start(name);
  const partial: Partial<Rig> = { stack };
  try {
    const kafka = kafkaClient(stack.brokers, `rel-${name}`);
    const admin = kafka.admin();
    await admin.connect();
    partial.admin = admin;
    await provisionTopics(kafka, undefined, '');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    partial.producer = producer;
    const conn = { KAFKA_BROKERS: stack.brokers, REDIS_URL: stack.redisUrl, REDIS_KEY_PREFIX: KEY_PREFIX };
    await loadRefData(conn);
    const taps = await Promise.allSettled([
      TopicTap.start(kafka, admin, topicName('alerts', ''), (v) => JSON.parse(v.toString()) as Alert),
      TopicTap.start(kafka, admin, topicName('assessments', ''), (v) => JSON.parse(v.toString()) as Assessment),
      TopicTap.start(kafka, admin, topicName('ordersDlq', ''), (v) => v.toString()),
    ] as const);
    const failed = taps.find((t) => t.status === 'rejected');
    if (failed) {
      await Promise.allSettled(taps.map((t) => (t.status === 'fulfilled' ? t.value.stop() : undefined)));
      throw failed.reason;
    }
    const [alerts, assessments, dlq] = taps.map((t) => (t as PromiseFulfilledResult<TopicTap<any>>).value) as [
      TopicTap<Alert>,
      TopicTap<Assessment>,
      TopicTap<string>,
    ];
    return {
      stack,
      kafka,
      admin,
      producer,
      alerts,
      assessments,
      dlq,
      tmp: fs.mkdtempSync(path.join(os.tmpdir(), `dw-rel-${name}-`)),
      receivers: [],
      apps: [],
      conn,
    };
  } catch (err) {
    await partial.producer?.disconnect().catch(() => undefined);
    await partial.admin?.disconnect().catch(() => undefined);
    await stack.stop();
    throw err;
  }
}

/** Stops everything the scenario started: its processes by pid, receivers, clients, broker and Redis. */
async function teardown(r: Rig | undefined): Promise<void> {
  if (!r) return;
  await Promise.allSettled(r.apps.map((a) => a.app?.proc.kill('SIGKILL')));
  await Promise.allSettled(r.receivers.map((x) => x.close()));
  await Promise.allSettled([r.alerts.stop(), r.assessments.stop(), r.dlq.stop()]);
  await Promise.allSettled([r.producer.disconnect(), r.admin.disconnect()]);
  await r.stack.stop();
  fs.rmSync(r.tmp, { recursive: true, force: true });
}

const engineEnv = (r: Rig): Record<string, string> => ({
  ...r.conn,
  LOG_LEVEL: 'warn',
  ENGINE_SESSION_TIMEOUT_MS: '6000',
  ENGINE_REFDATA_POLL_MS: '1000',
});

/** The notifier as an operator configures it: a sealing key, an admin key (its hash), a seed file, loopback allowed. */
function notifierEnv(r: Rig, seed: unknown[], adminKey: string, extra: Record<string, string>): Record<string, string> {
  const seedFile = path.join(r.tmp, 'subscriptions.json');
  fs.writeFileSync(seedFile, JSON.stringify(seed), { mode: 0o600 });
  return {
    ...r.conn,
    NOTIFIER_SECRET_KEY: newSecretKey(),
    NOTIFIER_ADMIN_API_KEY_HASH: hashApiKey(adminKey),
    NOTIFIER_SUBSCRIPTIONS_FILE: seedFile,
    NOTIFIER_TARGET_ALLOW_LIST: '127.0.0.1',
    NOTIFIER_FROM_BEGINNING: 'true',
    NOTIFIER_HTTP_TIMEOUT_MS: '2000',
    NOTIFIER_LEASE_MS: '4000',
    NOTIFIER_POLL_MS: '200',
    LOG_LEVEL: 'debug',
    ...extra,
  };
}

async function api(app: RunningApp, adminKey: string, method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(app.url + p, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Every order produced so far has its assessment (or dead letter) committed, and the alerts tap has read everything committed. */
async function waitScored(r: Rig, produced: OrderEvent[], timeoutMs: number): Promise<void> {
  const want = new Set(produced.map((o) => o.eventId));
  await expectEventually(
    () => {
      const seen = new Set(r.assessments.values.map((a) => a.eventId));
      for (const d of r.dlq.values) {
        try {
          seen.add((JSON.parse(d) as OrderEvent).eventId);
        } catch {
          /* not JSON: not one of ours */
        }
      }
      expect([...want].filter((id) => !seen.has(id))).toEqual([]);
    },
    { timeoutMs, intervalMs: 250 },
  );
  await r.alerts.waitCaughtUp(timeoutMs);
}

const keysOf = (alerts: Alert[], match: (a: Alert) => boolean = () => true) => new Set(alerts.filter(match).map(alertKey));

function summary(name: string, t: Tally): string {
  return `${name}: expected ${t.expected}, delivered ${t.delivered}, lost ${t.lost.length}, doubled ${t.doubled}, resends ${t.atLeastOnceResends}, unexpected ${t.unexpected.length}, bad signatures ${t.badSignatures}, requests ${t.requests}`;
}

/** Every subscriber got every expected alert, none doubled, nothing unexpected, every signature valid. */
function expectEveryAlertOnce(tallies: Record<string, Tally>): void {
  const what = Object.entries(tallies)
    .map(([name, t]) => summary(name, t))
    .join('\n');
  for (const x of Object.values(tallies)) {
    expect({ what, lost: x.lost, doubled: x.doubled, unexpected: x.unexpected, badSignatures: x.badSignatures }).toEqual({
      what,
      lost: [],
      doubled: 0,
      unexpected: [],
      badSignatures: 0,
    });
  }
}

/** The whole output of the notifier processes holds none of the secrets. */
function expectNoSecrets(apps: RunningApp[], secrets: string[]): void {
  const logs = apps.map((a) => a.output.join('')).join('');
  expect(logs).toMatch(/delivered/);
  for (const s of secrets) expect(logs.includes(s) ? `a secret (${s.slice(0, 8)}…) is in the logs` : 'no secret').toBe('no secret');
}

let current: Rig | undefined;
afterEach(async () => {
  await teardown(current);
  current = undefined;
});

describe('notifier faults (real broker, Redis, built engine and notifier, loopback receivers)', () => {
  it(
    'a webhook receiver down for a while: every matching alert reaches it once after it returns; the other subscriber gets every alert meanwhile',
    async () => {
      const startedAt = Date.now();
      const outageMs = scaled({ ci: 20_000, full: 120_000 });
      // enough attempts to outlast the outage: 37 s (ci) / 185 s (full) of waits, plus up to 20 % jitter
      const schedule = scaled({ ci: '0s,1s,2s,4s,6s,8s,8s,8s', full: '0s,5s,10s,20s,30s,40s,40s,40s' });
      const maxGapMs = scaled({ ci: 8_000, full: 40_000 }) * 1.2;
      const orders = generateOrders(scaled({ ci: 600, full: 6000 }), 1001, { idPrefix: 'rd' });
      const before = orders.slice(0, orders.length / 3);
      const during = orders.slice(orders.length / 3);
      const duringBatches = scaled({ ci: 3, full: 6 });
      // the documented defaults: a receiver that hangs holds an attempt for 15 s
      const timeoutMs = 15_000;
      // how late a delivery to the subscriber that stays up may be, from the alert (or its digest's window end)
      const maxDeskLatencyMs = timeoutMs / 2;

      const r = (current = await rig('notifier-receiver-down'));
      const secrets = { partner: whsec(), desk: whsec() };
      const adminKey = `adm-${newSecretKey()}`;
      const [partner, desk] = await Promise.all([HookReceiver.start(secrets.partner), HookReceiver.start(secrets.desk)]);
      r.receivers.push(partner, desk);
      const env = notifierEnv(
        r,
        [{ id: 'desk', name: 'Compliance desk (every alert)', target: { type: 'webhook', url: desk.url, secrets: [secrets.desk] } }],
        adminKey,
        {
          NOTIFIER_RETRY_SCHEDULE: schedule,
          NOTIFIER_DIGEST_MAX_PER_WINDOW: scaled({ ci: '10', full: '20' }),
          NOTIFIER_DIGEST_WINDOW_MS: scaled({ ci: '5000', full: '30000' }),
          NOTIFIER_HTTP_TIMEOUT_MS: String(timeoutMs),
          NOTIFIER_LEASE_MS: '60000',
        },
      );
      const engine = { name: 'risk-engine', app: undefined as RunningApp | undefined };
      const notifier = { name: 'notifier', app: undefined as RunningApp | undefined };
      r.apps.push(engine, notifier);
      try {
        engine.app = await startApp('risk-engine', engineEnv(r));
        notifier.app = await startApp('notifier', env);
        const n = notifier.app;
        // the partner's subscription through the admin API
        const created = await api(n, adminKey, 'POST', '/subscriptions', {
          id: 'partner',
          name: 'Trading partner (review and licence required)',
          filter: { verdicts: ['review', 'license_required'] },
          target: { type: 'webhook', url: partner.url, secrets: [secrets.partner] },
        });
        expect(created.status).toBe(201);

        // before the outage: both receivers have everything so far
        await produceOrders(r.producer, topicName('orders', ''), before);
        await waitScored(r, before, 90_000);
        await expectEventually(
          () => {
            expect(tally(partner, keysOf(r.alerts.values, partnerMatches)).lost).toEqual([]);
            expect(tally(desk, keysOf(r.alerts.values)).lost).toEqual([]);
          },
          { timeoutMs: 60_000, intervalMs: 250 },
        );
        const partnerBefore = tally(partner, keysOf(r.alerts.values, partnerMatches)).expected;
        expect(partnerBefore).toBeGreaterThan(0);

        // the outage, while orders keep coming: first the partner's port is closed (connections
        // refused), then its host accepts connections and never answers (each attempt times out)
        await partner.down();
        const downAt = Date.now();
        const returnAt = downAt + outageMs;
        const hangAt = downAt + outageMs * 0.4;
        const per = Math.ceil(during.length / duringBatches);
        for (let i = 0; i < duringBatches; i++) {
          await sleep(Math.max(0, downAt + (i * outageMs * 0.5) / duringBatches - Date.now()));
          if (Date.now() >= hangAt && !partner.isUp) await partner.hang();
          await produceOrders(r.producer, topicName('orders', ''), during.slice(i * per, (i + 1) * per));
        }
        await sleep(Math.max(0, hangAt - Date.now()));
        if (!partner.isUp) await partner.hang();
        // everything produced is scored; the desk has every alert while the partner is still down
        await waitScored(r, orders, Math.max(5_000, returnAt - Date.now() - 2_000));
        const atCheck = r.alerts.values;
        await expectEventually(() => expect(tally(desk, keysOf(atCheck)).lost).toEqual([]), {
          timeoutMs: Math.max(2_000, returnAt - Date.now() - 500),
          intervalMs: 250,
        });
        const deskCompleteAt = Date.now();
        expect(deskCompleteAt).toBeLessThan(returnAt);
        // the partner's host hung: it got attempts that it never answered
        expect(partner.requests.filter((q) => q.at >= downAt && q.status === 0).length).toBeGreaterThan(0);
        expect(partner.requests.filter((q) => q.at >= downAt && q.status !== 0)).toEqual([]);
        // the partner's deliveries are waiting in the retry schedule
        const pendingDuringOutage = await metric(n.url, 'dw_notifier_retries_pending');
        expect(pendingDuringOutage).toBeGreaterThan(0);
        await sleep(returnAt - Date.now());
        await partner.up();
        const upAt = Date.now();
        // the desk did not wait for the partner: each of its deliveries during the outage came soon
        // after its alert was committed (a digest: soon after its window ended)
        const committedAt = new Map(r.alerts.messages.map((m) => [alertKey(m.value), m.at]));
        const deskLatencies = desk.requests
          .filter((q) => q.at >= downAt && q.at < upAt && q.status === 200)
          .map((q) => {
            const doc = JSON.parse(q.body) as { type: string; data: any };
            const from = doc.type === 'alert.digest' ? Date.parse(doc.data.windowEnd) : committedAt.get(alertKey(doc.data as Alert))!;
            return { id: q.id, type: doc.type, latencyMs: q.at - from };
          });
        const deskMaxLatencyMs = Math.max(0, ...deskLatencies.map((l) => l.latencyMs));
        expect(deskLatencies.filter((l) => l.latencyMs > maxDeskLatencyMs)).toEqual([]);

        // the alerts topic is final once the engine has stopped (it also publishes `upcoming` alerts on a timer)
        await engine.app.proc.stop();
        await r.alerts.waitCaughtUp(30_000);
        const all = r.alerts.values;
        const expected = { partner: keysOf(all, partnerMatches), desk: keysOf(all) };
        await expectEventually(
          () => {
            expect({ partnerLost: tally(partner, expected.partner).lost, deskLost: tally(desk, expected.desk).lost }).toEqual({
              partnerLost: [],
              deskLost: [],
            });
          },
          { timeoutMs: maxGapMs + 60_000, intervalMs: 250 },
        );
        const deliveredAllAt = Date.now();
        // time for a doubled delivery to show up, then nothing is left in the queue
        await sleep(3_000);
        await expectEventually(async () => expect(await metric(n.url, 'dw_notifier_deliveries_queued')).toBe(0), { timeoutMs: 10_000 });
        expect((await api(n, adminKey, 'GET', '/deliveries/dead')).json).toEqual([]);
        expect((await r.admin.fetchTopicOffsets(topicName('notificationsDlq', ''))).every((o) => o.high === '0')).toBe(true);

        const t = { partner: tally(partner, expected.partner), desk: tally(desk, expected.desk) };
        expectEveryAlertOnce(t);
        expect(t.partner.expected).toBeGreaterThan(partnerBefore);
        expect(t.partner.lastOkAt).toBeGreaterThanOrEqual(upAt);
        expect(r.dlq.values).toEqual([]);
        const retries = await metric(n.url, 'dw_notifier_deliveries_total', 'outcome="retry",target="webhook"');
        expectNoSecrets(
          [n],
          [secrets.partner, secrets.desk, secrets.partner.slice(6), secrets.desk.slice(6), adminKey, env.NOTIFIER_SECRET_KEY],
        );

        recordScenario(
          {
            id: 'notifier-receiver-down',
            title: `Webhook receiver down for ${outageMs / 1000} s`,
            done:
              `A subscriber's webhook receiver (created through the admin API; review and licence-required alerts, none critical, so flood control applies) was down for ${outageMs / 1000} s (port closed for the first ${(outageMs * 0.4) / 1000} s, then accepting connections and never answering, so each attempt timed out after ${timeoutMs / 1000} s) ` +
              `while ${during.length} of ${orders.length} seeded orders went through the built risk-engine; retry schedule ${schedule} (20 % jitter), ` +
              `flood control ${env.NOTIFIER_DIGEST_MAX_PER_WINDOW} alerts per ${Number(env.NOTIFIER_DIGEST_WINDOW_MS) / 1000} s window then a digest. ` +
              'A second subscriber (seed file, every alert) stayed up.',
            amount: {
              orders: orders.length,
              alerts: all.length,
              partnerAlerts: t.partner.expected,
              partnerDeliveries: t.partner.webhookIds,
              partnerDigests: t.partner.digests,
              deskAlerts: t.desk.expected,
              deskDeliveries: t.desk.webhookIds,
              failedAttemptsRetried: retries,
            },
            lost: t.partner.lost.length + t.desk.lost.length,
            doubled: t.partner.doubled + t.desk.doubled,
            recoveryMs: {
              receiverBackToLastDelivery: t.partner.lastOkAt - upAt,
              receiverBackToAllConfirmed: deliveredAllAt - upAt,
            },
            figures: {
              deskCompleteBeforeReceiverBackMs: upAt - deskCompleteAt,
              deskMaxLatencyDuringOutageMs: deskMaxLatencyMs,
              partnerAttemptsHung: partner.requests.filter((q) => q.status === 0).length,
              retriesPendingDuringOutage: pendingDuringOutage,
              outageMs: upAt - downAt,
              signaturesVerified: t.partner.requests + t.desk.requests,
            },
            notes: [
              'Every request was verified with the subscription secret (Standard Webhooks); a delivery is counted per webhook-id and per alert, digests by the alerts they carry.',
              `The other subscriber had every alert committed during the outage before the receiver came back, each within ${maxDeskLatencyMs / 1000} s of its alert (or its digest's window end): one target's hanging attempts do not hold up another's.`,
            ],
          },
          startedAt,
        );
      } catch (err) {
        throw withTails(err, r.apps);
      }
    },
    scenarioTimeout(240_000, 600_000),
  );

  it(
    'the notifier SIGKILLed while retries are pending, then restarted: every pending delivery is delivered, nothing lost',
    async () => {
      const startedAt = Date.now();
      const deadMs = scaled({ ci: 3_000, full: 30_000 });
      const schedule = scaled({ ci: '0s,2s,3s,3s,3s,3s,3s,3s,3s,3s', full: '0s,2s,5s,10s,10s,10s,10s,10s,10s,10s' });
      const orders = generateOrders(scaled({ ci: 400, full: 4000 }), 2002, { idPrefix: 'nk' });
      const [first, second, third] = [
        orders.slice(0, orders.length / 2),
        orders.slice(orders.length / 2, (orders.length * 3) / 4),
        orders.slice((orders.length * 3) / 4),
      ];

      const r = (current = await rig('notifier-sigkill'));
      const secrets = { flaky: whsec(), steady: whsec() };
      const adminKey = `adm-${newSecretKey()}`;
      const [flaky, steady] = await Promise.all([HookReceiver.start(secrets.flaky), HookReceiver.start(secrets.steady)]);
      r.receivers.push(flaky, steady);
      flaky.failing = true;
      const env = notifierEnv(
        r,
        [
          {
            id: 'flaky',
            name: 'Legal hotline (high and critical)',
            filter: { minSeverity: 'high' },
            target: { type: 'webhook', url: flaky.url, secrets: [secrets.flaky] },
          },
        ],
        adminKey,
        {
          NOTIFIER_RETRY_SCHEDULE: schedule,
          NOTIFIER_DIGEST_MAX_PER_WINDOW: scaled({ ci: '10', full: '20' }),
          NOTIFIER_DIGEST_WINDOW_MS: '5000',
        },
      );
      const engine = { name: 'risk-engine', app: undefined as RunningApp | undefined };
      const n1 = { name: 'notifier (killed)', app: undefined as RunningApp | undefined };
      const n2 = { name: 'notifier (restarted)', app: undefined as RunningApp | undefined };
      r.apps.push(engine, n1, n2);
      const redis = new Redis(r.stack.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
      redis.on('error', () => undefined);
      try {
        engine.app = await startApp('risk-engine', engineEnv(r));
        n1.app = await startApp('notifier', env);
        const created = await api(n1.app, adminKey, 'POST', '/subscriptions', {
          id: 'steady',
          name: 'Procurement (every alert)',
          target: { type: 'webhook', url: steady.url, secrets: [secrets.steady] },
        });
        expect(created.status).toBe(201);

        await produceOrders(r.producer, topicName('orders', ''), first);
        // the flaky receiver answers 503: retries pile up in the notifier's queue
        await expectEventually(async () => expect(await metric(n1.app!.url, 'dw_notifier_retries_pending')).toBeGreaterThanOrEqual(3), {
          timeoutMs: 90_000,
          intervalMs: 250,
        });
        // more orders in flight (being scored, routed, delivered) at the kill
        await produceOrders(r.producer, topicName('orders', ''), second);
        await sleep(1_000);
        await n1.app.proc.kill('SIGKILL');
        const killAt = Date.now();

        // what the dead notifier had recorded, read from its Redis: the pending deliveries, and the
        // status of every delivery a receiver had answered 2xx
        await redis.connect();
        const queue = new DeliveryQueue(redis, KEY_PREFIX);
        const pendingAtKill = await redis.zrange(`${KEY_PREFIX}notify:due`, 0, -1);
        const retryingAtKill = await redis.scard(`${KEY_PREFIX}notify:retrying`);
        const statusAtKill = new Map<string, string>();
        for (const rec of [flaky, steady])
          for (const [id, at] of firstOkAt(rec)) if (at < killAt) statusAtKill.set(id, (await queue.get(id))?.status ?? 'unknown');
        expect(retryingAtKill).toBeGreaterThan(0);

        // while the notifier is dead the receiver recovers and more orders arrive
        flaky.failing = false;
        await produceOrders(r.producer, topicName('orders', ''), third);
        await sleep(Math.max(0, killAt + deadMs - Date.now()));
        const restartAt = Date.now();
        n2.app = await startApp('notifier', env);
        const readyAt = Date.now();

        await waitScored(r, orders, 120_000);
        await engine.app.proc.stop();
        await r.alerts.waitCaughtUp(30_000);
        const all = r.alerts.values;
        const expected = { flaky: keysOf(all, highMatches), steady: keysOf(all) };
        const pendingDone = () => pendingAtKill.filter((id) => !firstOkAt(flaky).has(id) && !firstOkAt(steady).has(id));
        await expectEventually(
          () => {
            expect({
              pendingAtKillNotDelivered: pendingDone(),
              flakyLost: tally(flaky, expected.flaky).lost,
              steadyLost: tally(steady, expected.steady).lost,
            }).toEqual({
              pendingAtKillNotDelivered: [],
              flakyLost: [],
              steadyLost: [],
            });
          },
          { timeoutMs: scaled({ ci: 120_000, full: 240_000 }), intervalMs: 250 },
        );
        const allDeliveredAt = Date.now();
        // each pending delivery's first 2xx at or after the restart
        const afterRestart = (id: string) =>
          Math.min(
            ...[flaky, steady].flatMap((rec) =>
              rec.requests.filter((q) => q.id === id && q.status === 200 && q.at >= restartAt).map((q) => q.at),
            ),
          );
        const pendingDoneAt = Math.max(restartAt, ...pendingAtKill.map(afterRestart).filter(Number.isFinite));
        await sleep(3_000);
        await expectEventually(async () => expect(await metric(n2.app!.url, 'dw_notifier_deliveries_queued')).toBe(0), {
          timeoutMs: 10_000,
        });
        expect((await api(n2.app, adminKey, 'GET', '/deliveries/dead')).json).toEqual([]);

        // a resend is allowed only for a delivery answered 2xx before the kill that the notifier had not recorded
        const allow = (id: string, at: number) => at < killAt && statusAtKill.get(id) !== 'delivered';
        const t = { flaky: tally(flaky, expected.flaky, allow), steady: tally(steady, expected.steady, allow) };
        expectEveryAlertOnce(t);
        expect(r.dlq.values).toEqual([]);
        expectNoSecrets(
          [n1.app, n2.app],
          [secrets.flaky, secrets.steady, secrets.flaky.slice(6), secrets.steady.slice(6), adminKey, env.NOTIFIER_SECRET_KEY],
        );
        const resends = t.flaky.atLeastOnceResends + t.steady.atLeastOnceResends;

        recordScenario(
          {
            id: 'notifier-sigkill',
            title: 'Notifier SIGKILLed with retries pending',
            done:
              `The built notifier was SIGKILLed while one receiver answered 503 (${retryingAtKill} deliveries waiting for a retry, ${pendingAtKill.length} due or leased) ` +
              `and orders were still being scored; the receiver recovered, more orders arrived, and the notifier was restarted ${deadMs / 1000} s later (same group, same Redis). ` +
              `${orders.length} seeded orders; retry schedule ${schedule}; subscriptions from a seed file (high and critical) and the admin API (every alert).`,
            amount: {
              orders: orders.length,
              alerts: all.length,
              pendingAtKill: pendingAtKill.length,
              retryingAtKill,
              flakyAlerts: t.flaky.expected,
              steadyAlerts: t.steady.expected,
              deliveries: t.flaky.webhookIds + t.steady.webhookIds,
            },
            lost: t.flaky.lost.length + t.steady.lost.length + pendingDone().length,
            doubled: t.flaky.doubled + t.steady.doubled,
            recoveryMs: {
              restartToPendingDelivered: pendingDoneAt - restartAt,
              restartToReady: readyAt - restartAt,
              restartToEveryAlertDelivered: allDeliveredAt - restartAt,
            },
            figures: { atLeastOnceResends: resends, signaturesVerified: t.flaky.requests + t.steady.requests },
            notes: [
              `${resends} resend(s) with the same webhook-id, each of a delivery whose receiver had answered 2xx before the kill but whose record in Redis was still pending ` +
                '(the kill fell between the answer and the record): at least once, as documented; receivers deduplicate on webhook-id. A resend of a delivery recorded as delivered counts as doubled.',
              'The pending deliveries go out as soon as the restarted process has connected to Redis (its worker starts before its consumer). New alerts wait until the ' +
                "restarted consumer has rejoined its group, which the broker allows only once the killed member's session has expired (NOTIFIER_SESSION_TIMEOUT_MS, default 30 s); " +
                'the HTTP port (/ready) opens after that, hence restartToReady.',
            ],
          },
          startedAt,
        );
      } catch (err) {
        throw withTails(err, r.apps);
      } finally {
        if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
        else redis.disconnect();
      }
    },
    scenarioTimeout(240_000, 600_000),
  );
});
