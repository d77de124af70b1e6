import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Announcement, Country, ItemFamily, LegalForms, ListedParty, MilitaryEndUseTerms, RedFlag, SourceKinds } from './model';

/**
 * TypeBox schemas of the bundled reference-data files, one per file (array files: one per entry).
 * They mirror model.ts field for field (checked at compile time below) and close every object, so a
 * misspelt field is an error rather than silently ignored.
 */

const closed = { additionalProperties: false } as const;

export const IsoDateSchema = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });
const Url = Type.String({ pattern: '^https?://\\S+$' });
const Sources = Type.Array(Url, { minItems: 1 });
const AnnouncementId = Type.String({ pattern: '^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$' });
const NonEmpty = Type.String({ minLength: 1 });
const Hs10 = Type.String({ pattern: '^[0-9]{10}$' });
const Hs8 = Type.String({ pattern: '^[0-9]{8}$' });
const Hs6 = Type.String({ pattern: '^[0-9]{6}$' });
/** As in the order contract: digit, category letter A-E, three digits, optional .sub items. */
const ControlCodeString = Type.String({ pattern: '^[0-9][A-E][0-9]{3}([.][a-z0-9]+)*$' });
const CountryCode = Type.String({ pattern: '^[A-Z]{2}$' });

function perLang<T extends TSchema>(item: T) {
  return Type.Object({ en: Type.Array(item), zh: Type.Array(item), ja: Type.Array(item) }, closed);
}

/** English keywords are lower case; Chinese and Japanese ones any non-empty string. */
const Keywords = Type.Object(
  { en: Type.Array(Type.String({ minLength: 1, pattern: '^[^A-Z]+$' })), zh: Type.Array(NonEmpty), ja: Type.Array(NonEmpty) },
  closed,
);

const provenance = {
  announcement: AnnouncementId,
  sources: Sources,
  uncertain: Type.Optional(Type.Boolean()),
  note: Type.Optional(NonEmpty),
  relatedAnnouncements: Type.Optional(Type.Array(AnnouncementId)),
};

export const SuspensionSchema = Type.Object(
  {
    from: IsoDateSchema,
    until: IsoDateSchema,
    announcement: AnnouncementId,
    sources: Sources,
    uncertain: Type.Optional(Type.Boolean()),
    note: Type.Optional(NonEmpty),
  },
  closed,
);

const dated = {
  effectiveFrom: IsoDateSchema,
  repealedOn: Type.Optional(IsoDateSchema),
  suspensions: Type.Optional(Type.Array(SuspensionSchema)),
};

export const AnnouncementSchema = Type.Object(
  {
    id: AnnouncementId,
    citation: NonEmpty,
    title: Type.Object({ en: NonEmpty, zh: Type.Optional(NonEmpty) }, closed),
    issuedOn: IsoDateSchema,
    effectiveFrom: IsoDateSchema,
    legalBasis: NonEmpty,
    sources: Sources,
    uncertain: Type.Optional(Type.Boolean()),
    note: Type.Optional(NonEmpty),
  },
  closed,
);

export const ControlCodeSchema = Type.Object(
  { code: ControlCodeString, description: NonEmpty, hsCodes: Type.Optional(Type.Array(Hs10)) },
  closed,
);

export const ItemFamilySchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' }),
    name: NonEmpty,
    materials: Type.Optional(Type.Array(NonEmpty)),
    controlCodes: Type.Array(ControlCodeSchema),
    hsCodes10: Type.Array(Hs10),
    hs6: Type.Array(Hs6),
    keywords: Keywords,
    hs8: Type.Optional(Type.Array(Hs8)),
    hs6Weak: Type.Optional(Type.Array(Hs6)),
    inferredCodes: Type.Optional(Type.Array(NonEmpty)),
    minPrcContentShare: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    ...dated,
    ...provenance,
  },
  closed,
);

export const PartyRelationLinkSchema = Type.Object(
  {
    id: NonEmpty,
    relation: Type.Union([Type.Literal('parent'), Type.Literal('subsidiary'), Type.Literal('sibling'), Type.Literal('contractor')]),
    ownershipPct: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
    sources: Type.Optional(Sources),
    note: Type.Optional(NonEmpty),
  },
  closed,
);

export const ProcurementContractSchema = Type.Object(
  {
    fiscalYear: Type.Integer({ minimum: 1954, maximum: 2100 }),
    agency: Type.Union([Type.Literal('MOD'), Type.Literal('ATLA')]),
    rank: Type.Optional(Type.Integer({ minimum: 1 })),
    valueJpyBn: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    sources: Sources,
  },
  closed,
);

