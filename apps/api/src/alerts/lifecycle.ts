import { Type, type Static } from '@sinclair/typebox';
import { literalUnion, Validator } from '@dualwatch/contracts';

/**
 * Alert triage: open → acknowledged → resolved, or false positive (from open or acknowledged); a
 * closed alert can be reopened. Each change is recorded with its user, time and note.
 */
export const AlertStatuses = ['open', 'acknowledged', 'resolved', 'false_positive'] as const;
export type AlertStatus = (typeof AlertStatuses)[number];

export const LifecycleActions = ['acknowledge', 'resolve', 'false_positive', 'reopen'] as const;
export type LifecycleAction = (typeof LifecycleActions)[number];

/** action → [the statuses it may start from, the status it leads to] */
export const TRANSITIONS: Record<LifecycleAction, { from: readonly AlertStatus[]; to: AlertStatus }> = {
  acknowledge: { from: ['open'], to: 'acknowledged' },
  resolve: { from: ['acknowledged'], to: 'resolved' },
  false_positive: { from: ['open', 'acknowledged'], to: 'false_positive' },
  reopen: { from: ['resolved', 'false_positive'], to: 'open' },
};

export const allowedActions = (status: AlertStatus): LifecycleAction[] =>
  LifecycleActions.filter((a) => TRANSITIONS[a].from.includes(status));

export const LifecycleChangeSchema = Type.Object({
  action: literalUnion(LifecycleActions),
  from: literalUnion(AlertStatuses),
  to: literalUnion(AlertStatuses),
  user: Type.String({ minLength: 1, maxLength: 64 }),
  at: Type.String({ format: 'date-time' }),
  note: Type.String({ maxLength: 2000 }),
});

/**
 * What alerts.lifecycle.v1 holds (key alertId). The topic is compacted, so each record carries the
 * whole history: the latest record alone is the state and the audit trail.
 */
export const LifecycleRecordSchema = Type.Object({
  schemaVersion: Type.Literal(1),
  alertId: Type.String({ minLength: 1 }),
  status: literalUnion(AlertStatuses),
  /** Number of changes so far (= history.length). */
  version: Type.Integer({ minimum: 1 }),
  history: Type.Array(LifecycleChangeSchema, { minItems: 1 }),
});
export type LifecycleChange = Static<typeof LifecycleChangeSchema>;
export type LifecycleRecord = Static<typeof LifecycleRecordSchema>;
export const lifecycleRecordValidator = new Validator(LifecycleRecordSchema);

/** The body of a lifecycle request. */
export const LifecycleRequestSchema = Type.Object(
  { note: Type.String({ minLength: 1, maxLength: 2000, description: 'why: kept in the audit trail' }) },
  { additionalProperties: false },
);
export const lifecycleRequestValidator = new Validator(LifecycleRequestSchema);

export class TransitionRefused extends Error {
  constructor(
    readonly status: AlertStatus,
    readonly action: LifecycleAction,
  ) {
    super(
      `cannot ${action.replace('_', ' ')} an alert that is ${status.replace('_', ' ')} (allowed: ${allowedActions(status).join(', ') || 'none'})`,
    );
  }
}

/** The record after one change, or TransitionRefused. Pure: the caller supplies user, time and note. */
export function transition(
  prior: LifecycleRecord | undefined,
  alertId: string,
  action: LifecycleAction,
  user: string,
  at: string,
  note: string,
): LifecycleRecord {
  const status: AlertStatus = prior?.status ?? 'open';
  const t = TRANSITIONS[action];
  if (!t.from.includes(status)) throw new TransitionRefused(status, action);
  const history = [...(prior?.history ?? []), { action, from: status, to: t.to, user, at, note }];
  return { schemaVersion: 1, alertId, status: t.to, version: history.length, history };
}
