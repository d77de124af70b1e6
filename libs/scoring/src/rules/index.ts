import { freeTradeZone, consigneeChange, intermediaryEndUser, shippedFromHubStock, transshipmentHub } from './red-flags';
import { endUseMissingRule, endUseUnknown, militaryEndUseJapan } from './end-use';
import { japanBanNotInForce, orderCancelled } from './frame';
import { LINE_RULES } from './lines';
import { listedParty, partyListingNotInForce } from './parties';
import { exposedValueMixedCurrencies, supplyRiskJapan } from './supply';
import type { RuleUnit } from './types';
import { suspensionUncertainSensitiveParty, unidentifiedLine } from './v2-sensitive';

export { NO_HITS } from './types';
export type { EvalContext, ExposedContext, RuleHit, RuleUnit, Stage } from './types';
export { cappedByText, heldAt, MESSAGES, say, ROLE_WORD } from './messages';
export type { Said, SayKey, SayParams } from './messages';

/**
 * Every rule of the engine, in the order of evaluation within each stage (see Stage). The order is
 * part of the behaviour: findings of equal verdict and weight keep it in the assessment's reasons.
 */
export const RULES: readonly RuleUnit[] = [
  orderCancelled,
  japanBanNotInForce,
  ...LINE_RULES,
  unidentifiedLine,
  suspensionUncertainSensitiveParty,
  partyListingNotInForce,
  listedParty,
  militaryEndUseJapan,
  endUseMissingRule,
  endUseUnknown,
  intermediaryEndUser,
  transshipmentHub,
  shippedFromHubStock,
  freeTradeZone,
  consigneeChange,
  supplyRiskJapan,
  exposedValueMixedCurrencies,
];

/** The units of one stage, in table order. */
export type UnitOf<S extends RuleUnit['stage']> = RuleUnit extends infer U
  ? U extends { stage: infer T }
    ? S extends T
      ? U
      : never
    : never
  : never;
const unitsOf = <S extends RuleUnit['stage']>(stage: S): readonly UnitOf<S>[] => RULES.filter((u): u is UnitOf<S> => u.stage === stage);

/** RULES split by stage (made once), as evaluate() runs them. */
export const STAGES = {
  cancelled: unitsOf('cancelled'),
  banNotInForce: unitsOf('banNotInForce'),
  line: unitsOf('line'),
  sensitive: unitsOf('sensitive'),
  party: unitsOf('party'),
  order: unitsOf('order'),
} as const;
