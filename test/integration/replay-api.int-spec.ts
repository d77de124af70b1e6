import Redis from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import { topicName, type OrderEvent } from '@dualwatch/contracts';
import { RefDataStore } from '@dualwatch/refdata';
import { kafkaFor, uniqueName } from '@dualwatch/testing';
import { filesWithWatchListEntry, NEW_ENTITY, replayOrder } from '../../libs/scoring/src/replay/testing-refdata';
import { ApiDeployment, KEYS } from '../e2e/api-deployment';

/**
 * The api's regulatory-change endpoints over a real Redis and Kafka: the upcoming changes of the open
 * orders (the risk-engine's book in Redis), a new reference-data version's replay diff over them, and the
 * switch to it (stored in Redis, announced on refdata.changes.v1).
 */
const order = (orderId: string, buyer: string, shipDate: string, line: { description: string; hsCode: string }): OrderEvent =>
  replayOrder(orderId, buyer, { shipDate, line });
const DY = { description: 'Dysprosium metal ingot 99.9%', hsCode: '2805301200' };
const ER = { description: 'Erbium oxide 99.9%', hsCode: '2846901920' };

let kafka: Kafka;
let producer: Producer;
let api: ApiDeployment;
let redis: Redis;
const prefix = uniqueName('replay');

beforeAll(async () => {
  kafka = kafkaFor('replay');
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  redis = new Redis(process.env.REDIS_URL!);
  const book = [
    order('PO-A', NEW_ENTITY, '2026-12-15', DY),
    order('PO-B', 'Hamamatsu Example Motors K.K.', '2026-12-15', DY),
    order('PO-C', 'Kanazawa Kisen Kaisha', '2026-12-15', DY),
    order('PO-ER', 'Acquisition, Technology & Logistics Agency', '2027-02-01', ER),
  ];
  for (const e of book)
    await redis.set(
      `${prefix}:book:${e.order.orderId}`,
      JSON.stringify({ state: { event: e, verdict: 'clear' }, prior: null, lastOffset: '0', source: 'orders' }),
    );
  api = await ApiDeployment.create(kafka, producer, {}, prefix);
});
afterAll(async () => {
  await api?.stop();
  await producer?.disconnect();
  redis?.disconnect();
});

describe('api /replay', () => {
  it('lists the upcoming changes of the open orders: the order shipping after the suspension ends, with that date', async () => {
    const r = await api.call('GET', '/replay/upcoming?today=2026-11-28', { key: KEYS.viewer });
    expect(r.status).toBe(200);
    expect(
      r.json.orders.map((o: { orderId: string; changes: { date: string; to: { verdict: string }; why: { change: string }[] }[] }) => [
        o.orderId,
        o.changes[0].date,
        o.changes[0].to.verdict,
        o.changes[0].why[0].change,
      ]),
    ).toEqual([['PO-ER', '2027-01-11', 'prohibited', 'suspension_ends']]); // until 2027-01-10 inclusive (policy v2)
  });

  it('previews a new version with one more watch-list entry: only the matching open order needs a licence', async () => {
    const files = filesWithWatchListEntry({ names: { en: NEW_ENTITY } });
    expect((await api.call('POST', '/replay/preview', { body: { files }, key: KEYS.viewer })).status).toBe(403);
    const r = await api.call('POST', '/replay/preview', { body: { files } });
    expect(r.status).toBe(200);
    expect(r.json.candidate.version).toMatch(/^2026-12-r1\+/);
    expect(r.json.diff.counts).toEqual({ newlyExposed: 1, noLongerExposed: 0, verdictChanged: 0 });
    expect(r.json.diff.newlyExposed.map((o: { orderId: string; next: { verdict: string } }) => [o.orderId, o.next.verdict])).toEqual([
      ['PO-A', 'license_required'],
    ]);
    expect(r.json.diff.orders).toBe(4);
  });

  it('refuses invalid files, naming the file and field', async () => {
    const files = filesWithWatchListEntry({ names: { en: NEW_ENTITY }, listedOn: '2026-02-30', effectiveFrom: '2026-02-30' });
    const r = await api.call('POST', '/replay/preview', { body: { files } });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json.issues)).toMatch(/parties\.json#WL-99-01\/effectiveFrom/);
    expect((await api.call('POST', '/replay/preview', { body: { nothing: true } })).status).toBe(400);
  });

  it('switches to it: stored and current in Redis, announced on refdata.changes.v1, and listed as a version', async () => {
    const files = filesWithWatchListEntry({ names: { en: NEW_ENTITY } });
    const r = await api.call('POST', '/replay/switch', { body: { files } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ announced: true });
    const store = new RefDataStore(redis, `${prefix}:`);
    expect(await store.currentVersion()).toBe(r.json.version);
    const v = await api.call('GET', '/replay/versions');
    expect(v.json.current).toBe(r.json.version);
    expect(v.json.versions.map((x: { version: string }) => x.version)).toContain(r.json.version);
    // now current: the same version replays to no change
    const again = await api.call('POST', '/replay/preview', { body: { version: r.json.version } });
    expect(again.json.diff.counts).toEqual({ newlyExposed: 0, noLongerExposed: 0, verdictChanged: 0 });
    // the announcement
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topicName('refdataChanges', prefix));
    await admin.disconnect();
    expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(1);
  });
});
