import { RuleCodes, type RuleCode } from '../policy';
import { evaluate, type LineEvaluation } from '../evaluate';
import { generateOrders } from '../testing/order-generator';
import { bundled } from '../testing/harness';
import { MESSAGES, RULES, STAGES, type EvalContext, type RuleUnit } from './index';

/** The rule table: one unit per rule code, wording for every code, and units that yield only what they declare. */

describe('the rule table', () => {
  it('has every rule code yielded by exactly one unit', () => {
    const owners = new Map<RuleCode, string[]>();
    for (const u of RULES) for (const c of u.codes) owners.set(c, [...(owners.get(c) ?? []), u.name]);
    for (const code of RuleCodes) expect({ code, units: owners.get(code) ?? [] }).toEqual({ code, units: [expect.any(String)] });
    expect([...owners.keys()].filter((c) => !(RuleCodes as readonly string[]).includes(c))).toEqual([]);
  });

  it('has unique unit names, and says what each unit reads', () => {
    const names = RULES.map((u) => u.name);
    expect(new Set(names).size).toBe(names.length);
    for (const u of RULES) expect(u.reads.length).toBeGreaterThan(10);
  });

  it('has wording for every rule code, and for nothing else', () => {
    const keys = Object.keys(MESSAGES);
    for (const code of RuleCodes)
      expect({ code, worded: keys.some((k) => k === code || k.startsWith(`${code}:`)) }).toEqual({ code, worded: true });
    for (const k of keys) expect(RuleCodes).toContain(k.split(':')[0]);
  });

  it('runs units of one stage in one contiguous block of the table', () => {
    const stages = RULES.map((u) => u.stage).filter((s, i, a) => i === 0 || a[i - 1] !== s);
    expect(new Set(stages).size).toBe(stages.length);
  });

  it('has units that say they run on exposed lines only yield nothing on any other line', () => {
    const { view, policy } = bundled();
    const flagged = STAGES.line.filter((u) => u.exposedLinesOnly);
    const always = STAGES.line.find((u) => !u.exposedLinesOnly)!;
    expect(flagged.length).toBeGreaterThan(0);
    // the (context, line) pairs the frame runs line units on, caught by a unit run on every line
    const calls: [EvalContext, LineEvaluation][] = [];
    const original = always.evaluate;
    always.evaluate = (ctx, l) => {
      calls.push([ctx, l]);
      return original.call(always, ctx, l);
    };
    try {
      for (const e of generateOrders(1500, 11)) {
        evaluate(e, view, policy);
        evaluate(e, view, policy, '2026-09-15');
      }
    } finally {
      always.evaluate = original;
    }
    const notExposed = calls.filter(([, l]) => !l.exposed);
    expect(notExposed.length).toBeGreaterThan(100);
    const yielded = notExposed.flatMap(([ctx, l]) => flagged.flatMap((u) => u.evaluate(ctx, l).map((h) => `${u.name}: ${h.code}`)));
    expect(yielded).toEqual([]);
  });

  describe('over generated orders', () => {
    const seen: { unit: string; code: RuleCode }[] = [];
    const originals = new Map<RuleUnit, RuleUnit['evaluate']>();
    beforeAll(() => {
      for (const u of RULES) {
        const evaluateUnit = u.evaluate as (...args: unknown[]) => ReturnType<RuleUnit['evaluate']>;
        originals.set(u, u.evaluate);
        (u as { evaluate: unknown }).evaluate = (...args: unknown[]) => {
          const hits = evaluateUnit.apply(u, args);
          for (const h of hits) seen.push({ unit: u.name, code: h.code });
          return hits;
        };
      }
    });
    afterAll(() => {
      for (const [u, f] of originals) (u as { evaluate: unknown }).evaluate = f;
    });

    it('yields from each unit only the codes it declares', () => {
      const { view, policy } = bundled();
      for (const e of generateOrders(400, 7)) {
        evaluate(e, view, policy);
        evaluate({ ...e, eventType: 'order.cancelled' }, view, policy);
        evaluate(e, view, policy, '2025-12-01');
      }
      expect(seen.length).toBeGreaterThan(0);
      const byName = new Map(RULES.map((u) => [u.name, u]));
      const stray = seen.filter((s) => !byName.get(s.unit)!.codes.includes(s.code));
      expect(stray).toEqual([]);
    });
  });
});
