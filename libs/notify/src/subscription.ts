import { Type, type Static } from '@sinclair/typebox';
import { AlertKinds, literalUnion, Severities, severityRank, Validator, Verdicts, type Alert } from '@dualwatch/contracts';

/**
 * A subscription: who wants which alerts, where. The filter's criteria all have to hold; a list
 * criterion holds when any of its entries matches. An empty filter matches every alert.
 */
export const SubscriptionFilterSchema = Type.Object(
  {
    minSeverity: Type.Optional(literalUnion(Severities)),
    verdicts: Type.Optional(Type.Array(literalUnion(Verdicts), { minItems: 1 })),
    kinds: Type.Optional(Type.Array(literalUnion(AlertKinds), { minItems: 1 })),
    /** ISO 3166 alpha-2 codes, matched against the ship-to country. */
    countries: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z]{2}$' }), { minItems: 1 })),
    /** Seller, buyer or end-user names, matched case-insensitively as substrings. */
    parties: Type.Optional(Type.Array(Type.String({ minLength: 2, maxLength: 200 }), { minItems: 1 })),
    itemFamilies: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1 })),
  },
  { additionalProperties: false },
);

const WebhookSecret = Type.String({ pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$', maxLength: 200 });

export const TargetInputSchema = Type.Union([
  Type.Object(
    { type: Type.Literal('slack'), url: Type.String({ pattern: '^https?://', maxLength: 2000 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('webhook'),
      url: Type.String({ pattern: '^https?://', maxLength: 2000 }),
      /** The current secret first; during a rotation the old one too (each gets its own signature). */
      secrets: Type.Array(WebhookSecret, { minItems: 1, maxItems: 3 }),
    },
    { additionalProperties: false },
  ),
]);

export const SubscriptionInputSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,80}$' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    enabled: Type.Optional(Type.Boolean()),
    filter: Type.Optional(SubscriptionFilterSchema),
    /** Required on create; on update, absent keeps the stored target (and its secrets). */
    target: Type.Optional(TargetInputSchema),
  },
  { additionalProperties: false },
);

export type SubscriptionFilter = Static<typeof SubscriptionFilterSchema>;
export type TargetInput = Static<typeof TargetInputSchema>;
export type SubscriptionInput = Static<typeof SubscriptionInputSchema>;
export const subscriptionInputValidator = new Validator(SubscriptionInputSchema);

/** As stored: secrets sealed (see SecretBox). */
export type StoredTarget = { type: 'slack'; sealedUrl: string; host: string } | { type: 'webhook'; url: string; sealedSecrets: string[] };

export interface Subscription {
  id: string;
  name: string;
  enabled: boolean;
  /** Why the notifier disabled it (e.g. the target answered 410 Gone). */
  disabledReason?: string;
  filter: SubscriptionFilter;
  target: StoredTarget;
  createdAt: string;
  updatedAt: string;
  /** Hash of the seed-file entry it came from: an unchanged entry does not overwrite later changes. */
  seedHash?: string;
}

/** What the API shows: never a secret, never a Slack URL. */
export interface SubscriptionView {
  id: string;
  name: string;
  enabled: boolean;
  disabledReason?: string;
  filter: SubscriptionFilter;
  target: { type: 'slack'; host: string } | { type: 'webhook'; url: string; secrets: number };
  createdAt: string;
  updatedAt: string;
}

export function viewOf(s: Subscription): SubscriptionView {
  const target =
    s.target.type === 'slack'
      ? { type: 'slack' as const, host: s.target.host }
      : { type: 'webhook' as const, url: s.target.url, secrets: s.target.sealedSecrets.length };
  return {
    id: s.id,
    name: s.name,
    enabled: s.enabled,
    ...(s.disabledReason ? { disabledReason: s.disabledReason } : {}),
    filter: s.filter,
    target,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

const lower = (s: string) => s.toLowerCase();

/**
 * Whether an alert is for this subscription. A withdrawal ignores minSeverity and verdicts (its
 * assessment is the one that is no longer exposed), so that whoever heard of an exposure hears it ended.
 */
export function matches(filter: SubscriptionFilter, alert: Alert): boolean {
  const a = alert.assessment;
  const s = alert.summary ?? {};
  if (filter.kinds && !filter.kinds.includes(alert.kind)) return false;
  if (alert.kind !== 'withdrawn') {
    if (filter.minSeverity && severityRank(a.severity) < severityRank(filter.minSeverity)) return false;
    if (filter.verdicts && !filter.verdicts.includes(a.verdict)) return false;
  }
  if (filter.countries && !(s.shipTo && filter.countries.map((c) => c.toUpperCase()).includes(s.shipTo.toUpperCase()))) return false;
  if (filter.parties) {
    const names = [s.seller, s.buyer, s.endUser].filter((n): n is string => !!n).map(lower);
    if (!filter.parties.some((p) => names.some((n) => n.includes(lower(p))))) return false;
  }
  if (filter.itemFamilies) {
    const families = (s.itemFamilies ?? []).map(lower);
    if (!filter.itemFamilies.some((f) => families.includes(lower(f)))) return false;
  }
  return true;
}
