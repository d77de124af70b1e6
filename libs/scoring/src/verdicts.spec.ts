import { COPPER_LINE, DY_LINE, jp, orderEvent } from './testing/events';
import { codes, explain, must, reason, score } from './testing/harness';

/**
 * One scenario per verdict per rule of exposure-rules.md. The baseline order (testing/events.ts) is
 * PRC-origin dysprosium metal from a Chinese producer to an unlisted Japanese motor maker, civil end
 * use, shipping 2026-03-20: exposed, but clear. Each test changes one thing.
 */

const inBand = (score: number, min: number, max: number) => score >= min && score <= max;

describe('prohibited: a controlled PRC-origin line going to a barred party or use', () => {
  it('a control-list buyer (Ann. 11/2026) makes the order prohibited, critical, scored 90-100', () => {
    const a = score(orderEvent({ order: { buyer: jp('IHI Aerospace Co., Ltd.') } }));
    expect(a.verdict).toBe('prohibited');
    expect(a.severity).toBe('critical');
    expect(inBand(a.score, 90, 100)).toBe(true);
    const r = must(a, 'PARTY_ON_CONTROL_LIST');
    expect(r).toMatchObject({ partyRole: 'buyer', lineId: '1' });
    expect(r.matchScore).toBeGreaterThanOrEqual(0.9);
    expect(r.evidence).toMatchObject({ entryId: 'CL-11-12', list: 'control_list', announcement: 'MOFCOM-2026-11', listedOn: '2026-02-24' });
    expect((r.evidence as { sources: string[] }).sources.length).toBeGreaterThan(0);
    expect(r.legalBasis).toMatch(/11\/2026/);
  });

  it('a control-list end user makes it prohibited even when buyer and destination are outside Japan', () => {
    const a = score(
      orderEvent({
        order: {
          buyer: { name: 'Busan Example Trading Co., Ltd.', country: 'KR' },
          endUser: jp('Japan Marine United Corporation'),
          shipTo: 'KR',
        },
      }),
    );
    expect(a.verdict).toBe('prohibited');
    expect(must(a, 'PARTY_ON_CONTROL_LIST').partyRole).toBe('endUser');
  });

  it('a Japanese military user as buyer (ATLA) is prohibited under Ann. 1/2026', () => {
    const a = score(orderEvent({ order: { buyer: jp('Acquisition, Technology & Logistics Agency', { role: 'government' }) } }));
    expect(a.verdict).toBe('prohibited');
    const r = must(a, 'PARTY_MILITARY_USER');
    expect(r.evidence).toMatchObject({ entryId: 'MU-ATLA', announcement: 'MOFCOM-2026-1' });
    expect(r.legalBasis).toMatch(/1\/2026/);
  });

  it('a military user written in Japanese (防衛装備庁) is recognised', () => {
    const a = score(orderEvent({ order: { buyer: jp('防衛装備庁') } }));
    expect(a.verdict).toBe('prohibited');
    expect(must(a, 'PARTY_MILITARY_USER').evidence).toMatchObject({ entryId: 'MU-ATLA' });
  });

  it('a Japan nexus plus end-use category "military" is prohibited, whoever the buyer', () => {
    const a = score(orderEvent({ order: { endUse: { category: 'military' } } }));
    expect(a.verdict).toBe('prohibited');
    expect(must(a, 'MILITARY_END_USE_JAPAN').message).toMatch(/military/);
  });

  it.each([
    ['English', 'radar modules for the Self-Defense Forces'],
    ['Chinese', '用于导弹制导系统'],
    ['Japanese', '護衛艦向け部品'],
  ])('a military end use stated in %s is prohibited', (_lang, statement) => {
    const a = score(orderEvent({ order: { endUse: { category: 'dual', statement } } }));
    expect(a.verdict).toBe('prohibited');
    expect(codes(a)).toContain('MILITARY_END_USE_JAPAN');
  });

  it.each([
    ['not for military use', 'civilian only, not for military use'],
    ['non-military', 'non-military applications'],
    ['不用于军事', '不用于军事用途'],
    ['軍事目的には使用しない', '軍事目的には使用しない'],
  ])('a negated military term (%s) is a pledge, not a military end use', (_n, statement) => {
    const a = score(orderEvent({ order: { endUse: { category: 'civil', statement } } }));
    expect(codes(a)).not.toContain('MILITARY_END_USE_JAPAN');
    expect(a.verdict).toBe('clear');
  });
});

