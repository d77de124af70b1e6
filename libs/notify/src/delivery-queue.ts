import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import type { Alert } from '@dualwatch/contracts';

export type DeliveryStatus = 'pending' | 'delivered' | 'digested' | 'dead' | 'gone' | 'dropped';

/** One message for one subscription, with its attempts so far. `id` is the `webhook-id`. */
export interface Delivery {
  id: string;
  subscriptionId: string;
  kind: 'alert' | 'digest';
  /** kind alert: the alert; kind digest: read from the digest's buffer at send time. */
  alert?: Alert;
  window?: { start: string; end: string };
  /** kind digested (an alert held for a digest): the digest it went to. */
  digestId?: string;
  status: DeliveryStatus;
  attempts: number;
  createdAt: string;
  lastAttemptAt?: string;
  lastStatus?: number;
  lastError?: string;
  nextAt?: string;
  doneAt?: string;
}

/** Stable per alert message and subscription: a re-read after a crash schedules nothing new. */
export function deliveryId(alert: Alert, subscriptionId: string): string {
  return (
    'msg_' +
    createHash('sha256')
      .update(`${alert.alertId}|${alert.kind}|${alert.assessment.assessmentId}|${subscriptionId}`)
      .digest('hex')
      .slice(0, 32)
  );
}

export function digestId(subscriptionId: string, windowStart: number): string {
  return 'msg_' + createHash('sha256').update(`digest|${subscriptionId}|${windowStart}`).digest('hex').slice(0, 32);
}

// Schedules one alert for one subscription, once: at once (critical, or within the per-window
// limit) or into the subscription's digest for the current window, whose delivery is due at its end.
// A digest whose alerts were already read for sending (KEYS[6], set by READ_DIGEST) takes no more:
// an alert that reaches Redis after that (its "now" taken just before the window ended) goes at once.
const SCHEDULE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
local direct = ARGV[3] == '1'
if not direct then
  local n = redis.call('INCR', KEYS[3])
  if n == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[5]) end
  direct = n <= tonumber(ARGV[4]) or redis.call('EXISTS', KEYS[6]) == 1
end
if direct then
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[10])
  return 'direct'
end
redis.call('SET', KEYS[1], ARGV[9], 'PX', ARGV[12])
redis.call('HSETNX', KEYS[5], ARGV[10], ARGV[8])
if redis.call('SET', KEYS[4], ARGV[6], 'NX') then
  redis.call('ZADD', KEYS[2], ARGV[7], ARGV[11])
end
return 'digest'`;

// Reads a digest's alerts for sending and closes it to new ones in the same step.
const READ_DIGEST = `
redis.call('SET', KEYS[2], '1')
return redis.call('HVALS', KEYS[1])`;

// Takes up to ARGV[3] due deliveries and leases them until ARGV[2]: a worker that dies mid-send
// leaves them to be taken again when the lease runs out.
const CLAIM = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return ids`;

export interface ScheduleOptions {
  now: number;
  /** Critical alerts are never held for a digest. */
  immediate: boolean;
  maxPerWindow: number;
  windowMs: number;
  doneTtlMs: number;
}

/**
 * The durable delivery queue in Redis: a record per delivery, a sorted set of what is due when (the
 * retry schedule lives here, so a restarted notifier resumes it), the dead ones kept for replay.
 */
export class DeliveryQueue {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private k(...parts: string[]): string {
    return `${this.prefix}notify:${parts.join(':')}`;
  }

  /** Idempotent: 'exists' when this alert was already scheduled for this subscription. */
  async schedule(alert: Alert, subscriptionId: string, o: ScheduleOptions): Promise<'direct' | 'digest' | 'exists'> {
    const id = deliveryId(alert, subscriptionId);
    const windowStart = Math.floor(o.now / o.windowMs) * o.windowMs;
    const windowEnd = windowStart + o.windowMs;
    const dId = digestId(subscriptionId, windowStart);
    const createdAt = new Date(o.now).toISOString();
    const direct: Delivery = { id, subscriptionId, kind: 'alert', alert, status: 'pending', attempts: 0, createdAt };
    const digest: Delivery = {
      id: dId,
      subscriptionId,
      kind: 'digest',
      window: { start: new Date(windowStart).toISOString(), end: new Date(windowEnd).toISOString() },
      status: 'pending',
      attempts: 0,
      createdAt,
    };
    const held: Delivery = { id, subscriptionId, kind: 'alert', status: 'digested', digestId: dId, attempts: 0, createdAt };
    const result = await this.redis.eval(
      SCHEDULE,
      6,
      this.k('d', id),
      this.k('due'),
      this.k('rate', subscriptionId, String(windowStart)),
      this.k('d', dId),
      this.k('digest', dId),
      this.k('digest-closed', dId),
      JSON.stringify(direct),
      String(o.now),
      o.immediate ? '1' : '0',
      String(o.maxPerWindow),
      String(o.windowMs * 2),
      JSON.stringify(digest),
      String(windowEnd),
      JSON.stringify(alert),
      JSON.stringify(held),
      id,
      dId,
      String(o.doneTtlMs),
    );
    return result as 'direct' | 'digest' | 'exists';
  }

