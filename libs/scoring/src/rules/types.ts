import type { Citer } from '../compiled';
import type { Order, OrderEvent, PartyRole, Reason, Verdict } from '@dualwatch/contracts';
import type { Announcement } from '@dualwatch/refdata';
import type { CompiledPolicy, CompiledRefData } from '../compiled';
import type { InForceStatus } from '../dates';
import type { Evaluation, LineEvaluation, PartyCandidate, PartyEvaluation } from '../evaluate';
import type { Policy, RuleCode } from '../policy';
import type { ReferenceView } from '../reference-view';
import type { Said } from './messages';

/*
 * A rule unit: one small named piece of the policy. It reads the evaluation context (and, at the
 * line and party stages, one line or one screened candidate) and yields hits: the structured facts
 * of a reason plus a wording key (`say`) and its parameters. The wording lives in messages.ts; a
 * unit never builds a sentence.
 */

/**
 * Where a unit runs, in this order (evaluate.ts):
 * - `cancelled`: an order.cancelled event (nothing else runs);
 * - `banNotInForce`: a Japan nexus before the ban is in force (nothing else runs);
 * - `line`: once per order line, every line unit in table order before the next line (a unit that says
 *   `exposedLinesOnly` is not run on a line that is not exposed);
 * - `sensitive`: once per order with a party that is, or may be, a Japanese military user or control-listed
 *   entity, whether or not a line is exposed (policy v2);
 * - `party`: once per screened candidate (parties in SCREENED_ROLES order), with at least one exposed line;
 * - `order`: once per order, with at least one exposed line.
 */
export type Stage = 'cancelled' | 'banNotInForce' | 'line' | 'sensitive' | 'party' | 'order';

/** What a unit yields: the reason's facts, the wording key and its parameters, and how it weighs. */
export type RuleHit = Said & {
  code: RuleCode;
  lineId?: string;
  partyRole?: PartyRole;
  matchScore?: number;
  evidence?: Reason['evidence'];
  legalBasis?: string;
  /** Multiplies the rule's weight (the strength of what the hit rests on). */
  factor?: number;
  /** The worst verdict the hit may yield; `cappedBy` says why (appended to the message when it bites). */
  cap?: Verdict;
  cappedBy?: string;
};

/** What a unit returns when it does not apply (shared: evaluation allocates nothing for a rule that is silent). */
export const NO_HITS: readonly RuleHit[] = Object.freeze([]);

interface UnitBase {
  /** A short name, for docs and test output. */
  name: string;
  /** The rule codes the unit can yield (each code is yielded by exactly one unit). */
  codes: readonly RuleCode[];
  /** What the unit looks at, in a few words (for docs). */
  reads: string;
}

export type RuleUnit =
  | (UnitBase & { stage: 'cancelled' | 'banNotInForce' | 'sensitive'; evaluate(ctx: EvalContext): readonly RuleHit[] })
  | (UnitBase & {
      stage: 'line';
      /** The unit yields nothing for a line that is not exposed, and is not run on one (a spec checks it). */
      exposedLinesOnly?: true;
      evaluate(ctx: EvalContext, line: LineEvaluation): readonly RuleHit[];
    })
  | (UnitBase & { stage: 'party'; evaluate(ctx: ExposedContext, party: PartyEvaluation, candidate: PartyCandidate): readonly RuleHit[] })
  | (UnitBase & { stage: 'order'; evaluate(ctx: ExposedContext): readonly RuleHit[] });

/** Built once per evaluation by evaluate(); the units only read it. */
export interface EvalContext {
  event: OrderEvent;
  order: Order;
  /** The as-of date. */
  D: string;
  view: ReferenceView;
  policy: Policy;
  cr: CompiledRefData;
  cp: CompiledPolicy;
  /** The Japan ban's announcement (policy.japanBan) and its status at D. */
  ban: Announcement;
  banStatus: InForceStatus;
  parties: PartyEvaluation[];
  japanNexus: Evaluation['japanNexus'];
  lines: LineEvaluation[];
  /** The parties that are, or may be, a Japanese military user or control-listed entity (best first). */
  sensitive: { p: PartyEvaluation; c: PartyCandidate }[];
  /** Families already said to have an uncertain suspension end (said once per order). */
  uncertainFamilies: string[];
  /** Cites an announcement; `citation.kinds(urls)` gives the kind of each source (evidence `sourceKinds`). */
  citation: Citer;
  legalBasis(id: string): string | undefined;
}

/** The context of the party and order stages: at least one line is exposed. */
export interface ExposedContext extends EvalContext {
  exposed: LineEvaluation[];
  exposedIds: string[];
  /** The exposed line order-level findings rest on: the highest cap, then the strongest. */
  anchor: LineEvaluation;
  orderCap: Verdict;
  /** Why the order is capped (undefined when it is not). */
  cappedBy?: string;
  /** Exposed value by currency, currencies in the order met. */
  currencies: string[];
  byCurrency: Record<string, number>;
  /** The end-use statement as read by the end-use rules (rules/end-use.ts), once per evaluation. */
  endUse?: EndUseReading;
}

export interface EndUseReading {
  statement: string;
  norm: string;
  /** The words of the statement that withhold the end use ("confidential"). */
  withheld: { term: string; values: string[] }[];
  /** The military terms of the statement (end-use.ts militaryTermsOf), worked out when first asked. */
  militaryTerms: string[] | undefined;
}