describe('license_required: a watch-list party and nothing prohibited', () => {
  it('a watch-list buyer (TDK, Ann. 12/2026) needs a licence: high severity, scored 70-89', () => {
    const a = score(orderEvent({ order: { buyer: jp('TDK Corporation') } }));
    expect(a.verdict).toBe('license_required');
    expect(a.severity).toBe('high');
    expect(inBand(a.score, 70, 89)).toBe(true);
    const r = must(a, 'PARTY_ON_WATCH_LIST');
    expect(r.evidence).toMatchObject({ entryId: 'WL-12-12', announcement: 'MOFCOM-2026-12' });
    expect(r.legalBasis).toMatch(/12\/2026/);
  });

  it('a watch-list consignee counts as well', () => {
    const a = score(orderEvent({ order: { consignee: jp('Sumitomo Heavy Industries, Ltd.') } }));
    expect(a.verdict).toBe('license_required');
    expect(must(a, 'PARTY_ON_WATCH_LIST').partyRole).toBe('consignee');
  });

  it('a watch-list party plus a military end use is prohibited: the worst verdict wins', () => {
    const a = score(orderEvent({ order: { buyer: jp('TDK Corporation'), endUse: { category: 'military' } } }));
    expect(a.verdict).toBe('prohibited');
    expect(codes(a)).toEqual(expect.arrayContaining(['MILITARY_END_USE_JAPAN', 'PARTY_ON_WATCH_LIST']));
    expect(a.reasons[0].code).toBe('MILITARY_END_USE_JAPAN');
  });
});

