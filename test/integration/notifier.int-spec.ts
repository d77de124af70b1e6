import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { topicName, type Alert } from '@dualwatch/contracts';
import { provisionTopics } from '@dualwatch/messaging';
import { hashApiKey, newSecretKey, verify } from '@dualwatch/notify';
import { alertFixture } from '@dualwatch/notify/testing/alert-fixtures';
import { WebhookReceiver } from '@dualwatch/notify/testing/webhook-receiver';
import { expectEventually, kafkaFor, uniqueName } from '@dualwatch/testing';
import { readCommitted } from '@dualwatch/testing/engine';
import { bootstrap } from '../../apps/notifier/src/main';
import { replayCommand } from '../../apps/notifier/src/replay';

/**
 * The notifier in this process against the real broker and Redis, delivering to real HTTP receivers
 * on loopback: routing by filter, Standard Webhooks signatures, retries, 410, the DLQ and replay,
 * digests, bad input, and the management API.
 */
const ADMIN_KEY = `adm-${newSecretKey()}`;
const whsec = () => 'whsec_' + newSecretKey();

let kafka: Kafka;
let producer: Producer;
const receivers: WebhookReceiver[] = [];
const apps: INestApplication[] = [];

beforeAll(async () => {
  kafka = kafkaFor('notifier');
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await Promise.all(receivers.map((r) => r.close()));
  await producer.disconnect();
});

async function receiver(): Promise<WebhookReceiver> {
  const r = await WebhookReceiver.start();
  receivers.push(r);
  return r;
}

interface Deployment {
  app: INestApplication;
  url: string;
  prefix: string;
  env: Record<string, string>;
  logs: string[];
  api(method: string, path: string, body?: unknown, key?: string | null): Promise<{ status: number; json: any }>;
  publish(...alerts: (Alert | string)[]): Promise<void>;
  metric(name: string, labels?: string): Promise<number>;
}

async function deployment(extra: Record<string, string> = {}): Promise<Deployment> {
  const prefix = uniqueName('ntf');
  const env: Record<string, string> = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    REDIS_URL: process.env.REDIS_URL!,
    DW_TOPIC_PREFIX: prefix,
    REDIS_KEY_PREFIX: `${prefix}:`,
    NOTIFIER_GROUP_ID: `${prefix}-notifier`,
    NOTIFIER_FROM_BEGINNING: 'true',
    NOTIFIER_SECRET_KEY: newSecretKey(),
    NOTIFIER_ADMIN_API_KEY_HASH: hashApiKey(ADMIN_KEY),
    NOTIFIER_TARGET_ALLOW_LIST: '127.0.0.1',
    NOTIFIER_RETRY_SCHEDULE: '0s,200ms,200ms,200ms',
    NOTIFIER_RETRY_JITTER_PERCENT: '10',
    NOTIFIER_HTTP_TIMEOUT_MS: '1000',
    NOTIFIER_LEASE_MS: '3000',
    NOTIFIER_POLL_MS: '100',
    NOTIFIER_DASHBOARD_BASE_URL: 'https://dualwatch.example.com',
    HTTP_PORT: '0',
    LOG_LEVEL: 'debug',
    ...extra,
  };
  await provisionTopics(kafka, ['alerts', 'notificationsDlq'], prefix);
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const app = await bootstrap({ ...process.env, ...env }, { logDestination });
  apps.push(app);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    prefix,
    env,
    logs,
    async api(method, path, body, key = ADMIN_KEY) {
      const res = await fetch(url + path, {
        method,
        headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    },
    async publish(...alerts) {
      await producer.send({
        topic: topicName('alerts', prefix),
        messages: alerts.map((a) => (typeof a === 'string' ? { key: 'junk', value: a } : { key: a.orderId, value: JSON.stringify(a) })),
      });
    },
    async metric(name, labels = '') {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
      return line ? Number(line.split(' ').pop()) : 0;
    },
  };
}

const prohibitedJP = () => alertFixture({ orderId: `PO-${uniqueName('jp')}`, verdict: 'prohibited', shipTo: 'JP' });
const licenceKR = () =>
  alertFixture({
    orderId: `SO-${uniqueName('kr')}`,
    verdict: 'license_required',
    shipTo: 'KR',
    seller: 'Ningbo Magnet Works',
    buyer: 'Busan Trading Co.',
    itemFamilies: ['permanent-magnets'],
  });
const reviewJP = () =>
  alertFixture({
    orderId: `PO-${uniqueName('rv')}`,
    verdict: 'review',
    shipTo: 'JP',
    seller: 'Osaka Copper KK',
    buyer: 'Kansai Wire Ltd.',
  });
