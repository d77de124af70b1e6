import { Type, type Static } from '@sinclair/typebox';
import { AssessmentSchema, Verdicts } from './assessment';
import { literalUnion } from './order-event';

/** Alert v1, the code's copy of `schemas/alert.v1.schema.json` (key: orderId). */
export const AlertKinds = ['raised', 'updated', 'withdrawn', 'upcoming'] as const;
export type AlertKind = (typeof AlertKinds)[number];

export const AlertSchema = Type.Object(
  {
    alertId: Type.String(),
    kind: literalUnion(AlertKinds),
    orderId: Type.String(),
    raisedAt: Type.String({ format: 'date-time' }),
    effectiveOn: Type.Optional(Type.String({ format: 'date' })),
    previousVerdict: Type.Optional(literalUnion(Verdicts)),
    assessment: AssessmentSchema,
    summary: Type.Optional(
      Type.Object({
        seller: Type.Optional(Type.String()),
        buyer: Type.Optional(Type.String()),
        endUser: Type.Optional(Type.String()),
        shipTo: Type.Optional(Type.String()),
        itemFamilies: Type.Optional(Type.Array(Type.String())),
      }),
    ),
  },
  { $id: 'alert.v1' },
);

export type Alert = Static<typeof AlertSchema>;
