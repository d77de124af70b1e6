import type { OrderLine } from '@dualwatch/contracts';
import type { ControlCode, ItemFamily, Lang } from '@dualwatch/refdata';
import type { ItemMatchMethod } from './policy';
import { normaliseText, TermMatcher } from './text';

/** One way a line matched one item family, before dates are applied. */
export interface ItemCandidate {
  family: ItemFamily;
  method: ItemMatchMethod;
  /** What matched: the control code or HS code from the reference data, or the keyword. */
  matched: string;
  /** The language of a keyword match. */
  lang?: Lang;
  /** The control code entry behind a control-code or 10-digit HS match, where there is one. */
  controlCode?: ControlCode;
}

/** Digits of an HS code as written on a line ("2805.30.12.00" → "2805301200"). */
export function hsDigits(hs: string | undefined): string | undefined {
  return hs ? hs.replace(/\./g, '') : undefined;
}

/** Whether two control codes name the same item at different depths ("1C902" ~ "1C902.a.1"). */
export function controlCodesOverlap(lineCode: string, listed: string): boolean {
  const a = lineCode.toLowerCase();
  const b = listed.toLowerCase();
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

const MAX_MEMO = 50_000;

/**
 * The item families indexed for matching: control codes by their 5-character stem, HS codes in maps,
 * every keyword of every family in one compiled matcher. Lines repeat a lot in real order books, so
 * the candidates of a (control code, HS code, description) triple are memoised; dates are applied by
 * the caller, which keeps the memo valid for any as-of date.
 */
export class ItemIndex {
  private readonly byStem = new Map<string, { code: string; family: ItemFamily; cc: ControlCode }[]>();
  private readonly byHs10 = new Map<string, { family: ItemFamily; cc?: ControlCode }[]>();
  private readonly byHs8 = new Map<string, ItemFamily[]>();
  private readonly byHs6 = new Map<string, ItemFamily[]>();
  private readonly byHs6Weak = new Map<string, ItemFamily[]>();
  private readonly keywords: TermMatcher<{ family: ItemFamily; lang: Lang }>;
  private readonly memo = new Map<string, Map<string, ItemCandidate[]>>();
  private memoSize = 0;

  constructor(families: readonly ItemFamily[]) {
    const kw: { term: string; value: { family: ItemFamily; lang: Lang } }[] = [];
    for (const family of families) {
      for (const cc of family.controlCodes) {
        const stem = cc.code.slice(0, 5).toUpperCase();
        push(this.byStem, stem, { code: cc.code, family, cc });
        for (const hs of cc.hsCodes ?? []) pushUnique(this.byHs10, hs, { family, cc }, (x) => x.family === family);
      }
      for (const hs of family.hsCodes10) pushUnique(this.byHs10, hs, { family }, (x) => x.family === family);
      for (const hs of family.hs8 ?? []) pushUnique(this.byHs8, hs, family, (x) => x === family);
      for (const hs of family.hs6) pushUnique(this.byHs6, hs, family, (x) => x === family);
      for (const hs of family.hs6Weak ?? []) pushUnique(this.byHs6Weak, hs, family, (x) => x === family);
      for (const lang of ['en', 'zh', 'ja'] as const) {
        for (const term of family.keywords?.[lang] ?? []) kw.push({ term, value: { family, lang } });
      }
    }
    // one value object per (family, lang) so a term shared by languages keeps both
    this.keywords = new TermMatcher(kw);
  }

  /** Every family the line matches, with the strongest method per family first in the list for it. */
  candidates(line: Pick<OrderLine, 'controlCode' | 'hsCode' | 'description'>): ItemCandidate[] {
    // description → "control code|HS code" → candidates: no long key string per lookup
    const codes = line.controlCode ? `${line.controlCode}|${line.hsCode ?? ''}` : (line.hsCode ?? '');
    let byDescription = this.memo.get(line.description);
    const hit = byDescription?.get(codes);
    if (hit) return hit;
    const out = this.compute(line);
    if (this.memoSize >= MAX_MEMO) {
      this.memo.clear();
      this.memoSize = 0;
      byDescription = undefined;
    }
    if (!byDescription) this.memo.set(line.description, (byDescription = new Map()));
    byDescription.set(codes, out);
    this.memoSize++;
    return out;
  }

  private compute(line: Pick<OrderLine, 'controlCode' | 'hsCode' | 'description'>): ItemCandidate[] {
    const out: ItemCandidate[] = [];
    if (line.controlCode) {
      for (const e of this.byStem.get(line.controlCode.slice(0, 5).toUpperCase()) ?? []) {
        if (controlCodesOverlap(line.controlCode, e.code))
          out.push({ family: e.family, method: 'controlCode', matched: e.code, controlCode: e.cc });
      }
    }
    const hs = hsDigits(line.hsCode);
    if (hs && hs.length === 10) {
      for (const e of this.byHs10.get(hs) ?? []) out.push({ family: e.family, method: 'hs10', matched: hs, controlCode: e.cc });
    }
    if (hs && hs.length >= 8) {
      const hs8 = hs.slice(0, 8);
      for (const family of this.byHs8.get(hs8) ?? []) out.push({ family, method: 'hs8', matched: hs8 });
    }
    if (hs && hs.length >= 6) {
      const hs6 = hs.slice(0, 6);
      for (const family of this.byHs6.get(hs6) ?? []) out.push({ family, method: 'hs6', matched: hs6 });
      for (const family of this.byHs6Weak.get(hs6) ?? []) out.push({ family, method: 'hs6Weak', matched: hs6 });
    }
    if (this.keywords.size > 0) {
      for (const h of this.keywords.find(normaliseText(line.description))) {
        for (const v of h.values) out.push({ family: v.family, method: 'keyword', matched: h.term, lang: v.lang });
      }
    }
    return disambiguate(dedupe(out));
  }
}

/**
 * A heading shared by several families (284690 holds Dy oxide and Ho oxide alike) says nothing about
 * which one the line is: where the description names some of those families, the heading matches of
 * the families it does not name are dropped.
 */
function disambiguate(cands: ItemCandidate[]): ItemCandidate[] {
  const byKeyword = new Set<ItemFamily>();
  for (const c of cands) if (c.method === 'keyword') byKeyword.add(c.family);
  if (byKeyword.size === 0) return cands;
  const headings = new Map<string, ItemFamily[]>();
  for (const c of cands)
    if (c.method === 'hs8' || c.method === 'hs6' || c.method === 'hs6Weak') push(headings, `${c.method}|${c.matched}`, c.family);
  return cands.filter((c) => {
    if (c.method !== 'hs8' && c.method !== 'hs6' && c.method !== 'hs6Weak') return true;
    const sharing = headings.get(`${c.method}|${c.matched}`)!;
    return sharing.length < 2 || byKeyword.has(c.family) || !sharing.some((f) => byKeyword.has(f));
  });
}

/** Keeps the first candidate per (family, method), in the order found. */
function dedupe(cands: ItemCandidate[]): ItemCandidate[] {
  const seen = new Set<string>();
  const out: ItemCandidate[] = [];
  for (const c of cands) {
    const k = `${c.family.id}|${c.method}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(c);
  }
  return out;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function pushUnique<K, V>(m: Map<K, V[]>, k: K, v: V, same: (x: V) => boolean): void {
  const list = m.get(k);
  if (!list) m.set(k, [v]);
  else if (!list.some(same)) list.push(v);
}
