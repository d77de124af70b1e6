import Redis from 'ioredis';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import { type Alert, type OrderEvent } from '@dualwatch/contracts';
import { provisionTopics } from '@dualwatch/messaging';
import { RedisLease } from '@dualwatch/redis';
import { replayOrder } from '../../libs/scoring/src/replay/testing-refdata';
import { expectEventually, kafkaFor, uniqueName } from '@dualwatch/testing';
import { EngineProcess, engineEnv, parseValue, readCommitted, topicsFor, type AppProcess } from '@dualwatch/testing/engine';

/**
 * The look-ahead scan runs once across the engine's group (issue 16): two real engine processes on one
 * broker and one Redis, scanning every 200 ms, announce every upcoming change exactly once; when the
 * lease holder is SIGKILLed the other takes the scan over within the lease's time and announces what
 * arrives next, once. And the fence: a holder paused past its lease cannot publish once the next
 * holder has initialised the shared transactional id.
 */

const ATLA = 'Acquisition, Technology & Logistics Agency';
// erbium oxide: suspended until 2027-01-10 (inclusive), so for ATLA the verdict changes on 2027-01-11
const upcomingOrder = (orderId: string): OrderEvent =>
  replayOrder(orderId, ATLA, {
    shipDate: '2027-02-01',
    line: { description: 'Erbium oxide 99.9%', hsCode: '2846901920', quantity: 10, unitPrice: 60 },
    order: { endUse: { category: 'civil', statement: 'laboratory' } },
  });

let kafka: Kafka;
let producer: Producer;
let redis: Redis;
const started: AppProcess[] = [];

beforeAll(async () => {
  kafka = kafkaFor('upcoming-lease');
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  redis = new Redis(process.env.REDIS_URL!);
});
afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((p) => p.stop()));
});
afterAll(async () => {
  await producer.disconnect();
  redis.disconnect();
});

async function produce(topic: string, events: OrderEvent[]): Promise<void> {
  await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.order.orderId, value: JSON.stringify(e) })) });
}

/** Every committed message of a topic up to its end now (transaction markers count as read). */
async function readToEnd(topic: string): Promise<KafkaMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  for (const p of await admin.fetchTopicOffsets(topic)) if (BigInt(p.high) > 0n) ends.set(p.partition, BigInt(p.high) - 1n);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: uniqueName('to-end'), readUncommitted: false, maxWaitTimeInMs: 100 });
  const messages: KafkaMessage[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const reached = (partition: number, offset: string) => {
    if ((ends.get(partition) ?? -1n) <= BigInt(offset)) ends.delete(partition);
    if (ends.size === 0) done();
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => reached(payload.partition, payload.lastOffset));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachBatch: async ({ batch }) => void messages.push(...batch.messages) });
  if (ends.size === 0) done();
  await Promise.race([finished, new Promise((r) => setTimeout(r, 20_000))]);
  await consumer.disconnect();
  return messages;
}

/** The upcoming announcements (not the arrivals) committed to the alerts topic, counted by alert id. */
async function announcements(topic: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const m of await readToEnd(topic)) {
    if (m.headers?.['dw-arrived']) continue;
    const a = parseValue<Alert>(m);
    if (a.kind === 'upcoming') counts.set(a.alertId, (counts.get(a.alertId) ?? 0) + 1);
  }
  return counts;
}

