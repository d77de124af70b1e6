/**
 * Party-screening throughput on one core, cold and warm, through the same ScreeningCache the
 * risk-engine uses, against a real Redis started here on a free port:
 *   cold        every party seen for the first time: Redis MGET misses, the matcher runs, results are written back
 *   redis-warm  a new instance (empty LRU) screening the same parties: answered by Redis, no matcher
 *   lru-warm    the same instance again: answered by the in-process LRU, no I/O
 * `node dist/bench/party-screening.js [--orders 20000] [--batch 500]` (after `npm run build`).
 */
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { RedisServer } from '@dualwatch/infra';
import { loadBundledRefData, partyQuery, ScreeningCache, type PartyQuery } from '@dualwatch/refdata';
import { createPartyMatcher, generateOrders, loadBundledPolicy } from '@dualwatch/scoring';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

async function timed(cache: ScreeningCache, queries: PartyQuery[], batch: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < queries.length; i += batch) await cache.screenMany(queries.slice(i, i + batch));
  return performance.now() - t0;
}

async function main() {
  const orders = arg('orders', 20000);
  const batch = arg('batch', 500);
  const refdata = loadBundledRefData();
  const policy = loadBundledPolicy();
  const matcher = () => createPartyMatcher(refdata, policy);
  const all = generateOrders(orders, 99).flatMap((e) =>
    (['seller', 'buyer', 'consignee', 'endUser', 'freightForwarder'] as const).flatMap((r) =>
      e.order[r] ? [partyQuery(e.order[r]!)] : [],
    ),
  );
  const distinct = [...new Map(all.map((q) => [`${q.name}|${q.country}|${q.jpCorporateNumber ?? ''}`, q])).values()];

  const server = await RedisServer.start();
  const redis = new Redis(server.url, { enableAutoPipelining: true });
  try {
    const first = new ScreeningCache(refdata, matcher(), redis, { prefix: 'bench:' });
    const coldMs = await timed(first, distinct, batch);
    await new Promise((r) => setTimeout(r, 200)); // write-backs land
    const second = new ScreeningCache(refdata, matcher(), redis, { prefix: 'bench:' });
    const redisMs = await timed(second, distinct, batch);
    const lruMs = await timed(second, all, batch);
    const rows = [
      ['cold (matcher + Redis write-back)', distinct.length, coldMs],
      ['redis-warm (new instance, MGET per batch)', distinct.length, redisMs],
      ['lru-warm (order stream, in-process LRU)', all.length, lruMs],
    ] as const;
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(
      `party screening, one core (${cpu}, ${os.cpus().length} cores, Node ${process.version}); ${refdata.parties.length} list entries; batch ${batch}`,
    );
    console.log('| mode | lookups | ms | lookups/s |');
    console.log('|---|---:|---:|---:|');
    for (const [mode, n, ms] of rows)
      console.log(`| ${mode} | ${n} | ${ms.toFixed(0)} | ${Math.round(n / (ms / 1000)).toLocaleString('en-US')} |`);
  } finally {
    await redis.quit();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
