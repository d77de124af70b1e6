import type { PartyRole } from '@dualwatch/contracts';
import { normaliseText, sameNameKey, type TermHit } from '../text';
import { redFlagEvidence } from './evidence';
import { onAnchor } from './parties';
import { NO_HITS, type ExposedContext, type RuleUnit } from './types';

/* Red flags (the reference data's red-flag list): run once per order with at least one exposed line. */

export const intermediaryEndUser: RuleUnit = {
  name: 'intermediary as end user',
  stage: 'order',
  codes: ['RED_FLAG_INTERMEDIARY_END_USER'],
  reads: "the end user (else the buyer): its role, its name's intermediary words (when no role), whether it is also the freight forwarder",
  evaluate(ctx) {
    const { order, parties, cp, policy, cr } = ctx;
    const eu = order.endUser ?? order.buyer;
    const euRole: PartyRole = order.endUser ? 'endUser' : 'buyer';
    // Name words only stand in for a missing role ("other" says nothing either), and never for a party
    // already known as a listed entity: "Acquisition, Technology & Logistics Agency" is no forwarder.
    const euKnown = parties.some((p) => p.role === euRole && p.candidates.some((c) => c.band === 'match'));
    const words = (!eu.role || eu.role === 'other') && !euKnown ? cp.intermediaryWords.find(normaliseText(eu.name)) : [];
    const forwarderIsEndUser = !!order.endUser && !!order.freightForwarder && sameNameKey(order.endUser.name, order.freightForwarder.name);
    const byRole = !!eu.role && policy.intermediaries.roles.includes(eu.role);
    if (!byRole && words.length === 0 && !forwarderIsEndUser) return NO_HITS;
    return [
      {
        code: 'RED_FLAG_INTERMEDIARY_END_USER',
        say: 'RED_FLAG_INTERMEDIARY_END_USER',
        params: {
          endUserNamed: !!order.endUser,
          name: eu.name,
          why: byRole ? { role: eu.role! } : forwarderIsEndUser ? { forwarder: true } : { word: words[0].term },
          exposed: ctx.exposed,
        },
        partyRole: euRole,
        evidence: {
          party: eu.name,
          role: eu.role ?? null,
          words: words.map((w) => w.term),
          ...redFlagEvidence(cr, 'RED_FLAG_INTERMEDIARY_END_USER', words.length ? [words[0].values[0]] : []),
        },
        legalBasis: ctx.ban.legalBasis,
        ...onAnchor(ctx),
      },
    ];
  },
};

export const transshipmentHub: RuleUnit = {
  name: 'transshipment hub',
  stage: 'order',
  codes: ['RED_FLAG_TRANSSHIPMENT_HUB'],
  reads: 'the transit countries that are transshipment hubs',
  evaluate(ctx) {
    const { order, cr } = ctx;
    if (!order.transit || order.transit.length === 0) return NO_HITS;
    const hubs = order.transit.filter((c) => cr.countries.get(c)?.transshipmentHub);
    if (hubs.length === 0) return NO_HITS;
    const unique = [...new Set(hubs)];
    return [
      {
        code: 'RED_FLAG_TRANSSHIPMENT_HUB',
        say: 'RED_FLAG_TRANSSHIPMENT_HUB',
        params: {
          hubs: unique.map((c) => ({ code: c, name: cr.countries.get(c)?.name, uncertain: cr.countries.get(c)?.uncertain })),
          exposed: ctx.exposed,
        },
        lineId: ctx.anchor.lineId,
        evidence: {
          transit: order.transit,
          hubs: unique,
          ...hubSourcesEvidence(ctx, [...new Set(hubs.flatMap((c) => cr.countries.get(c)?.sources ?? []))]),
          ...redFlagEvidence(cr, 'RED_FLAG_TRANSSHIPMENT_HUB'),
        },
        legalBasis: ctx.ban.legalBasis,
        ...onAnchor(ctx),
      },
    ];
  },
};

