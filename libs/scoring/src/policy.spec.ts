import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { jp, orderEvent } from './testing/events';
import { bundled, codes, policyWith, score } from './testing/harness';
import { PolicyError, policyFromObject, RuleCodes } from './policy';
import { bundledPolicyPath, loadBundledPolicy, loadPolicy } from './policy-loader';

/** The policy is data: versioned, validated at load, and the only place verdicts and weights live. */

const atla = orderEvent({ order: { buyer: jp('Acquisition, Technology & Logistics Agency'), endUse: { category: 'unknown' } } });

function writeTemp(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dualwatch-policy-'));
  const file = path.join(dir, 'policy.json');
  fs.writeFileSync(file, content);
  return file;
}
const bundledDoc = () => JSON.parse(fs.readFileSync(bundledPolicyPath(), 'utf8'));

describe('the bundled policy', () => {
  it('loads, and its version is its label plus a content hash', () => {
    const p = loadBundledPolicy();
    expect(p.version).toMatch(/^policy-v2\+[0-9a-f]{12}$/);
    expect(p.alerting.minVerdict).toBe('review');
  });

  it('has a rule for every reason code the engine knows', () => {
    expect(Object.keys(loadBundledPolicy().rules).sort()).toEqual([...RuleCodes].sort());
  });

  it("uses the party matcher's documented thresholds", () => {
    expect(loadBundledPolicy().partyMatch).toEqual({ match: 0.9, possible: 0.8 });
  });

  it('the version changes with any value, and not with key order or whitespace', () => {
    const doc = bundledDoc();
    const reordered = Object.fromEntries(Object.entries(doc).reverse());
    expect(policyFromObject(reordered).version).toBe(loadBundledPolicy().version);
    doc.scoring.saturation = 61;
    expect(policyFromObject(doc).version).not.toBe(loadBundledPolicy().version);
  });
});

describe('rules are switched and weighed in the file, not in code', () => {
  it('disabling PARTY_MILITARY_USER turns the ATLA order from prohibited to review', () => {
    expect(score(atla).verdict).toBe('prohibited');
    const off = policyWith((p) => (p.rules.PARTY_MILITARY_USER.enabled = false));
    const a = score(atla, { policy: off });
    expect(a.verdict).toBe('review');
    expect(codes(a)).not.toContain('PARTY_MILITARY_USER');
  });

  it("a rule's verdict comes from the file (the watch list made prohibited)", () => {
    const strict = policyWith((p) => (p.rules.PARTY_ON_WATCH_LIST.verdict = 'prohibited'));
    expect(score(orderEvent({ order: { buyer: jp('TDK Corporation') } }), { policy: strict }).verdict).toBe('prohibited');
  });

  it('the caps come from the file (PRC content allowed to reach prohibited)', () => {
    const e = orderEvent({
      order: {
        buyer: jp('IHI Aerospace Co., Ltd.'),
        seller: { name: 'Changwon Example Magnetics Co., Ltd.', country: 'KR' },
        shipFrom: 'KR',
      },
      line: { originCountry: 'KR', chinaContentPct: 20 },
    });
    expect(score(e).verdict).toBe('review');
    expect(score(e, { policy: policyWith((p) => (p.caps.prcContentOnly = 'prohibited')) }).verdict).toBe('prohibited');
  });

  it('the supply-risk floor comes from the file', () => {
    const noFloor = policyWith((p) => delete p.rules.SUPPLY_RISK_JAPAN.severityFloor);
    expect(score(orderEvent(), { policy: noFloor }).severity).toBe('none');
  });

  it('a weight changes the score, never the verdict', () => {
    const heavy = policyWith((p) => (p.rules.PARTY_MILITARY_USER.weight = 100));
    const a = score(atla, { policy: heavy });
    expect(a.verdict).toBe('prohibited');
    expect(a.score).toBeGreaterThan(score(atla).score);
  });
});

describe('a broken policy file is rejected with a message naming the field', () => {
  it('a weight that is not a number', () => {
    const doc = bundledDoc();
    doc.rules.PARTY_ON_WATCH_LIST.weight = 'heavy';
    expect(() => loadPolicy(writeTemp(JSON.stringify(doc)))).toThrow(/\/rules\/PARTY_ON_WATCH_LIST\/weight/);
  });

  it('an unknown verdict', () => {
    const doc = bundledDoc();
    doc.rules.END_USE_MISSING.verdict = 'blocked';
    expect(() => policyFromObject(doc)).toThrow(/\/rules\/END_USE_MISSING\/verdict/);
  });

  it('a missing rule', () => {
    const doc = bundledDoc();
    delete doc.rules.RED_FLAG_FREE_TRADE_ZONE;
    expect(() => policyFromObject(doc)).toThrow(/\/rules\/RED_FLAG_FREE_TRADE_ZONE/);
  });

  it('a rule the engine does not know', () => {
    const doc = bundledDoc();
    doc.rules.PARTY_IS_SUSPICIOUS = { enabled: true, verdict: 'review', weight: 1, description: 'x' };
    expect(() => policyFromObject(doc)).toThrow(/\/rules\/PARTY_IS_SUSPICIOUS/);
  });

  it('a possible threshold above the match threshold', () => {
    const doc = bundledDoc();
    doc.partyMatch.possible = 0.95;
    expect(() => policyFromObject(doc)).toThrow(/\/partyMatch\/possible/);
  });

  it('a threshold out of range', () => {
    const doc = bundledDoc();
    doc.partyMatch.match = 1.5;
    expect(() => policyFromObject(doc)).toThrow(/\/partyMatch\/match/);
  });

  it('a file that is not JSON, naming the file', () => {
    const file = writeTemp('{ "label": ');
    expect(() => loadPolicy(file)).toThrow(PolicyError);
    expect(() => loadPolicy(file)).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not JSON`));
  });

  it('a file that does not exist', () => {
    expect(() => loadPolicy('/nonexistent/policy.json')).toThrow(/cannot read policy file/);
  });

  it('a policy naming a ban announcement the reference data lacks fails loudly when used', () => {
    const p = policyWith((d) => (d.japanBan.announcement = 'MOFCOM-2099-1'));
    expect(() => score(orderEvent(), { policy: p })).toThrow(/MOFCOM-2099-1/);
  });

  it('the bundled reference data has the ban announcement the bundled policy names', () => {
    expect(bundled().refdata.announcements.map((a) => a.id)).toContain(loadBundledPolicy().japanBan.announcement);
  });
});
