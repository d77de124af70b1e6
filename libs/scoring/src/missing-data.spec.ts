import { jp, orderEvent } from './testing/events';
import { codes, must, score } from './testing/harness';

/** Where data is missing, the assessment says what evidence would settle it. */

describe('missing data is named, with the evidence that would settle it', () => {
  it('no origin, and none can be inferred (Korean seller shipping from Korea): origin missing', () => {
    const a = score(
      orderEvent({
        order: { seller: { name: 'Changwon Example Magnetics Co., Ltd.', country: 'KR' }, shipFrom: 'KR', buyer: jp('TDK Corporation') },
        line: { originCountry: undefined },
      }),
    );
    const r = must(a, 'ORIGIN_MISSING');
    expect(r.lineId).toBe('1');
    expect(r.message).toMatch(/certificate of origin/);
    // without a PRC-origin line, the watch-list buyer alone does not make it license_required
    expect(a.verdict).toBe('clear');
  });

  it('no HS code and no control code: the line could only be checked by its description', () => {
    const a = score(orderEvent({ line: { description: 'Metal ingots, assorted', hsCode: undefined } }));
    expect(must(a, 'HS_CODE_MISSING').message).toMatch(/10-digit HS code .* would settle/);
  });

  it('no end use on an exposed order: review, and the statement that would settle it', () => {
    const a = score(orderEvent({ order: { endUse: undefined } }));
    expect(must(a, 'END_USE_MISSING').message).toMatch(/signed end-use statement/);
  });

  it('an end use with neither category nor statement counts as missing', () => {
    expect(codes(score(orderEvent({ order: { endUse: { statement: '  ' } } })))).toContain('END_USE_MISSING');
  });

  it('nothing is asked of an order that is not exposed (copper to Osaka without an end use)', () => {
    const a = score(
      orderEvent({
        order: {
          endUse: undefined,
          lines: [{ lineId: '1', description: 'Copper sheet 2mm', hsCode: '740921', originCountry: 'CN', quantity: 10 }],
        },
      }),
    );
    expect(a.reasons).toEqual([]);
  });
});
