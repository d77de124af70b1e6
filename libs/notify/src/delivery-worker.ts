import type { Alert } from '@dualwatch/contracts';
import type { Logger } from '@dualwatch/observability';
import type { Delivery, DeliveryQueue } from './delivery-queue';
import { postJson, type AttemptResult } from './http-sender';
import type { NotifyMetrics } from './metrics';
import { nextDelayMs } from './retry-schedule';
import { signedHeaders } from './signature';
import { slackAlertMessage, slackDigestMessage } from './slack';
import type { ResolvedTarget, SubscriptionStore } from './subscription-store';
import type { TargetGuard } from './target-guard';

export interface DeliveryWorkerOptions {
  queue: DeliveryQueue;
  store: SubscriptionStore;
  guard: TargetGuard;
  metrics: NotifyMetrics;
  logger: Logger;
  /** Waits before attempts 1..n, in ms (see retry-schedule.ts). */
  schedule: number[];
  jitter: number;
  timeoutMs: number;
  /** How long a claimed delivery is reserved for its worker; more than timeoutMs. */
  leaseMs: number;
  pollMs: number;
  concurrency: number;
  doneTtlMs: number;
  dashboardBaseUrl: string;
  /** Publishes a dead delivery to notifications.dlq.v1; resolves once the broker has it. */
  publishDead: (d: Delivery, subscriptionName: string | undefined) => Promise<void>;
}

/** What goes on the wire for one delivery to one target. */
export function payloadFor(d: Delivery, alerts: Alert[], target: ResolvedTarget['type'], dashboardBaseUrl: string): string {
  if (target === 'slack') {
    return JSON.stringify(
      d.kind === 'digest'
        ? slackDigestMessage(alerts, { dashboardBaseUrl, windowStart: d.window!.start, windowEnd: d.window!.end })
        : slackAlertMessage(alerts[0], { dashboardBaseUrl }),
    );
  }
  if (d.kind === 'digest') {
    return JSON.stringify({
      type: 'alert.digest',
      timestamp: d.window!.end,
      data: { windowStart: d.window!.start, windowEnd: d.window!.end, count: alerts.length, alerts },
    });
  }
  return JSON.stringify({ type: `alert.${alerts[0].kind}`, timestamp: alerts[0].raisedAt, data: alerts[0] });
}

/**
 * Takes due deliveries from the queue and attempts them: 2xx delivered, 410 disables the
 * subscription, other failures are retried on the schedule (Retry-After honoured) until the last
 * attempt, after which the delivery is dead: published to the DLQ and kept for replay.
 */
export class DeliveryWorker {
  private running = false;
  private loopDone?: Promise<void>;
  private wake?: () => void;
  /** Attempts in flight; the loop takes more as soon as one finishes, never waiting for a whole batch. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly inFlightPerSubscription = new Map<string, number>();
  /** delivery id -> subscription id of deliveries given back for want of a slot (saves reading them again) */
  private readonly subscriptionOf = new Map<string, string>();
  private waitingForSlot = false;

  constructor(private readonly o: DeliveryWorkerOptions) {}

  /**
   * At most this many attempts in flight for one subscription: a target that hangs until the timeout
   * can hold only these slots, the others keep delivering to everyone else.
   */
  get maxPerSubscription(): number {
    return Math.max(1, Math.floor(this.o.concurrency / 2));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Lets the attempts in hand finish, then returns. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopDone;
  }

