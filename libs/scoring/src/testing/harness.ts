import { assessmentValidator, describeIssues, type Assessment, type OrderEvent, type Reason } from '@dualwatch/contracts';
import { loadBundledRefData, type RefData } from '@dualwatch/refdata';
import { assess } from '../assess';
import { evaluate, type Evaluation } from '../evaluate';
import { policyFromObject, type Policy, type PolicyDocument } from '../policy';
import { loadBundledPolicy } from '../policy-loader';
import { createLocalView, type ReferenceView } from '../reference-view';

/**
 * The bundled reference data and policy, and shorthands for the specs. `score` asserts on the way
 * that the assessment is a valid assessment.v1, so every test also proves the output contract.
 */

let cached: { refdata: RefData; policy: Policy; view: ReferenceView } | undefined;
export function bundled(): { refdata: RefData; policy: Policy; view: ReferenceView } {
  if (!cached) {
    const refdata = loadBundledRefData();
    const policy = loadBundledPolicy();
    cached = { refdata, policy, view: createLocalView(refdata, policy) };
  }
  return cached;
}

/** The bundled policy with some fields changed (a new version). */
export function policyWith(change: (doc: PolicyDocument) => void): Policy {
  const { version: _v, ...doc } = structuredClone(bundled().policy) as Policy;
  change(doc);
  return policyFromObject(doc);
}

export function score(event: OrderEvent, opts: { asOf?: string; policy?: Policy; view?: ReferenceView } = {}): Assessment {
  const b = bundled();
  const policy = opts.policy ?? b.policy;
  const view = opts.view ?? (opts.policy ? createLocalView(b.refdata, policy) : b.view);
  const a = assess(event, view, policy, opts.asOf);
  const v = assessmentValidator.validate(a);
  if (!v.ok) throw new Error(`assessment does not validate against assessment.v1: ${describeIssues(v.issues)}`);
  return a;
}

export function explain(event: OrderEvent, opts: { asOf?: string; policy?: Policy } = {}): Evaluation {
  const b = bundled();
  const policy = opts.policy ?? b.policy;
  return evaluate(event, opts.policy ? createLocalView(b.refdata, policy) : b.view, policy, opts.asOf);
}

export const codes = (a: Assessment): string[] => a.reasons.map((r) => r.code);
export const reason = (a: Assessment, code: string): Reason | undefined => a.reasons.find((r) => r.code === code);
export function must(a: Assessment, code: string): Reason {
  const r = reason(a, code);
  if (!r) throw new Error(`expected reason ${code}, got ${codes(a).join(', ') || 'none'}`);
  return r;
}
