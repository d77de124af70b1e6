import { alertFixture } from './testing/alert-fixtures';
import { matches } from './subscription';

describe('subscription filters', () => {
  const prohibited = alertFixture({ verdict: 'prohibited', shipTo: 'JP', itemFamilies: ['rare-earth-metals'] });
  const licence = alertFixture({
    orderId: 'SO-KR-7781',
    verdict: 'license_required',
    shipTo: 'KR',
    seller: 'Ningbo Magnet Works',
    buyer: 'Busan Trading Co.',
    itemFamilies: ['permanent-magnets'],
  });

  it('an empty filter matches every alert', () => {
    expect(matches({}, prohibited)).toBe(true);
    expect(matches({}, licence)).toBe(true);
  });

  it('minimum severity, verdicts and kinds', () => {
    expect(matches({ minSeverity: 'critical' }, prohibited)).toBe(true);
    expect(matches({ minSeverity: 'critical' }, licence)).toBe(false);
    expect(matches({ verdicts: ['license_required'] }, licence)).toBe(true);
    expect(matches({ verdicts: ['license_required'] }, prohibited)).toBe(false);
    expect(matches({ kinds: ['updated'] }, prohibited)).toBe(false);
  });

  it('countries (ship-to), party names (any of seller, buyer, end user; substring, any case) and item families', () => {
    expect(matches({ countries: ['kr'] }, licence)).toBe(true);
    expect(matches({ countries: ['KR'] }, prohibited)).toBe(false);
    expect(matches({ parties: ['ningbo magnet'] }, licence)).toBe(true);
    expect(matches({ parties: ['Technology & Logistics'] }, prohibited)).toBe(true);
    expect(matches({ parties: ['Nobody'] }, prohibited)).toBe(false);
    expect(matches({ itemFamilies: ['Permanent-Magnets'] }, licence)).toBe(true);
    expect(matches({ itemFamilies: ['permanent-magnets'] }, prohibited)).toBe(false);
  });

  it('every criterion has to hold', () => {
    expect(matches({ countries: ['JP'], minSeverity: 'high', parties: ['Ganzhou'] }, prohibited)).toBe(true);
    expect(matches({ countries: ['JP'], minSeverity: 'high', parties: ['Ningbo'] }, prohibited)).toBe(false);
  });

  it('a withdrawal reaches whoever heard of the exposure, whatever its new severity', () => {
    const withdrawn = alertFixture({ kind: 'withdrawn', verdict: 'clear', shipTo: 'JP' });
    expect(matches({ minSeverity: 'critical', countries: ['JP'] }, withdrawn)).toBe(true);
    expect(matches({ minSeverity: 'critical', countries: ['KR'] }, withdrawn)).toBe(false);
  });
});
