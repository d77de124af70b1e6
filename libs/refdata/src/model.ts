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
  /** First day suspended (inclusive). */
  from: IsoDate;
  /**
   * The end date as the instrument writes it ("至2026年11月10日" → "2026-11-10"). Whether that day is
   * still suspended is decided by the scoring policy, not by the data: policy v1 reads `until` as
   * exclusive (the measure applies again on `until`), policy v2 as inclusive ("until D" includes D: the
   * measure applies again from the day after). A window that continues an earlier one therefore starts
   * the day after the earlier one's `until` (e.g. 2026-11-10 → from 2026-11-11).
   */
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
  /**
   * 6-digit HS families (digits only) as strong as the control: headings whose goods are (nearly) all
   * covered by it. A moderate match. A heading the family's note or the research calls broader than the
   * control (it also covers uncontrolled materials) belongs in `hs6Weak`, never here; no code is in both.
   */
  hs6: string[];
  /**
   * Description keywords per language (lower-case for en): a weak match on its own. Includes the
   * generic class words of the family ("rare earth", "magnet", 稀土, 磁石), which make an otherwise
   * unidentified line a weak match (exposure rules, "Unidentified line").
   */
  keywords: Record<Lang, string[]>;
  /** 8-digit Chinese tariff lines given as references where no 10-digit code was published (digits only): between hs10 and hs6 in strength. */
  hs8?: string[];
  /**
   * 6-digit headings that hold the family's reference codes but also cover uncontrolled goods: basket
   * headings (382499, 847989), headings shared with uncontrolled materials (811292 also Nb, Re, Tl…;
   * 280530/284690 all rare earths incl. La, Ce, Pr, Nd; 850511 every permanent magnet), headings far
   * broader than a spec-limited control (810194 vs solid W ≥97 %), or whose mapping is inferred. A weak
   * match, like a keyword; the family's note says why each is here.
   */
  hs6Weak?: string[];
  /** Codes in this family (control codes or HS codes) that were inferred rather than seen in the announcement. */
  inferredCodes?: string[];
  /** For rules that reach foreign-made goods by their PRC-origin content (Ann. 61/2025): the value share from which they apply (0.001 = 0.1 %). */
  minPrcContentShare?: number;
}

export type PartyListKind = 'control_list' | 'watch_list' | 'military_user' | 'defence_nexus';

/** How one party entry relates to another: what THIS entry is to entry `id`. */
export type PartyRelation = 'parent' | 'subsidiary' | 'sibling' | 'contractor';

/** A tie between two party entries, with what it rests on. */
export interface PartyRelationLink {
  /** Id of the other entry (must exist in parties.json). */
  id: string;
  /**
   * What this entry is to entry `id`: DN-MHI is `parent` of CL-11-01; a listed unit is `subsidiary` of
   * its parent; `sibling` shares a parent with `id`; `contractor` supplies `id` (MU-ATLA, MU-MOD).
   */
  relation: PartyRelation;
  /** Share of the subsidiary held by the parent (0-100), for parent/subsidiary ties where known. */
  ownershipPct?: number;
  /** Where the tie is stated, if other than the entry's own sources. */
  sources?: string[];
  note?: string;
}

/** One fiscal year in which a party was among the MoD/ATLA central-procurement top contractors. */
export interface ProcurementContract {
  /** Japanese fiscal year (April to March), e.g. 2021 for FY2021. */
  fiscalYear: number;
  /** The procuring body as the source names it (ATLA's central procurement since FY2015; MOD before). */
  agency: 'MOD' | 'ATLA';
  /** Rank by contract value in that year's ranking, where given. */
  rank?: number;
  /** Contract value in billions of yen, where given. */
  valueJpyBn?: number;
  sources: string[];
}

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
  /** Ties to other entries (group ties with ownership where known, contractor ties to MU-ATLA/MU-MOD). */
  related?: PartyRelationLink[];
  /** MoD/ATLA central-procurement top-contractor years (research 4.2), each with its source. */
  contracts?: ProcurementContract[];
  /**
   * The party is a defence-nexus party from this date (2026-01-06, Ann. 1/2026) because it is a known
   * MoD contractor or a member of a defence group (`contracts` or `related` say why). On a control- or
   * watch-list entry it covers the time before its own listing: from `defenceNexusFrom` until the
   * entry's `effectiveFrom` the scorer treats it as a defence-nexus party, then as listed.
   */
  defenceNexusFrom?: IsoDate;
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
  /**
   * Civil phrases that contain a military term ("submarine cable", "Swiss Army knife", "navy blue"): a term
   * found inside one of them does not mark a military end use.
   */
  civilPhrases?: Record<Lang, string[]>;
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
  /** Words that put a country in front of a name ("Japan", "Japanese", "日本", "日本国"): "Japan TDK" is still TDK. */
  countryPrefixes?: string[];
  /**
   * Words that tie a name to Japan ("japan", "jsdf", "self defense", "自衛", "防衛"): a military-user name without
   * any ("Ministry of Defense", "Joint Staff") screened for a party outside Japan may be another country's body.
   */
  japanMarkers?: string[];
}

/** The kinds of source a URL can be, strongest first (see SOURCE_KIND_ORDER). */
export type SourceKind = 'official' | 'law_firm' | 'press' | 'research' | 'registry' | 'vendor' | 'forum';

/** Source kinds, strongest first: an official text outranks a law firm's summary, which outranks the press, and so on. */
export const SOURCE_KIND_ORDER: readonly SourceKind[] = ['official', 'law_firm', 'press', 'research', 'registry', 'vendor', 'forum'];

/** Source kinds that cannot carry a fact alone (an entry resting only on these must be `uncertain`). */
export const WEAK_SOURCE_KINDS: readonly SourceKind[] = ['vendor', 'forum'];

/** source-kinds.json: the kind of every source URL the data uses, by host, with per-URL overrides. */
export interface SourceKinds {
  /**
   * Host rules: "mofcom.gov.cn" matches that host and its subdomains (www., xkzj.…); a rule with a
   * path ("mod.go.jp/atla") matches URLs on that host whose path starts with it. The longest matching
   * rule wins. Keys are lower case, without scheme or "www.".
   */
  hosts: Record<string, SourceKind>;
  /** Per-URL overrides (the exact URL as the data writes it), for pages whose host says too little. */
  urls?: Record<string, SourceKind>;
  note?: string;
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
  /** The kind (official, law firm, press…) of every source URL in the data. */
  sourceKinds: SourceKinds;
}
