import { sourceKind, type Announcement, type Country, type IsoDate, type Lang, type RedFlag, type RefData } from '@dualwatch/refdata';
import { suspensionReading, type InForceStatus, type SuspensionReading } from './dates';
import type { LineItem, PartyCandidate } from './evaluate';
import { ItemIndex, type ItemCandidate } from './item-index';
import type { ScreeningMatch } from './reference-view';
import type { EndUseReading } from './rules/types';
import type { Policy } from './policy';
import { normaliseText, TermMatcher, type Negations, type TermHit } from './text';

/** Reference data turned into lookup structures, built once per RefData object and reused. */
export interface CompiledRefData {
  items: ItemIndex;
  announcements: Map<string, Announcement>;
  countries: Map<string, Country>;
  redFlags: Map<string, RedFlag>;
  militaryTerms: TermMatcher<Lang>;
  /** The legal basis of an announcement by id. */
  legalBasis(id: string): string | undefined;
  /** An announcement's citation by id, with the kind of each source URL (official, law firm, press...). */
  citer: Citer;
}

/** Cites an announcement by id ("MOFCOM Ann. 1/2026"); `kinds` gives each source URL its kind, for evidence. */
export interface Citer {
  (id: string): string;
  kinds(urls: readonly string[]): readonly string[];
  /** The kind of one source URL (memoised per URL). */
  kind(url: string): string;
}

/** The free-trade-zone words of one (consignee name, address), chained to the other addresses of that name. */
export interface ConsigneeWords {
  address: string | undefined;
  hits: TermHit<string>[];
  next: ConsigneeWords | undefined;
}

/** What depends on both the reference data and the policy. */
export interface CompiledPolicy {
  negations: Negations;
  intermediaryWords: TermMatcher<string>;
  freeTradeZoneWords: TermMatcher<string>;
  /** The free-trade-zone words of a consignee (rules/red-flags.ts), by name and then address, bounded. */
  freeTradeZoneHits: Map<string, ConsigneeWords>;
  endUseWithheldWords: TermMatcher<string>;
  prc: Set<string>;
  japan: Set<string>;
  /** v2: words that corroborate a broad code family (see policy itemMatch.corroboration). */
  corroboration: { families: string[]; codes: string[]; words: TermMatcher<true>; note: string }[];
  /** v2: class keywords (rare earth, magnet, NdFeB...) that never corroborate a broad code family. */
  genericKeywords?: Set<string>;
  /** v2: civil phrases inside which a military term does not count ("submarine cable"). */
  civilPhrases?: TermMatcher<true>;
  /** End-use statements as the end-use rules read them (rules/end-use.ts readEndUse), by the statement as written, bounded. */
  endUseReadings: Map<string, EndUseReading>;
  /** v2: descriptions that name an uncontrolled material of a family. */
  uncontrolled: { id: string; families: string[]; words: TermMatcher<true>; note: string }[];
  /** v2: the vague words of unidentified lines (Latin words, CJK words longest first). */
  vagueWords?: { latin: Set<string>; cjk: string[] };
  /** Shared origin findings by kind and country (see findOrigin). */
  origins: Map<string, Map<string, { finding: string; basis: string; certainty: number }>>;
  /** How the policy reads suspensions (dates.ts suspensionReading), made once. */
  suspensionReading: SuspensionReading;
  /**
   * A line's item evidence per memoised candidate list, by interval of the as-of date between the status
   * changes of its families (evaluate.ts lineItem), shared and never mutated.
   */
  lineItems: WeakMap<ItemCandidate[], { epochs: IsoDate[]; items: (LineItem | undefined)[] }>;
  /** Party candidates per memoised screening result, by interval of the as-of date (evaluate.ts partyCandidates). */
  partyCandidates: WeakMap<readonly ScreeningMatch[], { epochs: IsoDate[]; items: (PartyCandidate[] | undefined)[] }>;
  /** The Japan ban's status by interval of the as-of date (evaluate.ts banStatusAt). */
  banStatus?: { announcement: Announcement; epochs: IsoDate[]; items: (InForceStatus | undefined)[] };
}

const byRefData = new WeakMap<RefData, CompiledRefData>();
const byPolicy = new WeakMap<RefData, WeakMap<Policy, CompiledPolicy>>();

