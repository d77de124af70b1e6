import type { ItemMatch, LineEvaluation } from '../evaluate';
import { itemEvidence } from './evidence';
import { NO_HITS, type EvalContext, type RuleHit, type RuleUnit } from './types';

/*
 * Line rules: run once per order line (every unit on a line before the next line), for an order
 * with a Japan nexus and the ban in force.
 */

const prcIsh = (l: LineEvaluation) => l.origin.finding !== 'not_prc' && l.origin.finding !== 'unknown';
/** The in-force match of an exposed line (the findings below rest on it). */
const exposedMatch = (l: LineEvaluation): ItemMatch | undefined => (l.exposed ? l.item.match : undefined);

export const controlledItem: RuleUnit = {
  name: 'controlled item',
  stage: 'line',
  exposedLinesOnly: true,
  codes: ['CONTROLLED_ITEM'],
  reads: 'an exposed line: its strongest in-force item match and its origin',
  evaluate(ctx, l) {
    const m = exposedMatch(l);
    if (!m) return NO_HITS;
    return [
      {
        code: 'CONTROLLED_ITEM',
        say: 'CONTROLLED_ITEM',
        params: { l, m, citation: ctx.citation(m.family.announcement) },
        lineId: l.lineId,
        matchScore: m.strength,
        evidence: itemEvidence(m, l, ctx.citation),
        legalBasis: ctx.legalBasis(m.family.announcement),
        factor: l.strength,
      },
    ];
  },
};

export const originInferred: RuleUnit = {
  name: 'origin inferred',
  stage: 'line',
  exposedLinesOnly: true,
  codes: ['ORIGIN_INFERRED'],
  reads: 'an exposed line whose PRC origin is inferred from the seller or the ship-from country',
  evaluate(ctx, l) {
    if (!exposedMatch(l) || l.origin.finding !== 'inferred') return NO_HITS;
    return [
      {
        code: 'ORIGIN_INFERRED',
        say: 'ORIGIN_INFERRED',
        params: { l },
        lineId: l.lineId,
        evidence: { origin: 'inferred', basis: l.origin.basis, seller: ctx.order.seller.country, shipFrom: ctx.order.shipFrom },
        legalBasis: ctx.ban.legalBasis,
      },
    ];
  },
};

export const possiblePrcOrigin: RuleUnit = {
  name: 'possible PRC origin',
  stage: 'line',
  exposedLinesOnly: true,
  codes: ['POSSIBLE_PRC_ORIGIN'],
  reads: 'an exposed line with no declared origin shipping from HK/MO',
  evaluate(ctx, l) {
    const m = exposedMatch(l);
    if (!m || l.origin.finding !== 'possible') return NO_HITS;
    return [
      {
        code: 'POSSIBLE_PRC_ORIGIN',
        say: 'POSSIBLE_PRC_ORIGIN',
        params: { l, m, shipFrom: ctx.order.shipFrom },
        lineId: l.lineId,
        matchScore: m.strength,
        evidence: itemEvidence(m, l, ctx.citation, { shipFrom: ctx.order.shipFrom }),
        legalBasis: ctx.ban.legalBasis,
        factor: l.strength,
      },
    ];
  },
};

export const prcContentOnly: RuleUnit = {
  name: 'PRC content only',
  stage: 'line',
  exposedLinesOnly: true,
  codes: ['PRC_CONTENT_ONLY'],
  reads: 'an exposed non-PRC line with PRC content (chinaContentPct)',
  evaluate(ctx, l) {
    const m = exposedMatch(l);
    if (!m || l.origin.finding !== 'content') return NO_HITS;
    return [
      {
        code: 'PRC_CONTENT_ONLY',
        say: 'PRC_CONTENT_ONLY',
        params: { l, m, ban: ctx.ban },
        lineId: l.lineId,
        matchScore: m.strength,
        evidence: itemEvidence(m, l, ctx.citation, { chinaContentPct: l.line.chinaContentPct }),
        legalBasis: ctx.ban.legalBasis,
        factor: l.strength,
      },
    ];
  },
};

