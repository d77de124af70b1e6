import type { Announcement, Country, Lang, RedFlag, RefData } from '@dualwatch/refdata';
import { ItemIndex } from './item-index';
import type { Policy } from './policy';
import { TermMatcher } from './text';

/** Reference data turned into lookup structures, built once per RefData object and reused. */
export interface CompiledRefData {
  items: ItemIndex;
  announcements: Map<string, Announcement>;
  countries: Map<string, Country>;
  redFlags: Map<string, RedFlag>;
  militaryTerms: TermMatcher<Lang>;
}

/** What depends on both the reference data and the policy. */
export interface CompiledPolicy {
  negations: TermMatcher<true>;
  intermediaryWords: TermMatcher<string>;
  prc: Set<string>;
  japan: Set<string>;
}

const byRefData = new WeakMap<RefData, CompiledRefData>();
const byPolicy = new WeakMap<RefData, WeakMap<Policy, CompiledPolicy>>();

export function compileRefData(ref: RefData): CompiledRefData {
  let c = byRefData.get(ref);
  if (c) return c;
  const terms: { term: string; value: Lang }[] = [];
  for (const lang of ['en', 'zh', 'ja'] as const) for (const term of ref.militaryEndUse?.terms?.[lang] ?? []) terms.push({ term, value: lang });
  c = {
    items: new ItemIndex(ref.itemFamilies),
    announcements: new Map(ref.announcements.map((a) => [a.id, a])),
    countries: new Map(ref.countries.map((k) => [k.code, k])),
    redFlags: new Map(ref.redFlags.map((f) => [f.code, f])),
    militaryTerms: new TermMatcher(terms),
  };
  byRefData.set(ref, c);
  return c;
}

export function compilePolicy(ref: RefData, policy: Policy): CompiledPolicy {
  let perRef = byPolicy.get(ref);
  if (!perRef) byPolicy.set(ref, (perRef = new WeakMap()));
  let c = perRef.get(policy);
  if (c) return c;
  const neg: { term: string; value: true }[] = [];
  for (const lang of ['en', 'zh', 'ja'] as const) for (const term of policy.militaryEndUse.negations[lang]) neg.push({ term, value: true });
  const words: { term: string; value: string }[] = [];
  for (const code of policy.intermediaries.redFlagKeywordsFrom) {
    const flag = ref.redFlags.find((f) => f.code === code);
    for (const lang of ['en', 'zh', 'ja'] as const) for (const term of flag?.keywords?.[lang] ?? []) words.push({ term, value: code });
  }
  c = {
    negations: new TermMatcher(neg),
    intermediaryWords: new TermMatcher(words),
    prc: new Set(policy.origin.prcCountries),
    japan: new Set(policy.japanNexus.countries),
  };
  perRef.set(policy, c);
  return c;
}
