import * as crypto from 'node:crypto';
import type { OrderEvent } from '@dualwatch/contracts';
import { assess } from './assess';
import { evaluate } from './evaluate';
import { loadPolicy, bundledPolicyPath } from './policy-loader';
import { createLocalView } from './reference-view';
import { generateOrders } from './testing/order-generator';
import { bundled } from './testing/harness';

/**
 * Golden output of the scoring core: the exact bytes of the assessments of a generated workload (the
 * benchmark's, seed 42, passed through JSON as events arrive), under both bundled policies and at a few
 * as-of dates, and of the explained evaluations. A speed-up of the core must not change a byte; a change
 * of wording, evidence or policy changes these hashes on purpose (update them in the same commit).
 */

const sha = (parts: string[]) => crypto.createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
/** Reference-data objects in an evaluation are named by id (they are the same objects every time). */
const byId = (k: string, v: unknown) =>
  (k === 'family' || k === 'entry' || k === 'announcement') && v !== null && typeof v === 'object' ? `@${(v as { id: string }).id}` : v;

const orders: OrderEvent[] = generateOrders(3000, 42).map((o) => JSON.parse(JSON.stringify(o)) as OrderEvent);

describe('golden output of the scoring core (3,000 generated orders, seed 42)', () => {
  const { refdata, policy, view } = bundled();

  it('policy v2: assessments byte for byte', () => {
    expect(sha(orders.map((o) => JSON.stringify(assess(o, view, policy))))).toBe('1a9d5dc7162a40f0');
  });

  it('policy v2: assessments at other as-of dates', () => {
    const hashes = ['2025-06-01', '2026-02-01', '2026-09-15', '2027-03-01'].map((d) =>
      sha(orders.slice(0, 1000).map((o) => JSON.stringify(assess(o, view, policy, d)))),
    );
    expect(hashes).toEqual(['9d9479adabc15a60', '494b6f6353574d12', '54d5c32784295a71', 'f4727a22731124be']);
  });

  it('policy v2: explained evaluations (every line, every finding)', () => {
    expect(sha(orders.slice(0, 1000).map((o) => JSON.stringify(evaluate(o, view, policy), byId)))).toBe('3b3e67fa909407be');
  });

  it('policy v1: assessments byte for byte', () => {
    const v1 = loadPolicy(bundledPolicyPath('policy.v1.json'));
    const v1view = createLocalView(refdata, v1);
    expect(sha(orders.map((o) => JSON.stringify(assess(o, v1view, v1))))).toBe('5bffff64c8edd915');
  });
});
