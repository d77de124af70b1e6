/**
 * Text helpers for description keywords, end-use terms and red-flag words. Matchers are compiled once
 * per reference-data set into a single regular expression, so a line costs one scan, not one per term.
 */

/** NFKC (full-width → ASCII), lower case, one space between words. */
export function normaliseText(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** A name reduced to letters and digits, to compare two parties' names for identity. */
export function nameKey(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
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

/** Words that delimit a clause: a negation before one of them does not reach past it. */
const CLAUSE_BREAK = /[,;:.!?、。，；：！？]/g;

/**
 * Whether the term found at `index` is negated ("not for military use", "非军事用途"): a negation word
 * within `window` characters before it, in the same clause.
 */
export function isNegated(normalised: string, index: number, window: number, negations: TermMatcher<true>): boolean {
  if (window <= 0 || negations.size === 0) return false;
  let before = normalised.slice(Math.max(0, index - window), index);
  let last = -1;
  CLAUSE_BREAK.lastIndex = 0;
  for (let m = CLAUSE_BREAK.exec(before); m !== null; m = CLAUSE_BREAK.exec(before)) last = m.index;
  if (last >= 0) before = before.slice(last + 1);
  return negations.test(before);
}
