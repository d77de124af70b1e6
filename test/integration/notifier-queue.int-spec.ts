import type Redis from 'ioredis';
import {
  DeliveryQueue,
  DeliveryWorker,
  NotifyMetrics,
  newSecretKey,
  SecretBox,
  SubscriptionStore,
  TargetGuard,
  type ScheduleOptions,
} from '@dualwatch/notify';
import { createLogger } from '@dualwatch/observability';
import { alertFixture } from '@dualwatch/notify/testing/alert-fixtures';
import { WebhookReceiver } from '@dualwatch/notify/testing/webhook-receiver';
import { closeRedis, expectEventually, redisFor, uniqueName } from '@dualwatch/testing';

/**
 * The delivery queue and worker against the real Redis and loopback receivers.
 *
 * Digests: an alert scheduled for a window whose digest has already been read for sending (a
 * scheduler that computed "now" just before the window ended and reached Redis just after the worker
 * took the digest: another instance, or a stall between the two) must not be added to that digest,
 * which would never send it. It goes out on its own.
 *
 * Worker: a target that hangs until the timeout must not hold up deliveries to other targets.
 */
let redis: Redis;
beforeAll(() => {
  redis = redisFor();
});
afterAll(async () => {
  await closeRedis(redis);
});

describe('DeliveryQueue digests (real Redis)', () => {
  it('sends an alert scheduled late for a window whose digest is already being sent on its own, never into that digest', async () => {
    const queue = new DeliveryQueue(redis, `${uniqueName('dq')}:`);
    const windowMs = 60_000;
    const windowStart = Math.floor(Date.now() / windowMs) * windowMs - 10 * windowMs;
    const windowEnd = windowStart + windowMs;
    const o: ScheduleOptions = { now: windowStart + 1_000, immediate: false, maxPerWindow: 1, windowMs, doneTtlMs: 3_600_000 };
    const [a1, a2, late] = [1, 2, 3].map((i) => alertFixture({ orderId: `PO-DIGEST-${i}`, verdict: 'review' }));

    expect(await queue.schedule(a1, 'sub', o)).toBe('direct');
    expect(await queue.schedule(a2, 'sub', o)).toBe('digest');
    // the worker takes what is due at the window's end: a1 and the digest, and reads the digest's alerts
    const claimed = await queue.claim(windowEnd, 5_000, 10);
    expect(claimed).toHaveLength(2);
    const digest = (await Promise.all(claimed.map((id) => queue.get(id)))).find((d) => d?.kind === 'digest')!;
    expect((await queue.digestAlerts(digest.id)).map((a) => a.orderId)).toEqual([a2.orderId]);

    // an alert of the same window reaches Redis only now
    expect(await queue.schedule(late, 'sub', { ...o, now: windowEnd - 1 })).toBe('direct');
    await queue.finish({ ...digest, status: 'delivered', attempts: 1 }, o.doneTtlMs);

    // it is due on its own, and the digest (whatever attempt reads it next) does not carry it
    const due = await queue.claim(windowEnd + 1, 5_000, 10);
    const dueDeliveries = await Promise.all(due.map((id) => queue.get(id)));
    expect(dueDeliveries.map((d) => d?.alert?.orderId)).toContain(late.orderId);
    expect((await queue.digestAlerts(digest.id)).map((a) => a.orderId)).toEqual([a2.orderId]);
  });

  it('still collects the alerts of a window into its digest until the digest is read', async () => {
    const queue = new DeliveryQueue(redis, `${uniqueName('dq')}:`);
    const windowMs = 60_000;
    const windowStart = Math.floor(Date.now() / windowMs) * windowMs - 10 * windowMs;
    const o: ScheduleOptions = { now: windowStart + 1_000, immediate: false, maxPerWindow: 1, windowMs, doneTtlMs: 3_600_000 };
    const alerts = [1, 2, 3, 4].map((i) => alertFixture({ orderId: `PO-COLLECT-${i}`, verdict: 'review' }));
    const modes = [];
    for (const a of alerts) modes.push(await queue.schedule(a, 'sub', o));
    expect(modes).toEqual(['direct', 'digest', 'digest', 'digest']);
    const claimed = await queue.claim(windowStart + windowMs, 5_000, 10);
    const digest = (await Promise.all(claimed.map((id) => queue.get(id)))).find((d) => d?.kind === 'digest')!;
    expect((await queue.digestAlerts(digest.id)).map((a) => a.orderId).sort()).toEqual(
      alerts
        .slice(1)
        .map((a) => a.orderId)
        .sort(),
    );
  });
});

describe('DeliveryWorker (real Redis, loopback receivers)', () => {
  it('keeps delivering to a healthy target while another hangs until the timeout', async () => {
    const prefix = `${uniqueName('dw')}:`;
    const [hanging, healthy] = await Promise.all([WebhookReceiver.start(), WebhookReceiver.start()]);
    hanging.answer = () => ({ status: 200, delayMs: 20_000 });
    const guard = new TargetGuard(['127.0.0.1']);
    const store = new SubscriptionStore(redis, prefix, new SecretBox(newSecretKey()), guard);
    const queue = new DeliveryQueue(redis, prefix);
    const secret = 'whsec_' + newSecretKey();
    await store.create({ id: 'hanging', name: 'hanging', target: { type: 'webhook', url: hanging.url, secrets: [secret] } });
    await store.create({ id: 'healthy', name: 'healthy', target: { type: 'webhook', url: healthy.url, secrets: [secret] } });
    const o: ScheduleOptions = { now: Date.now() - 1_000, immediate: true, maxPerWindow: 100, windowMs: 60_000, doneTtlMs: 3_600_000 };
    // the hanging target's deliveries are due first, more of them than the worker has slots
    for (let i = 0; i < 10; i++) await queue.schedule(alertFixture({ orderId: `PO-HANG-${i}` }), 'hanging', o);
    for (let i = 0; i < 5; i++) await queue.schedule(alertFixture({ orderId: `PO-OK-${i}` }), 'healthy', { ...o, now: o.now + 1 });
    const worker = new DeliveryWorker({
      queue,
      store,
      guard,
      metrics: new NotifyMetrics(() => queue.counts()),
      logger: createLogger('notifier-test', 'silent'),
      schedule: [0, 60_000],
      jitter: 0,
      timeoutMs: 5_000,
      leaseMs: 10_000,
      pollMs: 50,
      concurrency: 4,
      doneTtlMs: 3_600_000,
      dashboardBaseUrl: 'https://dualwatch.example.com',
      publishDead: async () => undefined,
    });
    const startedAt = Date.now();
    worker.start();
    try {
      // well before the hanging attempts time out (5 s)
      await expectEventually(() => expect(healthy.delivered()).toHaveLength(5), { timeoutMs: 2_500, intervalMs: 20 });
      expect(Date.now() - startedAt).toBeLessThan(2_500);
      // the hanging target holds at most half of the slots
      expect(hanging.requests.length).toBeGreaterThan(0);
      expect(hanging.requests.length).toBeLessThanOrEqual(2);
    } finally {
      await Promise.all([hanging.close(), healthy.close()]);
      await worker.stop();
    }
  });
});
