import type Redis from 'ioredis';
import type { ListedParty, RefData } from '../model';
import { partyKey, ScreeningCache, type Matcher, type PartyQuery } from './screening-cache';

/** A stand-in for Redis (unit test only: the real one is exercised in test/integration/refdata-redis). */
class FakeRedis {
  store = new Map<string, string>();
  mgets = 0;
  down = false;
  async mget(keys: string[]) {
    this.mgets++;
    if (this.down) throw new Error('Connection is closed.');
    return keys.map((k) => this.store.get(k) ?? null);
  }
  pipeline() {
    const ops: [string, string][] = [];
    const p = {
      set: (k: string, v: string) => (ops.push([k, v]), p),
      exec: async () => {
        if (this.down) throw new Error('Connection is closed.');
        for (const [k, v] of ops) this.store.set(k, v);
        return [];
      },
    };
    return p;
  }
}

const entry = { id: 'CL-1', list: 'control_list', names: { en: 'Listed Heavy Industries' } } as ListedParty;
const refdata = { version: 'v1', parties: [entry] } as unknown as RefData;
class CountingMatcher implements Matcher {
  calls = 0;
  match(q: PartyQuery) {
    this.calls++;
    return q.name.startsWith('Listed') ? [{ entry, score: 0.97, method: 'fuzzy', matchedName: entry.names.en, why: 'tokens' }] : [];
  }
}

describe('ScreeningCache', () => {
  it('answers a batch with one Redis round trip and runs the matcher once per distinct party', async () => {
    const redis = new FakeRedis();
    const matcher = new CountingMatcher();
    const cache = new ScreeningCache(refdata, matcher, redis as unknown as Redis);
    const queries = [
      { name: 'Listed Heavy Industries', country: 'JP' },
      { name: 'Other', country: 'CN' },
      { name: 'Listed Heavy Industries', country: 'JP' },
    ];
    const { results, degraded } = await cache.screenMany(queries);
    expect(degraded).toBe(false);
    expect(redis.mgets).toBe(1);
    expect(matcher.calls).toBe(2);
    expect(results.get(partyKey(queries[0]))?.[0].entry.id).toBe('CL-1');
    expect(results.get(partyKey(queries[1]))).toEqual([]);
    // written back to Redis for the other instances
    await new Promise((r) => setImmediate(r));
    expect(redis.store.size).toBe(2);
  });

  it('serves repeats from the LRU without Redis, and another instance from Redis without the matcher', async () => {
    const redis = new FakeRedis();
    const first = new ScreeningCache(refdata, new CountingMatcher(), redis as unknown as Redis);
    await first.screenMany([{ name: 'Listed Heavy Industries' }]);
    await new Promise((r) => setImmediate(r));
    await first.screenMany([{ name: 'Listed Heavy Industries' }]);
    expect(redis.mgets).toBe(1);
    expect(first.stats.lruHits).toBe(1);

    const otherMatcher = new CountingMatcher();
    const other = new ScreeningCache(refdata, otherMatcher, redis as unknown as Redis);
    const { results } = await other.screenMany([{ name: 'Listed Heavy Industries' }]);
    expect(otherMatcher.calls).toBe(0);
    expect(results.get(partyKey({ name: 'Listed Heavy Industries' }))?.[0].entry).toBe(entry);
    expect(other.hitRatio()).toBe(1);
  });

  it('falls back to the matcher and says degraded when Redis fails, then recovers', async () => {
    const redis = new FakeRedis();
    const cache = new ScreeningCache(refdata, new CountingMatcher(), redis as unknown as Redis);
    redis.down = true;
    const during = await cache.screenMany([{ name: 'Listed Heavy Industries' }]);
    expect(during.degraded).toBe(true);
    expect(during.results.get(partyKey({ name: 'Listed Heavy Industries' }))?.[0].entry.id).toBe('CL-1');
    redis.down = false;
    const after = await cache.screenMany([{ name: 'Listed Heavy Industries' }]);
    expect(after.degraded).toBe(false); // the degraded answer was not cached as if it were shared
  });

  it('recomputes a cached answer that names an entry this snapshot does not have', async () => {
    const redis = new FakeRedis();
    const matcher = new CountingMatcher();
    const cache = new ScreeningCache(refdata, matcher, redis as unknown as Redis);
    await cache.screenMany([{ name: 'Listed Heavy Industries' }]);
    await new Promise((r) => setImmediate(r));
    for (const k of redis.store.keys())
      redis.store.set(k, JSON.stringify([{ id: 'GONE', score: 1, method: 'exact', matchedName: 'x', why: 'x' }]));
    const fresh = new ScreeningCache(refdata, matcher, redis as unknown as Redis);
    const { results } = await fresh.screenMany([{ name: 'Listed Heavy Industries' }]);
    expect(results.get(partyKey({ name: 'Listed Heavy Industries' }))?.[0].entry.id).toBe('CL-1');
    expect(matcher.calls).toBe(2);
  });
});
