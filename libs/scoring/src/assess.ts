import { createHash } from 'node:crypto';
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
  return toAssessment(evaluate(event, ref, policy, asOf));
}

/** Deterministic id: the same event under the same policy and reference data at the same date. */
export function assessmentId(eventId: string, orderId: string, asOf: string, policyVersion: string, refdataVersion: string): string {
  const h = createHash('sha256').update(`${eventId}|${orderId}|${asOf}|${policyVersion}|${refdataVersion}`).digest('hex');
  return `asm-${h.slice(0, 32)}`;
}

/** The public Assessment (assessment.v1) of an evaluation. */
export function toAssessment(e: Evaluation): Assessment {
  const a: Assessment = {
    assessmentId: assessmentId(e.eventId, e.orderId, e.asOf, e.policyVersion, e.refdataVersion),
    orderId: e.orderId,
    eventId: e.eventId,
    asOf: e.asOf,
    verdict: e.verdict,
    severity: e.severity,
    score: e.score,
    reasons: e.findings.map((f) => stripUndefined(f.reason)),
    policyVersion: e.policyVersion,
    refdataVersion: e.refdataVersion,
  };
  if (e.exposedValue) a.exposedValue = stripUndefined(e.exposedValue);
  if (e.degraded !== undefined) a.degraded = e.degraded;
  return a;
}

/** The assessment stamped with the time it was made (for the engine and the CLI, not the core). */
export function withAssessedAt(a: Assessment, date: Date = new Date()): Assessment {
  return { ...a, assessedAt: date.toISOString() };
}

/** Drops undefined members so that the JSON is the same whether a field was absent or undefined. */
function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? stripUndefined(v as object) : v;
  }
  return out as T;
}
