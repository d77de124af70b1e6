import { DY_LINE, jp, orderEvent } from './testing/events';
import { codes, must, score } from './testing/harness';

/**
 * Ann. 1/2026 turns on PRC origin: declared, inferred from the seller or the ship-from country,
 * possible (Hong Kong, Macao), or PRC content in a foreign-made line. Re-export by a seller outside
 * China counts the same as a direct export.
 */

const KR_SELLER = { name: 'Changwon Example Magnetics Co., Ltd.', country: 'KR' };
const ATLA = jp('Acquisition, Technology & Logistics Agency');

describe('re-export of PRC-origin items through a third country', () => {
  it('a Korean seller re-exporting PRC-origin dysprosium to a watch-list buyer needs a licence, with its own reason', () => {
    const a = score(orderEvent({ order: { seller: KR_SELLER, shipFrom: 'KR', buyer: jp('TDK Corporation') } }));
    expect(a.verdict).toBe('license_required');
    const r = must(a, 'REEXPORT_OF_PRC_ORIGIN');
    expect(r).toMatchObject({ partyRole: 'seller', lineId: '1' });
    expect(r.message).toMatch(/cl\. 2/);
    expect(r.legalBasis).toMatch(/1\/2026/);
  });

  it('a Singapore seller re-exporting to a Japanese military user is prohibited, as a direct export would be', () => {
    const a = score(
      orderEvent({ order: { seller: { name: 'Jurong Example Metals Pte. Ltd.', country: 'SG' }, shipFrom: 'SG', buyer: ATLA } }),
    );
    expect(a.verdict).toBe('prohibited');
    expect(codes(a)).toEqual(expect.arrayContaining(['PARTY_MILITARY_USER', 'REEXPORT_OF_PRC_ORIGIN']));
  });

  it('a Chinese seller is not a re-export', () => {
    expect(codes(score(orderEvent({ order: { buyer: ATLA } })))).not.toContain('REEXPORT_OF_PRC_ORIGIN');
  });
});

describe('inferred origin', () => {
  it('no origin and a seller in China: PRC origin is inferred, and the reasons say so', () => {
    const a = score(orderEvent({ order: { buyer: ATLA }, line: { originCountry: undefined } }));
    expect(a.verdict).toBe('prohibited');
    const r = must(a, 'ORIGIN_INFERRED');
    expect(r.message).toMatch(/seller is in CN/);
    expect(r.message).toMatch(/certificate of origin/);
  });

  it('no origin and goods shipping from China through a Singapore trader: inferred, and a re-export', () => {
    const a = score(
      orderEvent({
        order: { seller: { name: 'Jurong Example Metals Pte. Ltd.', country: 'SG' }, shipFrom: 'CN', buyer: ATLA },
        line: { originCountry: undefined },
      }),
    );
    expect(a.verdict).toBe('prohibited');
    expect(must(a, 'ORIGIN_INFERRED').message).toMatch(/ship from CN/);
    expect(codes(a)).toContain('REEXPORT_OF_PRC_ORIGIN');
  });
});

describe('possible PRC origin (Hong Kong, Macao)', () => {
  it('no origin and shipping from Hong Kong to a military user is held at review, not prohibited', () => {
    const a = score(
      orderEvent({
        order: { seller: { name: 'Kowloon Example Metals Limited', country: 'HK' }, shipFrom: 'HK', buyer: ATLA },
        line: { originCountry: undefined },
      }),
    );
    expect(a.verdict).toBe('review');
    expect(must(a, 'PARTY_MILITARY_USER').message).toMatch(/Held at review/);
    expect(must(a, 'POSSIBLE_PRC_ORIGIN').message).toMatch(/certificate of origin/);
  });

  it('Macao is treated the same', () => {
    const a = score(
      orderEvent({
        order: { seller: { name: 'Macau Example Trading Lda', country: 'MO' }, shipFrom: 'MO' },
        line: { originCountry: undefined },
      }),
    );
    expect(codes(a)).toContain('POSSIBLE_PRC_ORIGIN');
    expect(a.verdict).toBe('review');
  });

  it('a declared Chinese origin shipping from Hong Kong is not "possible": it is PRC origin', () => {
    const a = score(
      orderEvent({ order: { seller: { name: 'Kowloon Example Metals Limited', country: 'HK' }, shipFrom: 'HK', buyer: ATLA } }),
    );
    expect(a.verdict).toBe('prohibited');
    expect(codes(a)).not.toContain('POSSIBLE_PRC_ORIGIN');
  });
});

