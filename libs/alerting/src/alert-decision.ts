import { createHash } from 'node:crypto';
import { verdictRank, type Alert, type AlertKind, type Assessment, type OrderEvent, type Verdict } from '@dualwatch/contracts';
import type { AlertState, OrderState } from './open-order-book';

/** Stable for one order's exposure under one policy and reference-data version (alert.v1). */
export function alertIdFor(orderId: string, policyVersion: string, refdataVersion: string): string {
  return 'alr-' + createHash('sha256').update(`${orderId}|${policyVersion}|${refdataVersion}`).digest('hex').slice(0, 24);
}

export interface AlertDecision {
  kind: AlertKind | null;
  next: OrderState | null;
}

const reasonCodes = (a: Assessment) => [...new Set(a.reasons.map((r) => r.code))].sort();
const sameFindings = (a: Assessment, prior: AlertState) =>
  a.verdict === prior.verdict && a.score === prior.score && reasonCodes(a).join() === prior.reasonCodes.join();

/**
 * What one assessment means for the order's alert, given what was known before:
 *   cancelled                          → withdrawn (if an alert was open); the order leaves the book
 *   at or above the alert level        → raised (none open), updated (findings changed), nothing (same)
 *   below it                           → withdrawn (if an alert was open: no longer exposed)
 * Shipped orders are assessed and alerted like any other, then leave the book (no longer open).
 */
export function decideAlert(event: OrderEvent, a: Assessment, prior: AlertState | null, minVerdict: Verdict): AlertDecision {
  const alertable = verdictRank(a.verdict) >= verdictRank(minVerdict);
  const wasOpen = !!prior?.alertOpen;
  let kind: AlertKind | null = null;
  if (event.eventType === 'order.cancelled') kind = wasOpen ? 'withdrawn' : null;
  else if (alertable) kind = !wasOpen ? 'raised' : sameFindings(a, prior!) ? null : 'updated';
  else kind = wasOpen ? 'withdrawn' : null;

  const closes = event.eventType === 'order.cancelled' || event.eventType === 'order.shipped';
  const alertOpen = !closes && (kind === 'raised' || kind === 'updated' || (kind === null && wasOpen && alertable));
  const next: OrderState | null = closes
    ? null
    : {
        event,
        verdict: a.verdict,
        severity: a.severity,
        score: a.score,
        reasonCodes: reasonCodes(a),
        alertId: alertOpen ? alertIdFor(a.orderId, a.policyVersion, a.refdataVersion) : null,
        alertOpen,
        policyVersion: a.policyVersion,
        refdataVersion: a.refdataVersion,
      };
  return { kind, next };
}

/** The alert message itself, with the summary dashboards and notifiers show. */
export function buildAlert(
  kind: AlertKind,
  a: Assessment,
  event: OrderEvent,
  prior: AlertState | null,
  raisedAt: string,
  effectiveOn?: string,
): Alert {
  const o = event.order;
  const families = new Set<string>();
  for (const r of a.reasons) {
    const ev = r.evidence as { family?: { name?: string }; familyName?: string } | undefined;
    const name = ev?.family?.name ?? ev?.familyName;
    if (typeof name === 'string') families.add(name);
  }
  const alert: Alert = {
    alertId: kind === 'withdrawn' && prior?.alertId ? prior.alertId : alertIdFor(a.orderId, a.policyVersion, a.refdataVersion),
    kind,
    orderId: a.orderId,
    raisedAt,
    assessment: a,
    summary: {
      seller: o.seller.name,
      buyer: o.buyer.name,
      ...(o.endUser ? { endUser: o.endUser.name } : {}),
      shipTo: o.shipTo,
      itemFamilies: [...families],
    },
  };
  if (prior && prior.verdict !== a.verdict) alert.previousVerdict = prior.verdict;
  if (effectiveOn) alert.effectiveOn = effectiveOn;
  return alert;
}

/**
 * JSON of an alert whose assessment is already serialised (the engine has just written it to the
 * assessments topic): the assessment's JSON is spliced in rather than stringified a second time.
 * Same value as JSON.stringify(alert); only the key order differs (`assessment` comes last).
 */
export function serializeAlert(alert: Alert, assessmentJson: string): string {
  const { assessment: _assessment, ...rest } = alert;
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"assessment":${assessmentJson}}`;
}
