import { Type, type Static } from '@sinclair/typebox';
import { AlertKinds, AlertSchema, literalUnion, Severities, Validator, Verdicts } from '@dualwatch/contracts';
import { AnalystActions, CaseStatuses, Dispositions, LifecycleRecordV2Schema } from '@dualwatch/casework';

/**
 * What the api answers about alerts, as schemas (the OpenAPI document is made from them). An "alert" in
 * the api and the dashboard is a case: one order, whatever alert messages (raised, updated, withdrawn,
 * look-ahead) it had; libs/casework holds the types the code uses.
 */
const Money = Type.Object({ currency: Type.String(), amount: Type.Number() });
const Date_ = (description: string) => Type.String({ format: 'date', description });

const PendingSchema = Type.Object({
  action: literalUnion(['resolve', 'false_positive'] as const),
  disposition: Type.Optional(literalUnion(Dispositions)),
  requestedBy: Type.String(),
  requestedAt: Type.String({ format: 'date-time' }),
  note: Type.String(),
  from: literalUnion(CaseStatuses),
});

export const AlertViewSchema = Type.Object({
  orderId: Type.String({ description: 'the case: one per order' }),
  alertId: Type.String({ description: "the latest alert message's id (any of the order's alert ids finds the case)" }),
  kind: literalUnion(AlertKinds, { description: 'the kind of the latest alert message' }),
  verdict: literalUnion(Verdicts),
  severity: literalUnion(Severities),
  score: Type.Integer(),
  status: literalUnion(CaseStatuses),
  version: Type.Integer({ description: 'triage version: send it with a change; a stale one gets 409 with the current state' }),
  raisedAt: Type.String({ format: 'date-time', description: 'first raised' }),
  updatedAt: Type.String({ format: 'date-time', description: 'latest alert message' }),
  asOf: Type.Optional(Date_('the date the verdict refers to: the ship date, else the order date')),
  effectiveOn: Type.Optional(Date_('look-ahead: the date from which the order takes upcomingVerdict')),
  upcomingVerdict: Type.Optional(literalUnion(Verdicts)),
  seller: Type.Optional(Type.String()),
  buyer: Type.Optional(Type.String()),
  endUser: Type.Optional(Type.String()),
  shipTo: Type.Optional(Type.String()),
  itemFamilies: Type.Array(Type.String()),
  exposedValue: Type.Optional(Type.Object({ amount: Type.Optional(Type.Number()), currency: Type.Optional(Type.String()) })),
  headline: Type.Optional(Type.String({ description: 'the weightiest reason' })),
  reasonCount: Type.Integer(),
  degraded: Type.Boolean(),
  assignee: Type.Optional(Type.String()),
  dueOn: Type.Optional(Date_('due date of the assignment')),
  disposition: Type.Optional(literalUnion(Dispositions)),
  pending: Type.Optional(PendingSchema),
});

export const AlertPageSchema = Type.Object({
  items: Type.Array(AlertViewSchema),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export const AlertMessageSchema = Type.Object({
  alertId: Type.String(),
  kind: literalUnion(AlertKinds),
  raisedAt: Type.String({ format: 'date-time' }),
  verdict: literalUnion(Verdicts),
  severity: literalUnion(Severities),
  score: Type.Integer(),
  previousVerdict: Type.Optional(literalUnion(Verdicts)),
  effectiveOn: Type.Optional(Type.String({ format: 'date' })),
  asOf: Type.Optional(Type.String({ format: 'date' })),
});

export const CaseEventSchema = Type.Object({
  orderId: Type.String(),
  alertId: Type.String(),
  version: Type.Integer(),
  action: literalUnion([...AnalystActions, 'withdraw'] as const),
  from: literalUnion(CaseStatuses),
  to: literalUnion(CaseStatuses),
  user: Type.String(),
  at: Type.String({ format: 'date-time' }),
  note: Type.String(),
  disposition: Type.Optional(Type.Union([literalUnion(Dispositions), Type.Null()])),
  assignee: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  dueOn: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
});

export const AlertDetailSchema = Type.Object({
  view: AlertViewSchema,
  alert: AlertSchema,
  upcoming: Type.Optional(AlertSchema),
  messages: Type.Array(AlertMessageSchema),
  lifecycle: Type.Object({
    status: literalUnion(CaseStatuses),
    version: Type.Integer(),
    history: Type.Array(CaseEventSchema),
    allowedActions: Type.Array(literalUnion(AnalystActions)),
  }),
});

const Group = (key: string) => Type.Object({ [key]: Type.String(), alerts: Type.Integer(), exposedValue: Type.Array(Money) });
export const AlertSummarySchema = Type.Object({
  total: Type.Integer(),
  byVerdict: Type.Record(Type.String(), Type.Integer()),
  bySeverity: Type.Record(Type.String(), Type.Integer()),
  byStatus: Type.Record(Type.String(), Type.Integer()),
  exposedValue: Type.Array(Type.Object({ currency: Type.String(), amount: Type.Number(), alerts: Type.Integer() })),
  bySupplier: Type.Array(Group('supplier'), { description: 'the 50 suppliers with the most alerts' }),
  byItemFamily: Type.Array(Group('itemFamily'), { description: 'the 50 item families with the most alerts' }),
  overTime: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), bySeverity: Type.Record(Type.String(), Type.Integer()) })),
});

const day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });

/** The body of a triage change (POST /alerts/{id}/{action}). */
export const LifecycleRequestSchema = Type.Object(
  {
    note: Type.String({ minLength: 1, maxLength: 2000, description: 'why: kept in the audit trail' }),
    version: Type.Optional(Type.Integer({ minimum: 0, description: 'the version you saw; a stale one gets 409 with the current state' })),
    disposition: Type.Optional(literalUnion(Dispositions, { description: 'needed to resolve or mark a false positive' })),
    assignee: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], { description: 'assign: who (null: nobody)' }),
    ),
    dueOn: Type.Optional(Type.Union([day, Type.Null()], { description: 'assign: due date' })),
  },
  { additionalProperties: false },
);
export const lifecycleRequestValidator = new Validator(LifecycleRequestSchema);
export type LifecycleRequest = Static<typeof LifecycleRequestSchema>;

/** The body of a bulk change (POST /alerts/bulk/{action}): the same change to each case named. */
export const BulkRequestSchema = Type.Object(
  {
    items: Type.Array(Type.Object({ id: Type.String({ minLength: 1 }), version: Type.Optional(Type.Integer({ minimum: 0 })) }), {
      minItems: 1,
      maxItems: 500,
    }),
    note: Type.String({ minLength: 1, maxLength: 2000 }),
    disposition: Type.Optional(literalUnion(Dispositions)),
    assignee: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
    dueOn: Type.Optional(Type.Union([day, Type.Null()])),
  },
  { additionalProperties: false },
);
export const bulkRequestValidator = new Validator(BulkRequestSchema);

export const BulkResultSchema = Type.Object({
  results: Type.Array(
    Type.Object({
      id: Type.String(),
      status: Type.Integer({ description: '200 changed, 404 no such alert, 409 refused or stale' }),
      error: Type.Optional(Type.String()),
      message: Type.Optional(Type.String()),
      view: Type.Optional(AlertViewSchema),
    }),
  ),
});

export const SavedViewSchema = Type.Object({ id: Type.String(), name: Type.String(), query: Type.Record(Type.String(), Type.String()) });
export const SavedViewInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    query: Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 200 }), { description: 'the filter, as query parameters' }),
  },
  { additionalProperties: false },
);
export const savedViewInputValidator = new Validator(SavedViewInputSchema);

export { LifecycleRecordV2Schema };
