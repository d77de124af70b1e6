import type { LegalForms, ListedParty, PartyListKind } from '../model';
import { isValidJpCorporateNumber, normalizeJpCorporateNumber } from './corporate-number';
import {
  compileVocabulary,
  foldForSearch,
  isCjkChar,
  nameFeatures,
  normalizeName,
  type Feature,
  type NameFeatures,
  type TokenVocabulary,
} from './normalize';
import { trigrams, typoSimilarity } from './similarity';

/**
 * The party matcher: screens a party name (any script) against the listed parties.
 *
 * Scoring, in order:
 *  1. corporate number: a valid 13-digit 法人番号 equal to an entry's → 1.0 (method corporate_number).
 *  2. exact: the normalised name (legal forms out, case, punctuation, full-width, CJK variants folded)
 *     equals one of the entry's names or aliases, word order ignored, or equals it with spaces removed
 *     → 1.0 (method exact for names.en/zh/ja, alias for an alias).
 *  3. fuzzy: an IDF-weighted soft Dice coefficient over features (Latin tokens and CJK character bigrams):
 *       w(f)      = ln((N+1)/(df(f)+0.5)), N entries, df the entries whose names contain f; unseen
 *                   query features get the largest weight (they are evidence of a different name);
 *                   one-letter tokens count half, two-letter ones 0.8;
 *       pairing   = equal features, then leftover Latin words of ≥5 letters paired as typos on their
 *                   unstemmed forms (Jaro-Winkler ≥ 0.94, or one edit apart in words of ≥8 letters:
 *                   "industires" ~ "industries", "engneering" ~ "engineering"), credited sim × w;
 *       Dice      = 2·shared / (W(query) + W(name));
 *       omission  = when ≥2 distinctive features match and one side only adds weak words (Japan,
 *                   Industries, Group, Holdings, 集团...), those words count a quarter;
 *       substitution = when both sides keep unmatched features, Dice × (1 − min(uq, un)), u the unmatched
 *                   share of each side: "Kawasaki Kisen Kaisha" vs "Kawasaki Heavy Industries" share a
 *                   word, differ in the rest, and fall far below the thresholds;
 *       truncation = when the query lacks distinctive words of the name (and adds none), Dice × (1 − ½·share
 *                   of the missing distinctive weight): "Mitsui Bussan" is not "Mitsui Bussan Aerospace";
 *       extension  = likewise when the query adds distinctive words and does not hold the name as a
 *                   phrase: "Tokyo University of Science" is not "Science Tokyo";
 *       one word   = a fuzzy match with fewer than two distinctive features in common is capped at 0.70
 *                   unless the query is the whole name plus weak or unit words ("TDK Corporation (Japan)"):
 *                   "Nissin Corporation" is not "Nissin Electric", "東芝テック" is not "東芝";
 *       containment = the whole entry name, as a phrase (its words contiguous, in order or in another order
 *                   of the same words), inside a longer query. What the other words are decides (policy v2,
 *                   "a name as companies and agencies write it is still the entity"):
 *                   - only qualifiers (unit words: plant, works, office, branch, division, internal company,
 *                     bureau, centre, school, command, unit, base, depot, 工場, 製作所, 事業所, 師団, 隊群...),
 *                     numbers, country or region words of an office abroad, a country prefix ("Japan",
 *                     "日本国"), the name of the entry's parent (`related`), or the entry's own other names:
 *                     0.95-0.99, a certain match ("JGSDF 1st Division", "日本国 防衛省", "三菱重工業 三菱造船");
 *                   - a qualifier plus a few place or division words (≤ 4 Latin words, ≤ 12 CJK characters):
 *                     0.91-0.945, certain ("IHI Aerospace Tomioka Plant", "株式会社SUBARU 群馬製作所"), except
 *                     for a one-word name that unrelated entities share ("Mitsui") or CJK characters glued in
 *                     front of the name (消防大学校 is not 防大 + 学校): 0.86, possible;
 *                   - otherwise, for entry names with at least two distinctive (non-weak) features worth about 1.4
 *                     rare words, 0.80 + 0.09·(shared share of the query): possible, never certain
 *                     ("Mitsubishi Materials Trading" ~ Mitsubishi Materials; not "Toshiba Tec" ~ Toshiba).
 *     Fuzzy scores are capped at 0.99 (1.0 is reserved for exact and corporate-number matches). CJK remainders
 *     around a listed name are read as strings (a bigram across the boundary says nothing).
 *  4. adjustments: wherever it sits (v2), a party abroad is the same entity as the Japanese entry (an office,
 *     branch or subsidiary abroad), except a military-user name with nothing tying it to Japan (no "Japan",
 *     "JSDF", "自衛", "防衛"... in the party's name, `japanMarkers` in legal-forms.json): "Ministry of Defense" in GB
 *     may be another country's ministry, so it is capped at 0.85, a possible match for a person to check. A
 *     valid corporate number that differs from the entry's caps a name match at 0.85. A name written without
 *     spaces matches with its legal form glued on ("KawasakiHeavyIndustriesAerospaceSystemsCompany") or its "and".
 *
 * Thresholds (DEFAULT_MATCH_THRESHOLDS): ≥ 0.90 a match, 0.80-0.90 a possible match. The scoring policy
 * holds the ones in force and passes them in.
 *
 * Index: exact keys → names; feature → names (postings); a trigram index over the Latin vocabulary for
 * typo pairing. A lookup walks the postings of the query's features, except those of very common
 * features (in more than max(32, 2 %) of the entries), and fully scores only the names that already
 * cover half their (uncommon) weight: it never scans every entry (see `stats`).
 */

