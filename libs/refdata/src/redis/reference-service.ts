import type Redis from 'ioredis';
import type { RefData } from '../model';
import { RefDataStore } from './refdata-store';
import { partyKey, ScreeningCache, type Matcher, type PartyMatchLike, type PartyQuery } from './screening-cache';

/** A party as orders carry it (the subset screening reads). */
export interface OrderPartyLike {
  name: string;
  country?: string;
  identifiers?: { jpCorporateNumber?: string };
}

/** The parties of an order that are screened, in the order the rules name them. */
export const SCREENED_ROLES = ['seller', 'buyer', 'consignee', 'endUser', 'freightForwarder'] as const;

export function partyQuery(p: OrderPartyLike): PartyQuery {
  return { name: p.name, country: p.country, jpCorporateNumber: p.identifiers?.jpCorporateNumber };
}

/** What the scorer reads reference data through: a snapshot plus pre-screened parties. */
export interface ScreeningView {
  readonly refdata: RefData;
  readonly degraded: boolean;
  screenParty(party: OrderPartyLike): PartyMatchLike[];
}

export interface ReferenceServiceOptions {
  redis: Redis | null;
  prefix?: string;
  /** The snapshot shipped with the code: served until Redis has one, and whenever Redis cannot answer. */
  bundled: RefData;
  /** Builds the matcher for a snapshot (the refdata lib's PartyMatcher with the policy's thresholds). */
  matcherFor: (refdata: RefData) => Matcher;
  lruSize?: number;
  onSwitch?: (from: string, to: string) => void;
}

/**
 * The reference data an app scores with: the version Redis says is current (so every instance of every
 * app switches together), a screening cache per version, and the bundled snapshot as the fallback.
 */
export class ReferenceService {
  private cache: ScreeningCache;
  private readonly store: RefDataStore | null;
  private fromRedis = false;

  constructor(private readonly o: ReferenceServiceOptions) {
    this.store = o.redis ? new RefDataStore(o.redis, o.prefix) : null;
    this.cache = this.cacheFor(o.bundled);
  }

  get refdata(): RefData {
    return this.cache.refdata;
  }

  get screening(): ScreeningCache {
    return this.cache;
  }

  /** Whether the snapshot in use came from Redis (false: the bundled one). */
  get servedFromRedis(): boolean {
    return this.fromRedis;
  }

  /**
   * Follows Redis's current version: switches to it when it differs from the one in use. Returns true
   * when it switched. A Redis failure keeps the snapshot in use (never throws).
   */
  async refresh(): Promise<boolean> {
    if (!this.store) return false;
    try {
      const version = await this.store.currentVersion();
      if (!version || version === this.cache.version) {
        if (version) this.fromRedis = true;
        return false;
      }
      const data = await this.store.get(version);
      if (!data) return false;
      const from = this.cache.version;
      this.cache = this.cacheFor(data);
      this.fromRedis = true;
      this.o.onSwitch?.(from, version);
      return true;
    } catch {
      return false;
    }
  }

  /** Screens every party of the given orders in one go and returns the view the scorer reads. */
  async viewFor(orders: Partial<Record<(typeof SCREENED_ROLES)[number], OrderPartyLike>>[]): Promise<ScreeningView> {
    const queries: PartyQuery[] = [];
    for (const o of orders) for (const role of SCREENED_ROLES) if (o[role]) queries.push(partyQuery(o[role]!));
    const cache = this.cache;
    const { results, degraded } = await cache.screenMany(queries);
    return {
      refdata: cache.refdata,
      degraded,
      screenParty: (p) => results.get(partyKey(partyQuery(p))) ?? cache.screenLocally(partyQuery(p)),
    };
  }

  private cacheFor(refdata: RefData): ScreeningCache {
    return new ScreeningCache(refdata, this.o.matcherFor(refdata), this.o.redis, { prefix: this.o.prefix, lruSize: this.o.lruSize });
  }
}