const webhook = (url: string, secrets: string[]) => ({ type: 'webhook', url, secrets });

describe('notifier (in this process, real broker, Redis and HTTP receivers)', () => {
  it('delivers every matching alert to every matching subscription and only those; signatures verify with the secret and the rotated one', async () => {
    const d = await deployment();
    const [critical, korea, slack, all, off] = await Promise.all([receiver(), receiver(), receiver(), receiver(), receiver()]);
    const newSecret = whsec();
    const oldSecret = whsec();
    const allSecret = whsec();
    const slackUrl = `${slack.url}/services/T0001/B0001/slacktoken${Date.now()}`;
    const created = await Promise.all([
      d.api('POST', '/subscriptions', {
        id: 'critical',
        name: 'Critical only',
        filter: { minSeverity: 'critical' },
        target: webhook(critical.url, [newSecret, oldSecret]),
      }),
      d.api('POST', '/subscriptions', {
        id: 'korea',
        name: 'Licences to Korea',
        filter: { countries: ['KR'], verdicts: ['license_required'] },
        target: webhook(korea.url, [whsec()]),
      }),
      d.api('POST', '/subscriptions', {
        id: 'slack',
        name: 'Ganzhou supplier in Slack',
        filter: { parties: ['ganzhou'] },
        target: { type: 'slack', url: slackUrl },
      }),
      d.api('POST', '/subscriptions', { id: 'all', name: 'Everything', target: webhook(all.url, [allSecret]) }),
      d.api('POST', '/subscriptions', { id: 'off', name: 'Switched off', enabled: false, target: webhook(off.url, [whsec()]) }),
    ]);
    expect(created.map((c) => c.status)).toEqual([201, 201, 201, 201, 201]);

    // what the API shows back never holds a secret or the Slack URL
    const listed = await d.api('GET', '/subscriptions');
    expect(listed.json).toHaveLength(5);
    const shown = JSON.stringify(listed.json);
    for (const secret of [newSecret, oldSecret, allSecret, 'slacktoken']) expect(shown).not.toContain(secret);
    expect(listed.json.find((s: any) => s.id === 'critical').target).toEqual({ type: 'webhook', url: critical.url, secrets: 2 });

    const [a1, a2, a3] = [prohibitedJP(), licenceKR(), reviewJP()];
    await d.publish(a1, a2, a3);
    // 1 + 1 + 1 + 3 deliveries; once the metric says so, nothing else is on its way
    await expectEventually(async () =>
      expect(await d.metric('dw_notifier_deliveries_total', 'outcome="delivered",target="webhook"')).toBe(5),
    );
    await expectEventually(async () =>
      expect(await d.metric('dw_notifier_deliveries_total', 'outcome="delivered",target="slack"')).toBe(1),
    );

    const alertIds = (r: WebhookReceiver) =>
      r
        .delivered<{ data: Alert }>()
        .map((b) => b.data.orderId)
        .sort();
    expect(alertIds(critical)).toEqual([a1.orderId]);
    expect(alertIds(korea)).toEqual([a2.orderId]);
    expect(alertIds(all)).toEqual([a1.orderId, a2.orderId, a3.orderId].sort());
    expect(off.requests).toHaveLength(0);
    expect(slack.requests).toHaveLength(1);

    // Standard Webhooks: both secrets of a rotation verify, each on its own; a wrong one does not
    const req = critical.requests[0];
    expect(req.headers['webhook-id']).toMatch(/^msg_/);
    expect(String(req.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(newSecret, req.headers, req.body)).toBe(true);
    expect(verify(oldSecret, req.headers, req.body)).toBe(true);
    expect(verify(allSecret, req.headers, req.body)).toBe(false);
    expect(JSON.parse(req.body)).toMatchObject({ type: 'alert.raised', data: { alertId: a1.alertId } });
    for (const r of all.requests) expect(verify(allSecret, r.headers, r.body)).toBe(true);

    // Slack: a Block Kit message with the link to the alert on the dashboard
    const message = JSON.parse(slack.requests[0].body);
    expect(message.blocks.length).toBeGreaterThan(3);
    expect(slack.requests[0].body).toContain(`https://dualwatch.example.com/alerts/${a1.alertId}`);

    // and no secret reached the logs, at debug level
    const logs = d.logs.join('');
    expect(logs).toContain('delivered');
    for (const secret of [newSecret, oldSecret, allSecret, newSecret.slice(6), 'slacktoken', ADMIN_KEY, d.env.NOTIFIER_SECRET_KEY])
      expect(logs).not.toContain(secret);
  });

  it('retries a receiver that fails (500, timeout, 429 with Retry-After) until it has the alert, with the same webhook-id; 410 disables the subscription', async () => {
    const d = await deployment();
    const [r500, slow, r429, gone] = await Promise.all([receiver(), receiver(), receiver(), receiver()]);
    r500.answer = (_req, n) => ({ status: n < 2 ? 500 : 204 });
    slow.answer = (_req, n) => (n === 0 ? { status: 200, delayMs: 2500 } : { status: 200 });
    r429.answer = (_req, n) => (n === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 });
    gone.answer = () => ({ status: 410 });
    for (const [id, r] of Object.entries({ r500, slow, r429, gone })) {
      expect((await d.api('POST', '/subscriptions', { id, name: id, target: webhook(r.url, [whsec()]) })).status).toBe(201);
    }
    const alert = prohibitedJP();
    await d.publish(alert);

    await expectEventually(() => {
      expect(r500.requests.map((r) => r.answered)).toEqual([500, 500, 204]);
      expect(r429.requests.map((r) => r.answered)).toEqual([429, 200]);
      expect(slow.delivered()).toHaveLength(1);
      expect(gone.requests).toHaveLength(1);
    });
    for (const r of [r500, slow, r429]) {
      expect(new Set(r.ids()).size).toBe(1);
      for (const body of r.requests.map((q) => JSON.parse(q.body))) expect(body.data.alertId).toBe(alert.alertId);
    }
    // the first attempt timed out (1 s) before its answer (2.5 s) came
    await expectEventually(() => expect(slow.requests.map((r) => r.answered)).toEqual([0, 200]));
    // the schedule said 200 ms; Retry-After said 2 s
    expect(r429.requests[1].at - r429.requests[0].at).toBeGreaterThanOrEqual(1900);

    const sub = await d.api('GET', '/subscriptions/gone');
    expect(sub.json).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410') });
    expect(await d.metric('dw_notifier_deliveries_total', 'outcome="gone",target="webhook"')).toBe(1);

    // a disabled subscription gets nothing more, the others do
    const next = prohibitedJP();
    await d.publish(next);
    await expectEventually(() => expect(r500.delivered<{ data: Alert }>().map((b) => b.data.orderId)).toContain(next.orderId));
    expect(gone.requests).toHaveLength(1);
  });

  it('after the last attempt a delivery goes to the DLQ and its metric; a REST call and the replay command deliver dead ones again', async () => {
    const d = await deployment();
    const down = await receiver();
    let up = false;
    down.answer = () => ({ status: up ? 200 : 503 });
    await d.api('POST', '/subscriptions', { id: 'down', name: 'down', target: webhook(down.url, [whsec()]) });
    const [first, second] = [prohibitedJP(), licenceKR()];
    await d.publish(first, second);

    await expectEventually(async () => expect(await d.metric('dw_notifier_dlq_total')).toBe(2));
    expect(down.requests).toHaveLength(8); // 4 attempts each
    const dlq = await readCommitted(kafka, topicName('notificationsDlq', d.prefix), (m) => m.length >= 2, 5000); // already there: the metric counts after the send
    const dead = dlq.map((m) => JSON.parse(m.value!.toString()));
    expect(dead.map((x) => x.orderIds[0]).sort()).toEqual([first.orderId, second.orderId].sort());
    expect(dead[0]).toMatchObject({ subscriptionId: 'down', attempts: 4, lastStatus: 503 });
    expect(JSON.stringify(dead)).not.toContain(down.url);

    const listed = await d.api('GET', '/deliveries/dead');
    expect(listed.json).toHaveLength(2);
    const firstId = listed.json.find((x: any) => x.orderId === first.orderId).id;
    const secondId = listed.json.find((x: any) => x.orderId === second.orderId).id;

    up = true;
    expect((await d.api('POST', '/deliveries/dead/replay', { ids: [firstId] })).json).toEqual({ replayed: [firstId] });
    await expectEventually(() => expect(down.delivered()).toHaveLength(1));
    expect(down.requests[down.requests.length - 1].headers['webhook-id']).toBe(firstId);

    const out: string[] = [];
    expect(await replayCommand([], { ...process.env, ...d.env }, (l) => out.push(l))).toBe(0);
    expect(JSON.parse(out[0])).toEqual({ replayed: [secondId] });
    await expectEventually(() =>
      expect(
        down
          .delivered<{ data: Alert }>()
          .map((b) => b.data.orderId)
          .sort(),
      ).toEqual([first.orderId, second.orderId].sort()),
    );
    expect((await d.api('GET', '/deliveries/dead')).json).toEqual([]);
  });

  it('turns a flood into a digest per subscription, and never holds back a critical alert', async () => {
    const windowMs = 6000;
    const d = await deployment({ NOTIFIER_DIGEST_MAX_PER_WINDOW: '2', NOTIFIER_DIGEST_WINDOW_MS: String(windowMs) });
    const [hook, slack] = await Promise.all([receiver(), receiver()]);
    await d.api('POST', '/subscriptions', { id: 'hook', name: 'hook', target: webhook(hook.url, [whsec()]) });
    await d.api('POST', '/subscriptions', { id: 'slack', name: 'slack', target: { type: 'slack', url: slack.url } });
    // windows are aligned to the clock: start right after a window begins, so the flood is in one window
    const intoWindow = Date.now() % windowMs;
    if (intoWindow > 1000) await new Promise((r) => setTimeout(r, windowMs - intoWindow + 50));
    const flood = Array.from({ length: 6 }, () => licenceKR());
    const critical = prohibitedJP();
    await d.publish(...flood, critical);

    type Body = { type: string; data: any };
    // the first two one by one, the critical one at once; the other four in one digest at the window's end
    await expectEventually(() => {
      const bodies = hook.delivered<Body>();
      expect(bodies.filter((b) => b.type === 'alert.raised')).toHaveLength(3);
      expect(bodies.filter((b) => b.type === 'alert.digest')).toHaveLength(1);
    });
    const bodies = hook.delivered<Body>();
    const digest = bodies.find((b) => b.type === 'alert.digest')!;
    expect(digest.data.count).toBe(4);
    const single = bodies.filter((b) => b.type === 'alert.raised').map((b) => b.data.orderId);
    expect(single).toContain(critical.orderId);
    expect([...single, ...digest.data.alerts.map((a: Alert) => a.orderId)].sort()).toEqual(
      [...flood, critical].map((a) => a.orderId).sort(),
    );
    const criticalAt = hook.requests.find((r) => r.body.includes(critical.orderId) && !r.body.includes('alert.digest'))!.at;
    expect(criticalAt).toBeLessThan(hook.requests.find((r) => r.body.includes('alert.digest'))!.at);

    await expectEventually(() => expect(slack.requests).toHaveLength(4));
    const slackDigest = slack.requests.map((r) => JSON.parse(r.body)).find((m) => /digest/.test(m.text));
    expect(slackDigest.text).toContain('4 alerts');
    expect(slackDigest.blocks.length).toBeLessThanOrEqual(50);
  });

  it('bad input gets a clear error and never takes the service down', async () => {
    const d = await deployment({ NOTIFIER_TARGET_ALLOW_LIST: '127.0.0.1' });
    const hook = await receiver();
    await d.api('POST', '/subscriptions', { id: 'hook', name: 'hook', target: webhook(hook.url, [whsec()]) });

    // poison on the topic is reported and skipped; the next alert still goes out
    const good = prohibitedJP();
    await d.publish('not json at all', JSON.stringify({ alertId: 7 }), good);
    await expectEventually(() => expect(hook.delivered()).toHaveLength(1));
    expect(await d.metric('dw_notifier_alerts_in_total', 'result="invalid"')).toBe(2);
    expect(d.logs.join('')).toMatch(/not a valid alert/);

    // the management API: a key, a valid body, a target outside private ranges unless allow-listed
    expect((await d.api('GET', '/subscriptions', undefined, null)).status).toBe(401);
    expect((await d.api('GET', '/subscriptions', undefined, 'wrong-key')).status).toBe(401);
    const invalid = await d.api('POST', '/subscriptions', {
      name: 'x',
      filter: { minSeverity: 'extreme' },
      target: { type: 'webhook', url: hook.url, secrets: ['plain'] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.message).toMatch(/\/filter\/minSeverity/);
    expect(invalid.json.message).toMatch(/\/target/);
    expect((await d.api('POST', '/subscriptions', '{"name": ')).status).toBe(400);
    for (const url of ['http://192.168.1.10/hook', 'http://[::1]:8080/hook', 'http://169.254.169.254/latest', 'http://10.0.0.1/x']) {
      const refused = await d.api('POST', '/subscriptions', { name: 'ssrf', target: webhook(url, [whsec()]) });
      expect(refused.status).toBe(422);
      expect(refused.json.message).toMatch(/private, loopback or link-local/);
    }
    expect((await d.api('PUT', '/subscriptions/nope', { name: 'x' })).status).toBe(404);
    expect((await d.api('POST', '/subscriptions', { id: 'hook', name: 'again', target: webhook(hook.url, [whsec()]) })).status).toBe(409);

    // still serving
    expect((await fetch(`${d.url}/ready`)).status).toBe(200);
    const after = prohibitedJP();
    await d.publish(after);
    await expectEventually(() => expect(hook.delivered()).toHaveLength(2));
  });
});
