import type Redis from 'ioredis';
import type { RefData } from '../model';

/**
 * The reference data in Redis, shared by every instance of every app.
 *
 *   {prefix}refdata:v:{version}   the whole snapshot as one JSON string (immutable once written)
 *   {prefix}refdata:current       the version in force
 *   {prefix}refdata:versions      sorted set of loaded versions by load time
 *
 * A new version is written beside the old ones first, then `current` is switched in one MULTI: a reader
 * that follows `current` always finds a complete snapshot, never half of one.
 */
export interface VersionSwitch {
  version: string;
  label: string;
  previous: string | null;
  switchedAt: string;
}

export class RefDataStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'dw:',
  ) {}

  private key(...parts: string[]): string {
    return `${this.prefix}refdata:${parts.join(':')}`;
  }

  /** Writes the snapshot (if new) and makes it current. Returns the switch, or null if it was already current. */
  async publish(refdata: RefData, keep = 5): Promise<VersionSwitch | null> {
    const previous = await this.redis.get(this.key('current'));
    if (previous === refdata.version) return null;
    await this.redis.set(this.key('v', refdata.version), JSON.stringify(refdata));
    const switchedAt = new Date().toISOString();
    await this.redis.multi().set(this.key('current'), refdata.version).zadd(this.key('versions'), Date.now(), refdata.version).exec();
    await this.prune(
      keep,
      [refdata.version, previous].filter((v): v is string => !!v),
    );
    return { version: refdata.version, label: refdata.label, previous, switchedAt };
  }

  /** Makes an already-loaded version current again (rollback). */
  async switchTo(version: string): Promise<VersionSwitch> {
    if (!(await this.redis.exists(this.key('v', version)))) throw new Error(`reference-data version ${version} is not loaded`);
    const previous = await this.redis.getset(this.key('current'), version);
    const data = await this.get(version);
    return { version, label: data?.label ?? '', previous, switchedAt: new Date().toISOString() };
  }

  async currentVersion(): Promise<string | null> {
    return this.redis.get(this.key('current'));
  }

  async get(version: string): Promise<RefData | null> {
    const raw = await this.redis.get(this.key('v', version));
    return raw ? (JSON.parse(raw) as RefData) : null;
  }

  /** The current snapshot, read so that version and content always belong together. */
  async current(): Promise<RefData | null> {
    const version = await this.currentVersion();
    return version ? this.get(version) : null;
  }

  async versions(): Promise<string[]> {
    return this.redis.zrange(this.key('versions'), 0, -1);
  }

  private async prune(keep: number, protect: string[]): Promise<void> {
    const all = await this.versions();
    const old = all.slice(0, Math.max(0, all.length - keep)).filter((v) => !protect.includes(v));
    if (!old.length) return;
    await this.redis
      .multi()
      .zrem(this.key('versions'), ...old)
      .del(...old.map((v) => this.key('v', v)))
      .exec();
  }
}