  async claim(now: number, leaseMs: number, limit: number): Promise<string[]> {
    return (await this.redis.eval(CLAIM, 1, this.k('due'), String(now), String(now + leaseMs), String(limit))) as string[];
  }

  async get(id: string): Promise<Delivery | null> {
    const v = await this.redis.get(this.k('d', id));
    return v ? (JSON.parse(v) as Delivery) : null;
  }

  /** The alerts of a digest, read for sending: from now on the digest takes no more (see SCHEDULE). */
  async digestAlerts(id: string): Promise<Alert[]> {
    return ((await this.redis.eval(READ_DIGEST, 2, this.k('digest', id), this.k('digest-closed', id))) as string[])
      .map((v) => JSON.parse(v) as Alert)
      .sort((a, b) => a.raisedAt.localeCompare(b.raisedAt));
  }

  /** Finished (delivered, gone, dropped): kept for `doneTtlMs` so a re-read alert is still recognised. */
  async finish(d: Delivery, doneTtlMs: number): Promise<void> {
    const m = this.redis
      .multi()
      .set(this.k('d', d.id), JSON.stringify(d), 'PX', doneTtlMs)
      .zrem(this.k('due'), d.id)
      .srem(this.k('retrying'), d.id);
    if (d.kind === 'digest') m.pexpire(this.k('digest', d.id), doneTtlMs).pexpire(this.k('digest-closed', d.id), doneTtlMs);
    await m.exec();
  }

  /** Gives back a claimed delivery unattempted: due again at `at` (only while it is still queued). */
  async release(id: string, at: number): Promise<void> {
    await this.redis.zadd(this.k('due'), 'XX', at, id);
  }

  async retryAt(d: Delivery, at: number): Promise<void> {
    await this.redis.multi().set(this.k('d', d.id), JSON.stringify(d)).zadd(this.k('due'), at, d.id).sadd(this.k('retrying'), d.id).exec();
  }

  async bury(d: Delivery, at: number): Promise<void> {
    await this.redis
      .multi()
      .set(this.k('d', d.id), JSON.stringify(d))
      .zrem(this.k('due'), d.id)
      .srem(this.k('retrying'), d.id)
      .zadd(this.k('dead'), at, d.id)
      .exec();
  }

  /** Dead deliveries, oldest first. */
  async dead(limit = 100): Promise<Delivery[]> {
    const ids = await this.redis.zrange(this.k('dead'), 0, limit - 1);
    const out: Delivery[] = [];
    for (const id of ids) {
      const d = await this.get(id);
      if (d) out.push(d);
    }
    return out;
  }

  /** Puts dead deliveries (the given ones, or all) back in the queue with a fresh schedule; returns their ids. */
  async replay(ids?: string[], now = Date.now()): Promise<string[]> {
    const candidates = ids ?? (await this.redis.zrange(this.k('dead'), 0, -1));
    const replayed: string[] = [];
    for (const id of candidates) {
      if ((await this.redis.zscore(this.k('dead'), id)) === null) continue;
      const d = await this.get(id);
      if (!d) continue;
      const next: Delivery = { ...d, status: 'pending', attempts: 0, nextAt: new Date(now).toISOString() };
      await this.redis.multi().set(this.k('d', id), JSON.stringify(next)).zrem(this.k('dead'), id).zadd(this.k('due'), now, id).exec();
      replayed.push(id);
    }
    return replayed;
  }

  async counts(): Promise<{ due: number; retrying: number; dead: number }> {
    const [due, retrying, dead] = await Promise.all([
      this.redis.zcard(this.k('due')),
      this.redis.scard(this.k('retrying')),
      this.redis.zcard(this.k('dead')),
    ]);
    return { due, retrying, dead };
  }
}