  /** Look at the queue now rather than at the next poll (new deliveries were scheduled). */
  poke(): void {
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const free = this.o.concurrency - this.inFlight.size;
      let claimed: string[] = [];
      if (free > 0) {
        try {
          claimed = await this.o.queue.claim(Date.now(), this.o.leaseMs, free);
        } catch (err) {
          this.o.logger.error({ err: (err as Error).message }, 'delivery loop failed; trying again at the next poll');
        }
        for (const id of claimed) this.track(id);
      }
      if ((free === 0 || claimed.length < free) && this.running) {
        // every slot busy: wait for one to free up; otherwise for the next poll (or a poke)
        this.waitingForSlot = free === 0;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.o.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        this.waitingForSlot = false;
      }
    }
    await Promise.allSettled([...this.inFlight]);
  }

  private track(id: string): void {
    const p: Promise<void> = this.attempt(id)
      .catch((err: unknown) => {
        this.o.logger.error(
          { deliveryId: id, err: (err as Error).message },
          'delivery attempt failed; it is due again when its lease ends',
        );
      })
      .finally(() => {
        this.inFlight.delete(p);
        if (this.waitingForSlot) this.wake?.();
      });
    this.inFlight.add(p);
  }

  private busy(subscriptionId: string): boolean {
    return (this.inFlightPerSubscription.get(subscriptionId) ?? 0) >= this.maxPerSubscription;
  }

  /** Its subscription has its share of the slots: back in the queue, behind what is due now. */
  private async giveBack(id: string, subscriptionId: string): Promise<void> {
    this.subscriptionOf.delete(id);
    this.subscriptionOf.set(id, subscriptionId);
    if (this.subscriptionOf.size > 100_000) this.subscriptionOf.delete(this.subscriptionOf.keys().next().value!);
    await this.o.queue.release(id, Date.now() + this.o.pollMs);
  }

  private async attempt(id: string): Promise<void> {
    const known = this.subscriptionOf.get(id);
    if (known !== undefined && this.busy(known)) return this.giveBack(id, known);
    const d = await this.o.queue.get(id);
    if (!d || d.status !== 'pending') {
      if (d) await this.o.queue.finish(d, this.o.doneTtlMs);
      return;
    }
    if (this.busy(d.subscriptionId)) return this.giveBack(id, d.subscriptionId);
    this.subscriptionOf.delete(id);
    this.inFlightPerSubscription.set(d.subscriptionId, (this.inFlightPerSubscription.get(d.subscriptionId) ?? 0) + 1);
    try {
      await this.deliver(d);
    } finally {
      const left = (this.inFlightPerSubscription.get(d.subscriptionId) ?? 1) - 1;
      if (left > 0) this.inFlightPerSubscription.set(d.subscriptionId, left);
      else this.inFlightPerSubscription.delete(d.subscriptionId);
    }
  }

  private async deliver(d: Delivery): Promise<void> {
    const { queue, store, logger, metrics } = this.o;
    const log = { deliveryId: d.id, subscriptionId: d.subscriptionId, alertId: d.alert?.alertId, kind: d.kind };
    const sub = await store.get(d.subscriptionId);
    if (!sub || !sub.enabled) {
      await queue.finish(
        {
          ...d,
          status: 'dropped',
          lastError: sub ? `subscription disabled${sub.disabledReason ? `: ${sub.disabledReason}` : ''}` : 'subscription deleted',
          doneAt: new Date().toISOString(),
        },
        this.o.doneTtlMs,
      );
      metrics.deliveries.inc({ outcome: 'dropped', target: sub?.target.type ?? 'unknown' });
      logger.info(log, 'delivery dropped: its subscription is disabled or deleted');
      return;
    }
    const alerts = d.kind === 'digest' ? await queue.digestAlerts(d.id) : [d.alert!];
    if (alerts.length === 0) {
      await queue.finish({ ...d, status: 'delivered', doneAt: new Date().toISOString() }, this.o.doneTtlMs);
      return;
    }
    let result: AttemptResult;
    const targetType = sub.target.type;
    try {
      const target = store.resolve(sub);
      const body = payloadFor(d, alerts, target.type, this.o.dashboardBaseUrl);
      const headers: Record<string, string> =
        target.type === 'webhook'
          ? { ...signedHeaders(target.secrets, d.id, Math.floor(Date.now() / 1000), body) }
          : { 'webhook-id': d.id };
      result = await postJson(target.url, body, headers, { timeoutMs: this.o.timeoutMs, guard: this.o.guard });
    } catch (err) {
      // e.g. a secret sealed under another key: no attempt can succeed, so the delivery is dead
      result = { outcome: 'refused', error: `cannot prepare the request: ${(err as Error).message}`, ms: 0 };
    }
    metrics.latency.observe({ target: targetType }, result.ms / 1000);
    const now = Date.now();
    const tried: Delivery = {
      ...d,
      attempts: d.attempts + 1,
      lastAttemptAt: new Date(now).toISOString(),
      lastStatus: result.status,
      lastError: result.error,
    };
    const attemptLog = { ...log, attempt: tried.attempts, status: result.status, ms: result.ms };

    if (result.outcome === 'delivered') {
      await queue.finish({ ...tried, status: 'delivered', lastError: undefined, doneAt: tried.lastAttemptAt }, this.o.doneTtlMs);
      metrics.deliveries.inc({ outcome: 'delivered', target: targetType });
      for (const a of alerts) metrics.endToEnd.observe(Math.max(0, now - Date.parse(a.raisedAt)) / 1000);
      logger.info(attemptLog, 'delivered');
      return;
    }
    if (result.outcome === 'gone') {
      await store.disable(sub.id, `target answered 410 Gone at ${tried.lastAttemptAt}`);
      await queue.finish({ ...tried, status: 'gone', doneAt: tried.lastAttemptAt }, this.o.doneTtlMs);
      metrics.deliveries.inc({ outcome: 'gone', target: targetType });
      logger.warn(attemptLog, 'target answered 410 Gone: subscription disabled');
      return;
    }
    const delay =
      result.outcome === 'refused'
        ? null
        : nextDelayMs(this.o.schedule, tried.attempts, { jitter: this.o.jitter, retryAfterMs: result.retryAfterMs });
    if (delay !== null) {
      const at = now + delay;
      await queue.retryAt({ ...tried, nextAt: new Date(at).toISOString() }, at);
      metrics.deliveries.inc({ outcome: 'retry', target: targetType });
      logger.warn({ ...attemptLog, error: result.error, retryInMs: delay }, 'delivery failed; will retry');
      return;
    }
    const dead: Delivery = { ...tried, status: 'dead', doneAt: tried.lastAttemptAt };
    // the DLQ first: if the process dies in between, the delivery is attempted again, never lost
    await this.o.publishDead(dead, sub.name);
    await queue.bury(dead, now);
    metrics.deliveries.inc({ outcome: result.outcome === 'refused' ? 'refused' : 'dead', target: targetType });
    metrics.dlq.inc();
    logger.error(
      { ...attemptLog, error: result.error },
      result.outcome === 'refused' ? 'delivery refused: sent to the DLQ' : 'last attempt failed: delivery sent to the DLQ',
    );
  }
}
