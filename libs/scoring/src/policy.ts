import { createHash } from 'node:crypto';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { literalUnion, registerFormats, Severities, Verdicts } from '@dualwatch/contracts';

/**
 * The scoring policy: which rules are on, the verdict each one yields, how much it weighs, the
 * thresholds and score bands. It is data (libs/scoring/policy/policy.v*.json), validated here once at
 * load; every assessment records the version that produced it. Nothing in this file does I/O.
 */

/** Every rule the engine knows, in the order the README documents them. */
export const RuleCodes = [
  // parties
  'PARTY_ON_CONTROL_LIST',
  'PARTY_MILITARY_USER',
  'PARTY_ON_WATCH_LIST',
  'DEFENCE_NEXUS_PARTY',
  'POSSIBLE_LIST_MATCH',
  'PARTY_LISTING_NOT_IN_FORCE',
  // the order as a whole
  'MILITARY_END_USE_JAPAN',
  'END_USE_MISSING',
  'END_USE_UNKNOWN',
  'RED_FLAG_INTERMEDIARY_END_USER',
  'RED_FLAG_TRANSSHIPMENT_HUB',
  'RED_FLAG_FREE_TRADE_ZONE',
  'RED_FLAG_CONSIGNEE_CHANGE',
  'SUPPLY_RISK_JAPAN',
  'JAPAN_BAN_NOT_IN_FORCE',
  'ORDER_CANCELLED',
  'EXPOSED_VALUE_MIXED_CURRENCIES',
  // lines
  'CONTROLLED_ITEM',
  'REEXPORT_OF_PRC_ORIGIN',
  'ORIGIN_INFERRED',
  'POSSIBLE_PRC_ORIGIN',
  'PRC_CONTENT_ONLY',
  'WEAK_ITEM_MATCH',
  'ITEM_FAMILY_SUSPENDED',
  'SUSPENSION_END_UNCERTAIN',
  'ORIGIN_MISSING',
  'HS_CODE_MISSING',
  // policy v2
  'UNIDENTIFIED_LINE',
  'SHIPPED_FROM_HUB_STOCK',
  'SUSPENSION_UNCERTAIN_SENSITIVE_PARTY',
  'UNCONTROLLED_MATERIAL_NAMED',
  'BROAD_CODE_CORROBORATED',
] as const;
/** Rules a policy may leave out (added after policy v1, which stays loadable for replay): absent means off. */
export const OptionalRuleCodes: readonly RuleCode[] = [
  'UNIDENTIFIED_LINE',
  'SHIPPED_FROM_HUB_STOCK',
  'SUSPENSION_UNCERTAIN_SENSITIVE_PARTY',
  'UNCONTROLLED_MATERIAL_NAMED',
  'BROAD_CODE_CORROBORATED',
];
export type RuleCode = (typeof RuleCodes)[number];

export const ItemMatchMethods = ['controlCode', 'hs10', 'hs8', 'hs6', 'hs6Weak', 'keyword'] as const;
export type ItemMatchMethod = (typeof ItemMatchMethods)[number];

export const OriginFindings = ['declared', 'inferred', 'possible', 'content'] as const;
export type OriginFinding = (typeof OriginFindings)[number];

const Unit = Type.Number({ minimum: 0, maximum: 1 });
const VerdictT = literalUnion(Verdicts);
const SeverityT = literalUnion(Severities);
const Country = Type.String({ pattern: '^[A-Z]{2}$' });
const PartyRoleT = literalUnion(['seller', 'buyer', 'consignee', 'endUser', 'freightForwarder'] as const);
const ListKindT = literalUnion(['control_list', 'watch_list', 'military_user', 'defence_nexus'] as const);
const PerLang = Type.Object(
  { en: Type.Array(Type.String()), zh: Type.Array(Type.String()), ja: Type.Array(Type.String()) },
  { additionalProperties: false },
);
const Band = Type.Object(
  { min: Type.Integer({ minimum: 0, maximum: 100 }), max: Type.Integer({ minimum: 0, maximum: 100 }) },
  { additionalProperties: false },
);

