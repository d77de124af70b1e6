import { Type, type Static } from '@sinclair/typebox';
import { literalUnion } from '@dualwatch/contracts';
import { AnalystActions, CaseStatuses, Dispositions, type CaseAction, type CaseStatus, type Disposition } from './triage';

/** One change of a case, as the audit trail keeps it. */
export interface CaseEvent {
  orderId: string;
  /** The alert id of the case's latest message when the change was made. */
  alertId: string;
  /** The case's triage version after the change (1 for the first). */
  version: number;
  action: CaseAction;
  from: CaseStatus;
  to: CaseStatus;
  user: string;
  at: string;
  note: string;
  disposition?: Disposition | null;
  assignee?: string | null;
  dueOn?: string | null;
}

const ChangeSchema = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  action: literalUnion([...AnalystActions, 'withdraw'] as const),
  from: literalUnion(CaseStatuses),
  to: literalUnion(CaseStatuses),
  user: Type.String({ minLength: 1, maxLength: 64 }),
  at: Type.String({ format: 'date-time' }),
  note: Type.String({ maxLength: 2000 }),
  disposition: Type.Optional(literalUnion(Dispositions)),
  assignee: Type.Optional(Type.String()),
  dueOn: Type.Optional(Type.String({ format: 'date' })),
});

/**
 * What alerts.lifecycle.v1 carries from casework v2 on (key: orderId): the case's state after a change
 * and its whole history, so that the latest record of a key (what compaction keeps) is the state and
 * the audit trail. PostgreSQL is the record; this is its feed for downstream consumers, written through
 * the outbox of the change's own transaction.
 */
export const LifecycleRecordV2Schema = Type.Object({
  schemaVersion: Type.Literal(2),
  orderId: Type.String({ minLength: 1 }),
  alertId: Type.String({ minLength: 1 }),
  status: literalUnion(CaseStatuses),
  version: Type.Integer({ minimum: 1 }),
  history: Type.Array(ChangeSchema, { minItems: 1 }),
});
export type LifecycleRecordV2 = Static<typeof LifecycleRecordV2Schema>;

export function lifecycleRecordOf(e: CaseEvent, history: CaseEvent[]): LifecycleRecordV2 {
  return {
    schemaVersion: 2,
    orderId: e.orderId,
    alertId: e.alertId,
    status: e.to,
    version: e.version,
    history: history.map((h) => ({
      version: h.version,
      action: h.action,
      from: h.from,
      to: h.to,
      user: h.user,
      at: h.at,
      note: h.note,
      ...(h.disposition ? { disposition: h.disposition } : {}),
      ...(h.assignee ? { assignee: h.assignee } : {}),
      ...(h.dueOn ? { dueOn: h.dueOn } : {}),
    })),
  };
}
