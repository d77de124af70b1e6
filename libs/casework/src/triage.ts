import type { PendingApproval } from './schema';

/**
 * Triage of a case (one order's alerts): the statuses, the actions an analyst takes, and the rule that
 * a prohibited order is closed only with a second person's approval. Pure: the repository applies the
 * outcome in one database transaction.
 *
 *   open ──acknowledge──▶ acknowledged
 *   open | acknowledged ──resolve / false_positive──▶ resolved / false_positive
 *        (prohibited order: ──▶ awaiting_approval ──approve (another person)──▶ resolved / false_positive
 *                                                 ──reject──▶ back where it was)
 *   resolved | false_positive | withdrawn ──reopen──▶ open
 *   any ──assign──▶ the same status, with an assignee and a due date
 *   the projector: a withdrawn (cancelled) order leaves the open queue (withdraw), and comes back if
 *   its order is exposed again (reopen, by "system").
 */
export const CaseStatuses = ['open', 'acknowledged', 'awaiting_approval', 'resolved', 'false_positive', 'withdrawn'] as const;
export type CaseStatus = (typeof CaseStatuses)[number];

/** The open queue: what still needs someone. */
export const OPEN_STATUSES: readonly CaseStatus[] = ['open', 'acknowledged', 'awaiting_approval'];

export const AnalystActions = ['acknowledge', 'resolve', 'false_positive', 'reopen', 'approve', 'reject', 'assign'] as const;
export type AnalystAction = (typeof AnalystActions)[number];
export type CaseAction = AnalystAction | 'withdraw';

/** Structured outcomes, besides the free note (required to resolve or mark a false positive). */
export const Dispositions = [
  'shipment_held',
  'licence_obtained',
  'end_use_verified',
  'false_match',
  'order_cancelled',
  'escalated',
  'other',
] as const;
export type Disposition = (typeof Dispositions)[number];

/** The user the projector acts as (withdrawal and re-exposure of an order). */
export const SYSTEM_USER = 'system';

export interface CaseState {
  status: CaseStatus;
  verdict: string;
  pending: PendingApproval | null;
}

export interface TriageRequest {
  action: AnalystAction;
  user: string;
  note: string;
  disposition?: Disposition;
  assignee?: string | null;
  dueOn?: string | null;
}

/** What a change does: the new status, and what it sets. */
export interface TriageOutcome {
  to: CaseStatus;
  pending: PendingApproval | null;
  /** Set only when the change decides it (resolve, false positive, approve). */
  disposition?: Disposition | null;
  assignee?: string | null;
  dueOn?: string | null;
}

export class TriageRefused extends Error {
  constructor(
    readonly code: 'TRANSITION_REFUSED' | 'SAME_PERSON' | 'DISPOSITION_NEEDED',
    message: string,
    readonly status: CaseStatus,
  ) {
    super(message);
  }
}

const FROM: Record<Exclude<AnalystAction, 'assign'>, readonly CaseStatus[]> = {
  acknowledge: ['open'],
  resolve: ['open', 'acknowledged'],
  false_positive: ['open', 'acknowledged'],
  reopen: ['resolved', 'false_positive', 'withdrawn'],
  approve: ['awaiting_approval'],
  reject: ['awaiting_approval'],
};

/** The actions a case in this status allows (assign always). */
export function allowedActions(status: CaseStatus): AnalystAction[] {
  return AnalystActions.filter((a) => a === 'assign' || FROM[a].includes(status));
}

/** Whether closing this order needs a second person: the orders the ban prohibits. */
export const needsApproval = (verdict: string): boolean => verdict === 'prohibited';

const human = (s: string) => s.replace(/_/g, ' ');

/** The outcome of one analyst's action on a case, or TriageRefused. */
export function decide(c: CaseState, r: TriageRequest, at: string): TriageOutcome {
  if (r.action === 'assign') return { to: c.status, pending: c.pending, assignee: r.assignee ?? null, dueOn: r.dueOn ?? null };
  if (!FROM[r.action].includes(c.status))
    throw new TriageRefused(
      'TRANSITION_REFUSED',
      `cannot ${human(r.action)} a case that is ${human(c.status)} (allowed: ${allowedActions(c.status).map(human).join(', ')})`,
      c.status,
    );
  switch (r.action) {
    case 'acknowledge':
      return { to: 'acknowledged', pending: null };
    case 'reopen':
      return { to: 'open', pending: null, disposition: null };
    case 'resolve':
    case 'false_positive': {
      if (!r.disposition)
        throw new TriageRefused(
          'DISPOSITION_NEEDED',
          `a disposition is needed to ${human(r.action)}: one of ${Dispositions.join(', ')}`,
          c.status,
        );
      if (needsApproval(c.verdict))
        return {
          to: 'awaiting_approval',
          pending: { action: r.action, disposition: r.disposition, requestedBy: r.user, requestedAt: at, note: r.note, from: c.status },
        };
      return { to: r.action === 'resolve' ? 'resolved' : 'false_positive', pending: null, disposition: r.disposition };
    }
    case 'approve': {
      const p = c.pending!;
      if (p.requestedBy === r.user)
        throw new TriageRefused('SAME_PERSON', `${r.user} asked for this ${human(p.action)}: another person must approve it`, c.status);
      return {
        to: p.action === 'resolve' ? 'resolved' : 'false_positive',
        pending: null,
        disposition: (p.disposition as Disposition | undefined) ?? null,
      };
    }
    case 'reject':
      return { to: (c.pending?.from as CaseStatus | undefined) ?? 'open', pending: null };
  }
}
