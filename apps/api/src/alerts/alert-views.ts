import { Type, type Static } from '@sinclair/typebox';
import { AlertKinds, AlertSchema, literalUnion, Severities, Verdicts } from '@dualwatch/contracts';
import { AlertStatuses, LifecycleActions, LifecycleChangeSchema } from './lifecycle';

/** What the api answers about alerts, as schemas (the OpenAPI document is made from them) and types. */
const Money = Type.Object({ currency: Type.String(), amount: Type.Number() });

export const AlertViewSchema = Type.Object({
  alertId: Type.String(),
  orderId: Type.String(),
  kind: literalUnion(AlertKinds, { description: 'the kind of the latest alert message' }),
  verdict: literalUnion(Verdicts),
  severity: literalUnion(Severities),
  score: Type.Integer(),
  status: literalUnion(AlertStatuses),
  raisedAt: Type.String({ format: 'date-time', description: 'first raised' }),
  updatedAt: Type.String({ format: 'date-time', description: 'latest alert message' }),
  seller: Type.Optional(Type.String()),
  buyer: Type.Optional(Type.String()),
  endUser: Type.Optional(Type.String()),
  shipTo: Type.Optional(Type.String()),
  itemFamilies: Type.Array(Type.String()),
  exposedValue: Type.Optional(Type.Object({ amount: Type.Optional(Type.Number()), currency: Type.Optional(Type.String()) })),
  headline: Type.Optional(Type.String({ description: 'the weightiest reason' })),
  reasonCount: Type.Integer(),
  degraded: Type.Boolean(),
});

export const AlertPageSchema = Type.Object({
  items: Type.Array(AlertViewSchema),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export const AlertMessageSchema = Type.Object({
  kind: literalUnion(AlertKinds),
  raisedAt: Type.String({ format: 'date-time' }),
  verdict: literalUnion(Verdicts),
  severity: literalUnion(Severities),
  score: Type.Integer(),
  previousVerdict: Type.Optional(literalUnion(Verdicts)),
  effectiveOn: Type.Optional(Type.String({ format: 'date' })),
});

export const AlertDetailSchema = Type.Object({
  view: AlertViewSchema,
  alert: AlertSchema,
  messages: Type.Array(AlertMessageSchema),
  lifecycle: Type.Object({
    status: literalUnion(AlertStatuses),
    version: Type.Integer(),
    history: Type.Array(LifecycleChangeSchema),
    allowedActions: Type.Array(literalUnion(LifecycleActions)),
  }),
});

const Group = (key: string) => Type.Object({ [key]: Type.String(), alerts: Type.Integer(), exposedValue: Type.Array(Money) });
export const AlertSummarySchema = Type.Object({
  total: Type.Integer(),
  byVerdict: Type.Record(Type.String(), Type.Integer()),
  bySeverity: Type.Record(Type.String(), Type.Integer()),
  byStatus: Type.Record(Type.String(), Type.Integer()),
  exposedValue: Type.Array(Type.Object({ currency: Type.String(), amount: Type.Number(), alerts: Type.Integer() })),
  bySupplier: Type.Array(Group('supplier')),
  byItemFamily: Type.Array(Group('itemFamily')),
  overTime: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), bySeverity: Type.Record(Type.String(), Type.Integer()) })),
});

export type AlertView = Static<typeof AlertViewSchema>;
export type AlertDetail = Static<typeof AlertDetailSchema>;
export type AlertSummary = Omit<Static<typeof AlertSummarySchema>, 'bySupplier' | 'byItemFamily'> & {
  bySupplier: { supplier: string; alerts: number; exposedValue: Static<typeof Money>[] }[];
  byItemFamily: { itemFamily: string; alerts: number; exposedValue: Static<typeof Money>[] }[];
};
