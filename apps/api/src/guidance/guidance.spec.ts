import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadBundledRefData } from '@dualwatch/refdata';
import { assess, createLocalView, generateOrders, loadBundledPolicy, RuleCodes } from '@dualwatch/scoring';
import { Verdicts, type OrderEvent } from '@dualwatch/contracts';
import { publicDir } from '../http/static';

/**
 * The dashboard's words for the scorer's output (apps/api/public/assets/guidance.v1.json): a title
 * and a next step for every reason code, what to do for every verdict, a label for every evidence key.
 */
interface Guidance {
  version: string;
  date: string;
  source: string;
  verdicts: Record<string, { title: string; steps: string[] }>;
  reasons: Record<string, { title: string; next: string }>;
  evidence: Record<string, string>;
  values: Record<string, Record<string, string>>;
}
const guidance: Guidance = JSON.parse(fs.readFileSync(path.join(publicDir(), 'assets', 'guidance.v1.json'), 'utf8'));

/** Every evidence key as a dotted path (array items under their array's name), with the codes that use it. */
function evidenceKeys(o: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(o)) o.forEach((x) => evidenceKeys(x, prefix, out));
  else if (o && typeof o === 'object')
    for (const [k, v] of Object.entries(o)) {
      const name = prefix ? `${prefix}.${k}` : k;
      out.add(name);
      // byCurrency's keys are currency codes, shown as they are
      if (k !== 'byCurrency') evidenceKeys(v, name, out);
    }
  return out;
}

describe('guidance.v1.json', () => {
  it('is versioned, dated and sourced', () => {
    expect(guidance.version).toMatch(/^guidance-\d{4}\.\d{2}\.\d{2}$/);
    expect(guidance.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(guidance.source.length).toBeGreaterThan(40);
  });

  it('has a title and a next step for every reason code the scorer knows, and none it does not', () => {
    const missing = RuleCodes.filter((c) => !guidance.reasons[c]?.title?.trim() || !guidance.reasons[c]?.next?.trim());
    expect(missing).toEqual([]);
    expect(Object.keys(guidance.reasons).filter((c) => !(RuleCodes as readonly string[]).includes(c))).toEqual([]);
    for (const c of RuleCodes) expect(guidance.reasons[c].title).not.toMatch(/_/);
  });

  it('says what to do for every verdict; prohibited: hold, escalate, no licence obtainable', () => {
    for (const v of Verdicts) {
      expect(guidance.verdicts[v]?.title).toBeTruthy();
      expect(guidance.verdicts[v].steps.length).toBeGreaterThan(0);
    }
    const prohibited = guidance.verdicts.prohibited.steps.join(' ');
    expect(prohibited).toMatch(/Hold the shipment/);
    expect(prohibited).toMatch(/Escalate to your export-control officer/);
    expect(prohibited).toMatch(/No licence can be obtained/);
    expect(guidance.verdicts.license_required.steps.join(' ')).toMatch(/until MOFCOM grants/);
  });

  it('labels every evidence key the scorer writes', () => {
    const policy = loadBundledPolicy();
    const view = createLocalView(loadBundledRefData(), policy);
    const dir = path.resolve(__dirname, '../../../../test/fixtures');
    const events: OrderEvent[] = [
      ...['orders/examples.ndjson', 'accuracy/positives.ndjson'].flatMap((f) =>
        fs
          .readFileSync(path.join(dir, f), 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as OrderEvent),
      ),
      ...generateOrders(600, 7),
    ];
    const keys = new Set<string>();
    const codes = new Set<string>();
    for (const e of events)
      for (const asOf of [undefined, '2026-01-10', '2026-12-01']) {
        let a;
        try {
          a = assess(e, view, policy, asOf);
        } catch {
          continue; // an event the fixtures keep invalid on purpose
        }
        for (const r of a.reasons) {
          codes.add(r.code);
          evidenceKeys(r.evidence, '', keys);
        }
      }
    expect(codes.size).toBeGreaterThan(20);
    expect([...keys].filter((k) => !guidance.evidence[k])).toEqual([]);
  });
});
