import Redis from 'ioredis';
import { RedisServer } from '@dualwatch/infra';
import { loadBundledRefData, PartyMatcher, RefDataStore, ReferenceService, type RefData } from '@dualwatch/refdata';
import { expectEventually, uniqueName } from '@dualwatch/testing';

/**
 * Reference data in a real Redis: versions written beside each other and switched atomically, and the
 * screening cache that keeps answering, degraded, while Redis is killed and restarted.
 */
const bundled = loadBundledRefData();
const matcherFor = (r: RefData) => new PartyMatcher(r.parties, r.legalForms, { minScore: 0.8 });
const cacheClient = (url: string) =>
  new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 500, retryStrategy: () => 200 }).on(
    'error',
    () => undefined,
  );

function variant(label: string): RefData {
  const next = structuredClone(bundled);
  next.label = label;
  next.version = `${label}+test`;
  return next;
}

describe('RefDataStore in Redis', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(() => redis.disconnect());

  it('loads a version, switches to a second one beside it, and can switch back', async () => {
    const store = new RefDataStore(redis, `${uniqueName('rd')}:`);
    const v1 = await store.publish(bundled);
    expect(v1).toMatchObject({ version: bundled.version, previous: null });
    expect(await store.publish(bundled)).toBeNull(); // already current
    const second = variant('r2');
    const v2 = await store.publish(second);
    expect(v2).toMatchObject({ version: second.version, previous: bundled.version });
    expect(await store.versions()).toEqual([bundled.version, second.version]);
    expect((await store.current())?.label).toBe('r2');
    await store.switchTo(bundled.version);
    expect((await store.current())?.version).toBe(bundled.version);
  });

  it('a reader under concurrent switches always sees a whole version: label and content belong together', async () => {
    const store = new RefDataStore(redis, `${uniqueName('rd')}:`);
    const versions = ['a', 'b', 'c', 'd'].map((l) => {
      const v = variant(l);
      v.parties = v.parties.slice(0, 10 + l.charCodeAt(0) - 97); // each version has its own size
      return v;
    });
    await store.publish(versions[0]);
    let stop = false;
    const seen = new Set<string>();
    const readers = Array.from({ length: 4 }, async () => {
      const client = new Redis(process.env.REDIS_URL!);
      while (!stop) {
        const r = await new RefDataStore(client, (store as unknown as { prefix: string }).prefix).current();
        expect(r).not.toBeNull();
        expect(r!.parties.length).toBe(10 + r!.label.charCodeAt(0) - 97);
        seen.add(r!.label);
      }
      client.disconnect();
    });
    for (let round = 0; round < 10; round++) for (const v of versions) await store.publish(v);
    stop = true;
    await Promise.all(readers);
    expect(seen.size).toBeGreaterThan(1);
  });
});

describe('ReferenceService while Redis dies and comes back', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('keeps answering lookups (degraded, never throwing) while Redis is down, and clears the flag when it is back', async () => {
    const prefix = `${uniqueName('rs')}:`;
    const admin = new Redis(server.url);
    const second = variant('live');
    await new RefDataStore(admin, prefix).publish(second);
    admin.disconnect();

    const client = cacheClient(server.url);
    await new Promise((resolve) => client.once('ready', resolve));
    const svc = new ReferenceService({ redis: client, prefix, bundled, matcherFor, lruSize: 0 });
    expect(await svc.refresh()).toBe(true);
    expect(svc.refdata.version).toBe(second.version);
    expect(svc.servedFromRedis).toBe(true);

    const listed = bundled.parties.find((p) => p.list === 'control_list')!;
    const order = { seller: { name: 'Example Trading Co., Ltd.', country: 'CN' }, buyer: { name: listed.names.en, country: 'JP' } };
    const ok = await svc.viewFor([order]);
    expect(ok.degraded).toBe(false);
    expect(ok.screenParty(order.buyer)[0]?.entry.id).toBe(listed.id);

    await server.kill();
    const during: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      const view = await svc.viewFor([order]); // must not throw
      during.push(view.degraded);
      expect(view.screenParty(order.buyer)[0]?.entry.id).toBe(listed.id);
      expect(await svc.refresh()).toBe(false); // keeps the snapshot it has
    }
    expect(during.every(Boolean)).toBe(true);
    expect(svc.refdata.version).toBe(second.version);

    await server.restart();
    await expectEventually(
      async () => {
        const view = await svc.viewFor([order]);
        expect(view.degraded).toBe(false);
        expect(view.screenParty(order.buyer)[0]?.entry.id).toBe(listed.id);
      },
      { timeoutMs: 15000, intervalMs: 200 },
    );
    client.disconnect();
  });
});
