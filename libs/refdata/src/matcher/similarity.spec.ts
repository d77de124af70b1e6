import { isValidJpCorporateNumber, jpCorporateNumberCheckDigit, normalizeJpCorporateNumber } from './corporate-number';
import { jaroWinkler, osaDistance, typoSimilarity } from './similarity';

describe('jaroWinkler', () => {
  it('is 1 for equal strings and high for one typo', () => {
    expect(jaroWinkler('mitsubishi', 'mitsubishi')).toBe(1);
    expect(jaroWinkler('mitsubshi', 'mitsubishi')).toBeGreaterThanOrEqual(0.94);
    expect(jaroWinkler('industires', 'industries')).toBeGreaterThan(0.95);
  });

  it('keeps different words below the pairing threshold', () => {
    expect(jaroWinkler('mitsui', 'mitsubishi')).toBeLessThan(0.94);
    expect(jaroWinkler('token', 'tokin')).toBeLessThan(0.94);
    expect(jaroWinkler('daiken', 'daikin')).toBeLessThan(0.94);
    expect(jaroWinkler('logistics', 'logitech')).toBeLessThan(0.94);
  });
});

describe('typoSimilarity', () => {
  it('pairs a dropped letter in a long word that Jaro-Winkler undervalues', () => {
    expect(jaroWinkler('engneering', 'engineering')).toBeLessThan(0.94);
    expect(typoSimilarity('engneering', 'engineering', 0.94)).toBeGreaterThan(0.9);
    expect(osaDistance('engneering', 'engineering')).toBe(1);
    expect(osaDistance('industires', 'industries')).toBe(1);
  });

  it('does not pair short words one edit apart', () => {
    expect(typoSimilarity('token', 'tokin', 0.94)).toBe(0);
    expect(typoSimilarity('nisshin', 'nissin', 0.94)).toBeGreaterThan(0); // same word, two romanisations
  });
});

describe('Japanese corporate numbers', () => {
  it('computes the check digit (9 - Σ Pn·Qn mod 9)', () => {
    expect(jpCorporateNumberCheckDigit('180301018771')).toBe(1);
    expect(isValidJpCorporateNumber('1180301018771')).toBe(true);
    expect(isValidJpCorporateNumber('2180301018771')).toBe(false);
    expect(isValidJpCorporateNumber('118030101877')).toBe(false);
  });

  it('accepts separators and full-width digits', () => {
    expect(normalizeJpCorporateNumber('1180-3010-18771')).toBe('1180301018771');
    expect(normalizeJpCorporateNumber('１１８０３０１０１８７７１')).toBe('1180301018771');
    expect(normalizeJpCorporateNumber('12345')).toBeUndefined();
  });
});