export const uncontrolledMaterialNamed: RuleUnit = {
  name: 'uncontrolled material named',
  stage: 'line',
  exposedLinesOnly: true,
  codes: ['UNCONTROLLED_MATERIAL_NAMED'],
  reads: 'an exposed line whose description names an uncontrolled material of the matched family (policy v2)',
  evaluate(ctx, l) {
    const m = exposedMatch(l);
    if (!m || !l.uncontrolled) return NO_HITS;
    return [
      {
        code: 'UNCONTROLLED_MATERIAL_NAMED',
        say: 'UNCONTROLLED_MATERIAL_NAMED',
        params: { l, m, uncontrolled: l.uncontrolled },
        lineId: l.lineId,
        matchScore: m.strength,
        evidence: itemEvidence(m, l, ctx.citation, { uncontrolledMaterial: l.uncontrolled.id, word: l.uncontrolled.word }),
        legalBasis: ctx.legalBasis(m.family.announcement),
      },
    ];
  },
};

export const weakItemMatch: RuleUnit = {
  name: 'weak item match',
  stage: 'line',
  exposedLinesOnly: true,
  codes: ['WEAK_ITEM_MATCH'],
  reads: 'an exposed line matched only by keywords or a broad HS heading',
  evaluate(ctx, l) {
    const m = exposedMatch(l);
    if (!m || !m.weak) return NO_HITS;
    return [
      {
        code: 'WEAK_ITEM_MATCH',
        say: 'WEAK_ITEM_MATCH',
        params: { l, m },
        lineId: l.lineId,
        matchScore: m.strength,
        evidence: itemEvidence(m, l, ctx.citation),
        legalBasis: ctx.legalBasis(m.family.announcement),
        factor: l.strength,
      },
    ];
  },
};

export const broadCodeCorroborated: RuleUnit = {
  name: 'broad code family corroborated by the description',
  stage: 'line',
  exposedLinesOnly: true,
  codes: ['BROAD_CODE_CORROBORATED'],
  reads:
    'an exposed line whose only code is a heading broader than the control, corroborated by a description naming the controlled material',
  evaluate(ctx, l) {
    const m = exposedMatch(l);
    if (!m || m.weak || !m.corroboratedBy) return NO_HITS;
    return [
      {
        code: 'BROAD_CODE_CORROBORATED',
        say: 'BROAD_CODE_CORROBORATED',
        params: { l, m },
        lineId: l.lineId,
        matchScore: m.strength,
        evidence: itemEvidence(m, l, ctx.citation),
        legalBasis: ctx.legalBasis(m.family.announcement),
        factor: l.strength,
      },
    ];
  },
};

export const reexportOfPrcOrigin: RuleUnit = {
  name: 're-export of PRC origin',
  stage: 'line',
  exposedLinesOnly: true,
  codes: ['REEXPORT_OF_PRC_ORIGIN'],
  reads: 'an exposed line of declared or inferred PRC origin sold by a seller outside the PRC',
  evaluate(ctx, l) {
    const m = exposedMatch(l);
    const { order } = ctx;
    if (!m || ctx.cp.prc.has(order.seller.country) || !(l.origin.finding === 'declared' || l.origin.finding === 'inferred')) return NO_HITS;
    return [
      {
        code: 'REEXPORT_OF_PRC_ORIGIN',
        say: 'REEXPORT_OF_PRC_ORIGIN',
        params: { l, seller: order.seller, ban: ctx.ban },
        lineId: l.lineId,
        partyRole: 'seller',
        matchScore: m.strength,
        evidence: itemEvidence(m, l, ctx.citation, {
          seller: order.seller.name,
          sellerCountry: order.seller.country,
          shipFrom: order.shipFrom,
        }),
        legalBasis: ctx.ban.legalBasis,
        factor: l.strength,
      },
    ];
  },
};