export type PartyMatchMethod = 'corporate_number' | 'exact' | 'alias' | 'fuzzy';

export interface PartyMatch {
  entry: ListedParty;
  /** 0..1 */
  score: number;
  method: PartyMatchMethod;
  /** The entry's name or alias that matched (for a corporate-number match, its English name). */
  matchedName: string;
  /** Why, in words: what was equal, similar, missing or extra. */
  why: string;
}

export interface PartyMatchQuery {
  name: string;
  country?: string;
  jpCorporateNumber?: string;
}

export interface MatchThresholds {
  /** At or above: a match. */
  match: number;
  /** At or above (and below match): a possible match. */
  possible: number;
}

export const DEFAULT_MATCH_THRESHOLDS: Readonly<MatchThresholds> = Object.freeze({ match: 0.9, possible: 0.8 });

export type MatchBand = 'match' | 'possible' | 'none';

export function matchBand(score: number, thresholds: MatchThresholds = DEFAULT_MATCH_THRESHOLDS): MatchBand {
  return score >= thresholds.match ? 'match' : score >= thresholds.possible ? 'possible' : 'none';
}

export interface PartyMatcherOptions {
  /** Lowest score returned (default: the possible threshold, 0.80). */
  minScore?: number;
  /** Most results returned per lookup (default 10). */
  maxResults?: number;
  /** Jaro-Winkler similarity from which two unequal Latin tokens pair up (default 0.94). */
  softTokenThreshold?: number;
}

/** Counters for tests and metrics. */
export interface PartyMatcherStats {
  lookups: number;
  /** Postings (feature → name) walked. */
  postingsVisited: number;
  /** Entries fully scored (fuzzy), over all lookups. */
  entriesScored: number;
  /** The last lookup: entries reached through the index, entries fully scored. */
  last: { entriesReached: number; entriesScored: number };
}

interface Variant {
  entry: number;
  text: string;
  kind: 'name' | 'alias';
  latinSeq: string[];
  cjkRuns: string[];
  features: Feature[];
  /** feature key → position in `features` */
  index: Map<string, number>;
  weights: number[];
  total: number;
  /** Weight and number of the non-weak features. */
  distinctive: number;
  distinctiveCount: number;
  /** Weight of the features too common to be walked in the index (see commonDf). */
  common: number;
}

const LIST_RANK: Record<PartyListKind, number> = { control_list: 0, military_user: 1, watch_list: 2, defence_nexus: 3 };
const METHOD_RANK: Record<PartyMatchMethod, number> = { corporate_number: 0, exact: 1, alias: 2, fuzzy: 3 };
const MIN_SOFT_LEN = 5;
const FUZZY_CAP = 0.99;
/** A generic government name ("Ministry of Defense") abroad with nothing tying it to Japan: at most a possible match. */
const FOREIGN_GENERIC_CAP = 0.85;
const OTHER_NUMBER_CAP = 0.85;
const OMITTED_WEAK_FACTOR = 0.25;
const OMITTED_DISTINCTIVE_FACTOR = 0.5;
const SINGLE_WORD_CAP = 0.7;
/** A listed name plus a qualifier (plant, office, 工場, 師団...) and a few place or division words: a certain match. */
const QUALIFIED_SCORE = 0.91;
const QUALIFIED_SPECIFICITY = 0.035;
const SINGLE_WORD_QUALIFIED = 0.86;
const MAX_QUALIFIED_LATIN = 4;
const MAX_QUALIFIED_CJK = 12;
const ORDINAL_OR_NUMBER = /^[0-9]+(st|nd|rd|th)?$/;

function lengthFactor(f: Feature): number {
  if (!f.latin) return 1;
  return f.text.length === 1 ? 0.5 : f.text.length === 2 ? 0.8 : 1;
}

/** A vocabulary feature a query word may be a typo of. */
interface SoftAlt {
  key: string;
  sim: number;
}

function isSoftWord(w: string): boolean {
  return w.length >= MIN_SOFT_LEN && /^[a-z]+$/.test(w);
}

interface Scored {
  score: number;
  /** Built only for the candidates that are returned. */
  why: () => string;
}

export class PartyMatcher {
  readonly stats: PartyMatcherStats = { lookups: 0, postingsVisited: 0, entriesScored: 0, last: { entriesReached: 0, entriesScored: 0 } };
  private readonly minScore: number;
  private readonly maxResults: number;
  private readonly softThreshold: number;
  private readonly variants: Variant[] = [];
  private readonly byKey = new Map<string, number[]>();
  private readonly byCompact = new Map<string, number[]>();
  private readonly postings = new Map<string, number[]>();
  private readonly df = new Map<string, number>();
  private readonly byNumber = new Map<string, number[]>();
  /** Latin vocabulary (unstemmed words of ≥ MIN_SOFT_LEN letters) by trigram, and each word's feature key, for typo pairing. */
  private readonly vocabByTrigram = new Map<string, string[]>();
  private readonly vocabKey = new Map<string, string>();
  private readonly n: number;
  /** The names of each entry (variant indexes): a query that adds another whole name of the same entry ("(JAXA)") adds nothing. */
  private readonly entryVariants: number[][] = [];
  /** Per entry: the features of its parents' names (a parent's name in front of a listed name is the same entity). */
  private readonly parentKeys: Set<string>[] = [];
  /** Country-prefix features ("japan", "日本"): a prefix, not a different party. */
  private readonly countryPrefix: Set<string>;
  /** The CJK country prefixes (日本国, 日本), longest first, and each entry's parents' CJK names. */
  private readonly cjkPrefixes: string[];
  private readonly parentCjk: string[][] = [];
  /** Per entry: the entries tied to it by a `related` link, either way (its group). */
  private readonly relatedOf: Set<number>[] = [];
  /** Lazily built per entry: its names' CJK runs, its CJK prefixes; and sharedWithOthers answers. */
  private readonly ownCjkCache: string[][] = [];
  private readonly prefixCache: string[][] = [];
  private readonly sharedCache = new Map<string, boolean>();
  private readonly vocab: TokenVocabulary;
  /** Latin legal forms without spaces or punctuation ("coltd", "corporation"), longest first. */
  private readonly compactForms: string[];
  /** Words that tie a name to Japan (jurisdiction markers): a military-user name with none of them is generic abroad. */
  private readonly japanMarkers: string[];