const RuleT = Type.Object(
  {
    enabled: Type.Boolean(),
    verdict: VerdictT,
    /** Points this signal adds to the score within its band, before match-strength factors. */
    weight: Type.Number({ minimum: 0, maximum: 100 }),
    /** Counts towards "two or more strong military signals" (review → high severity). */
    militarySignal: Type.Optional(Type.Boolean()),
    /** Lowest severity of an assessment in which this rule fired (e.g. supply risk → low). */
    severityFloor: Type.Optional(SeverityT),
    description: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

const rulesSchema = Type.Object(
  Object.fromEntries(RuleCodes.map((c) => [c, OptionalRuleCodes.includes(c) ? Type.Optional(RuleT) : RuleT])) as Record<
    RuleCode,
    typeof RuleT
  >,
  { additionalProperties: false },
);

export const PolicySchema = Type.Object(
  {
    policyId: Type.String({ minLength: 1 }),
    label: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9._-]+$' }),
    effectiveFrom: Type.String({ format: 'date' }),
    source: Type.String({ minLength: 1 }),
    /** The announcement (id in the reference data) whose dates gate every Japan rule. */
    japanBan: Type.Object({ announcement: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    /** How the as-of date is read from `occurredAt` when an order has no ship or order date (v2: +480, China Standard Time). */
    asOf: Type.Optional(
      Type.Object({ occurredAtUtcOffsetMinutes: Type.Integer({ minimum: -720, maximum: 840 }) }, { additionalProperties: false }),
    ),
    /**
     * Unidentified lines (v2): a line with neither HS code nor control code whose description names no specific
     * good: every word of it is one of these (numbers, units and punctuation aside).
     */
    unidentifiedLine: Type.Optional(Type.Object({ vagueWords: PerLang }, { additionalProperties: false })),
    /**
     * Descriptions that expressly name an uncontrolled material (a light rare earth, NdFeB without Dy or Tb): with only
     * a broad code family as item evidence the line is at most review (v2).
     */
    uncontrolledMaterials: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Type.String({ minLength: 1 }),
            families: Type.Array(Type.String({ minLength: 1 })),
            words: PerLang,
            note: Type.String({ minLength: 1 }),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    japanNexus: Type.Object(
      {
        countries: Type.Array(Country, { minItems: 1 }),
        shipTo: Type.Boolean(),
        partyRoles: Type.Array(PartyRoleT),
        /** A certain match on an entry of these lists is a Japan nexus wherever the party sits. */
        listKinds: Type.Array(ListKindT),
        /** v2: a possible match to an entry of `listKinds` is a Japan nexus too (no false clear: the party may be the Japanese entity). */
        possibleSensitive: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    origin: Type.Object(
      {
        prcCountries: Type.Array(Country, { minItems: 1 }),
        inferFromSellerCountry: Type.Boolean(),
        inferFromShipFrom: Type.Boolean(),
        /** How sure each origin finding is: multiplies the weight of the findings that rest on the line. */
        certainty: Type.Object({ declared: Unit, inferred: Unit, possible: Unit, content: Unit }, { additionalProperties: false }),
      },
      { additionalProperties: false },
    ),
    partyMatch: Type.Object(
      {
        /** A match at or above this score is treated as the listed entity. */
        match: Unit,
        /** Between this and `match`: a possible match, for a person to review. */
        possible: Unit,
      },
      { additionalProperties: false },
    ),
    itemMatch: Type.Object(
      {
        strengths: Type.Object(
          { controlCode: Unit, hs10: Unit, hs8: Unit, hs6: Unit, hs6Weak: Unit, keyword: Unit },
          { additionalProperties: false },
        ),
        /** A line whose best match is weaker than this is a weak match (capped). */
        weakBelow: Unit,
        /**
         * v2: a broad code family (hs6Weak) is corroborated by a description that names the controlled material
         * itself (a Dy-diffused NdFeB magnet under 850511): the line then counts as a 6-digit family match, not weak.
         */
        /** v2: class keywords that name no specific controlled material (rare earth, magnet, NdFeB): they never corroborate. */
        genericKeywords: Type.Optional(PerLang),
        corroboration: Type.Optional(
          Type.Array(
            Type.Object(
              {
                families: Type.Array(Type.String({ minLength: 1 })),
                codes: Type.Array(Type.String({ pattern: '^[0-9]{6}$' })),
                words: PerLang,
                note: Type.String({ minLength: 1 }),
              },
              { additionalProperties: false },
            ),
          ),
        ),
      },
      { additionalProperties: false },
    ),
    /** The most a finding can yield when its only exposed lines carry this limitation. */
    caps: Type.Object({ possiblePrcOrigin: VerdictT, prcContentOnly: VerdictT, weakItemMatch: VerdictT }, { additionalProperties: false }),
    suspensions: Type.Object(
      {
        /** true: a suspension whose end date is uncertain is honoured (the data's reading); false: assume it ended. */
        honourUncertain: Type.Boolean(),
        /** true (v2): "until D" includes D, so the measure applies again from the day after D; absent or false (v1): from D. */
        untilInclusive: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    militaryEndUse: Type.Object(
      {
        categories: Type.Array(literalUnion(['civil', 'military', 'dual', 'research', 'unknown'] as const)),
        /** Negation words before a term, in its clause ("not for military use", "不用于军事"). */
        negationsBefore: PerLang,
        /** Negation words after a term, in its clause (Japanese: "軍事目的には使用しない"). */
        negationsAfter: PerLang,
        /** Prefixes that negate a term only when they touch it ("non-military", "非軍事"). */
        negationPrefixes: Type.Array(Type.String({ minLength: 1 })),
        /** How many characters either side of a term are searched for a negation. */
        negationWindow: Type.Integer({ minimum: 0, maximum: 80 }),
      },
      { additionalProperties: false },
    ),
    intermediaries: Type.Object(
      {
        /** Party roles that make an end user an intermediary (freight forwarder, trading house). */
        roles: Type.Array(
          literalUnion(['manufacturer', 'distributor', 'trading_company', 'freight_forwarder', 'government', 'research', 'other'] as const),
        ),
      },
      { additionalProperties: false },
    ),
    /** Red flags of the reference data whose keywords raise a rule, by what they are looked for in. */
    redFlagWords: Type.Object(
      {
        /** In the end user's name: RED_FLAG_INTERMEDIARY_END_USER. */
        intermediaryEndUser: Type.Array(Type.String()),
        /** In the consignee's name and address: RED_FLAG_FREE_TRADE_ZONE. */
        freeTradeZone: Type.Array(Type.String()),
        /** In the end-use statement: END_USE_UNKNOWN (the end use is withheld). */
        endUseWithheld: Type.Array(Type.String()),
      },
      { additionalProperties: false },
    ),
    rules: rulesSchema,
    severity: Type.Object(
      {
        byVerdict: Type.Object(
          { clear: SeverityT, review: SeverityT, license_required: SeverityT, prohibited: SeverityT },
          { additionalProperties: false },
        ),
        escalations: Type.Array(
          Type.Object(
            { verdict: VerdictT, minMilitarySignals: Type.Integer({ minimum: 1 }), severity: SeverityT },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    scoreBands: Type.Object({ none: Band, low: Band, medium: Band, high: Band, critical: Band }, { additionalProperties: false }),
    scoring: Type.Object(
      {
        /** Score = band.min + (band.max - band.min) × (1 − e^(−W / saturation)), W = Σ weighted signals. */
        saturation: Type.Number({ exclusiveMinimum: 0 }),
      },
      { additionalProperties: false },
    ),
    alerting: Type.Object({ minVerdict: VerdictT }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export type PolicyDocument = Static<typeof PolicySchema>;
export type PolicyRule = Static<typeof RuleT>;

/** A validated policy, with its version (label + content hash), as assessments record it. */
export interface Policy extends PolicyDocument {
  readonly version: string;
}

export class PolicyError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'PolicyError';
  }
}

let compiled: ReturnType<typeof TypeCompiler.Compile<TSchema>> | undefined;

/** JSON with keys sorted at every level: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Validates a parsed policy document and returns the typed policy with its version. Throws a
 * PolicyError naming every offending field (`/rules/PARTY_ON_WATCH_LIST/weight: ...`).
 */
export function policyFromObject(doc: unknown, origin = 'policy'): Policy {
  registerFormats();
  compiled ??= TypeCompiler.Compile(PolicySchema as TSchema);
  const issues: { path: string; message: string }[] = [];
  if (!compiled.Check(doc)) {
    for (const e of compiled.Errors(doc)) {
      issues.push({ path: e.path || '(document)', message: e.message });
      if (issues.length >= 20) break;
    }
  } else {
    issues.push(...semanticIssues(doc as PolicyDocument));
  }
  if (issues.length > 0) {
    throw new PolicyError(`invalid ${origin}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  const p = doc as PolicyDocument;
  const hash = createHash('sha256').update(canonicalJson(p)).digest('hex').slice(0, 12);
  return Object.freeze({ ...p, version: `${p.label}+${hash}` });
}

/** What the schema cannot say: ordering between fields. */
function semanticIssues(p: PolicyDocument): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (p.partyMatch.possible > p.partyMatch.match) {
    out.push({ path: '/partyMatch/possible', message: `must not exceed /partyMatch/match (${p.partyMatch.match})` });
  }
  for (const [name, band] of Object.entries(p.scoreBands)) {
    if (band.min > band.max) out.push({ path: `/scoreBands/${name}/min`, message: `must not exceed max (${band.max})` });
  }
  return out;
}