export function compileRefData(ref: RefData): CompiledRefData {
  let c = byRefData.get(ref);
  if (c) return c;
  const terms: { term: string; value: Lang }[] = [];
  for (const lang of ['en', 'zh', 'ja'] as const)
    for (const term of ref.militaryEndUse?.terms?.[lang] ?? []) terms.push({ term, value: lang });
  const announcements = new Map(ref.announcements.map((a) => [a.id, a]));
  c = {
    items: new ItemIndex(ref.itemFamilies),
    announcements,
    legalBasis: (id) => announcements.get(id)?.legalBasis,
    countries: new Map(ref.countries.map((k) => [k.code, k])),
    redFlags: new Map(ref.redFlags.map((f) => [f.code, f])),
    militaryTerms: new TermMatcher(terms),
    citer: makeCiter(ref),
  };
  byRefData.set(ref, c);
  return c;
}

function compileVague(words: Record<Lang, string[]>): { latin: Set<string>; cjk: string[] } {
  const latin = new Set<string>();
  const cjk: string[] = [];
  for (const lang of ['en', 'zh', 'ja'] as const)
    for (const w of words[lang]) {
      const n = normaliseText(w).trim();
      if (!n) continue;
      if (/^[\p{Script=Latin}0-9 -]+$/u.test(n)) for (const t of n.split(/[ -]+/)) latin.add(t);
      else cjk.push(n);
    }
  return { latin, cjk: cjk.sort((a, b) => b.length - a.length) };
}

function makeCiter(ref: RefData): Citer {
  const announcements = new Map(ref.announcements.map((a) => [a.id, a]));
  const byUrl = new Map<string, string>();
  const kindOf = (u: string): string => {
    let k = byUrl.get(u);
    if (k === undefined) byUrl.set(u, (k = (ref.sourceKinds ? sourceKind(u, ref.sourceKinds) : undefined) ?? 'unclassified'));
    return k;
  };
  // Source lists are the reference data's own arrays: their kinds are worked out once per array and
  // shared (frozen), not mapped again for every reason that cites them.
  const byList = new Map<readonly string[], readonly string[]>();
  const citer = ((id: string) => announcements.get(id)?.citation ?? id) as Citer;
  citer.kinds = (urls) => {
    let kinds = byList.get(urls);
    if (!kinds) byList.set(urls, (kinds = Object.freeze(urls.map(kindOf))));
    return kinds;
  };
  citer.kind = kindOf;
  return citer;
}

export function compilePolicy(ref: RefData, policy: Policy): CompiledPolicy {
  let perRef = byPolicy.get(ref);
  if (!perRef) byPolicy.set(ref, (perRef = new WeakMap()));
  let c = perRef.get(policy);
  if (c) return c;
  const perLang = (words: Record<Lang, string[]>) =>
    new TermMatcher((['en', 'zh', 'ja'] as const).flatMap((lang) => words[lang].map((term) => ({ term, value: true as const }))));
  const flagWords = (codes: string[]) =>
    new TermMatcher(
      codes.flatMap((code) => {
        const flag = ref.redFlags.find((f) => f.code === code);
        return (['en', 'zh', 'ja'] as const).flatMap((lang) => (flag?.keywords?.[lang] ?? []).map((term) => ({ term, value: code })));
      }),
    );
  const m = policy.militaryEndUse;
  c = {
    negations: {
      before: perLang(m.negationsBefore),
      after: perLang(m.negationsAfter),
      prefixes: m.negationPrefixes.map((p) => p.normalize('NFKC').toLowerCase()),
    },
    intermediaryWords: flagWords(policy.redFlagWords.intermediaryEndUser),
    freeTradeZoneWords: flagWords(policy.redFlagWords.freeTradeZone),
    freeTradeZoneHits: new Map(),
    endUseWithheldWords: flagWords(policy.redFlagWords.endUseWithheld),
    prc: new Set(policy.origin.prcCountries),
    genericKeywords: policy.itemMatch.genericKeywords
      ? new Set((['en', 'zh', 'ja'] as const).flatMap((l) => policy.itemMatch.genericKeywords![l].map((w) => normaliseText(w))))
      : undefined,
    civilPhrases: ref.militaryEndUse?.civilPhrases ? perLang(ref.militaryEndUse.civilPhrases) : undefined,
    endUseReadings: new Map(),
    corroboration: (policy.itemMatch.corroboration ?? []).map((c) => ({
      families: c.families,
      codes: c.codes,
      words: perLang(c.words),
      note: c.note,
    })),
    uncontrolled: (policy.uncontrolledMaterials ?? []).map((u) => ({
      id: u.id,
      families: u.families,
      words: perLang(u.words),
      note: u.note,
    })),
    vagueWords: policy.unidentifiedLine ? compileVague(policy.unidentifiedLine.vagueWords) : undefined,
    japan: new Set(policy.japanNexus.countries),
    origins: new Map(),
    suspensionReading: suspensionReading(policy),
    lineItems: new WeakMap(),
    partyCandidates: new WeakMap(),
    banStatus: undefined,
  };
  perRef.set(policy, c);
  return c;
}