  constructor(
    private readonly entries: readonly ListedParty[],
    private readonly legalForms: LegalForms,
    options: PartyMatcherOptions = {},
  ) {
    this.minScore = options.minScore ?? DEFAULT_MATCH_THRESHOLDS.possible;
    this.maxResults = options.maxResults ?? 10;
    this.softThreshold = options.softTokenThreshold ?? 0.94;
    this.n = entries.length;

    const pending: { entry: number; text: string; kind: 'name' | 'alias'; nf: NameFeatures }[] = [];
    const extraCompacts: { entry: number; compact: string; text: string }[] = [];
    entries.forEach((e, i) => {
      const texts: { text: string; kind: 'name' | 'alias' }[] = [];
      for (const t of [e.names.en, e.names.ja, e.names.zh]) if (t) texts.push({ text: t, kind: 'name' });
      for (const t of e.aliases) texts.push({ text: t, kind: 'alias' });
      const entryFeatures = new Set<string>();
      const seenKeys = new Set<string>();
      for (const { text, kind } of texts) {
        const nf = nameFeatures(text, legalForms);
        if (nf.features.length === 0) continue;
        if (seenKeys.has(nf.key)) {
          // same words in another order: its spaceless spelling still identifies the entry ("JapanMOD")
          extraCompacts.push({ entry: i, compact: nf.compact, text });
          extraCompacts.push({ entry: i, compact: normalizeName(text, legalForms, true).replace(/\s+/g, ''), text });
          continue;
        }
        seenKeys.add(nf.key);
        pending.push({ entry: i, text, kind, nf });
        for (const f of nf.features) entryFeatures.add(f.key);
      }
      for (const k of entryFeatures) this.df.set(k, (this.df.get(k) ?? 0) + 1);
      this.entryVariants.push([]);
      const num = normalizeJpCorporateNumber(e.jpCorporateNumber);
      if (num) push(this.byNumber, num, i);
    });
    for (const p of pending) {
      const weights = p.nf.features.map((f) => this.weight(f));
      const total = sum(weights);
      const distinctive = sum(weights.filter((_, k) => !p.nf.features[k]!.weak));
      const distinctiveCount = p.nf.features.filter((f) => !f.weak).length;
      const common = sum(weights.filter((_, k) => this.isCommon(p.nf.features[k]!.key)));
      const v = this.variants.length;
      const index = new Map(p.nf.features.map((f, k) => [f.key, k] as const));
      this.variants.push({
        entry: p.entry,
        text: p.text,
        kind: p.kind,
        latinSeq: p.nf.latinSeq,
        cjkRuns: p.nf.cjkRuns,
        features: p.nf.features,
        index,
        weights,
        total,
        distinctive,
        distinctiveCount,
        common,
      });
      this.entryVariants[p.entry]!.push(v);
      push(this.byKey, p.nf.key, v);
      push(this.byCompact, p.nf.compact, v);
      // "Network and Sensor" written without spaces keeps its "and"
      const withAnd = normalizeName(p.text, legalForms, true).replace(/\s+/g, '');
      if (withAnd !== p.nf.compact) push(this.byCompact, withAnd, v);
      for (const f of p.nf.features) {
        push(this.postings, f.key, v);
        if (f.latin && isSoftWord(f.raw)) this.vocabKey.set(f.raw, f.key);
      }
    }
    for (const word of this.vocabKey.keys()) for (const g of trigrams(word)) push(this.vocabByTrigram, g, word);
    for (const x of extraCompacts) {
      const v = this.entryVariants[x.entry]!.find((u) => this.variants[u]!.kind === 'alias') ?? this.entryVariants[x.entry]![0];
      if (v !== undefined && !(this.byCompact.get(x.compact) ?? []).includes(v)) push(this.byCompact, x.compact, v);
    }

    this.countryPrefix = new Set(
      (legalForms.countryPrefixes ?? []).flatMap((w) =>
        nameFeatures(w, legalForms)
          .features.filter((f) => f.latin)
          .map((f) => f.key),
      ),
    );
    this.cjkPrefixes = (legalForms.countryPrefixes ?? [])
      .flatMap((w) => nameFeatures(w, legalForms).cjkRuns)
      .sort((a, b) => b.length - a.length);
    this.vocab = compileVocabulary(legalForms);
    this.compactForms = [...new Set(legalForms.en.map((f) => f.toLowerCase().replace(/[^a-z0-9]/g, '')).filter((f) => f.length >= 2))].sort(
      (a, b) => b.length - a.length,
    );
    this.japanMarkers = (legalForms.japanMarkers ?? []).map((w) => foldForSearch(w));
    const byId = new Map(entries.map((e, i) => [e.id, i] as const));
    for (let i = 0; i < entries.length; i++) {
      this.parentKeys.push(new Set());
      this.parentCjk.push([]);
    }
    const addParent = (child: number | undefined, parent: number | undefined) => {
      if (child === undefined || parent === undefined) return;
      for (const v of this.entryVariants[parent]!) {
        for (const f of this.variants[v]!.features) if (f.latin) this.parentKeys[child]!.add(f.key);
        this.parentCjk[child]!.push(...this.variants[v]!.cjkRuns);
      }
      this.parentCjk[child]!.sort((a, b) => b.length - a.length);
    };
    for (let i = 0; i < entries.length; i++) this.relatedOf.push(new Set());
    entries.forEach((e, i) => {
      for (const r of e.related ?? []) {
        const j = byId.get(r.id);
        if (j !== undefined) {
          this.relatedOf[i]!.add(j);
          this.relatedOf[j]!.add(i);
        }
        if (r.relation === 'parent') addParent(byId.get(r.id), i);
        else if (r.relation === 'subsidiary') addParent(i, byId.get(r.id));
      }
    });
  }

