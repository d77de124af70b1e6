import type { LineEvaluation } from '../evaluate';
import { itemEvidence, sensitiveEvidence } from './evidence';
import { NO_HITS, type RuleUnit } from './types';

/*
 * Policy v2: lines going to a party that is, or may be, a Japanese military user or a control-listed
 * entity in force at D. Run once per order (Japan nexus, ban in force), exposed lines or not.
 */

const prcOrigin = (l: LineEvaluation) =>
  l.origin.finding === 'declared' || l.origin.finding === 'inferred' || l.origin.finding === 'possible';

export const unidentifiedLine: RuleUnit = {
  name: 'unidentified line to a sensitive party',
  stage: 'sensitive',
  codes: ['UNIDENTIFIED_LINE'],
  reads: 'the sensitive parties and the PRC-origin lines that name no specific good and carry no code',
  evaluate(ctx) {
    const { sensitive } = ctx;
    if (sensitive.length === 0) return NO_HITS;
    const unidentified = ctx.lines.filter((l) => l.unidentified && prcOrigin(l));
    if (unidentified.length === 0) return NO_HITS;
    return [
      {
        code: 'UNIDENTIFIED_LINE',
        say: 'UNIDENTIFIED_LINE',
        params: { lines: unidentified, sensitive },
        lineId: unidentified[0].lineId,
        partyRole: sensitive[0].p.role,
        matchScore: sensitive[0].c.score,
        evidence: {
          lines: unidentified.map((l) => l.lineId),
          origins: unidentified.map((l) => l.origin.finding),
          parties: sensitiveEvidence(sensitive),
        },
        legalBasis: ctx.ban.legalBasis,
        factor: sensitive[0].c.score * unidentified[0].origin.certainty,
      },
    ];
  },
};

export const suspensionUncertainSensitiveParty: RuleUnit = {
  name: 'uncertain suspension end, sensitive party',
  stage: 'sensitive',
  codes: ['SUSPENSION_UNCERTAIN_SENSITIVE_PARTY'],
  reads: 'the sensitive parties and each PRC-origin line matching a family whose suspension end is uncertain',
  evaluate(ctx) {
    const { sensitive } = ctx;
    if (sensitive.length === 0) return NO_HITS;
    return ctx.lines.flatMap((l) => {
      const cand = [l.item.match, l.item.inactive].find((c) => c?.status.assumption && c.status.suspension?.uncertain);
      if (!cand || !prcOrigin(l)) return NO_HITS;
      const s = cand.status.suspension!;
      return [
        {
          code: 'SUSPENSION_UNCERTAIN_SENSITIVE_PARTY' as const,
          say: 'SUSPENSION_UNCERTAIN_SENSITIVE_PARTY' as const,
          params: { l, cand, citation: ctx.citation(s.announcement), sensitive },
          lineId: l.lineId,
          partyRole: sensitive[0].p.role,
          matchScore: cand.strength,
          evidence: itemEvidence(cand, l, ctx.citation, {
            suspension: {
              from: s.from,
              until: s.until,
              announcement: s.announcement,
              uncertain: true,
              sources: s.sources,
              sourceKinds: ctx.citation.kinds(s.sources),
            },
            parties: sensitiveEvidence(sensitive),
          }),
          legalBasis: ctx.legalBasis(s.announcement),
          factor: cand.strength,
        },
      ];
    });
  },
};