describe('review: Japan nexus plus a signal that needs a person', () => {
  it('a defence-nexus party (a top MoD contractor, not listed) is review', () => {
    const a = score(orderEvent({ order: { buyer: jp('Mitsubishi Heavy Industries, Ltd.') } }));
    expect(a.verdict).toBe('review');
    expect(a.severity).toBe('medium');
    expect(inBand(a.score, 40, 69)).toBe(true);
    expect(must(a, 'DEFENCE_NEXUS_PARTY').evidence).toMatchObject({ entryId: 'DN-MHI' });
  });

  it('no end use at all is review, and the reason says what would settle it', () => {
    const a = score(orderEvent({ order: { endUse: undefined } }));
    expect(a.verdict).toBe('review');
    expect(must(a, 'END_USE_MISSING').message).toMatch(/signed end-use statement .* would settle it/);
  });

  it('end use "unknown" is review', () => {
    const a = score(orderEvent({ order: { endUse: { category: 'unknown' } } }));
    expect(a.verdict).toBe('review');
    expect(codes(a)).toContain('END_USE_UNKNOWN');
  });

  it('an end use withheld in the statement ("confidential") is review', () => {
    const a = score(orderEvent({ order: { endUse: { category: 'civil', statement: 'confidential' } } }));
    expect(a.verdict).toBe('review');
    expect(must(a, 'END_USE_UNKNOWN').message).toMatch(/withholds/);
  });

  it('a freight forwarder named as end user is a red flag', () => {
    const a = score(orderEvent({ order: { endUser: jp('Kanto Example Forwarding K.K.', { role: 'freight_forwarder' }) } }));
    expect(a.verdict).toBe('review');
    expect(must(a, 'RED_FLAG_INTERMEDIARY_END_USER').partyRole).toBe('endUser');
  });

  it('a trading house as end user, known by its name, is a red flag', () => {
    const a = score(orderEvent({ order: { endUser: jp('Osaka Example Trading Co., Ltd.') } }));
    expect(a.verdict).toBe('review');
    expect(must(a, 'RED_FLAG_INTERMEDIARY_END_USER').message).toMatch(/trading/i);
  });

  it('a name word alone does not make a forwarder of a known entity or of a party with a declared role', () => {
    const atla = score(orderEvent({ order: { buyer: jp('Acquisition, Technology & Logistics Agency', { role: 'government' }) } }));
    expect(codes(atla)).not.toContain('RED_FLAG_INTERMEDIARY_END_USER');
    const maker = score(orderEvent({ order: { endUser: jp('Chubu Example Logistics Systems K.K.', { role: 'manufacturer' }) } }));
    expect(codes(maker)).not.toContain('RED_FLAG_INTERMEDIARY_END_USER');
  });

  it('routing through a transshipment hub is a red flag', () => {
    const a = score(orderEvent({ order: { transit: ['SG'] } }));
    expect(a.verdict).toBe('review');
    expect(must(a, 'RED_FLAG_TRANSSHIPMENT_HUB').evidence).toMatchObject({ hubs: ['SG'] });
  });

  it('a consignee in a free-trade zone is a red flag', () => {
    const a = score(orderEvent({ order: { consignee: jp('Yokohama Example Warehouse K.K.'), consigneeInFreeTradeZone: true } }));
    expect(a.verdict).toBe('review');
    expect(codes(a)).toContain('RED_FLAG_FREE_TRADE_ZONE');
  });

  it('an order update naming a consignee other than the buyer is a possible last-minute change', () => {
    const consignee = jp('Kobe Example Logistics Centre K.K.');
    const updated = score(orderEvent({ eventType: 'order.updated', order: { consignee } }));
    expect(updated.verdict).toBe('review');
    expect(must(updated, 'RED_FLAG_CONSIGNEE_CHANGE').message).toMatch(/previous event/);
    const created = score(orderEvent({ eventType: 'order.created', order: { consignee } }));
    expect(codes(created)).not.toContain('RED_FLAG_CONSIGNEE_CHANGE');
  });

  it('a possible (not certain) list match is review, naming what would settle it', () => {
    // resembles "IHI Aerospace Engineering Co., Ltd." (control list) but names another company
    const a = score(orderEvent({ order: { buyer: jp('IHI Aerospace Engineering Service') } }));
    const r = reason(a, 'POSSIBLE_LIST_MATCH');
    expect(r).toBeDefined();
    expect(a.verdict).toBe('review');
    expect(r!.evidence).toMatchObject({ entryId: 'CL-11-14', list: 'control_list' });
    expect(r!.matchScore).toBeGreaterThanOrEqual(0.8);
    expect(r!.matchScore).toBeLessThan(0.9);
    expect(r!.message).toMatch(/corporate number/);
  });

  it('possible PRC origin (ships from Hong Kong, no origin declared) is review', () => {
    const a = score(
      orderEvent({
        order: { seller: { name: 'Kowloon Example Metals Limited', country: 'HK' }, shipFrom: 'HK' },
        line: { originCountry: undefined },
      }),
    );
    expect(a.verdict).toBe('review');
    expect(codes(a)).toContain('POSSIBLE_PRC_ORIGIN');
  });

  it('PRC content only (Korean-made, 30 % PRC content) is review', () => {
    const a = score(
      orderEvent({
        order: { seller: { name: 'Changwon Example Magnetics Co., Ltd.', country: 'KR' }, shipFrom: 'KR' },
        line: { originCountry: 'KR', chinaContentPct: 30 },
      }),
    );
    expect(a.verdict).toBe('review');
    expect(must(a, 'PRC_CONTENT_ONLY').message).toMatch(/unsettled/);
  });

  it('a weak item match (description keywords only, no HS code) is review', () => {
    const a = score(orderEvent({ line: { description: 'Dysprosium-iron alloy lumps', hsCode: undefined } }));
    expect(a.verdict).toBe('review');
    const r = must(a, 'WEAK_ITEM_MATCH');
    expect(r.evidence).toMatchObject({ familyId: 'rare-earths-medium-heavy', method: 'keyword', matched: 'dysprosium' });
  });

  it('two strong military signals held at review make the severity high', () => {
    // content-only line: a military user and a military end use are both held at review
    const a = score(
      orderEvent({
        order: {
          buyer: jp('Acquisition, Technology & Logistics Agency'),
          endUse: { category: 'military' },
          seller: { name: 'Changwon Example Magnetics Co., Ltd.', country: 'KR' },
          shipFrom: 'KR',
        },
        line: { originCountry: 'KR', chinaContentPct: 40 },
      }),
    );
    expect(a.verdict).toBe('review');
    expect(a.severity).toBe('high');
    expect(inBand(a.score, 70, 89)).toBe(true);
  });
});