export const ListedPartySchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Z]{2}(-[A-Za-z0-9]+)+$' }),
    list: Type.Union([
      Type.Literal('control_list'),
      Type.Literal('watch_list'),
      Type.Literal('military_user'),
      Type.Literal('defence_nexus'),
    ]),
    names: Type.Object({ en: NonEmpty, zh: Type.Optional(NonEmpty), ja: Type.Optional(NonEmpty) }, closed),
    aliases: Type.Array(NonEmpty),
    country: CountryCode,
    jpCorporateNumber: Type.Optional(Type.String({ pattern: '^[0-9]{13}$' })),
    listedOn: IsoDateSchema,
    annexEntry: Type.Optional(Type.Integer({ minimum: 1 })),
    related: Type.Optional(Type.Array(PartyRelationLinkSchema)),
    contracts: Type.Optional(Type.Array(ProcurementContractSchema)),
    defenceNexusFrom: Type.Optional(IsoDateSchema),
    unverifiedNames: Type.Optional(Type.Array(NonEmpty)),
    ...dated,
    ...provenance,
  },
  closed,
);

export const CountrySchema = Type.Object(
  {
    code: CountryCode,
    name: NonEmpty,
    transshipmentHub: Type.Optional(Type.Boolean()),
    possiblePrcOrigin: Type.Optional(Type.Boolean()),
    sources: Type.Optional(Type.Array(Url)),
    note: Type.Optional(NonEmpty),
    uncertain: Type.Optional(Type.Boolean()),
  },
  closed,
);

export const RedFlagSchema = Type.Object(
  {
    code: Type.String({ pattern: '^RED_FLAG_[A-Z0-9_]+$' }),
    title: NonEmpty,
    description: NonEmpty,
    sources: Sources,
    keywords: Type.Optional(Keywords),
  },
  closed,
);

export const MilitaryEndUseTermsSchema = Type.Object({ terms: Keywords, civilPhrases: Type.Optional(Keywords), ...provenance }, closed);

export const LegalFormsSchema = Type.Object(
  {
    en: Type.Array(NonEmpty),
    zh: Type.Array(NonEmpty),
    ja: Type.Array(NonEmpty),
    stopWords: Type.Optional(Type.Array(NonEmpty)),
    weakWords: Type.Optional(perLang(NonEmpty)),
    unitWords: Type.Optional(perLang(NonEmpty)),
    tokenEquivalents: Type.Optional(Type.Record(Type.String({ minLength: 1 }), NonEmpty)),
    countryPrefixes: Type.Optional(Type.Array(NonEmpty)),
    japanMarkers: Type.Optional(Type.Array(NonEmpty)),
  },
  closed,
);

const SourceKindSchema = Type.Union([
  Type.Literal('official'),
  Type.Literal('law_firm'),
  Type.Literal('press'),
  Type.Literal('research'),
  Type.Literal('registry'),
  Type.Literal('vendor'),
  Type.Literal('forum'),
]);

export const SourceKindsSchema = Type.Object(
  {
    hosts: Type.Record(Type.String({ pattern: '^[a-z0-9.-]+[.][a-z0-9-]+(/\\S*)?$' }), SourceKindSchema),
    urls: Type.Optional(Type.Record(Type.String({ pattern: '^https?://\\S+$' }), SourceKindSchema)),
    note: Type.Optional(NonEmpty),
  },
  closed,
);

export const ManifestSchema = Type.Object(
  {
    label: Type.String({ pattern: '^[0-9A-Za-z][0-9A-Za-z._-]*$' }),
    files: Type.Array(NonEmpty, { minItems: 1 }),
    compiledFrom: NonEmpty,
  },
  closed,
);
export type Manifest = Static<typeof ManifestSchema>;

// ---- the schemas and model.ts must describe the same shapes (a mismatch fails type-checking) ----
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function same<T extends true>(): T | undefined {
  return undefined;
}
same<Same<Static<typeof AnnouncementSchema>, Announcement>>();
same<Same<Static<typeof ItemFamilySchema>, ItemFamily>>();
same<Same<Static<typeof ListedPartySchema>, ListedParty>>();
same<Same<Static<typeof CountrySchema>, Country>>();
same<Same<Static<typeof RedFlagSchema>, RedFlag>>();
same<Same<Static<typeof MilitaryEndUseTermsSchema>, MilitaryEndUseTerms>>();
same<Same<Static<typeof LegalFormsSchema>, LegalForms>>();
same<Same<Static<typeof SourceKindsSchema>, SourceKinds>>();