export const shippedFromHubStock: RuleUnit = {
  name: 'shipped from hub stock',
  stage: 'order',
  codes: ['SHIPPED_FROM_HUB_STOCK'],
  reads: 'the ship-from country (a non-PRC transshipment hub) and the exposed lines of declared or inferred PRC origin',
  evaluate(ctx) {
    const { order, cr, cp } = ctx;
    const stockFrom = cr.countries.get(order.shipFrom);
    const stock =
      stockFrom?.transshipmentHub && !cp.prc.has(order.shipFrom)
        ? ctx.exposed.filter((l) => l.origin.finding === 'declared' || l.origin.finding === 'inferred')
        : [];
    if (stock.length === 0) return NO_HITS;
    return [
      {
        code: 'SHIPPED_FROM_HUB_STOCK',
        say: 'SHIPPED_FROM_HUB_STOCK',
        params: { lines: stock, hubName: stockFrom!.name, shipFrom: order.shipFrom, uncertain: stockFrom!.uncertain },
        lineId: stock[0].lineId,
        evidence: {
          shipFrom: order.shipFrom,
          lines: stock.map((l) => l.lineId),
          ...hubSourcesEvidence(ctx, stockFrom!.sources ?? []),
          ...redFlagEvidence(cr, 'RED_FLAG_TRANSSHIPMENT_HUB'),
        },
        legalBasis: ctx.ban.legalBasis,
        ...onAnchor(ctx),
      },
    ];
  },
};

export const freeTradeZone: RuleUnit = {
  name: 'free-trade zone',
  stage: 'order',
  codes: ['RED_FLAG_FREE_TRADE_ZONE'],
  reads: "consigneeInFreeTradeZone, and the free-trade-zone words of the consignee's name and address",
  evaluate(ctx) {
    const { order, cr } = ctx;
    const ftzWords = order.consignee ? freeTradeZoneWords(ctx, order.consignee.name, order.consignee.address) : NO_WORDS;
    if (!(order.consigneeInFreeTradeZone === true || ftzWords.length > 0)) return NO_HITS;
    return [
      {
        code: 'RED_FLAG_FREE_TRADE_ZONE',
        say: 'RED_FLAG_FREE_TRADE_ZONE',
        params: {
          consignee: order.consignee?.name,
          word: order.consigneeInFreeTradeZone ? undefined : ftzWords[0].term,
          exposed: ctx.exposed,
        },
        partyRole: order.consignee ? 'consignee' : undefined,
        lineId: ctx.anchor.lineId,
        evidence: {
          consignee: order.consignee?.name ?? null,
          address: order.consignee?.address ?? null,
          declared: order.consigneeInFreeTradeZone === true,
          words: ftzWords.map((w) => w.term),
          ...redFlagEvidence(cr, 'RED_FLAG_FREE_TRADE_ZONE'),
        },
        legalBasis: ctx.ban.legalBasis,
        ...onAnchor(ctx),
      },
    ];
  },
};

export const consigneeChange: RuleUnit = {
  name: 'consignee change',
  stage: 'order',
  codes: ['RED_FLAG_CONSIGNEE_CHANGE'],
  reads: 'an order.updated event whose consignee is not the buyer',
  evaluate(ctx) {
    const { event, order } = ctx;
    if (!(event.eventType === 'order.updated' && order.consignee && !sameNameKey(order.consignee.name, order.buyer.name))) return NO_HITS;
    return [
      {
        code: 'RED_FLAG_CONSIGNEE_CHANGE',
        say: 'RED_FLAG_CONSIGNEE_CHANGE',
        params: { consignee: order.consignee, buyer: order.buyer, eventType: event.eventType },
        partyRole: 'consignee',
        evidence: {
          consignee: order.consignee.name,
          consigneeCountry: order.consignee.country,
          buyer: order.buyer.name,
          eventType: event.eventType,
          ...redFlagEvidence(ctx.cr, 'RED_FLAG_CONSIGNEE_CHANGE'),
        },
        legalBasis: ctx.ban.legalBasis,
        ...onAnchor(ctx),
      },
    ];
  },
};

const NO_WORDS: TermHit<string>[] = [];

/** The free-trade-zone words of a consignee's name and address, memoised per policy (consignees recur). */
function freeTradeZoneWords(ctx: ExposedContext, name: string, address: string | undefined): TermHit<string>[] {
  const memo = ctx.cp.freeTradeZoneHits;
  const first = memo.get(name);
  for (let e = first; e !== undefined; e = e.next) if (e.address === address) return e.hits;
  const hits = ctx.cp.freeTradeZoneWords.find(normaliseText(`${name} ${address ?? ''}`));
  let next = first;
  if (memo.size >= 50_000) {
    memo.clear();
    next = undefined;
  }
  memo.set(name, { address, hits, next });
  return hits;
}

/** The sources on the hub countries, with their kinds (the list is built per order, so its kinds are not memoised). */
function hubSourcesEvidence(
  ctx: ExposedContext,
  urls: readonly string[],
): { hubSources: readonly string[]; hubSourceKinds: readonly string[] } {
  return { hubSources: urls, hubSourceKinds: urls.map(ctx.citation.kind) };
}
