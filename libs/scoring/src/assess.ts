import * as crypto from 'node:crypto';
import type { Assessment, OrderEvent } from '@dualwatch/contracts';
import { evaluate, type Evaluation } from './evaluate';
import type { Policy } from './policy';
import type { ReferenceView } from './reference-view';

/**
 * The exposure verdict for one order event: pure and deterministic. The same event, reference data,
 * policy and as-of date always give the same assessment, id included; `assessedAt` is left to the
 * caller (see withAssessedAt), since reading the clock here would break that.
 */
export function assess(event: OrderEvent, ref: ReferenceView, policy: Policy, asOf?: string): Assessment {
  return toAssessment(evaluate(event, ref, policy, asOf, FAST));
}

const FAST = { explain: false };

/** Deterministic id: the same event under the same policy and reference data at the same date. */
export function assessmentId(eventId: string, orderId: string, asOf: string, policyVersion: string, refdataVersion: string): string {
  return `asm-${sha256hex(`${eventId}|${orderId}|${asOf}|${policyVersion}|${refdataVersion}`).slice(0, 32)}`;
}

// crypto.hash (Node ≥ 20.12) hashes in one call, without a Hash object per assessment.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;
const sha256hex = oneShot ? (s: string) => oneShot('sha256', s, 'hex') : (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** The public Assessment (assessment.v1) of an evaluation. Treat it as immutable: evidence shares arrays with the reference data. */
export function toAssessment(e: Evaluation): Assessment {
  const reasons = new Array(e.findings.length);
  for (let i = 0; i < reasons.length; i++) reasons[i] = e.findings[i].reason;
  const a: Assessment = {
    assessmentId: assessmentId(e.eventId, e.orderId, e.asOf, e.policyVersion, e.refdataVersion),
    orderId: e.orderId,
    eventId: e.eventId,
    asOf: e.asOf,
    verdict: e.verdict,
    severity: e.severity,
    score: e.score,
    reasons,
    policyVersion: e.policyVersion,
    refdataVersion: e.refdataVersion,
  };
  if (e.exposedValue)
    a.exposedValue =
      e.exposedValue.currency === undefined
        ? { amount: e.exposedValue.amount }
        : { amount: e.exposedValue.amount, currency: e.exposedValue.currency };
  // present only when it is true: a normal assessment is the same from the engine and from the CLI
  if (e.degraded) a.degraded = true;
  return a;
}

/** The assessment stamped with the time it was made (for the engine and the CLI, not the core). */
export function withAssessedAt(a: Assessment, date: Date = new Date()): Assessment {
  return { ...a, assessedAt: date.toISOString() };
}
