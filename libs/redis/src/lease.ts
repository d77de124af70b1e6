import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import type Redis from 'ioredis';

/** Renews the lease only while this holder still has it (a holder whose lease lapsed and was taken does not get it back). */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
/** Gives the lease up only if this holder has it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface LeaseOptions {
  /** The Redis key of the lease (one per job: e.g. `dw:upcoming:lease`). */
  key: string;
  /** How long a holder keeps the lease without renewing it (ms): another instance takes over after that. */
  ttlMs: number;
  /** Who holds it, for logs and for `holder()`: host, pid and a random part by default. */
  holderId?: string;
}

/**
 * A lease on a time-driven job, so that it runs in one instance of a group at a time: SET NX PX to take
 * it, renewed by its holder (compare-and-PEXPIRE), given up on a graceful stop (compare-and-DEL). When
 * the holder dies, the lease lapses after `ttlMs` and the next instance to ask takes it.
 *
 * Each acquisition gets a fencing token (INCR of `${key}:epoch`), increasing across holders: a job
 * whose effects go to Kafka fences the previous holder there (a transactional producer with one fixed
 * transactional.id, initialised on acquisition, aborts the old holder's open transaction and refuses
 * its later ones), since a holder paused past its lease may not know it lost it.
 */
export class RedisLease {
  readonly holderId: string;
  private token: number | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly o: LeaseOptions,
  ) {
    this.holderId = o.holderId ?? `${os.hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  /** The fencing token of the current holding, or null when this instance does not hold the lease. */
  get fencingToken(): number | null {
    return this.token;
  }

  /**
   * Holds the lease for another `ttlMs`: renews it if this instance has it, takes it if nobody has.
   * `acquired` is true when it was taken just now (the caller fences the previous holder then).
   */
  async hold(): Promise<{ held: boolean; acquired: boolean }> {
    if (this.token !== null) {
      const renewed = Number(await this.redis.eval(RENEW, 1, this.o.key, this.holderId, String(this.o.ttlMs)));
      if (renewed === 1) return { held: true, acquired: false };
      this.token = null; // lapsed, and maybe taken: ask again like anyone else
    }
    const taken = await this.redis.set(this.o.key, this.holderId, 'PX', this.o.ttlMs, 'NX');
    if (taken !== 'OK') return { held: false, acquired: false };
    this.token = await this.redis.incr(`${this.o.key}:epoch`);
    return { held: true, acquired: true };
  }

  /** Gives the lease up (graceful stop): the next instance to ask takes it at once. */
  async release(): Promise<void> {
    if (this.token === null) return;
    this.token = null;
    await this.redis.eval(RELEASE, 1, this.o.key, this.holderId);
  }

  /** Who holds the lease now (null: nobody). */
  holder(): Promise<string | null> {
    return this.redis.get(this.o.key);
  }
}