  /** Number of listed entries indexed. */
  get size(): number {
    return this.n;
  }

  /**
   * Features in more than max(32, 2 % of the entries) are not walked when a lookup gathers candidates
   * (their postings would touch a large part of the index); they still count when a candidate is scored.
   */
  private get commonDf(): number {
    return Math.max(32, 0.02 * this.n);
  }

  private isCommon(key: string): boolean {
    return (this.df.get(key) ?? 0) > this.commonDf;
  }

  /** IDF weight of a feature over the index (unseen features weigh the most). */
  private weight(f: Feature): number {
    const df = this.df.get(f.key) ?? 0;
    return Math.log((this.n + 1) / (df + 0.5)) * lengthFactor(f);
  }

  /** Candidate entries for a party, best first, down to minScore. */
  match(party: PartyMatchQuery): PartyMatch[] {
    this.stats.lookups++;
    this.stats.last = { entriesReached: 0, entriesScored: 0 };
    const best = new Map<number, PartyMatch>();
    const offer = (m: PartyMatch, i: number) => {
      const prev = best.get(i);
      if (!prev || m.score > prev.score || (m.score === prev.score && METHOD_RANK[m.method] < METHOD_RANK[prev.method])) best.set(i, m);
    };

    const number = normalizeJpCorporateNumber(party.jpCorporateNumber);
    const validNumber = isValidJpCorporateNumber(number) ? number : undefined;
    if (validNumber) {
      for (const i of this.byNumber.get(validNumber) ?? []) {
        const entry = this.entries[i]!;
        offer(
          {
            entry,
            score: 1,
            method: 'corporate_number',
            matchedName: entry.names.en,
            why: `corporate number ${validNumber} is the entry's`,
          },
          i,
        );
      }
    }

    const q = nameFeatures(party.name ?? '', this.legalForms);
    if (q.features.length > 0) {
      for (const [v, why] of this.exactVariants(q)) {
        const variant = this.variants[v]!;
        const entry = this.entries[variant.entry]!;
        const method: PartyMatchMethod = variant.kind === 'alias' ? 'alias' : 'exact';
        offer(this.adjust({ entry, score: 1, method, matchedName: variant.text, why }, party, validNumber), variant.entry);
      }
      for (const { i, m } of this.fuzzy(q, party, validNumber)) offer(m, i);
    }

    return [...best.values()]
      .filter((m) => m.score >= this.minScore)
      .sort(
        (a, b) =>
          b.score - a.score ||
          METHOD_RANK[a.method] - METHOD_RANK[b.method] ||
          LIST_RANK[a.entry.list] - LIST_RANK[b.entry.list] ||
          (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0),
      )
      .slice(0, this.maxResults);
  }

  private exactVariants(q: NameFeatures): Map<number, string> {
    const out = new Map<number, string>();
    for (const v of this.byKey.get(q.key) ?? []) out.set(v, this.exactWhy(v, 'normalised name equals'));
    for (const v of this.byCompact.get(q.compact) ?? [])
      if (!out.has(v)) out.set(v, this.exactWhy(v, 'normalised name without spaces equals'));
    // a name written without spaces keeps its legal form glued on ("KawasakiHeavyIndustriesAerospaceSystemsCompany")
    if (out.size === 0 && /^[a-z0-9]+$/.test(q.compact)) {
      for (const form of this.compactForms) {
        if (q.compact.length > form.length + 2 && q.compact.endsWith(form)) {
          for (const v of this.byCompact.get(q.compact.slice(0, -form.length)) ?? [])
            if (!out.has(v)) out.set(v, this.exactWhy(v, `normalised name without spaces and without the legal form "${form}" equals`));
        }
      }
    }
    return out;
  }

  private exactWhy(v: number, how: string): string {
    const variant = this.variants[v]!;
    const entry = this.entries[variant.entry]!;
    if (variant.kind === 'alias') return `${how} the alias "${variant.text}"`;
    const lang = entry.names.en === variant.text ? 'English' : entry.names.ja === variant.text ? 'Japanese' : 'Chinese';
    return `${how} the ${lang} name "${variant.text}"`;
  }

