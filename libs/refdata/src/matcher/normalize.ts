import type { Lang, LegalForms } from '../model';
import { foldCjkVariants } from './cjk-fold';

/**
 * Name normalisation for the party matcher. Two steps:
 *  - normalizeName: one canonical string per name (NFKC, CJK variants folded, case-folded, punctuation and
 *    "&"/"and" removed, legal forms removed wherever they stand, whitespace collapsed; CJK kept as characters);
 *  - nameFeatures: what is compared: Latin-script tokens (stop words dropped, abbreviations and British
 *    spellings mapped, plural "s" stripped) and CJK character bigrams, plus the order-free keys that
 *    decide an exact match.
 */

/** Han, kana, and the marks that live inside Japanese words (ー prolonged sound, 々 repetition). */
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005\u3006\u30f6]/u;
const CJK_RUN_SPACE =
  /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005\u3006\u30f6])\s+(?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005\u3006\u30f6])/gu;
const CJK_TO_OTHER =
  /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005\u3006\u30f6])(?=[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005\u3006\u30f6])/gu;
const OTHER_TO_CJK =
  /([^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005\u3006\u30f6])(?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005\u3006\u30f6])/gu;
const LATIN_WITH_DIACRITIC = /[\u00c0-\u024f\u1e00-\u1eff]/g;

export function isCjkChar(ch: string): boolean {
  return CJK_CHAR.test(ch);
}

/**
 * Cyrillic and Greek letters that look like Latin ones (Unicode's confusables for the Latin alphabet):
 * "ТDК Соrроrаtiоn" with Cyrillic Т, К, С, о, р, а is "TDK Corporation" to a reader, and must be
 * screened as such.
 */
const LATIN_LOOKALIKES: Record<string, string> = {
  // Cyrillic
  А: 'A',
  В: 'B',
  С: 'C',
  Е: 'E',
  Н: 'H',
  І: 'I',
  Ј: 'J',
  К: 'K',
  М: 'M',
  О: 'O',
  Р: 'P',
  Ѕ: 'S',
  Т: 'T',
  Х: 'X',
  Ү: 'Y',
  У: 'Y',
  Ԁ: 'D',
  Ԛ: 'Q',
  Ԝ: 'W',
  а: 'a',
  с: 'c',
  е: 'e',
  һ: 'h',
  і: 'i',
  ј: 'j',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  ѕ: 's',
  ԝ: 'w',
  х: 'x',
  у: 'y',
  ԁ: 'd',
  ӏ: 'l',
  // Greek
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  ο: 'o',
  ν: 'v',
  ρ: 'p',
  κ: 'k',
  ι: 'i',
  υ: 'u',
  χ: 'x',
};
const LOOKALIKE_CHAR = new RegExp(`[${Object.keys(LATIN_LOOKALIKES).join('')}]`, 'u');
const LATIN_LETTER = /^[\p{Script=Latin}\p{M}]$/u;

/**
 * A word written only with Latin letters and Latin look-alikes (at least one) is read as Latin; a word
 * with any other Cyrillic or Greek letter (a real Russian or Greek word) is left as it is.
 */
export function foldLatinLookalikes(s: string): string {
  if (!LOOKALIKE_CHAR.test(s)) return s;
  return s.replace(/[\p{L}\p{M}]+/gu, (word) => {
    if (!LOOKALIKE_CHAR.test(word)) return word;
    const folded = [...word].map((c) => LATIN_LOOKALIKES[c] ?? c);
    return folded.every((c) => LATIN_LETTER.test(c)) ? folded.join('') : word;
  });
}

/** NFKC (full-width → ASCII, ㈱ → (株), half-width kana → full-width), Latin look-alikes read as Latin, CJK variants folded, lower case, Latin diacritics dropped. */
function baseFold(s: string): string {
  return foldCjkVariants(foldLatinLookalikes(s.normalize('NFKC')))
    .toLowerCase()
    .replace(LATIN_WITH_DIACRITIC, (c) => c.normalize('NFD')[0] ?? c)
    .replace(/第\s*(?=[0-9])/g, ' '); // 第1師団 → 1 師団: "第" before a number is only "No."
}