describe('clear: nothing above', () => {
  it('PRC-origin copper to Japan (an uncontrolled item) is clear with no reasons', () => {
    const a = score(orderEvent({ order: { lines: [COPPER_LINE] } }));
    expect(a).toMatchObject({ verdict: 'clear', severity: 'none' });
    expect(a.score).toBeLessThanOrEqual(9);
    expect(a.reasons).toEqual([]);
    expect(a.exposedValue).toBeUndefined();
  });

  it('a PRC-origin controlled line to an unlisted Japanese civil user is clear, low severity, with the supply risk', () => {
    const a = score(orderEvent());
    expect(a).toMatchObject({ verdict: 'clear', severity: 'low' });
    expect(inBand(a.score, 10, 39)).toBe(true);
    expect(must(a, 'SUPPLY_RISK_JAPAN').message).toMatch(/halted even for civil use/);
    expect(must(a, 'CONTROLLED_ITEM').evidence).toMatchObject({
      familyId: 'rare-earths-medium-heavy',
      method: 'hs10',
      matched: '2805301200',
      origin: 'declared',
    });
    expect(a.exposedValue).toEqual({ amount: 19000, currency: 'USD' });
  });

  it('a controlled line with no Japan nexus is clear, severity none', () => {
    const a = score(orderEvent({ order: { buyer: { name: 'Hanau Example Magnet GmbH', country: 'DE' }, shipTo: 'DE' } }));
    expect(a).toMatchObject({ verdict: 'clear', severity: 'none', reasons: [] });
  });

  it('a Japanese military user buying an uncontrolled item is clear: the lists cover dual-use items', () => {
    const a = score(orderEvent({ order: { buyer: jp('Ministry of Defense'), lines: [COPPER_LINE] } }));
    expect(a.verdict).toBe('clear');
  });

  it('dysprosium of Japanese origin is not a PRC-origin line: clear', () => {
    const a = score(
      orderEvent({
        order: { buyer: jp('Acquisition, Technology & Logistics Agency'), seller: jp('Sendai Example Recycling K.K.'), shipFrom: 'JP' },
        line: { originCountry: 'JP' },
      }),
    );
    expect(a).toMatchObject({ verdict: 'clear', severity: 'none' });
  });

  it('a cancelled order is clear with one reason, whatever it contained', () => {
    const a = score(orderEvent({ eventType: 'order.cancelled', order: { buyer: jp('Acquisition, Technology & Logistics Agency') } }));
    expect(a).toMatchObject({ verdict: 'clear', severity: 'none' });
    expect(codes(a)).toEqual(['ORDER_CANCELLED']);
  });
});

describe('scores rise with the number and strength of signals, within the band', () => {
  it('more signals score higher: a military user with red flags and no end use above one with a civil end use', () => {
    const civil = score(orderEvent({ order: { buyer: jp('Acquisition, Technology & Logistics Agency') } }));
    const more = score(
      orderEvent({
        order: {
          buyer: jp('Acquisition, Technology & Logistics Agency'),
          endUse: undefined,
          transit: ['SG'],
          consigneeInFreeTradeZone: true,
        },
      }),
    );
    expect(civil.verdict).toBe(more.verdict);
    expect(more.score).toBeGreaterThan(civil.score);
    expect(more.score).toBeLessThanOrEqual(100);
  });

  it('stronger signals weigh more: a declared origin outweighs an inferred one, an exact HS code a 6-digit family', () => {
    const tdk = { buyer: jp('TDK Corporation') };
    const declared = explain(orderEvent({ order: tdk }));
    expect(declared.signalWeight).toBeGreaterThan(explain(orderEvent({ order: tdk, line: { originCountry: undefined } })).signalWeight);
    expect(declared.signalWeight).toBeGreaterThan(explain(orderEvent({ order: tdk, line: { hsCode: '280530' } })).signalWeight);
  });

  it('the score never leaves its band, however many signals', () => {
    const a = score(
      orderEvent({
        order: {
          buyer: jp('Acquisition, Technology & Logistics Agency'),
          endUser: jp('IHI Aerospace Co., Ltd.'),
          consignee: jp('Japan Marine United Corporation'),
          endUse: { category: 'military', statement: 'missile' },
          transit: ['SG', 'KR'],
          consigneeInFreeTradeZone: true,
        },
      }),
    );
    expect(a.score).toBe(100);
    const b = score(
      orderEvent({ order: { buyer: jp('TDK Corporation'), consignee: jp('Nitto Denko Corporation'), endUser: jp('SUBARU Corporation') } }),
    );
    expect(b.verdict).toBe('license_required');
    expect(inBand(b.score, 70, 89)).toBe(true);
  });

  it('reasons come worst verdict first', () => {
    const a = score(orderEvent({ order: { buyer: jp('TDK Corporation'), endUse: undefined } }));
    expect(a.reasons.map((r) => r.code).slice(0, 2)).toEqual(['PARTY_ON_WATCH_LIST', 'END_USE_MISSING']);
  });
});

describe('exposed value', () => {
  it('sums quantity × unit price over the exposed lines only', () => {
    const a = score(orderEvent({ order: { lines: [DY_LINE, COPPER_LINE, { ...DY_LINE, lineId: '3', quantity: 10 }] } }));
    expect(a.exposedValue).toEqual({ amount: 60 * 380, currency: 'USD' });
  });

  it('keeps the first currency and names the others', () => {
    const a = score(orderEvent({ order: { lines: [DY_LINE, { ...DY_LINE, lineId: '2', currency: 'JPY', unitPrice: 57000 }] } }));
    expect(a.exposedValue).toEqual({ amount: 19000, currency: 'USD' });
    expect(must(a, 'EXPOSED_VALUE_MIXED_CURRENCIES').evidence).toEqual({ byCurrency: { USD: 19000, JPY: 2850000 } });
  });
});
