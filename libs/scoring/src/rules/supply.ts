import { NO_HITS, type RuleUnit } from './types';

/* Supply risk and the exposed value: run once per order with at least one exposed line. */

const round2 = (x: number) => Math.round(x * 100) / 100;

export const supplyRiskJapan: RuleUnit = {
  name: 'supply risk, Japan',
  stage: 'order',
  codes: ['SUPPLY_RISK_JAPAN'],
  reads: 'the exposed lines of declared or inferred PRC origin with a strong item match',
  evaluate(ctx) {
    const supply = ctx.exposed.filter(
      (l) => (l.origin.finding === 'declared' || l.origin.finding === 'inferred') && l.item.match && !l.item.match.weak,
    );
    if (supply.length === 0) return NO_HITS;
    const { ban } = ctx;
    // the families in the order met, and the strongest line
    const families: string[] = [];
    let factor = -Infinity;
    for (const l of supply) {
      const f = l.item.match!.familyId;
      if (!families.includes(f)) families.push(f);
      factor = Math.max(factor, l.strength);
    }
    return [
      {
        code: 'SUPPLY_RISK_JAPAN',
        say: 'SUPPLY_RISK_JAPAN',
        params: { lines: supply, ban },
        lineId: supply[0].lineId,
        evidence: {
          lines: supply.map((l) => l.lineId),
          families,
          announcement: ban.id,
          citation: ban.citation,
          sources: ban.sources,
          sourceKinds: ctx.citation.kinds(ban.sources),
        },
        legalBasis: ban.legalBasis,
        factor,
      },
    ];
  },
};

export const exposedValueMixedCurrencies: RuleUnit = {
  name: 'exposed value in mixed currencies',
  stage: 'order',
  codes: ['EXPOSED_VALUE_MIXED_CURRENCIES'],
  reads: 'the currencies of the priced exposed lines',
  evaluate(ctx) {
    const { currencies, byCurrency } = ctx;
    if (currencies.length <= 1) return NO_HITS;
    const rounded = Object.fromEntries(currencies.map((c) => [c, round2(byCurrency[c])]));
    return [
      {
        code: 'EXPOSED_VALUE_MIXED_CURRENCIES',
        say: 'EXPOSED_VALUE_MIXED_CURRENCIES',
        params: { currencies, rounded },
        lineId: ctx.exposed[0].lineId,
        evidence: { byCurrency: rounded },
      },
    ];
  },
};