describe('look-ahead scan: one scanner across the group', () => {
  it('two engines announce each upcoming change once; the SIGKILLed holder is taken over and nothing is announced twice', async () => {
    const prefix = uniqueName('lease');
    const topics = topicsFor(prefix);
    await provisionTopics(kafka, ['orders', 'assessments', 'alerts', 'ordersDlq', 'refdataChanges'], prefix);
    const env = engineEnv(prefix, { ENGINE_UPCOMING_SCAN_MS: '200', ENGINE_UPCOMING_LEASE_MS: '3000' });
    const leaseKey = `${prefix}:upcoming:lease`;
    const engines = [EngineProcess.start(env), EngineProcess.start(env)];
    started.push(...engines);

    // orders arrive in waves while both engines run, so both would find them new at once without the lease
    const first = Array.from({ length: 400 }, (_, i) => upcomingOrder(`PO-L${i}`));
    for (let i = 0; i < first.length; i += 50) {
      await produce(topics.orders, first.slice(i, i + 50));
      await new Promise((r) => setTimeout(r, 100));
    }
    await expectEventually(async () => expect((await announcements(topics.alerts)).size).toBe(first.length), {
      timeoutMs: 90_000,
    });
    await new Promise((r) => setTimeout(r, 1_500)); // a few more scans of both engines: room for anything doubled
    const before = await announcements(topics.alerts);
    expect([...before].filter(([, n]) => n !== 1)).toEqual([]);
    const holder = (await redis.get(leaseKey)) ?? '';
    // the holder names its process: host-pid-random
    const leader = engines.find((e) => holder.includes(`-${e.pid}-`));
    expect(leader).toBeDefined();
    const other = engines.find((e) => e !== leader)!;

    // the holder dies without giving the lease up; the other takes over when it lapses
    await leader!.kill('SIGKILL');
    const second = Array.from({ length: 10 }, (_, i) => upcomingOrder(`PO-M${i}`));
    await produce(topics.orders, second);
    await expectEventually(
      async () => {
        expect(await redis.get(leaseKey)).toContain(`-${other.pid}-`);
        expect((await announcements(topics.alerts)).size).toBe(first.length + second.length);
      },
      { timeoutMs: 90_000 },
    );
    await new Promise((r) => setTimeout(r, 1_500)); // a few more scans: room for anything doubled
    const counts = await announcements(topics.alerts);
    expect(counts.size).toBe(first.length + second.length);
    expect([...counts].filter(([, n]) => n !== 1)).toEqual([]);
    expect(other.running).toBe(true);
  }, 240_000);

  it('fences a holder paused past its lease: once the next holder initialised the transactional id, its publish fails', async () => {
    const prefix = uniqueName('fence');
    const key = `${prefix}:lease`;
    const transactionalId = `${prefix}-upcoming`;
    const a = new RedisLease(redis, { key, ttlMs: 500, holderId: 'a' });
    const b = new RedisLease(redis, { key, ttlMs: 5_000, holderId: 'b' });
    expect(await a.hold()).toEqual({ held: true, acquired: true });
    expect(await b.hold()).toEqual({ held: false, acquired: false });
    expect(await a.hold()).toEqual({ held: true, acquired: false }); // renewed
    const tokenA = a.fencingToken!;

    const txProducer = () => kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 } });
    await provisionTopics(kafka, ['alerts'], prefix);
    const topic = topicsFor(prefix).alerts;
    const pa = txProducer();
    await pa.connect();
    const txA = await pa.transaction(); // a is mid-scan with an open transaction ...
    await txA.send({ topic, messages: [{ key: 'x', value: 'from a' }] });

    await new Promise((r) => setTimeout(r, 700)); // ... and pauses past its lease
    expect(await b.hold()).toEqual({ held: true, acquired: true });
    expect(b.fencingToken!).toBeGreaterThan(tokenA);
    const pb = txProducer();
    await pb.connect();
    const init = await pb.transaction(); // what UpcomingService does on taking the lease
    await init.abort();

    await expect(txA.commit()).rejects.toThrow();
    expect(await a.hold()).toEqual({ held: false, acquired: false }); // a learns it lost the lease
    const txB = await pb.transaction();
    await txB.send({ topic, messages: [{ key: 'x', value: 'from b' }] });
    await txB.commit();
    const committed = await readCommitted(kafka, topic, (ms) => ms.length >= 1, 10_000);
    expect(committed.map((m) => m.value!.toString())).toEqual(['from b']);
    await b.release();
    expect(await b.holder()).toBeNull();
    await pa.disconnect().catch(() => undefined);
    await pb.disconnect();
  }, 60_000);
});
