export * from './party-matcher';
export { normalizeName, nameFeatures, stem, foldLatinLookalikes, type NameFeatures, type Feature } from './normalize';
export { foldCjkVariants } from './cjk-fold';
export { jaroWinkler } from './similarity';
export { isValidJpCorporateNumber, jpCorporateNumberCheckDigit, normalizeJpCorporateNumber } from './corporate-number';
