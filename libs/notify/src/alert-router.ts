import type { Alert } from '@dualwatch/contracts';
import type { DeliveryQueue } from './delivery-queue';
import { matches, type Subscription } from './subscription';

export { MAX_ALERT_BYTES, parseAlert, type AlertParse } from '@dualwatch/contracts';

export interface RouteOptions {
  maxPerWindow: number;
  windowMs: number;
  doneTtlMs: number;
  now?: number;
}

/**
 * Schedules one alert for every enabled subscription whose filter it matches (durably, in Redis,
 * idempotently): once this resolves the alert's offset may be committed.
 */
export async function routeAlert(
  alert: Alert,
  subscriptions: Subscription[],
  queue: DeliveryQueue,
  o: RouteOptions,
): Promise<{ subscriptionId: string; mode: 'direct' | 'digest' | 'exists' }[]> {
  const subs = subscriptions.filter((s) => s.enabled && matches(s.filter, alert));
  const now = o.now ?? Date.now();
  const immediate = alert.assessment.severity === 'critical';
  const out: { subscriptionId: string; mode: 'direct' | 'digest' | 'exists' }[] = [];
  for (const s of subs) {
    const mode = await queue.schedule(alert, s.id, {
      now,
      immediate,
      maxPerWindow: o.maxPerWindow,
      windowMs: o.windowMs,
      doneTtlMs: o.doneTtlMs,
    });
    out.push({ subscriptionId: s.id, mode });
  }
  return out;
}