  /** Country and corporate-number adjustments, applied to exact and fuzzy matches alike. */
  private adjust(m: PartyMatch, party: PartyMatchQuery, validNumber: string | undefined): PartyMatch {
    let { score, why } = m;
    const country = party.country?.toUpperCase();
    if (country && m.entry.country && country !== m.entry.country) {
      // Wherever it sits: an office, branch or subsidiary abroad is the same entity. Only a generic
      // government name ("Ministry of Defense", "Joint Staff") with nothing tying it to Japan is weaker abroad.
      if (this.isGenericAbroad(m.entry, party)) {
        if (score > FOREIGN_GENERIC_CAP) {
          score = FOREIGN_GENERIC_CAP;
          why += `; the party is in ${country} and its name does not tie it to Japan: "${m.matchedName}" may be another country's body (capped at a possible match)`;
        }
      } else {
        why += `; the party is in ${country}: an office, branch or subsidiary abroad of the ${m.entry.country} entity counts the same`;
      }
    }
    const entryNumber = normalizeJpCorporateNumber(m.entry.jpCorporateNumber);
    if (validNumber && entryNumber && validNumber !== entryNumber && score > OTHER_NUMBER_CAP) {
      score = OTHER_NUMBER_CAP;
      why += `; corporate number ${validNumber} differs from the entry's ${entryNumber} (capped at a possible match)`;
    }
    return { ...m, score: round4(score), why };
  }

