/**
 * The reference-data model: every fact the scorer relies on, as plain data with its source and dates.
 * Files under libs/refdata/data/ follow these shapes; the loader validates them and names the
 * file, entry and field of any error.
 */

/** ISO date (YYYY-MM-DD). */
export type IsoDate = string;
export type Lang = 'en' | 'zh' | 'ja';

/** Where a fact comes from. `uncertain` marks anything inferred, single-sourced or conflicting. */
export interface Provenance {
  /** Announcement id, a key of announcements.json (e.g. "MOFCOM-2026-11"). */
  announcement: string;
  /** One or more public URLs. */
  sources: string[];
  uncertain?: boolean;
  /** Why it is uncertain, or anything a reader must know. */
  note?: string;
  /** Further instruments behind the fact (e.g. the consolidated list Ann. 51/2024, the Export Control Law); keys of announcements.json. */
  relatedAnnouncements?: string[];
}

/** A window during which a measure is not applied (e.g. Ann. 70/2025 suspending Ann. 57/2025). */
export interface Suspension {
  from: IsoDate;
  /** Last day suspended is the day before `until`; the measure applies again from `until` on. */
  until: IsoDate;
  announcement: string;
  sources: string[];
  /** true where the end date itself is uncertain (e.g. "reportedly extended"). */
  uncertain?: boolean;
  note?: string;
}

/** A dated measure: in force from `effectiveFrom` (inclusive), except during suspensions, until `repealedOn`. */
export interface Dated {
  effectiveFrom: IsoDate;
  repealedOn?: IsoDate;
  suspensions?: Suspension[];
}

export interface Announcement {
  /** Stable id, e.g. "MOFCOM-2026-1", "MOFCOM-GACC-2025-18". */
  id: string;
  /** Short citation as people write it, e.g. "MOFCOM Ann. 1/2026". */
  citation: string;
  title: { en: string; zh?: string };
  issuedOn: IsoDate;
  effectiveFrom: IsoDate;
  /** Legal basis text to quote in a reason, e.g. "Export Control Law Art. 18; MOFCOM Ann. 1/2026 cl. 1". */
  legalBasis: string;
  sources: string[];
  uncertain?: boolean;
  note?: string;
}

export interface ControlCode {
  /** PRC dual-use list code, e.g. "1C902.a". */
  code: string;
  description: string;
  /** 10-digit Chinese reference HS codes listed against it (digits only). */
  hsCodes?: string[];
}

/** A controlled item family: the unit the scorer reports ("item family"). */
export interface ItemFamily extends Dated, Provenance {
  /** Stable id, e.g. "rare-earths-medium-heavy". */
  id: string;
  name: string;
  /** Element symbols or materials covered, for display (e.g. ["Dy","Tb"]). */
  materials?: string[];
  controlCodes: ControlCode[];
  /** 10-digit Chinese reference HS codes (digits only); may repeat those under controlCodes. */
  hsCodes10: string[];
  /** 6-digit HS families (digits only): a moderate match. */
  hs6: string[];
  /** Description keywords per language (lower-case for en): a weak match on its own. */
  keywords: Record<Lang, string[]>;
  /** 8-digit Chinese tariff lines given as references where no 10-digit code was published (digits only): between hs10 and hs6 in strength. */
  hs8?: string[];
  /**
   * 6-digit headings that hold the family's reference codes but mostly cover uncontrolled goods
   * (basket headings such as 382499 or 847989), or whose mapping is inferred: a weak match, like a keyword.
   */
  hs6Weak?: string[];
  /** Codes in this family (control codes or HS codes) that were inferred rather than seen in the announcement. */
  inferredCodes?: string[];
  /** For rules that reach foreign-made goods by their PRC-origin content (Ann. 61/2025): the value share from which they apply (0.001 = 0.1 %). */
  minPrcContentShare?: number;
}

export type PartyListKind = 'control_list' | 'watch_list' | 'military_user' | 'defence_nexus';

/** A named party on one of the lists the scorer screens against. */
export interface ListedParty extends Dated, Provenance {
  /** Stable id, e.g. "CL-11-01" (control list, Ann. 11, entry 1). */
  id: string;
  list: PartyListKind;
  /** Primary names; `en` is required, `zh`/`ja` where known. */
  names: { en: string; zh?: string; ja?: string };
  /** Other names in any script: abbreviations, former names, romanisations. */
  aliases: string[];
  country: string;
  /** 13-digit Japanese corporate number (法人番号), where known. */
  jpCorporateNumber?: string;
  /** The date the entity was added to the list (for lists) or first known (others). */
  listedOn: IsoDate;
  /** Entry number in the announcement's annex, where there is one. */
  annexEntry?: number;
  /** For defence-nexus parties: ids of related listed entries and how they relate. */
  related?: { id: string; relation: 'parent' | 'subsidiary' | 'sibling' | 'contractor' }[];
  /**
   * Names or aliases of this entry (exactly as written in names/aliases) that were not seen in a source:
   * standard corporate names from general knowledge, romanisation-based guesses. Usable for matching; check before display.
   */
  unverifiedNames?: string[];
}

export interface Country {
  /** ISO 3166-1 alpha-2. */
  code: string;
  name: string;
  /** Known transshipment-risk hub for PRC-origin controlled goods. */
  transshipmentHub?: boolean;
  /** Ship-from here with no declared origin means possible PRC origin (HK, MO). */
  possiblePrcOrigin?: boolean;
  sources?: string[];
  note?: string;
  /** true where the hub status is an inference (e.g. the Japan-specific diversion hubs of research 5.5). */
  uncertain?: boolean;
}

export interface RedFlag {
  /** Stable reason code, e.g. "RED_FLAG_FORWARDER_AS_END_USER". */
  code: string;
  title: string;
  description: string;
  sources: string[];
  /** Words that, in an end-use statement or party name, raise this flag (where the flag is text-based). */
  keywords?: Record<Lang, string[]>;
}

/** Terms that mark a military end use in an end-use statement, per language. */
export interface MilitaryEndUseTerms extends Provenance {
  terms: Record<Lang, string[]>;
}

/** Legal-form words stripped by the party matcher, per language. */
export interface LegalForms {
  en: string[];
  zh: string[];
  ja: string[];
  /** Grammatical words the matcher ignores ("the", "of", "for"). */
  stopWords?: string[];
  /**
   * Words too common in company names to identify one, but not legal forms ("Japan", "Industries", "Group",
   * "Holdings", 集团): never stripped, only cheap to omit (see the matcher's README).
   */
  weakWords?: Record<Lang, string[]>;
  /** Words naming a part of an organisation (plant, branch, brigade, 工場, 師団): extra words of this kind do not make a different party. */
  unitWords?: Record<Lang, string[]>;
  /** Latin-script token equivalences applied before matching: abbreviations and British spellings ("mfg" → "manufacturing", "defence" → "defense"). */
  tokenEquivalents?: Record<string, string>;
}

/** The whole reference data set, as loaded and validated. */
export interface RefData {
  /** Content hash (sha256 of the canonical data, first 12 hex) plus the human label: "2026-08-r1+3f2a9c1b0d4e". */
  version: string;
  label: string;
  announcements: Announcement[];
  itemFamilies: ItemFamily[];
  parties: ListedParty[];
  countries: Country[];
  redFlags: RedFlag[];
  militaryEndUse: MilitaryEndUseTerms;
  legalForms: LegalForms;
}