export const originMissing: RuleUnit = {
  name: 'origin missing',
  stage: 'line',
  codes: ['ORIGIN_MISSING'],
  reads: 'a line matching an in-force family with no origin declared or inferable',
  evaluate(ctx, l) {
    const m = l.item.match;
    if (!m || l.exposed || l.origin.finding !== 'unknown') return NO_HITS;
    return [
      {
        code: 'ORIGIN_MISSING',
        say: 'ORIGIN_MISSING',
        params: { l, m, order: ctx.order },
        lineId: l.lineId,
        matchScore: m.strength,
        evidence: itemEvidence(m, l, ctx.citation),
        legalBasis: ctx.ban.legalBasis,
      },
    ];
  },
};

export const itemFamilySuspended: RuleUnit = {
  name: 'item family suspended',
  stage: 'line',
  codes: ['ITEM_FAMILY_SUSPENDED'],
  reads: 'a PRC-ish line whose strongest match is to a family suspended at D',
  evaluate(ctx, l) {
    const m = l.item.match;
    const inactive = l.item.inactive;
    if (
      !inactive ||
      inactive.status.state !== 'suspended' ||
      !prcIsh(l) ||
      !(!m || (m.family !== inactive.family && inactive.strength > m.strength))
    )
      return NO_HITS;
    const s = inactive.status.suspension!;
    return [
      {
        code: 'ITEM_FAMILY_SUSPENDED',
        say: 'ITEM_FAMILY_SUSPENDED',
        params: { l, inactive, D: ctx.D, citation: ctx.citation(s.announcement) },
        lineId: l.lineId,
        matchScore: inactive.strength,
        evidence: itemEvidence(inactive, l, ctx.citation, {
          suspension: {
            from: s.from,
            until: s.until,
            announcement: s.announcement,
            citation: ctx.citation(s.announcement),
            uncertain: s.uncertain === true,
            sources: s.sources,
            sourceKinds: ctx.citation.kinds(s.sources),
          },
        }),
        legalBasis: ctx.legalBasis(s.announcement),
      },
    ];
  },
};

export const suspensionEndUncertain: RuleUnit = {
  name: 'suspension end uncertain',
  stage: 'line',
  codes: ['SUSPENSION_END_UNCERTAIN'],
  reads: "a PRC-ish line's matched families whose status rests on an assumed suspension end (once per family per order)",
  evaluate(ctx: EvalContext, l) {
    const out: RuleHit[] = [];
    for (const cand of [l.item.match, l.item.inactive]) {
      if (!cand?.status.assumption || !prcIsh(l) || ctx.uncertainFamilies.includes(cand.familyId)) continue;
      ctx.uncertainFamilies.push(cand.familyId);
      const s = cand.status.suspension!;
      out.push({
        code: 'SUSPENSION_END_UNCERTAIN',
        say: 'SUSPENSION_END_UNCERTAIN',
        params: { l, cand },
        lineId: l.lineId,
        evidence: {
          familyId: cand.familyId,
          familyName: cand.familyName,
          assumption: cand.status.assumption,
          suspension: {
            from: s.from,
            until: s.until,
            announcement: s.announcement,
            citation: ctx.citation(s.announcement),
            uncertain: true,
            note: s.note ?? null,
            sources: s.sources,
            sourceKinds: ctx.citation.kinds(s.sources),
          },
        },
        legalBasis: ctx.legalBasis(s.announcement),
      });
    }
    return out;
  },
};

export const hsCodeMissing: RuleUnit = {
  name: 'HS code missing',
  stage: 'line',
  codes: ['HS_CODE_MISSING'],
  reads: 'a PRC-ish line with neither HS code nor control code',
  evaluate(ctx, l) {
    if (l.line.hsCode || l.line.controlCode || !prcIsh(l)) return NO_HITS;
    return [{ code: 'HS_CODE_MISSING', say: 'HS_CODE_MISSING', params: { l }, lineId: l.lineId, legalBasis: ctx.ban.legalBasis }];
  },
};

/** In the order of evaluation on each line. */
export const LINE_RULES: RuleUnit[] = [
  controlledItem,
  originInferred,
  possiblePrcOrigin,
  prcContentOnly,
  uncontrolledMaterialNamed,
  weakItemMatch,
  broadCodeCorroborated,
  reexportOfPrcOrigin,
  originMissing,
  itemFamilySuspended,
  suspensionEndUncertain,
  hsCodeMissing,
];
