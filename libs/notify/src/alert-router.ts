import { alertValidator, describeIssues, type Alert } from '@dualwatch/contracts';
import type { DeliveryQueue } from './delivery-queue';
import { matches, type Subscription } from './subscription';

export const MAX_ALERT_BYTES = 1024 * 1024;

export type AlertParse = { ok: true; alert: Alert } | { ok: false; error: string };

/** Bytes → a valid alert, or why not. Never throws. */
export function parseAlert(value: Buffer | null): AlertParse {
  if (!value) return { ok: false, error: 'empty message (null value)' };
  if (value.length > MAX_ALERT_BYTES) return { ok: false, error: `message of ${value.length} bytes exceeds ${MAX_ALERT_BYTES}` };
  let doc: unknown;
  try {
    doc = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  const r = alertValidator.validate(doc);
  return r.ok ? { ok: true, alert: r.value } : { ok: false, error: `not an alert.v1: ${describeIssues(r.issues)}` };
}

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