/** Punctuation out: dots and apostrophes vanish (K.K. → kk), everything else that is not a letter or digit is a space. */
function stripPunctuation(s: string): string {
  return s.replace(/[.'\u2019\u2018`\u00b4]/g, '').replace(/[^\p{L}\p{N}\p{M}]+/gu, ' ');
}

function separateScripts(s: string): string {
  return s.replace(CJK_TO_OTHER, '$1 ').replace(OTHER_TO_CJK, '$1 ');
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim().replace(CJK_RUN_SPACE, '$1');
}

/** Legal forms compiled once per LegalForms object: CJK forms as substrings, Latin forms as token sequences. */
export interface CompiledLegalForms {
  cjk: string[];
  /** Latin forms as token sequences, longest first, by their first token. */
  latin: Map<string, string[][]>;
}

const compiledCache = new WeakMap<LegalForms, CompiledLegalForms>();

export function compileLegalForms(forms: LegalForms): CompiledLegalForms {
  const hit = compiledCache.get(forms);
  if (hit) return hit;
  const cjk = new Set<string>();
  const latin = new Map<string, string[]>();
  for (const lang of ['en', 'zh', 'ja'] as Lang[]) {
    for (const raw of forms[lang] ?? []) {
      const folded = baseFold(raw).trim();
      if (!folded) continue;
      if ([...folded].some(isCjkChar)) cjk.add(folded);
      else {
        const tokens = collapse(stripPunctuation(folded)).split(' ').filter(Boolean);
        if (tokens.length) latin.set(tokens.join(' '), tokens);
      }
    }
  }
  const byFirst = new Map<string, string[][]>();
  // longest first, so 股份有限公司 goes before 公司 and "co ltd" before "co"
  for (const form of [...latin.values()].sort((a, b) => b.length - a.length)) {
    const list = byFirst.get(form[0]!);
    if (list) list.push(form);
    else byFirst.set(form[0]!, [form]);
  }
  const compiled: CompiledLegalForms = { cjk: [...cjk].sort((a, b) => b.length - a.length), latin: byFirst };
  compiledCache.set(forms, compiled);
  return compiled;
}

function removeLatinForms(tokens: string[], forms: Map<string, string[][]>): string[] {
  const out: string[] = [];
  let i = 0;
  outer: while (i < tokens.length) {
    for (const form of forms.get(tokens[i]!) ?? []) {
      if (form.length <= tokens.length - i && form.every((t, k) => tokens[i + k] === t)) {
        i += form.length;
        continue outer;
      }
    }
    out.push(tokens[i]!);
    i++;
  }
  return out;
}

/**
 * The canonical form of a name: "Mitsubishi Heavy Industries Aero Engines, Ltd." → "mitsubishi heavy industries aero engines";
 * "三菱重工航空エンジン株式会社" → "三菱重工航空エンジン"; "ＴＤＫ株式会社" → "tdk"; "Mitsui E&S Co." → "mitsui e s".
 */
export function normalizeName(name: string, legalForms: LegalForms, keepAnd = false): string {
  const forms = compileLegalForms(legalForms);
  let s = baseFold(name);
  for (const f of forms.cjk) if (s.includes(f)) s = s.split(f).join(' ');
  s = collapse(separateScripts(stripPunctuation(s)));
  const tokens = removeLatinForms(s.split(' ').filter(Boolean), forms.latin).filter((t) => keepAnd || t !== 'and');
  return collapse(tokens.join(' '));
}

/** A name folded for substring search (NFKC, look-alikes, CJK variants, case, punctuation to spaces), legal forms kept. */
export function foldForSearch(name: string): string {
  return collapse(separateScripts(stripPunctuation(baseFold(name))));
}

/** Vocabulary the tokenizer applies, compiled from LegalForms' optional lists. */
export interface TokenVocabulary {
  stopWords: ReadonlySet<string>;
  equivalents: ReadonlyMap<string, string>;
  /** Latin weak words (stemmed) and CJK weak words (folded). */
  weakLatin: ReadonlySet<string>;
  weakCjk: readonly string[];
  unitLatin: ReadonlySet<string>;
  unitCjk: readonly string[];
}

/** Plural "s" off, "-ies" → "-y": Industries ~ Industry, Systems ~ System. Short tokens are left alone. */
export function stem(token: string): string {
  if (token.length >= 5 && token.endsWith('ies')) return token.slice(0, -3) + 'y';
  if (token.length >= 4 && token.endsWith('s') && !token.endsWith('ss') && /^[a-z]+$/.test(token)) return token.slice(0, -1);
  return token;
}

function latinToken(raw: string, vocab: Pick<TokenVocabulary, 'equivalents'>): string {
  return stem(vocab.equivalents.get(raw) ?? raw);
}

const vocabCache = new WeakMap<LegalForms, TokenVocabulary>();

export function compileVocabulary(forms: LegalForms): TokenVocabulary {
  const hit = vocabCache.get(forms);
  if (hit) return hit;
  const equivalents = new Map<string, string>();
  for (const [from, to] of Object.entries(forms.tokenEquivalents ?? {})) {
    const f = collapse(stripPunctuation(baseFold(from)));
    const t = collapse(stripPunctuation(baseFold(to)));
    if (f && t && !f.includes(' ') && !t.includes(' ')) equivalents.set(f, t);
  }
  const stopWords = new Set((forms.stopWords ?? []).map((w) => collapse(stripPunctuation(baseFold(w)))).filter(Boolean));
  const split = (words: Record<Lang, string[]> | undefined) => {
    const latin = new Set<string>();
    const cjk = new Set<string>();
    for (const lang of ['en', 'zh', 'ja'] as Lang[]) {
      for (const w of words?.[lang] ?? []) {
        const s = collapse(separateScripts(stripPunctuation(baseFold(w))));
        if (!s) continue;
        if ([...s].some(isCjkChar)) cjk.add(s.replace(/\s+/g, ''));
        else for (const t of s.split(' ')) latin.add(latinToken(t, { equivalents }));
      }
    }
    return { latin, cjk: [...cjk].sort((a, b) => b.length - a.length) };
  };
  const weak = split(forms.weakWords);
  const unit = split(forms.unitWords);
  const vocab: TokenVocabulary = {
    stopWords,
    equivalents,
    weakLatin: weak.latin,
    weakCjk: weak.cjk,
    unitLatin: unit.latin,
    unitCjk: unit.cjk,
  };
  vocabCache.set(forms, vocab);
  return vocab;
}

/** One comparable unit of a name: a Latin token ("t:mitsubishi") or a CJK bigram ("g:三菱"). */
export interface Feature {
  key: string;
  /** The token or characters, for explanations. */
  text: string;
  /** Latin tokens: the word before stemming ("industries"), which typo pairing compares. */
  raw: string;
  latin: boolean;
  /** A weak word (Japan, Industries, 集团...): cheap to omit. */
  weak: boolean;
  /** A unit word, a number or an ordinal (plant, 1st, 師団): extra ones do not make a different party. */
  ignorable: boolean;
}

export interface NameFeatures {
  normalized: string;
  /** Unique features in order of appearance. */
  features: Feature[];
  /** Order-free exact key: sorted Latin tokens | sorted CJK runs. */
  key: string;
  /** The normalized name without spaces ("terra drone" ~ "terradrone"). */
  compact: string;
  /** Latin tokens in order (stop words out, stemmed) and CJK runs: what "contains the name as a phrase" looks at. */
  latinSeq: string[];
  cjkRuns: string[];
}

/** Covered by one and the same word occurrence: both characters of a bigram inside it. */
function coveredPairs(segment: string, words: readonly string[]): boolean[] {
  const chars = [...segment];
  const pairs = chars.slice(0, -1).map(() => false);
  const joined = chars.join('');
  for (const w of words) {
    if ([...w].length < 2) continue;
    let from = 0;
    for (let at = joined.indexOf(w, from); at >= 0; at = joined.indexOf(w, from)) {
      const start = [...joined.slice(0, at)].length;
      const len = [...w].length;
      for (let k = start; k < start + len - 1; k++) pairs[k] = true;
      from = at + w.length;
    }
  }
  return pairs;
}

const ORDINAL = /^[0-9]+(st|nd|rd|th)?$/;

/** The comparable features of a name. */
export function nameFeatures(name: string, legalForms: LegalForms): NameFeatures {
  const vocab = compileVocabulary(legalForms);
  const normalized = normalizeName(name, legalForms);
  const features: Feature[] = [];
  const seen = new Set<string>();
  const latinTokens: string[] = [];
  const cjkRuns: string[] = [];
  const push = (f: Feature) => {
    if (seen.has(f.key)) return;
    seen.add(f.key);
    features.push(f);
  };
  for (const part of normalized.split(' ')) {
    if (!part) continue;
    if (isCjkChar([...part][0]!)) {
      cjkRuns.push(part);
      const chars = [...part];
      if (chars.length === 1) {
        const unit = vocab.unitCjk.includes(part);
        push({ key: `g:${part}`, text: part, raw: part, latin: false, weak: vocab.weakCjk.includes(part), ignorable: unit });
        continue;
      }
      const weakPairs = coveredPairs(part, vocab.weakCjk);
      const unitPairs = coveredPairs(part, vocab.unitCjk);
      for (let i = 0; i < chars.length - 1; i++) {
        const g = chars[i]! + chars[i + 1]!;
        push({ key: `g:${g}`, text: g, raw: g, latin: false, weak: weakPairs[i]!, ignorable: unitPairs[i]! });
      }
      continue;
    }
    if (vocab.stopWords.has(part)) continue;
    const raw = vocab.equivalents.get(part) ?? part;
    const t = stem(raw);
    latinTokens.push(t);
    push({ key: `t:${t}`, text: t, raw, latin: true, weak: vocab.weakLatin.has(t), ignorable: vocab.unitLatin.has(t) || ORDINAL.test(t) });
  }
  const key = [...new Set(latinTokens)].sort().join(' ') + '|' + [...new Set(cjkRuns)].sort().join(' ');
  return { normalized, features, key, compact: normalized.replace(/\s+/g, ''), latinSeq: latinTokens, cjkRuns };
}
