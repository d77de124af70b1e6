/**
 * Text helpers for description keywords, end-use terms and red-flag words. Matchers are compiled once
 * per reference-data set into a single regular expression, so a line costs one scan, not one per term.
 */

/** NFKC (full-width → ASCII), lower case, one space between words. */
export function normaliseText(s: string): string {
  // ASCII needs no NFKC (most descriptions and statements): skip the costly part
  return (ASCII.test(s) ? s : s.normalize('NFKC')).toLowerCase().replace(/\s+/g, ' ').trim();
}
const ASCII = /^[\x00-\x7f]*$/;

/** A name reduced to letters and digits, to compare two parties' names for identity. */
export function nameKey(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Whether two names are one name to nameKey (nameKey(a) === nameKey(b)), without building the keys of ASCII names. */
export function sameNameKey(a: string, b: string): boolean {
  if (a === b) return true;
  // ASCII names: NFKC changes nothing, and the letters and digits are [A-Za-z0-9]: compare them in place
  if (!ASCII.test(a) || !ASCII.test(b)) return nameKey(a) === nameKey(b);
  let i = 0;
  let j = 0;
  for (;;) {
    let ca = -1;
    while (i < a.length && (ca = asciiKeyChar(a.charCodeAt(i++))) < 0);
    let cb = -1;
    while (j < b.length && (cb = asciiKeyChar(b.charCodeAt(j++))) < 0);
    if (ca !== cb) return false;
    if (ca < 0) return true;
  }
}

/** An ASCII letter or digit as nameKey keeps it (lower case), else -1. */
function asciiKeyChar(c: number): number {
  if ((c >= 48 && c <= 57) || (c >= 97 && c <= 122)) return c;
  if (c >= 65 && c <= 90) return c + 32;
  return -1;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isAsciiWord = (s: string) => /^[\x20-\x7e]+$/.test(s);

export interface TermHit<T> {
  term: string;
  index: number;
  values: T[];
}

/**
 * Finds any of many terms in a text. ASCII terms match whole words only ("dy" is not found in
 * "study"); CJK terms match anywhere, since those scripts do not separate words.
 */
export class TermMatcher<T> {
  private readonly re: RegExp | undefined;
  private readonly byTerm = new Map<string, T[]>();

  constructor(entries: Iterable<{ term: string; value: T }>) {
    for (const { term, value } of entries) {
      const t = normaliseText(term);
      if (!t) continue;
      const list = this.byTerm.get(t);
      if (list) {
        if (!list.includes(value)) list.push(value);
      } else this.byTerm.set(t, [value]);
    }
    const terms = [...this.byTerm.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    if (terms.length === 0) return;
    const alternatives = terms.map((t) => (isAsciiWord(t) ? `(?<![\\p{L}\\p{N}])${escapeRe(t)}(?![\\p{L}\\p{N}])` : escapeRe(t)));
    this.re = new RegExp(alternatives.join('|'), 'gu');
  }

  get size(): number {
    return this.byTerm.size;
  }

  /** Every hit in an already normalised text (see normaliseText), in order of position. */
  find(normalised: string): TermHit<T>[] {
    if (!this.re || normalised.length === 0) return [];
    const hits: TermHit<T>[] = [];
    this.re.lastIndex = 0;
    for (let m = this.re.exec(normalised); m !== null; m = this.re.exec(normalised)) {
      hits.push({ term: m[0], index: m.index, values: this.byTerm.get(m[0])! });
    }
    return hits;
  }

  /** Whether any term occurs. */
  test(normalised: string): boolean {
    if (!this.re) return false;
    this.re.lastIndex = 0;
    return this.re.test(normalised);
  }
}

/** Characters that end a clause: a negation does not reach past one. */
const CLAUSE_BREAK = /[,;:.!?、。，；：！？\n]/;

export interface Negations {
  before: TermMatcher<true>;
  after: TermMatcher<true>;
  prefixes: string[];
}

/**
 * Whether the term found at `index` (of `length` characters) is negated: a prefix touching it
 * ("non-military", "非軍事"), a negation word before it ("not for military use", "不用于军事") or after
 * it ("軍事目的には使用しない"), within `window` characters and in the same clause.
 */
export function isNegated(normalised: string, index: number, length: number, window: number, n: Negations): boolean {
  for (const p of n.prefixes) if (p && normalised.startsWith(p, index - p.length) && index - p.length >= 0) return true;
  if (window <= 0) return false;
  let before = normalised.slice(Math.max(0, index - window), index);
  for (let i = before.length - 1; i >= 0; i--) {
    if (CLAUSE_BREAK.test(before[i])) {
      before = before.slice(i + 1);
      break;
    }
  }
  if (n.before.size > 0 && n.before.test(before)) return true;
  let after = normalised.slice(index + length, index + length + window);
  for (let i = 0; i < after.length; i++) {
    if (CLAUSE_BREAK.test(after[i])) {
      after = after.slice(0, i);
      break;
    }
  }
  return n.after.size > 0 && n.after.test(after);
}