  private fuzzy(q: NameFeatures, party: PartyMatchQuery, validNumber: string | undefined): { i: number; m: PartyMatch }[] {
    // query features with their soft alternatives in the vocabulary
    const soft = new Map<string, SoftAlt[]>();
    for (const f of q.features) {
      if (!f.latin || !isSoftWord(f.raw) || this.postings.has(f.key)) continue;
      const counts = new Map<string, number>();
      for (const g of trigrams(f.raw)) for (const w of this.vocabByTrigram.get(g) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
      const byKey = new Map<string, number>();
      for (const [w, c] of counts) {
        if (c < 2) continue;
        const sim = typoSimilarity(f.raw, w, this.softThreshold);
        const key = this.vocabKey.get(w)!;
        if (sim > 0 && sim > (byKey.get(key) ?? 0)) byKey.set(key, sim);
      }
      if (byKey.size)
        soft.set(
          f.key,
          [...byKey].map(([key, sim]) => ({ key, sim })),
        );
    }

    // accumulate, per name, the weight its features share with the query (an upper bound of `shared`)
    const acc = new Map<number, number>();
    const walk = (key: string, credit: (v: number) => number) => {
      const list = this.postings.get(key);
      if (!list) return;
      this.stats.postingsVisited += list.length;
      for (const v of list) acc.set(v, (acc.get(v) ?? 0) + credit(v));
    };
    for (const f of q.features) {
      if (!this.isCommon(f.key)) walk(f.key, (v) => this.variantWeight(v, f.key));
      for (const alt of soft.get(f.key) ?? []) if (!this.isCommon(alt.key)) walk(alt.key, (v) => alt.sim * this.variantWeight(v, alt.key));
    }

    const reached = new Set<number>();
    const toScore: number[] = [];
    const prefilter = Math.min(0.5, this.minScore * 0.6);
    for (const [v, shared] of acc) {
      const variant = this.variants[v]!;
      reached.add(variant.entry);
      // common features were not walked: judge the name on the rest of its weight
      if (shared >= prefilter * (variant.total - variant.common)) toScore.push(v);
    }
    const scoredEntries = new Set(toScore.map((v) => this.variants[v]!.entry));
    this.stats.last = { entriesReached: reached.size, entriesScored: scoredEntries.size };
    this.stats.entriesScored += scoredEntries.size;

    const queryWeights = q.features.map((f) => this.weight(f));
    const out: { i: number; m: PartyMatch }[] = [];
    for (const v of toScore) {
      const variant = this.variants[v]!;
      const s = this.scoreVariant(q, queryWeights, variant, soft);
      // adjustments only lower a score: skip what cannot reach minScore before explaining it
      if (s.score <= 0 || Math.min(FUZZY_CAP, s.score) < this.minScore) continue;
      const entry = this.entries[variant.entry]!;
      const m = this.adjust(
        { entry, score: Math.min(FUZZY_CAP, s.score), method: 'fuzzy', matchedName: variant.text, why: s.why() },
        party,
        validNumber,
      );
      if (m.score >= this.minScore) out.push({ i: variant.entry, m });
    }
    return out;
  }

  private variantWeight(v: number, key: string): number {
    const variant = this.variants[v]!;
    const k = variant.index.get(key);
    return k === undefined ? 0 : variant.weights[k]!;
  }

  /** The fuzzy score of the query against one name: see the class comment. */
  private scoreVariant(q: NameFeatures, qWeights: number[], v: Variant, soft: Map<string, SoftAlt[]>): Scored {
    const qMatched = q.features.map(() => -1);
    const qSim = q.features.map(() => 0);
    const vMatched = v.features.map(() => false);
    const vIndex = v.index;
    q.features.forEach((f, i) => {
      const k = vIndex.get(f.key);
      if (k !== undefined && !vMatched[k]) {
        qMatched[i] = k;
        qSim[i] = 1;
        vMatched[k] = true;
      }
    });
    // typo pairs: best similarity first, one-to-one
    const pairs: { i: number; k: number; sim: number }[] = [];
    q.features.forEach((f, i) => {
      if (qMatched[i]! >= 0) return;
      for (const alt of soft.get(f.key) ?? []) {
        const k = vIndex.get(alt.key);
        if (k !== undefined && !vMatched[k]) pairs.push({ i, k, sim: alt.sim });
      }
    });
    pairs.sort((a, b) => b.sim - a.sim);
    for (const p of pairs) {
      if (qMatched[p.i]! >= 0 || vMatched[p.k]) continue;
      qMatched[p.i] = p.k;
      qSim[p.i] = p.sim;
      vMatched[p.k] = true;
    }

    let shared = 0;
    let wq = 0;
    let matchedDistinctive = 0;
    const unQ: number[] = [];
    q.features.forEach((f, i) => {
      const k = qMatched[i]!;
      if (k >= 0) {
        shared += qSim[i]! * v.weights[k]!;
        wq += v.weights[k]!;
        if (!v.features[k]!.weak) matchedDistinctive++;
      } else {
        wq += qWeights[i]!;
        unQ.push(i);
      }
    });
    const unV: number[] = [];
    v.features.forEach((_, k) => {
      if (!vMatched[k]) unV.push(k);
    });
    if (shared === 0) return { score: 0, why: () => '' };
    const wv = v.total;
    const unQMass = sum(unQ.map((i) => qWeights[i]!));
    const unVMass = sum(unV.map((k) => v.weights[k]!));

    // omission of weak words only
    let wqEff = wq;
    let wvEff = wv;
    let omission = '';
    if (matchedDistinctive >= 2) {
      if (unQ.length === 0 && unV.length > 0 && unV.every((k) => v.features[k]!.weak)) {
        wvEff -= (1 - OMITTED_WEAK_FACTOR) * unVMass;
        omission = 'omitted weak words count a quarter';
      } else if (unV.length === 0 && unQ.length > 0 && unQ.every((i) => q.features[i]!.weak)) {
        wqEff -= (1 - OMITTED_WEAK_FACTOR) * unQMass;
        omission = 'added weak words count a quarter';
      }
    }
    let dice = (2 * shared) / (wqEff + wvEff);
    let penaltyWhy = '';
    if (unQ.length > 0 && unV.length > 0) {
      const penalty = Math.min(unQMass / wq, unVMass / wv);
      dice *= 1 - penalty;
      penaltyWhy = `both sides keep unmatched words (×${fmt(1 - penalty)})`;
    } else if (unV.length === 0 && unQ.length > 0 && !containsPhrase(q, v, qMatched)) {
      const added = sum(unQ.filter((i) => !q.features[i]!.weak && !q.features[i]!.ignorable).map((i) => qWeights[i]!));
      if (added > 0) {
        const factor = 1 - (OMITTED_DISTINCTIVE_FACTOR * added) / wq;
        dice *= factor;
        penaltyWhy = `the party's name adds distinctive words, not around the entry's name as a phrase (×${fmt(factor)})`;
      }
    } else if (unQ.length === 0 && unV.length > 0) {
      const missing = sum(unV.filter((k) => !v.features[k]!.weak).map((k) => v.weights[k]!));
      if (missing > 0) {
        const factor = 1 - (OMITTED_DISTINCTIVE_FACTOR * missing) / wv;
        dice *= factor;
        penaltyWhy = `the party's name lacks distinctive words of the entry (×${fmt(factor)})`;
      }
    }
    // one distinctive word in common is not enough, unless the query is the whole name plus weak or unit words only
    const distinctiveExtra = unQ.some((i) => !q.features[i]!.weak && !q.features[i]!.ignorable);
    if (matchedDistinctive < 2 && (unV.length > 0 || distinctiveExtra) && dice > SINGLE_WORD_CAP) {
      dice = SINGLE_WORD_CAP;
      penaltyWhy += `${penaltyWhy ? '; ' : ''}only one distinctive word in common (capped at ${SINGLE_WORD_CAP})`;
    }

    // containment: the name stands whole, as a phrase, inside a longer query
    let containment = 0;
    let containmentWhy = '';
    if (unV.length === 0 && unQ.length > 0 && shared >= 0.98 * wv && containsPhrase(q, v, qMatched)) {
      const own = this.ownNamesIn(q, v);
      const parent = this.parentKeys[v.entry]!;
      const qualifiers: string[] = [];
      const prefixes: string[] = [];
      const rest: string[] = [];
      let extra = 0;
      // Latin words one by one; CJK runs as strings (bigrams straddle the boundary between a name and its qualifier)
      for (const i of unQ) {
        const f = q.features[i]!;
        if (!f.latin || own.has(f.key)) continue;
        if (parent.has(f.key)) prefixes.push(`its parent's name (${f.text})`);
        else if (this.countryPrefix.has(f.key)) prefixes.push(`the country prefix "${f.text}"`);
        else if (f.ignorable) {
          if (!ORDINAL_OR_NUMBER.test(f.text)) qualifiers.push(f.text);
        } else {
          rest.push(f.text);
          extra += qWeights[i]!;
        }
      }
      // a qualifier that repeats a word of the name ("... Research Center - Misawa Centre") is deduplicated from the features
      for (const t of new Set(q.latinSeq)) {
        if (!this.vocab.unitLatin.has(t) || qualifiers.includes(t)) continue;
        if (q.latinSeq.filter((x) => x === t).length > v.latinSeq.filter((x) => x === t).length) qualifiers.push(t);
      }
      let restCjk = 0;
      let glued = false;
      if (unQ.some((i) => !q.features[i]!.latin)) {
        for (const { piece, beforeName } of cjkRemainders(q.cjkRuns, [...v.cjkRuns, ...this.ownCjk(v)])) {
          const c = this.classifyCjkPiece(piece, v.entry);
          // characters glued in front of the name are another word (消防大学校 is not 防大 + 学校)
          if (beforeName && c.rest) glued = true;
          qualifiers.push(...c.qualifiers);
          prefixes.push(...c.prefixes);
          if (c.rest) {
            rest.push(c.rest);
            restCjk += [...c.rest].length;
            extra += 1;
          }
        }
      }
      const restLatin = rest.length - (restCjk > 0 ? rest.filter((r) => isCjkText(r)).length : 0);
      const named = () =>
        [
          qualifiers.length ? `the qualifier ${[...new Set(qualifiers)].map((w) => `"${w}"`).join(', ')}` : '',
          [...new Set(prefixes)].join(', '),
        ]
          .filter(Boolean)
          .join(' and ');
      if (extra === 0) {
        containment = round4(0.95 + 0.04 * (shared / (shared + sum(unQ.map((i) => qWeights[i]!)))));
        containmentWhy = `contains the whole name; the other words only name ${named() || 'a number or the entry itself'} (a site, office, unit or prefix of the same entity)`;
      } else if (qualifiers.length > 0 && !glued && restLatin <= MAX_QUALIFIED_LATIN && restCjk <= MAX_QUALIFIED_CJK) {
        // the more of the party's name the listed name covers, the more specific the entry (a centre of ATLA → that centre)
        containment = round4(QUALIFIED_SCORE + QUALIFIED_SPECIFICITY * (shared / (shared + extra)));
        if (v.distinctiveCount === 0 || (v.features.length === 1 && this.sharedWithOthers(v.features[0]!.key, v.entry))) {
          // a one-word name that other entities share ("Mitsui") plus other words is too little to be sure: "Mitsui Memorial Hospital"
          containment = SINGLE_WORD_QUALIFIED;
          containmentWhy = `contains the whole one-word name with ${named()} and other words (${rest.join(', ')}): possibly a site of the same entity`;
        } else
          containmentWhy = `contains the whole name with ${named()}: a site, office, division or unit of the same entity (place or division words: ${rest.join(', ')})`;
      } else if (v.distinctiveCount >= 2 && v.distinctive >= this.minContainmentWeight()) {
        containment = 0.8 + 0.09 * (shared / (shared + extra));
        containmentWhy = 'contains the whole name plus other words';
      }
    }

    const score = Math.max(dice, containment);
    const why = () => {
      const parts: string[] = [];
      const sharedWords = q.features.filter((_, i) => qSim[i] === 1).map((f) => f.text);
      const similar = q.features.flatMap((f, i) =>
        qMatched[i]! >= 0 && qSim[i]! < 1 ? [`${f.text}~${v.features[qMatched[i]!]!.text} (${fmt(qSim[i]!)})`] : [],
      );
      if (sharedWords.length) parts.push(`shared: ${sharedWords.join(', ')}`);
      if (similar.length) parts.push(`similar: ${similar.join(', ')}`);
      if (unQ.length) parts.push(`only in the party's name: ${unQ.map((i) => q.features[i]!.text).join(', ')}`);
      if (unV.length) parts.push(`only in "${v.text}": ${unV.map((k) => v.features[k]!.text).join(', ')}`);
      if (containment > dice) parts.push(containmentWhy);
      else {
        if (omission) parts.push(omission);
        if (penaltyWhy) parts.push(penaltyWhy);
        parts.push(`weighted Dice ${fmt(dice)}`);
      }
      return `fuzzy match to "${v.text}": ${parts.join('; ')}`;
    };
    return { score, why };
  }

  /** The CJK runs of every name of the entry (a query may spell the entry twice, "防衛装備庁(ATLA)"). */
  private ownCjk(v: Variant): string[] {
    let all = this.ownCjkCache[v.entry];
    if (!all) this.ownCjkCache[v.entry] = all = this.entryVariants[v.entry]!.flatMap((u) => this.variants[u]!.cjkRuns);
    return all;
  }

  /**
   * What a CJK remainder of the query around a listed name is: a country prefix or the parent's name in
   * front ("日本国", "三菱重工業"), trailing qualifiers (工場, 製作所, 師団, 隊群...) after at most a few place or
   * division characters ("群馬" + "製作所"), or something else (rest).
   */
  private classifyCjkPiece(piece: string, entry: number): { qualifiers: string[]; prefixes: string[]; rest: string } {
    const qualifiers: string[] = [];
    const prefixes: string[] = [];
    let p = piece;
    for (let changed = true; changed && p;) {
      changed = false;
      for (const pre of this.prefixesOf(entry)) {
        if (p.startsWith(pre)) {
          prefixes.push(this.cjkPrefixes.includes(pre) ? `the country prefix "${pre}"` : `its parent's name (${pre})`);
          p = p.slice(pre.length);
          changed = true;
          break;
        }
      }
    }
    for (let changed = true; changed && p;) {
      changed = false;
      for (const u of this.vocab.unitCjk) {
        if (p.endsWith(u)) {
          qualifiers.push(u);
          p = p.slice(0, p.length - u.length);
          changed = true;
          break;
        }
      }
      for (const pre of this.prefixesOf(entry)) {
        if (p && p.endsWith(pre)) {
          prefixes.push(this.cjkPrefixes.includes(pre) ? `the country prefix "${pre}"` : `its parent's name (${pre})`);
          p = p.slice(0, p.length - pre.length);
          changed = true;
          break;
        }
      }
    }
    return { qualifiers, prefixes, rest: p };
  }

  /**
   * Whether a feature also stands in the names of another entity: an entry outside this entry's group that
   * shares none of its names (MU-NIDS and CL-27-a are one institute listed twice; OKI's subsidiaries are its
   * group; Mitsui & Co. and Mitsui E&S are two unrelated companies).
   */
  private sharedWithOthers(key: string, entry: number): boolean {
    // a military user's short name (JSDF, ATLA, 空自) is its own; its units carry it on purpose
    if (this.entries[entry]!.list === 'military_user') return false;
    const cacheKey = `${entry}|${key}`;
    const hit = this.sharedCache.get(cacheKey);
    if (hit !== undefined) return hit;
    const shared = this.computeShared(key, entry);
    this.sharedCache.set(cacheKey, shared);
    return shared;
  }

  private computeShared(key: string, entry: number): boolean {
    const related = this.relatedOf[entry]!;
    const own = new Set(this.entryVariants[entry]!.map((u) => this.variants[u]!.features.map((f) => f.key).join(' ')));
    for (const u of this.postings.get(key) ?? []) {
      const other = this.variants[u]!.entry;
      if (other === entry || related.has(other)) continue;
      if (!this.entryVariants[other]!.some((w) => own.has(this.variants[w]!.features.map((f) => f.key).join(' ')))) return true;
    }
    return false;
  }

  /** The CJK country prefixes and the parents' CJK names of an entry, longest first. */
  private prefixesOf(entry: number): string[] {
    let p = this.prefixCache[entry];
    if (!p) this.prefixCache[entry] = p = [...this.cjkPrefixes, ...this.parentCjk[entry]!].sort((a, b) => b.length - a.length);
    return p;
  }

  /** Whether a name says it is Japanese (a jurisdiction marker such as "Japan", "JSDF", "自衛", "防衛"). */
  namesJapan(name: string): boolean {
    const s = foldForSearch(name);
    return this.japanMarkers.some((m) => containsWord(s, m));
  }

  /**
   * A generic government name abroad: a military-user name screened for a party outside the entry's country
   * whose name has nothing tying it to Japan ("Ministry of Defense" in GB). Such a party is at most a
   * possible match, by design: it may be another country's ministry.
   */
  isGenericAbroad(entry: ListedParty, party: PartyMatchQuery): boolean {
    const country = party.country?.toUpperCase();
    return entry.list === 'military_user' && !!country && country !== entry.country && !this.namesJapan(party.name);
  }

  /** Features of the query that spell out another whole name of the same entry (an alias in brackets). */
  private ownNamesIn(q: NameFeatures, v: Variant): Set<string> {
    const keys = new Set(q.features.map((f) => f.key));
    const own = new Set<string>();
    for (const u of this.entryVariants[v.entry]!) {
      const other = this.variants[u]!;
      if (other === v || !other.features.every((f) => keys.has(f.key))) continue;
      if (
        containsPhrase(
          q,
          other,
          q.features.map(() => -1),
        )
      )
        for (const f of other.features) own.add(f.key);
    }
    return own;
  }

  /** Distinctive weight an entry name needs before a longer query containing it counts as a possible match. */
  private minContainmentWeight(): number {
    return 1.4 * Math.log((this.n + 1) / 1.5);
  }
}

/**
 * Whether the name's Latin words stand in the query contiguously and in order (typos allowed through the
 * pairing) and each of its CJK runs is inside one of the query's: "Mitsubishi Materials Trading" contains
 * "Mitsubishi Materials"; "Tokyo University of Science" does not contain "Science Tokyo".
 */
function containsPhrase(q: NameFeatures, v: Variant, qMatched: number[]): boolean {
  const aligned = new Map<string, string>();
  q.features.forEach((f, i) => {
    if (f.latin) aligned.set(f.text, qMatched[i]! >= 0 ? v.features[qMatched[i]!]!.text : f.text);
  });
  const seq = q.latinSeq.map((t) => aligned.get(t) ?? t);
  if (v.latinSeq.length > 0) {
    // contiguous, in order or in another order of the same words ("Japan MOD" ~ "MOD Japan")
    const want = [...v.latinSeq].sort().join(' ');
    let found = false;
    for (let i = 0; !found && i + v.latinSeq.length <= seq.length; i++) {
      const window = seq.slice(i, i + v.latinSeq.length);
      found = v.latinSeq.every((t, k) => window[k] === t) || [...window].sort().join(' ') === want;
    }
    if (!found) return false;
  }
  return v.cjkRuns.every((run) => q.cjkRuns.some((r) => r.includes(run)));
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) {
    if (list[list.length - 1] !== v) list.push(v);
  } else m.set(k, [v]);
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function fmt(x: number): string {
  return x.toFixed(2);
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

/** A marker inside a folded name: Latin markers as whole words, CJK ones anywhere. */
function containsWord(s: string, marker: string): boolean {
  if (!marker) return false;
  if (!/^[a-z0-9 ]+$/.test(marker)) return s.includes(marker);
  return ` ${s} `.includes(` ${marker} `);
}

function isCjkText(s: string): boolean {
  return s.length > 0 && isCjkChar([...s][0]!);
}

/**
 * The parts of the query's CJK runs left when the listed name's runs (and the entry's other names)
 * are taken out: "日本国防卫省" minus "防卫省" → ["日本国"]; "三菱重工业名古屋航空宇宙システム制作所" minus
 * "三菱重工业" → ["名古屋航空宇宙システム制作所"].
 */
function cjkRemainders(queryRuns: readonly string[], nameRuns: readonly string[]): { piece: string; beforeName: boolean }[] {
  const names = [...new Set(nameRuns)].filter(Boolean).sort((a, b) => b.length - a.length);
  const out: { piece: string; beforeName: boolean }[] = [];
  for (const run of queryRuns) {
    // pieces of the run between the name's occurrences; all but the last stand right before a name
    let pieces: { piece: string; beforeName: boolean }[] = [{ piece: run, beforeName: false }];
    for (const n of names)
      pieces = pieces.flatMap((p) => {
        const parts = p.piece.split(n);
        return parts.map((piece, k) => ({ piece, beforeName: k < parts.length - 1 || p.beforeName }));
      });
    for (const p of pieces) if (p.piece) out.push(p);
  }
  return out;
}
