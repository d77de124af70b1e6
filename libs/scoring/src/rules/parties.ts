import type { PartyListKind } from '@dualwatch/refdata';
import { defenceTiesEvidence, partyEvidence } from './evidence';
import { NO_HITS, type ExposedContext, type RuleHit, type RuleUnit } from './types';

/*
 * Party rules: run once per screened candidate (parties in SCREENED_ROLES order, candidates best
 * first), for an order with at least one exposed line. Order-level weights and caps rest on the anchor.
 */

const LIST_RULE: Record<PartyListKind, 'PARTY_ON_CONTROL_LIST' | 'PARTY_MILITARY_USER' | 'PARTY_ON_WATCH_LIST' | 'DEFENCE_NEXUS_PARTY'> = {
  control_list: 'PARTY_ON_CONTROL_LIST',
  military_user: 'PARTY_MILITARY_USER',
  watch_list: 'PARTY_ON_WATCH_LIST',
  defence_nexus: 'DEFENCE_NEXUS_PARTY',
};

/** Weight, cap and why of an order-level hit resting on the anchor line. */
export const onAnchor = (ctx: ExposedContext, factor = 1): Pick<RuleHit, 'factor' | 'cap' | 'cappedBy'> => ({
  factor: factor * ctx.anchor.strength,
  cap: ctx.orderCap,
  cappedBy: ctx.cappedBy,
});

export const partyListingNotInForce: RuleUnit = {
  name: 'party listing not in force',
  stage: 'party',
  codes: ['PARTY_LISTING_NOT_IN_FORCE'],
  reads: 'a screened candidate whose list entry is not in force at D',
  evaluate(ctx, p, c) {
    if (c.status.state === 'in_force') return NO_HITS;
    const e = c.entry;
    return [
      {
        code: 'PARTY_LISTING_NOT_IN_FORCE',
        say: 'PARTY_LISTING_NOT_IN_FORCE',
        params: { p, c, citation: ctx.citation(e.announcement), D: ctx.D },
        partyRole: p.role,
        matchScore: c.score,
        evidence: partyEvidence(c, ctx.citation, ctx.exposedIds),
        legalBasis: ctx.legalBasis(e.announcement),
      },
    ];
  },
};

export const listedParty: RuleUnit = {
  name: 'listed party',
  stage: 'party',
  codes: ['PARTY_ON_CONTROL_LIST', 'PARTY_MILITARY_USER', 'PARTY_ON_WATCH_LIST', 'DEFENCE_NEXUS_PARTY', 'POSSIBLE_LIST_MATCH'],
  reads:
    'a screened candidate: a certain match to an in-force entry (the rule of its list), a possible match (unless the party has a certain one), ' +
    'or (v2) a known defence supplier before its own listing',
  evaluate(ctx, p, c) {
    const e = c.entry;
    if (c.status.state !== 'in_force') {
      // v2: a known MoD contractor or defence-group member is a defence-nexus party before its own listing
      if (!(c.status.state === 'not_yet' && e.defenceNexusFrom !== undefined && ctx.D >= e.defenceNexusFrom)) return NO_HITS;
      return [
        {
          code: c.band === 'match' ? 'DEFENCE_NEXUS_PARTY' : 'POSSIBLE_LIST_MATCH',
          say: 'DEFENCE_NEXUS_PARTY:beforeListing',
          params: { p, c, exposed: ctx.exposed },
          partyRole: p.role,
          lineId: ctx.anchor.lineId,
          matchScore: c.score,
          evidence: {
            ...partyEvidence(c, ctx.citation, ctx.exposedIds),
            basis: 'defence_nexus_before_listing',
            defenceNexusFrom: e.defenceNexusFrom,
            ties: defenceTiesEvidence(e),
          },
          legalBasis: ctx.ban.legalBasis,
          ...onAnchor(ctx, c.score),
        },
      ];
    }
    if (c.band === 'possible') {
      // the certain match already explains this party
      if (p.candidates.some((o) => o.band === 'match' && o.status.state === 'in_force')) return NO_HITS;
      return [
        {
          code: 'POSSIBLE_LIST_MATCH',
          say: 'POSSIBLE_LIST_MATCH',
          params: { p, c, citation: ctx.citation(e.announcement), exposed: ctx.exposed, threshold: ctx.policy.partyMatch.match },
          partyRole: p.role,
          matchScore: c.score,
          evidence: partyEvidence(c, ctx.citation, ctx.exposedIds),
          legalBasis: ctx.legalBasis(e.announcement),
          ...onAnchor(ctx, c.score),
        },
      ];
    }
    const code = LIST_RULE[e.list];
    return [
      {
        code,
        say: code,
        params: { p, c, citation: ctx.citation(e.announcement), exposed: ctx.exposed },
        partyRole: p.role,
        lineId: ctx.anchor.lineId,
        matchScore: c.score,
        evidence: partyEvidence(c, ctx.citation, ctx.exposedIds),
        legalBasis: ctx.legalBasis(e.announcement),
        ...onAnchor(ctx, c.score),
      },
    ];
  },
};
