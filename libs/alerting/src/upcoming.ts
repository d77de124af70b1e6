import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import type { Producer } from 'kafkajs';
import type { RedisLease } from '@dualwatch/redis';
import type { Alert, Verdict } from '@dualwatch/contracts';
import type { Logger } from '@dualwatch/observability';
import type { ReferenceService } from '@dualwatch/refdata';
import { assess, lookaheadOrder, withAssessedAt, type Policy } from '@dualwatch/scoring';
import { buildAlert } from './alert-decision';
import type { OpenOrderBook, OrderState } from './open-order-book';

/**
 * Upcoming alerts: for every order in the open-order book, the known future dates at which its verdict
 * will change (a suspension ending, a listing taking effect: libs/scoring lookahead), published once as
 * an `upcoming` alert with `effectiveOn`, and once more when the date arrives.
 *
 * The book is scanned on a timer (default every minute). An order is looked at again only when its
 * event, the reference data, the policy or the day changed since it was last looked at (hash
 * `{prefix}upcoming:seen`), so a new or re-screened order is announced within one tick and the whole
 * book is looked at again once a day, when "today" moves. Idempotency lives in Redis:
 *   {prefix}upcoming:announced   set of [orderId, date, from, to] already announced
 *   {prefix}upcoming:due         sorted set of the same, scored by the date (days since epoch), until it arrives
 * A member is added after its alert was sent: a crash between the two sends that alert twice (at least once).
 *
 * One scanner across the group: with a `lease` (RedisLease), only the instance holding it scans; the others
 * ask at each tick and take over within the lease's time when the holder dies, at once when it stops.
 * Its alerts are then sent in Kafka transactions of a transactional.id shared by every instance, initialised
 * when the lease is taken: a previous holder paused past its lease is fenced there (its open transaction is
 * aborted and its next one refused), so two instances never both announce a change.
 */

export interface UpcomingOptions {
  redis: Redis;
  prefix?: string;
  book: OpenOrderBook;
  reference: ReferenceService;
  policy: () => Policy;
  /**
   * Where the alerts go: a producer used as it is, or (with a lease) a factory of transactional producers
   * sharing one transactional.id, a new one made and initialised each time the lease is taken.
   */
  producer: Producer | { transactional: () => Producer };
  /** Scans only while holding this lease (one scanner across the engine's instances). */
  lease?: RedisLease;
  alertsTopic: string;
  logger: Logger;
  /** Counts the look-ahead alerts sent (the engine's dw_engine_alerts_total, kind "upcoming"). */
  metrics?: { alerts: { inc(labels: { severity: string; kind: string }): void } };
  now?: () => Date;
  /** How often to scan the book (ms); default 60 000. */
  scanMs?: number;
  /** Days ahead for an order without a ship date (default 365). */
  horizonDays?: number;
}

export interface UpcomingScan {
  today: string;
  looked: number;
  announced: number;
  arrived: number;
}

type Member = [orderId: string, date: string, from: Verdict, to: Verdict];

/**
 * An upcoming alert has its own id, per (order, date, verdict to come): the api folds the announcement and
 * the arrival into one thread, apart from the order's raised / updated alert.
 */
export function upcomingAlertId(orderId: string, date: string, to: Verdict): string {
  return 'alr-' + createHash('sha256').update(`${orderId}|upcoming|${date}|${to}`).digest('hex').slice(0, 24);
}

const dayNumber = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);

export class UpcomingService {
  private timer?: NodeJS.Timeout;
  private running?: Promise<UpcomingScan | null>;
  private readonly prefix: string;
  /** The producer in use: the given one, or the transactional one of the current lease. */
  private producer?: Producer;
  private readonly transactional: boolean;

  constructor(private readonly o: UpcomingOptions) {
    this.prefix = o.prefix ?? 'dw:';
    this.transactional = 'transactional' in o.producer;
    if (!this.transactional) this.producer = o.producer as Producer;
  }

  /** Whether this instance holds the look-ahead lease (always true without one). */
  get leading(): boolean {
    return !this.o.lease || this.o.lease.fencingToken !== null;
  }

  private key(name: string): string {
    return `${this.prefix}upcoming:${name}`;
  }

  async start(): Promise<void> {
    await this.producer?.connect();
    const tick = () =>
      void this.scanOnce().catch((err) => this.o.logger.warn({ err: (err as Error).message }, 'upcoming scan failed; will retry'));
    tick();
    this.timer = setInterval(tick, this.o.scanMs ?? 60_000).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await this.o.lease?.release().catch(() => undefined);
    await this.producer?.disconnect();
  }

  /** One scan, unless one is already running or another instance holds the lease (then null). */
  scanOnce(): Promise<UpcomingScan | null> {
    if (this.running) return Promise.resolve(null);
    this.running = this.leasedScan().finally(() => (this.running = undefined));
    return this.running;
  }

  private async leasedScan(): Promise<UpcomingScan | null> {
    if (!(await this.holdLease())) return null;
    return this.scan();
  }

  /** Holds (renews or takes) the lease; on taking it, a new transactional producer fences the previous holder. */
  private async holdLease(): Promise<boolean> {
    const { lease, logger } = this.o;
    if (!lease) return true;
    const wasLeading = this.leading;
    const { held, acquired } = await lease.hold();
    if (!held) {
      if (wasLeading) logger.info({ holder: await lease.holder() }, 'look-ahead lease lost: another instance scans');
      return false;
    }
    if (acquired && this.transactional) {
      await this.producer?.disconnect().catch(() => undefined);
      this.producer = undefined;
      const producer = (this.o.producer as { transactional: () => Producer }).transactional();
      await producer.connect();
      // initialise the transactional id now: fences the previous holder, waits out its open transaction
      const init = await producer.transaction();
      await init.abort();
      this.producer = producer;
    }
    if (acquired) logger.info({ holder: lease.holderId, fencingToken: lease.fencingToken }, 'look-ahead lease taken: this instance scans');
    return true;
  }

