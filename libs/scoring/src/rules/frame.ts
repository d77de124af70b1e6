import { NO_HITS, type RuleUnit } from './types';

/* The two rules that end an evaluation early: a cancelled order, and the ban not yet in force. */

export const orderCancelled: RuleUnit = {
  name: 'order cancelled',
  stage: 'cancelled',
  codes: ['ORDER_CANCELLED'],
  reads: 'an order.cancelled event (nothing else is evaluated)',
  evaluate(ctx) {
    return [{ code: 'ORDER_CANCELLED', say: 'ORDER_CANCELLED', params: { orderId: ctx.order.orderId }, lineId: ctx.order.lines[0].lineId }];
  },
};

export const japanBanNotInForce: RuleUnit = {
  name: 'Japan ban not in force',
  stage: 'banNotInForce',
  codes: ['JAPAN_BAN_NOT_IN_FORCE'],
  reads: 'an order with a Japan nexus before the ban is in force: the lines with a (possibly inactive) item match and a PRC-ish origin',
  evaluate(ctx) {
    const relevant = ctx.lines.filter(
      (l) => (l.item.match || l.item.inactive) && l.origin.finding !== 'not_prc' && l.origin.finding !== 'unknown',
    );
    if (relevant.length === 0) return NO_HITS;
    const { ban } = ctx;
    return [
      {
        code: 'JAPAN_BAN_NOT_IN_FORCE',
        say: 'JAPAN_BAN_NOT_IN_FORCE',
        params: { D: ctx.D, ban, banStatus: ctx.banStatus, lines: relevant },
        lineId: relevant[0].lineId,
        evidence: {
          announcement: ban.id,
          citation: ban.citation,
          effectiveFrom: ban.effectiveFrom,
          sources: ban.sources,
          sourceKinds: ctx.citation.kinds(ban.sources),
          lines: relevant.map((l) => l.lineId),
        },
        legalBasis: ban.legalBasis,
      },
    ];
  },
};