describe('PRC content only', () => {
  const content = { originCountry: 'KR', chinaContentPct: 25 };

  it('a control-list party on a content-only line is review, not prohibited', () => {
    const a = score(orderEvent({ order: { seller: KR_SELLER, shipFrom: 'KR', buyer: jp('IHI Aerospace Co., Ltd.') }, line: content }));
    expect(a.verdict).toBe('review');
    const r = must(a, 'PARTY_ON_CONTROL_LIST');
    expect(r.message).toMatch(/Held at review: .*PRC content only/);
    expect(codes(a)).toContain('PRC_CONTENT_ONLY');
  });

  it('a military-user match on a content-only line is review too', () => {
    expect(score(orderEvent({ order: { seller: KR_SELLER, shipFrom: 'KR', buyer: ATLA }, line: content })).verdict).toBe('review');
  });

  it('a second, PRC-origin line on the same order brings back the full verdict', () => {
    const a = score(
      orderEvent({
        order: {
          seller: KR_SELLER,
          shipFrom: 'KR',
          buyer: jp('IHI Aerospace Co., Ltd.'),
          lines: [
            { ...DY_LINE, ...content },
            { ...DY_LINE, lineId: '2' },
          ],
        },
      }),
    );
    expect(a.verdict).toBe('prohibited');
    expect(must(a, 'PARTY_ON_CONTROL_LIST').lineId).toBe('2');
  });

  it('no PRC content (0 %) on a Korean-origin line is not exposed at all', () => {
    const a = score(
      orderEvent({ order: { seller: KR_SELLER, shipFrom: 'KR', buyer: ATLA }, line: { originCountry: 'KR', chinaContentPct: 0 } }),
    );
    expect(a).toMatchObject({ verdict: 'clear', severity: 'none' });
  });
});

describe('item matching', () => {
  it('matches by control code, prefix-aware (1C905.a.4 is under the family code 1C905.a)', () => {
    const a = score(orderEvent({ line: { description: 'Magnet material', hsCode: undefined, controlCode: '1C905.a.4' } }));
    expect(must(a, 'CONTROLLED_ITEM').evidence).toMatchObject({ method: 'controlCode' });
    expect(a.verdict).toBe('clear');
    expect(a.severity).toBe('low');
  });

  it('matches a 10-digit HS code written with dots', () => {
    const a = score(orderEvent({ line: { hsCode: '2805.30.12.00' } }));
    expect(must(a, 'CONTROLLED_ITEM').evidence).toMatchObject({ method: 'hs10', matched: '2805301200' });
  });

  it('reads 850511 (every permanent magnet) as a broad, weak family unless the description names Dy, Tb or SmCo', () => {
    const plain = score(orderEvent({ line: { description: 'Sintered magnet blocks', hsCode: '850511' } }));
    expect(must(plain, 'CONTROLLED_ITEM').evidence).toMatchObject({ familyId: 'rare-earth-magnets', method: 'hs6Weak', matched: '850511' });
    expect(must(plain, 'WEAK_ITEM_MATCH').lineId).toBe('1');
    const dy = score(orderEvent({ line: { description: 'Sintered NdFeB magnet blocks, Dy-diffused', hsCode: '850511' } }));
    expect(must(dy, 'CONTROLLED_ITEM').evidence).toMatchObject({
      familyId: 'rare-earth-magnets',
      method: 'hs6Weak',
      matched: '850511',
      corroboratedBy: 'dy-diffused',
    });
    expect(codes(dy)).not.toContain('WEAK_ITEM_MATCH');
  });

  it('holds a line naming an uncontrolled material with only a broad code at review (NdFeB without Dy, light rare earths)', () => {
    const ndfeb = score(orderEvent({ line: { description: 'NdFeB magnets, Dy-free grade N52', hsCode: '850511' } }));
    expect(ndfeb.verdict).toBe('review');
    expect(must(ndfeb, 'UNCONTROLLED_MATERIAL_NAMED').evidence).toMatchObject({
      uncontrolledMaterial: 'ndfeb-without-dy-tb',
      word: 'dy-free',
    });
    const la = score(orderEvent({ line: { description: 'Lanthanum oxide 99.99%', hsCode: '284690' } }));
    expect(la.verdict).toBe('review');
    expect(must(la, 'UNCONTROLLED_MATERIAL_NAMED').evidence).toMatchObject({ uncontrolledMaterial: 'light-rare-earths' });
  });

  it('matches Chinese and Japanese keywords (weakly)', () => {
    const zh = score(orderEvent({ line: { description: '镝铁合金', hsCode: undefined } }));
    expect(must(zh, 'WEAK_ITEM_MATCH').evidence).toMatchObject({ keywordLanguage: 'zh' });
    const ja = score(orderEvent({ line: { description: 'ジスプロシウム地金', hsCode: undefined } }));
    expect(must(ja, 'WEAK_ITEM_MATCH').evidence).toMatchObject({ keywordLanguage: 'ja' });
  });

  it('a keyword-only match to a military user is never more than review', () => {
    const a = score(orderEvent({ order: { buyer: ATLA }, line: { description: 'Dysprosium-iron alloy lumps', hsCode: undefined } }));
    expect(a.verdict).toBe('review');
  });

  it('a heading shared by two families counts for the one the description names (holmium oxide under 284690)', () => {
    const a = score(orderEvent({ order: { buyer: ATLA }, line: { description: 'Holmium oxide 99.9%', hsCode: '2846901990' } }), {
      asOf: '2026-03-20',
    });
    expect(a.verdict).toBe('clear');
    expect(must(a, 'ITEM_FAMILY_SUSPENDED').evidence).toMatchObject({ familyId: 'rare-earths-oct-2025' });
  });
});
