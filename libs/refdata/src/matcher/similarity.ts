/**
 * Jaro-Winkler similarity of two strings (0..1): 1 for equal strings, high for one typo or a
 * transposition in a long word ("mitsubshi" ~ "mitsubishi" 0.98), and rewarding a common prefix.
 * Used only to pair up Latin tokens that are not equal; the matcher's threshold keeps unrelated
 * words apart ("mitsui" ~ "mitsubishi" is 0.92, below it).
 */
export function jaroWinkler(a: string, b: string, prefixScale = 0.1): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const aMatched = new Array<boolean>(la).fill(false);
  const bMatched = new Array<boolean>(lb).fill(false);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(lb - 1, i + window);
    for (let j = from; j <= to; j++) {
      if (bMatched[j] || a[i] !== b[j]) continue;
      aMatched[i] = true;
      bMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  for (let i = 0, j = 0; i < la; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[j]) j++;
    if (a[i] !== b[j]) transpositions++;
    j++;
  }
  const m = matches;
  const jaro = (m / la + m / lb + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < Math.min(4, la, lb) && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * prefixScale * (1 - jaro);
}

/** Character trigrams of a word padded with "$" at both ends (the soft-match index key). */
export function trigrams(word: string): string[] {
  const w = `$${word}$`;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= w.length; i++) out.add(w.slice(i, i + 3));
  return [...out];
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), or `limit + 1` as soon
 * as it must exceed `limit`.
 */
export function osaDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  let prev2 = new Array<number>(cols).fill(0);
  let prev = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i < rows; i++) {
    const cur = new Array<number>(cols).fill(0);
    cur[0] = i;
    let best = cur[0];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[cols - 1]!;
}

/**
 * Similarity of two words that may be typos of each other, or 0 when they are not close enough:
 * Jaro-Winkler at or above `threshold`, or, for words of 8 letters or more, one edit apart
 * (Jaro-Winkler undervalues a dropped letter mid-word: "engneering" ~ "engineering" is 0.93).
 */
export function typoSimilarity(a: string, b: string, threshold: number): number {
  const jw = jaroWinkler(a, b);
  if (jw >= threshold) return jw;
  if (Math.min(a.length, b.length) >= 8 && osaDistance(a, b, 1) <= 1) return Math.max(jw, 1 - 1 / Math.max(a.length, b.length));
  return 0;
}
