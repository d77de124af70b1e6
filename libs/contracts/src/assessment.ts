import { Type, type Static } from '@sinclair/typebox';
import { literalUnion, PartyRoleInOrder } from './order-event';

/** Assessment v1, the code's copy of `schemas/assessment.v1.schema.json`. */
export const Verdicts = ['clear', 'review', 'license_required', 'prohibited'] as const;
export const Severities = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type Verdict = (typeof Verdicts)[number];
export type Severity = (typeof Severities)[number];

/** Verdicts and severities ranked worst-last, so `rank(a) > rank(b)` means a is worse. */
export const verdictRank = (v: Verdict): number => Verdicts.indexOf(v);
export const severityRank = (s: Severity): number => Severities.indexOf(s);

export const ReasonSchema = Type.Object({
  code: Type.String({ description: 'stable, e.g. PARTY_ON_CONTROL_LIST' }),
  message: Type.String(),
  lineId: Type.Optional(Type.String()),
  partyRole: Type.Optional(literalUnion(PartyRoleInOrder)),
  matchScore: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  evidence: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  legalBasis: Type.Optional(Type.String()),
});

export const AssessmentSchema = Type.Object(
  {
    assessmentId: Type.String(),
    orderId: Type.String(),
    eventId: Type.String(),
    asOf: Type.String({ format: 'date' }),
    assessedAt: Type.Optional(Type.String({ format: 'date-time' })),
    verdict: literalUnion(Verdicts),
    severity: literalUnion(Severities),
    score: Type.Integer({ minimum: 0, maximum: 100 }),
    reasons: Type.Array(ReasonSchema),
    exposedValue: Type.Optional(Type.Object({ amount: Type.Optional(Type.Number()), currency: Type.Optional(Type.String()) })),
    policyVersion: Type.String(),
    refdataVersion: Type.String(),
    degraded: Type.Optional(Type.Boolean()),
  },
  { $id: 'assessment.v1' },
);

export type Reason = Static<typeof ReasonSchema>;
export type Assessment = Static<typeof AssessmentSchema>;
