import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { ListedParty, RefData } from '../model';

/** What the matcher returns for one candidate (the contract between refdata and scoring). */
export interface PartyMatchLike {
  entry: ListedParty;
  score: number;
  method: string;
  matchedName: string;
  why: string;
}

export interface PartyQuery {
  name: string;
  country?: string;
  jpCorporateNumber?: string;
}

export interface Matcher {
  match(party: PartyQuery): PartyMatchLike[];
}

type StoredMatch = Omit<PartyMatchLike, 'entry'> & { id: string };

export interface ScreeningStats {
  lookups: number;
  lruHits: number;
  redisHits: number;
  computed: number;
  redisErrors: number;
}

/** The cache key of one party query: the same name, country and corporate number screen the same. */
export function partyKey(q: PartyQuery): string {
  return `${q.name.normalize('NFKC').trim().toLowerCase()}\u0001${q.country ?? ''}\u0001${q.jpCorporateNumber ?? ''}`;
}

/**
 * Party screening results, cached in two tiers in front of the matcher:
 *   1. an in-process LRU (per reference-data version), answering most lookups with no I/O;
 *   2. Redis, shared by every instance (one MGET per batch for the LRU's misses);
 *   3. the matcher itself for what neither has, written back to both.
 * Redis is only a cache: when it fails or is slow, the batch is answered by the in-process matcher
 * over the loaded snapshot, and the result says it is degraded. No exception reaches the caller.
 */
export class ScreeningCache {
  /** null when lruSize is 0: every lookup goes to Redis (tests, and deployments that want no local state). */
  private readonly lru: LRUCache<string, PartyMatchLike[]> | null;
  readonly stats: ScreeningStats = { lookups: 0, lruHits: 0, redisHits: 0, computed: 0, redisErrors: 0 };
  private readonly byId: Map<string, ListedParty>;

  constructor(
    readonly refdata: RefData,
    private readonly matcher: Matcher,
    private readonly redis: Redis | null,
    private readonly opts: { prefix?: string; lruSize?: number; ttlSeconds?: number } = {},
  ) {
    const size = opts.lruSize ?? 50_000;
    this.lru = size > 0 ? new LRUCache({ max: size }) : null;
    this.byId = new Map(refdata.parties.map((p) => [p.id, p]));
  }

  get version(): string {
    return this.refdata.version;
  }

  /** A lookup outside any batch (the view's fallback for a party it was not asked about). */
  screenLocally(q: PartyQuery): PartyMatchLike[] {
    return this.lru?.get(partyKey(q)) ?? this.matcher.match(q);
  }

  private redisKey(key: string): string {
    const digest = createHash('sha1').update(key).digest('base64url');
    return `${this.opts.prefix ?? 'dw:'}refdata:v:${this.refdata.version}:party:${digest}`;
  }

  /** Screens every query; one Redis round trip at most. `degraded` when Redis could not answer. */
  async screenMany(queries: PartyQuery[]): Promise<{ results: Map<string, PartyMatchLike[]>; degraded: boolean }> {
    const results = new Map<string, PartyMatchLike[]>();
    const misses: { key: string; q: PartyQuery }[] = [];
    for (const q of queries) {
      const key = partyKey(q);
      if (results.has(key)) continue;
      this.stats.lookups++;
      const hit = this.lru?.get(key);
      if (hit) {
        this.stats.lruHits++;
        results.set(key, hit);
      } else {
        results.set(key, []); // placeholder, filled below
        misses.push({ key, q });
      }
    }
    if (!misses.length) return { results, degraded: false };

    let degraded = false;
    let stored: (string | null)[] = misses.map(() => null);
    if (this.redis) {
      try {
        stored = await this.redis.mget(misses.map((m) => this.redisKey(m.key)));
      } catch {
        this.stats.redisErrors++;
        degraded = true;
      }
    } else {
      degraded = true;
    }

    const toWrite: [string, string][] = [];
    misses.forEach((m, i) => {
      const raw = stored[i];
      let matches = raw ? this.rehydrate(raw) : null;
      if (matches) this.stats.redisHits++;
      else {
        matches = this.matcher.match(m.q);
        this.stats.computed++;
        if (!degraded) toWrite.push([this.redisKey(m.key), this.dehydrate(matches)]);
      }
      results.set(m.key, matches);
      // a degraded answer is right but did not come from the shared cache: keep it out of the LRU so that
      // the next batch tries Redis again and the degraded flag clears when Redis is back
      if (!degraded) this.lru?.set(m.key, matches);
    });
    if (toWrite.length && this.redis) {
      const pipe = this.redis.pipeline();
      for (const [k, v] of toWrite) pipe.set(k, v, 'EX', this.opts.ttlSeconds ?? 7 * 24 * 3600);
      pipe.exec().catch(() => this.stats.redisErrors++);
    }
    return { results, degraded };
  }

  /** Fraction of lookups answered without running the matcher. */
  hitRatio(): number {
    return this.stats.lookups ? (this.stats.lruHits + this.stats.redisHits) / this.stats.lookups : 0;
  }

  private dehydrate(matches: PartyMatchLike[]): string {
    const stored: StoredMatch[] = matches.map(({ entry, ...m }) => ({ ...m, id: entry.id }));
    return JSON.stringify(stored);
  }

  private rehydrate(raw: string): PartyMatchLike[] | null {
    try {
      const stored = JSON.parse(raw) as StoredMatch[];
      const out: PartyMatchLike[] = [];
      for (const { id, ...m } of stored) {
        const entry = this.byId.get(id);
        if (!entry) return null; // written by a different snapshot: recompute
        out.push({ ...m, entry });
      }
      return out;
    } catch {
      return null;
    }
  }
}