  /** Sends alerts: in one transaction when the producer is the lease's transactional one. */
  private async publish(messages: { key: string; value: string; headers: Record<string, string> }[]): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error('upcoming: no producer (the lease is not held)');
    if (!this.transactional) {
      await producer.send({ topic: this.o.alertsTopic, acks: -1, messages });
      return;
    }
    const tx = await producer.transaction();
    try {
      await tx.send({ topic: this.o.alertsTopic, acks: -1, messages });
      await tx.commit();
    } catch (err) {
      await tx.abort().catch(() => undefined);
      throw err;
    }
  }

  /** Announces the changes ahead of the open orders, then the ones whose date has come. */
  async scan(): Promise<UpcomingScan> {
    const { redis, book, reference, lease } = this.o;
    const now = this.o.now?.() ?? new Date();
    const today = now.toISOString().slice(0, 10);
    const raisedAt = now.toISOString();
    const policy = this.o.policy();
    await reference.refresh();
    const result: UpcomingScan = { today, looked: 0, announced: 0, arrived: 0 };

    for await (const page of book.scanOpen()) {
      // a long scan keeps its lease; one that lost it stops (the new holder scans)
      if (lease && !(await lease.hold()).held) throw new Error('look-ahead lease lost during the scan');
      const fingerprints = page.map(([, e]) => `${e.state!.event.eventId}|${reference.refdata.version}|${policy.version}|${today}`);
      const seen = await redis.hmget(this.key('seen'), ...page.map(([id]) => id));
      const todo = page.filter((_, i) => seen[i] !== fingerprints[i]);
      const looked = Object.fromEntries(page.flatMap(([id], i) => (seen[i] !== fingerprints[i] ? [[id, fingerprints[i]]] : [])));
      if (!todo.length) continue;
      const view = await reference.viewFor(todo.map(([, e]) => e.state!.event.order));
      const candidates: { member: Member; alert: Alert }[] = [];
      for (const [orderId, entry] of todo) {
        const state = entry.state!;
        result.looked++;
        const ahead = lookaheadOrder(state.event, view, policy, today, { horizonDays: this.o.horizonDays });
        for (const c of ahead?.changes ?? []) {
          const alert = buildAlert(
            'upcoming',
            withAssessedAt(c.assessment, now),
            state.event,
            { ...state, verdict: c.from.verdict },
            raisedAt,
            c.date,
          );
          alert.alertId = upcomingAlertId(orderId, c.date, c.to.verdict);
          candidates.push({ member: [orderId, c.date, c.from.verdict, c.to.verdict], alert });
        }
      }
      if (candidates.length) {
        const members = candidates.map((c) => JSON.stringify(c.member));
        const known = await redis.smismember(this.key('announced'), ...members);
        const fresh = candidates.filter((_, i) => !known[i]);
        if (fresh.length) {
          await this.publish(
            fresh.map((c) => ({
              key: c.member[0],
              value: JSON.stringify(c.alert),
              headers: { 'dw-alert-kind': 'upcoming', 'dw-effective-on': c.member[1] },
            })),
          );
          const m = redis.multi().sadd(this.key('announced'), ...fresh.map((c) => JSON.stringify(c.member)));
          for (const c of fresh) m.zadd(this.key('due'), dayNumber(c.member[1]), JSON.stringify(c.member));
          await m.exec();
          for (const c of fresh) this.o.metrics?.alerts.inc({ severity: c.alert.assessment.severity, kind: 'upcoming' });
          result.announced += fresh.length;
        }
      }
      await redis.hset(this.key('seen'), looked);
    }

    result.arrived = await this.arrivals(today, now, policy);
    if (result.announced || result.arrived) this.o.logger.info({ ...result }, 'upcoming changes published');
    return result;
  }

  /** The announced dates that have come: one more `upcoming` alert each, for the orders still open. */
  private async arrivals(today: string, now: Date, policy: Policy): Promise<number> {
    const { redis, book, reference } = this.o;
    const due = await redis.zrangebyscore(this.key('due'), '-inf', dayNumber(today));
    if (!due.length) return 0;
    const members = due.map((d) => JSON.parse(d) as Member);
    const entries = await book.getMany([...new Set(members.map((m) => m[0]))]);
    const open = members.map((m, i) => ({ m, raw: due[i], state: entries.get(m[0])?.state ?? null }));
    const live = open.filter((x): x is typeof x & { state: OrderState } => x.state !== null);
    if (live.length) {
      const view = await reference.viewFor(live.map((x) => x.state.event.order));
      const messages = live.map(({ m, state }) => {
        const a = withAssessedAt(assess(state.event, view, policy, m[1]), now);
        const alert = buildAlert('upcoming', a, state.event, { ...state, verdict: m[2] }, now.toISOString(), m[1]);
        alert.alertId = upcomingAlertId(m[0], m[1], m[3]);
        return {
          key: m[0],
          value: JSON.stringify(alert),
          headers: { 'dw-alert-kind': 'upcoming', 'dw-effective-on': m[1], 'dw-arrived': 'true' },
        };
      });
      await this.publish(messages);
    }
    await redis.zrem(this.key('due'), ...open.map((x) => x.raw));
    return live.length;
  }
}
