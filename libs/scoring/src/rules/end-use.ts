import { normaliseText, isNegated } from '../text';
import { redFlagEvidence } from './evidence';
import { onAnchor } from './parties';
import { NO_HITS, type EndUseReading, type ExposedContext, type RuleUnit } from './types';

/* End-use rules: run once per order with at least one exposed line. */

/**
 * The end-use statement as the rules read it, kept on the context. Readings are memoised per policy by the
 * statement as written: statements recur (ERP templates), and the reading (normalised text, withheld-use
 * words, military terms) depends on the text alone.
 */
function readEndUse(ctx: ExposedContext): EndUseReading {
  let r = ctx.endUse;
  if (!r) {
    const raw = ctx.order.endUse?.statement;
    if (raw === undefined) r = NO_STATEMENT;
    else {
      const memo = ctx.cp.endUseReadings;
      r = memo.get(raw);
      if (!r) {
        const statement = raw.trim();
        const norm = statement ? normaliseText(statement) : '';
        r = { statement, norm, withheld: norm ? ctx.cp.endUseWithheldWords.find(norm) : [], militaryTerms: undefined };
        if (memo.size >= 50_000) memo.clear();
        memo.set(raw, r);
      }
    }
    ctx.endUse = r;
  }
  return r;
}

const NO_STATEMENT: EndUseReading = Object.freeze({ statement: '', norm: '', withheld: [], militaryTerms: undefined });

/** A military end use: the end-use category, or a military term of the statement not negated in its clause. */
function militaryEndUse(ctx: ExposedContext): { category?: string; terms: string[] } | undefined {
  const { policy } = ctx;
  const category = ctx.order.endUse?.category;
  const byCategory = !!category && (policy.militaryEndUse.categories as string[]).includes(category);
  const reading = readEndUse(ctx);
  const terms = reading.norm ? (reading.militaryTerms ??= militaryTermsOf(reading.norm, ctx)) : NO_TERMS;
  if (!byCategory && terms.length === 0) return undefined;
  return { category: byCategory ? category : undefined, terms };
}

const NO_TERMS: string[] = [];

/**
 * The military terms of a normalised statement that are neither negated in their clause nor part of a civil
 * collocation ("submarine cable", "Swiss Army knife"), once per statement (kept on its reading).
 */
function militaryTermsOf(norm: string, ctx: ExposedContext): string[] {
  const { cr, cp, policy } = ctx;
  const civil = cp.civilPhrases ? cp.civilPhrases.find(norm) : [];
  const terms: string[] = [];
  for (const h of cr.militaryTerms.find(norm)) {
    if (civil.some((c) => c.index <= h.index && h.index + h.term.length <= c.index + c.term.length)) continue;
    if (!isNegated(norm, h.index, h.term.length, policy.militaryEndUse.negationWindow, cp.negations)) terms.push(h.term);
  }
  return terms.length ? [...new Set(terms)] : NO_TERMS;
}

export const militaryEndUseJapan: RuleUnit = {
  name: 'military end use, Japan',
  stage: 'order',
  codes: ['MILITARY_END_USE_JAPAN'],
  reads: "the end-use category and statement (military terms not negated), the Japan nexus's grounds",
  evaluate(ctx) {
    const military = militaryEndUse(ctx);
    if (!military) return NO_HITS;
    const { ban } = ctx;
    return [
      {
        code: 'MILITARY_END_USE_JAPAN',
        say: 'MILITARY_END_USE_JAPAN',
        params: { grounds: ctx.japanNexus.grounds, category: military.category, terms: military.terms, ban, exposed: ctx.exposed },
        lineId: ctx.anchor.lineId,
        evidence: {
          endUse: ctx.order.endUse ?? null,
          terms: military.terms,
          japanNexus: ctx.japanNexus.grounds,
          announcement: ban.id,
          citation: ban.citation,
          sources: ban.sources,
          sourceKinds: ctx.citation.kinds(ban.sources),
        },
        legalBasis: ban.legalBasis,
        ...onAnchor(ctx),
      },
    ];
  },
};

const endUseMissing = (ctx: ExposedContext) => {
  const endUse = ctx.order.endUse;
  return !endUse || (!endUse.category && readEndUse(ctx).statement === '');
};

export const endUseMissingRule: RuleUnit = {
  name: 'end use missing',
  stage: 'order',
  codes: ['END_USE_MISSING'],
  reads: 'the end use: neither category nor statement',
  evaluate(ctx) {
    if (!endUseMissing(ctx)) return NO_HITS;
    return [
      {
        code: 'END_USE_MISSING',
        say: 'END_USE_MISSING',
        params: { exposed: ctx.exposed },
        lineId: ctx.anchor.lineId,
        evidence: { endUse: ctx.order.endUse ?? null, lines: ctx.exposedIds },
        legalBasis: ctx.ban.legalBasis,
        ...onAnchor(ctx),
      },
    ];
  },
};

export const endUseUnknown: RuleUnit = {
  name: 'end use unknown',
  stage: 'order',
  codes: ['END_USE_UNKNOWN'],
  reads: 'an end use stated as "unknown", or a statement that withholds it ("confidential")',
  evaluate(ctx) {
    const endUse = ctx.order.endUse;
    if (!endUse || endUseMissing(ctx)) return NO_HITS;
    const { withheld } = readEndUse(ctx);
    if (!(endUse.category === 'unknown' || withheld.length > 0)) return NO_HITS;
    return [
      {
        code: 'END_USE_UNKNOWN',
        say: 'END_USE_UNKNOWN',
        params: { withheldWord: endUse.category === 'unknown' ? undefined : withheld[0].term, exposed: ctx.exposed },
        lineId: ctx.anchor.lineId,
        evidence: {
          endUse,
          words: withheld.map((w) => w.term),
          lines: ctx.exposedIds,
          ...(withheld.length ? redFlagEvidence(ctx.cr, withheld[0].values[0]) : {}),
        },
        legalBasis: ctx.ban.legalBasis,
        ...onAnchor(ctx),
      },
    ];
  },
};
