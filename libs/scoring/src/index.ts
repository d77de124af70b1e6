export { assess, assessmentId, toAssessment, withAssessedAt } from './assess';
export { evaluate, SCREENED_ROLES } from './evaluate';
export type {
  EvaluateOptions,
  Evaluation,
  Finding,
  ItemMatch,
  LineEvaluation,
  OriginOutcome,
  PartyCandidate,
  PartyEvaluation,
} from './evaluate';
export { createLocalView, createPartyMatcher } from './reference-view';
export type { ReferenceView, ScreeningMatch } from './reference-view';
export { canonicalJson, ItemMatchMethods, OriginFindings, PolicyError, policyFromObject, PolicySchema, RuleCodes } from './policy';
export type { ItemMatchMethod, OriginFinding, Policy, PolicyDocument, PolicyRule, RuleCode } from './policy';
export { bundledPolicyPath, loadBundledPolicy, loadPolicy } from './policy-loader';
export { resolveAsOf, statusAt } from './dates';
export type { AsOfSource, InForceState, InForceStatus } from './dates';
export { createOrderGenerator, generateOrders, prng } from './testing/order-generator';
export type { OrderGeneratorOptions } from './testing/order-generator';
export { formatReplayTable, latestEvents, replayDiff } from './replay/replay-diff';
export type {
  ReplayChange,
  ReplayDiffResult,
  ReplayOptions,
  ReplayOrderDiff,
  ReplayOutcome,
  ReplaySide,
  ValueByCurrency,
} from './replay/replay-diff';
export { addDays, formatLookaheadTable, lookahead, lookaheadOrder } from './lookahead/lookahead';
export type { DatedKind, LookaheadCause, LookaheadChange, LookaheadOptions, OrderLookahead, StatusChange } from './lookahead/lookahead';
