import * as fs from 'node:fs';
import * as path from 'node:path';
import { assessmentValidator, contractSchemaPath, orderEventValidator, parseOrderEvent, type OrderEvent } from '@dualwatch/contracts';
import { loadBundledRefData } from '@dualwatch/refdata';
import { assess, toAssessment, withAssessedAt } from './assess';
import { evaluate } from './evaluate';
import { createLocalView } from './reference-view';
import { generateOrders } from './testing/order-generator';
import { orderEvent } from './testing/events';
import { bundled, codes, policyWith, score } from './testing/harness';

/** The public contract of an assessment: the examples' verdicts, validity, determinism, purity. */

const examplesDir = contractSchemaPath('examples');
const example = (file: string): OrderEvent => {
  const r = parseOrderEvent(fs.readFileSync(path.join(examplesDir, file), 'utf8'));
  if (!r.ok) throw new Error(r.error);
  return r.event;
};

describe('the published examples get the verdict in their file names', () => {
  it('prohibited-dysprosium-to-atla.json → prohibited (ATLA is a Japanese military user)', () => {
    const a = score(example('prohibited-dysprosium-to-atla.json'));
    expect(a).toMatchObject({
      verdict: 'prohibited',
      severity: 'critical',
      orderId: 'PO-2026-0001',
      eventId: 'evt-0001',
      asOf: '2026-03-20',
    });
    expect(a.reasons[0].code).toBe('PARTY_MILITARY_USER');
    expect(codes(a)).toEqual(expect.arrayContaining(['CONTROLLED_ITEM', 'END_USE_UNKNOWN', 'SUPPLY_RISK_JAPAN']));
    expect(a.exposedValue).toEqual({ amount: 19000, currency: 'USD' });
  });

  it('license-required-magnets-via-korea.json → license_required (TDK on the watch list, re-exported from Korea)', () => {
    const a = score(example('license-required-magnets-via-korea.json'));
    expect(a).toMatchObject({ verdict: 'license_required', severity: 'high' });
    expect(a.reasons[0].code).toBe('PARTY_ON_WATCH_LIST');
    expect(codes(a)).toContain('REEXPORT_OF_PRC_ORIGIN');
    expect(a.exposedValue).toEqual({ amount: 6200, currency: 'USD' });
  });

  it('clear-copper-to-osaka.json → clear (copper is not a controlled item)', () => {
    const a = score(example('clear-copper-to-osaka.json'));
    expect(a).toMatchObject({ verdict: 'clear', severity: 'none', reasons: [] });
  });
});

describe('every assessment is a valid assessment.v1', () => {
  it('for 3,000 generated orders across every date, list and item of the reference data', () => {
    const { policy, view } = bundled();
    const orders = generateOrders(3000, 7);
    const verdicts = new Set<string>();
    for (const o of orders) {
      expect(orderEventValidator.check(o)).toBe(true);
      const a = assess(o, view, policy);
      if (!assessmentValidator.check(a))
        throw new Error(
          `${o.order.orderId}: ${JSON.stringify([...(assessmentValidator.validate(a).ok ? [] : (assessmentValidator.validate(a) as { issues: unknown[] }).issues)])}`,
        );
      verdicts.add(a.verdict);
    }
    expect([...verdicts].sort()).toEqual(['clear', 'license_required', 'prohibited', 'review']);
  });

  it('every reason names its line and/or party role, and carries a message', () => {
    const { policy, view } = bundled();
    for (const o of generateOrders(1000, 17)) {
      for (const r of assess(o, view, policy).reasons) {
        expect(r.message.length).toBeGreaterThan(20);
        if (r.lineId === undefined && r.partyRole === undefined)
          throw new Error(`${o.order.orderId}: ${r.code} names neither a line nor a party`);
      }
    }
  });

  it('holds no undefined members: what is assessed is what is serialised', () => {
    const { policy, view } = bundled();
    for (const o of generateOrders(500, 11)) {
      const a = assess(o, view, policy);
      expect(JSON.parse(JSON.stringify(a))).toStrictEqual(a);
    }
  });

  it('the full evaluation (explain) and the fast path (assess) agree on every order', () => {
    const { policy, view } = bundled();
    for (const o of generateOrders(1000, 13)) {
      expect(toAssessment(evaluate(o, view, policy))).toEqual(assess(o, view, policy));
    }
  });

  it('with assessedAt added by the caller', () => {
    const a = withAssessedAt(score(orderEvent()), new Date('2026-03-02T09:15:01Z'));
    expect(a.assessedAt).toBe('2026-03-02T09:15:01.000Z');
    expect(assessmentValidator.check(a)).toBe(true);
  });
});

describe('determinism and purity', () => {
  const event = example('prohibited-dysprosium-to-atla.json');

  it('the same input gives an identical assessment, id included, and no assessedAt', () => {
    const a = score(event);
    const b = score(JSON.parse(JSON.stringify(event)));
    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.assessmentId).toMatch(/^asm-[0-9a-f]{32}$/);
    expect(a.assessedAt).toBeUndefined();
  });

  it('a fresh view over a fresh load of the reference data gives the same assessment', () => {
    const { policy } = bundled();
    expect(assess(event, createLocalView(loadBundledRefData(), policy), policy)).toEqual(score(event));
  });

  it('does not change the event it is given', () => {
    const copy = JSON.parse(JSON.stringify(event));
    score(event);
    expect(event).toEqual(copy);
  });

  it('a different policy version gives a different assessment id (and records the version)', () => {
    const other = policyWith((p) => (p.rules.END_USE_UNKNOWN.weight = 9));
    const a = score(event);
    const b = score(event, { policy: other });
    expect(b.policyVersion).not.toBe(a.policyVersion);
    expect(b.assessmentId).not.toBe(a.assessmentId);
  });

  it('a different as-of date gives a different assessment id', () => {
    expect(score(event, { asOf: '2026-04-01' }).assessmentId).not.toBe(score(event).assessmentId);
  });

  it('records the reference-data version and the degraded flag of the view', () => {
    const { refdata, policy } = bundled();
    const a = assess(event, createLocalView(refdata, policy, { degraded: true }), policy);
    expect(a.refdataVersion).toBe(refdata.version);
    expect(a.degraded).toBe(true);
    expect(score(event).degraded).toBeUndefined();
  });
});

describe('generateOrders: the seeded workload of the benchmarks and tests', () => {
  it('is the same for the same seed, and averages three lines per order', () => {
    const a = generateOrders(10_000, 42);
    expect(generateOrders(50, 42)).toEqual(a.slice(0, 50));
    const mean = a.reduce((n, o) => n + o.order.lines.length, 0) / a.length;
    expect(mean).toBeGreaterThan(2.9);
    expect(mean).toBeLessThan(3.1);
  });
});
