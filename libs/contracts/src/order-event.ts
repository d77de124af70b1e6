import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';

/** A string enum, as JSON Schema writes it with `enum` and TypeBox checks it: one literal per value. */
export function literalUnion<T extends string>(values: readonly T[], options?: { description?: string }): TUnion<TLiteral<T>[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  );
}

/**
 * OrderEvent v1, the code's copy of `schemas/order-event.v1.schema.json` (the public contract).
 * `contracts.spec.ts` proves the two accept and reject the same documents.
 */
const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 (HK, MO and TW included)' });

export const PartyRoleInOrder = ['seller', 'buyer', 'consignee', 'endUser', 'freightForwarder'] as const;

export const PartySchema = Type.Object(
  {
    id: Type.Optional(Type.String({ maxLength: 128 })),
    name: Type.String({ minLength: 1, maxLength: 300 }),
    country: Country,
    address: Type.Optional(Type.String({ maxLength: 500 })),
    role: Type.Optional(
      literalUnion(['manufacturer', 'distributor', 'trading_company', 'freight_forwarder', 'government', 'research', 'other'] as const),
    ),
    identifiers: Type.Optional(
      Type.Object(
        {
          jpCorporateNumber: Type.Optional(Type.String({ pattern: '^[0-9]{13}$' })),
          lei: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{20}$' })),
          duns: Type.Optional(Type.String({ pattern: '^[0-9]{9}$' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const LineSchema = Type.Object(
  {
    lineId: Type.String({ minLength: 1, maxLength: 64 }),
    sku: Type.Optional(Type.String({ maxLength: 64 })),
    description: Type.String({ minLength: 1, maxLength: 1000 }),
    hsCode: Type.Optional(Type.String({ pattern: '^[0-9]{4}([.]?[0-9]{2}){0,3}$' })),
    controlCode: Type.Optional(Type.String({ pattern: '^[0-9][A-E][0-9]{3}([.][a-z0-9]+)*$' })),
    originCountry: Type.Optional(Country),
    chinaContentPct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    quantity: Type.Number({ exclusiveMinimum: 0 }),
    unit: Type.Optional(Type.String({ maxLength: 16 })),
    unitPrice: Type.Optional(Type.Number({ minimum: 0 })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  },
  { additionalProperties: false },
);

export const OrderSchema = Type.Object(
  {
    orderId: Type.String({ minLength: 1, maxLength: 128 }),
    direction: Type.Optional(literalUnion(['purchase', 'sale'] as const)),
    orderDate: Type.Optional(Type.String({ format: 'date' })),
    shipDate: Type.Optional(Type.String({ format: 'date' })),
    seller: PartySchema,
    buyer: PartySchema,
    consignee: Type.Optional(PartySchema),
    endUser: Type.Optional(PartySchema),
    freightForwarder: Type.Optional(PartySchema),
    endUse: Type.Optional(
      Type.Object(
        {
          category: Type.Optional(literalUnion(['civil', 'military', 'dual', 'research', 'unknown'] as const)),
          statement: Type.Optional(Type.String({ maxLength: 2000 })),
        },
        { additionalProperties: false },
      ),
    ),
    shipFrom: Country,
    shipTo: Country,
    transit: Type.Optional(Type.Array(Country, { maxItems: 10 })),
    consigneeInFreeTradeZone: Type.Optional(Type.Boolean()),
    paymentTerms: Type.Optional(literalUnion(['open_account', 'letter_of_credit', 'cash_in_advance', 'cash', 'other'] as const)),
    lines: Type.Array(LineSchema, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false },
);

export const OrderEventTypes = ['order.created', 'order.updated', 'order.cancelled', 'order.shipped'] as const;

export const OrderEventSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    eventId: Type.String({ minLength: 1, maxLength: 128 }),
    eventType: literalUnion(OrderEventTypes),
    occurredAt: Type.String({ format: 'date-time' }),
    source: Type.Optional(Type.String({ maxLength: 64 })),
    order: OrderSchema,
  },
  { additionalProperties: false, $id: 'order-event.v1' },
);

export type Party = Static<typeof PartySchema>;
export type OrderLine = Static<typeof LineSchema>;
export type Order = Static<typeof OrderSchema>;
export type OrderEvent = Static<typeof OrderEventSchema>;
export type OrderEventType = (typeof OrderEventTypes)[number];
export type PartyRole = (typeof PartyRoleInOrder)[number];
