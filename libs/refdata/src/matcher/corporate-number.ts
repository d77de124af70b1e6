/**
 * Japanese corporate numbers (法人番号, 13 digits). The first digit is a check digit over the other
 * twelve: 9 - (Σ Pn × Qn mod 9), with Pn the n-th digit counted from the right of the twelve and Qn 1 for
 * odd n, 2 for even n (National Tax Agency specification).
 */
export function jpCorporateNumberCheckDigit(base12: string): number {
  let sum = 0;
  for (let n = 1; n <= 12; n++) {
    const p = Number(base12[12 - n]);
    sum += p * (n % 2 === 1 ? 1 : 2);
  }
  return 9 - (sum % 9);
}

/** A 13-digit number whose check digit is right. */
export function isValidJpCorporateNumber(value: string | undefined): value is string {
  if (!value || !/^[0-9]{13}$/.test(value)) return false;
  return Number(value[0]) === jpCorporateNumberCheckDigit(value.slice(1));
}

/** Digits only: "8010-4010-50387" or full-width digits → "8010401050387"; undefined when not 13 digits. */
export function normalizeJpCorporateNumber(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const digits = value.normalize('NFKC').replace(/[\s-]/g, '');
  return /^[0-9]{13}$/.test(digits) ? digits : undefined;
}
