import {
  severityRank,
  Verdicts,
  verdictRank,
  type Order,
  type OrderEvent,
  type OrderLine,
  type Party,
  type PartyRole,
  type Reason,
  type Severity,
  type Verdict,
} from '@dualwatch/contracts';
import type { Announcement, ItemFamily, Lang, ListedParty } from '@dualwatch/refdata';
import { compilePolicy, compileRefData, type CompiledPolicy, type CompiledRefData } from './compiled';
import { epochOf, resolveAsOf, statusAt, statusEpochs, type AsOfSource, type InForceStatus } from './dates';
import type { ItemCandidate } from './item-index';
import type { ItemMatchMethod, OriginFinding, Policy, RuleCode } from './policy';
import type { ReferenceView, ScreeningMatch } from './reference-view';
import { cappedByText, heldAt, ROLE_WORD, say, STAGES, type ExposedContext, type RuleHit } from './rules';
import { normaliseText } from './text';

export { suspensionReading } from './dates';

/*
 * The engine's full reasoning for one order event. `assess` turns it into the public Assessment;
 * `dualwatch explain` prints it. Pure: the same event, view, policy and as-of date give the same
 * evaluation, and nothing here reads a clock, a file or the network.
 */

export const SCREENED_ROLES = ['seller', 'buyer', 'consignee', 'endUser', 'freightForwarder'] as const satisfies readonly PartyRole[];

export interface ItemMatch {
  familyId: string;
  familyName: string;
  method: ItemMatchMethod;
  /** The control code, HS code or keyword that matched. */
  matched: string;
  lang?: Lang;
  controlCode?: string;
  /** From the policy's item-match strengths. */
  strength: number;
  weak: boolean;
  status: InForceStatus;
  family: ItemFamily;
  /** v2: the description words that corroborate a broad code family. */
  corroboratedBy?: string;
}

export type OriginOutcome = OriginFinding | 'not_prc' | 'unknown';

export interface LineEvaluation {
  lineId: string;
  description: string;
  line: OrderLine;
  item: {
    /** controlled: an in-force family matched; suspended / not_in_force: only inactive families did. */
    classification: 'controlled' | 'suspended' | 'not_in_force' | 'no_match';
    /** The strongest match to a family in force at D. */
    match?: ItemMatch;
    /** The strongest match to a family not in force at D (suspended, not yet, repealed). */
    inactive?: ItemMatch;
    candidates: ItemMatch[];
  };
  origin: { finding: OriginOutcome; basis: string; certainty: number };
  /** A controlled line of PRC origin (declared, inferred, possible or content). */
  exposed: boolean;
  /** The worst verdict a finding resting on this line can yield ("prohibited" = no cap). */
  cap: Verdict;
  capBy: ('possiblePrcOrigin' | 'prcContentOnly' | 'weakItemMatch')[];
  /** Item strength × origin certainty, 0..1. */
  strength: number;
  /** v2: the description expressly names an uncontrolled material of the matched family (the match is then weak). */
  uncontrolled?: { id: string; word: string; note: string };
  /** v2: no HS code, no control code, no family matched, and the description names no specific good. */
  unidentified: boolean;
}

export interface PartyCandidate {
  entry: ListedParty;
  score: number;
  method: ScreeningMatch['method'];
  matchedName: string;
  why: string;
  band: 'match' | 'possible';
  status: InForceStatus;
}

export interface PartyEvaluation {
  role: PartyRole;
  party: Party;
  candidates: PartyCandidate[];
}

export interface Finding {
  code: RuleCode;
  /** After any cap. */
  verdict: Verdict;
  /** The policy's verdict for the rule. */
  ruleVerdict: Verdict;
  /** rule weight × the strength of what it rests on. */
  weight: number;
  militarySignal: boolean;
  severityFloor?: Severity;
  cappedBy?: string;
  reason: Reason;
}

export interface Evaluation {
  eventId: string;
  orderId: string;
  eventType: OrderEvent['eventType'];
  asOf: string;
  asOfSource: AsOfSource;
  japanBan: { announcement: Announcement; status: InForceStatus; inForce: boolean };
  japanNexus: { present: boolean; grounds: string[] };
  lines: LineEvaluation[];
  parties: PartyEvaluation[];
  /** Worst verdict first, then heaviest. */
  findings: Finding[];
  militarySignals: number;
  signalWeight: number;
  verdict: Verdict;
  severity: Severity;
  score: number;
  exposedValue?: { amount: number; currency?: string };
  exposedByCurrency: Record<string, number>;
  policyVersion: string;
  refdataVersion: string;
  degraded?: boolean;
}

const worse = (a: Verdict, b: Verdict): Verdict => (verdictRank(a) >= verdictRank(b) ? a : b);
const milder = (a: Verdict, b: Verdict): Verdict => (verdictRank(a) <= verdictRank(b) ? a : b);
const TOP: Verdict = Verdicts[Verdicts.length - 1];

/** Evaluates every rule of the policy for one order event at its as-of date (or `asOf`). */
export interface EvaluateOptions {
  /** Evaluate every line even where no rule can apply (no Japan nexus), for `dualwatch explain`. Default true. */
  explain?: boolean;
}

/**
 * The frame: resolve the as-of date, screen the parties, find the Japan nexus, evaluate the lines,
 * then run the rule table (rules/index.ts) stage by stage, and finish (verdict, severity, score).
 */
export function evaluate(event: OrderEvent, view: ReferenceView, policy: Policy, asOf?: string, opts: EvaluateOptions = {}): Evaluation {
  const ref = view.refdata;
  const cr = compileRefData(ref);
  const cp = compilePolicy(ref, policy);
  const order = event.order;
  const { date: D, source: asOfSource } = resolveAsOf(event, asOf, policy.asOf?.occurredAtUtcOffsetMinutes ?? 0);

  const banAnnouncement = cr.announcements.get(policy.japanBan.announcement);
  if (!banAnnouncement)
    throw new Error(
      `policy ${policy.version}: japanBan.announcement "${policy.japanBan.announcement}" is not in reference data ${ref.version}`,
    );
  const banStatus = banStatusAt(banAnnouncement, D, cp);
  const banInForce = banStatus.state === 'in_force';

  const findings: Finding[] = [];

  // One object, filled in as the evaluation goes (finish sets the outcome).
  const result: Evaluation = {
    eventId: event.eventId,
    orderId: order.orderId,
    eventType: event.eventType,
    asOf: D,
    asOfSource,
    japanBan: { announcement: banAnnouncement, status: banStatus, inForce: banInForce },
    japanNexus: NO_NEXUS,
    lines: [],
    parties: [],
    findings,
    militarySignals: 0,
    signalWeight: 0,
    verdict: 'clear',
    severity: 'none',
    score: 0,
    exposedValue: undefined,
    exposedByCurrency: {},
    policyVersion: policy.version,
    refdataVersion: ref.version,
    degraded: view.degraded,
  };

  // One context for the whole evaluation, of one shape: the exposed-line members are set before the party stage.
  const ctx: ExposedContext = {
    event,
    order,
    D,
    view,
    policy,
    cr,
    cp,
    ban: banAnnouncement,
    banStatus,
    parties: [],
    japanNexus: NO_NEXUS,
    lines: [],
    sensitive: [],
    uncertainFamilies: [],
    citation: cr.citer,
    legalBasis: cr.legalBasis,
    exposed: [],
    exposedIds: [],
    anchor: undefined as unknown as LineEvaluation,
    orderCap: TOP,
    cappedBy: undefined,
    currencies: [],
    byCurrency: {},
    endUse: undefined,
  };

  // A cancelled order ships nothing: one reason, nothing else evaluated.
  if (event.eventType === 'order.cancelled' && policy.rules.ORDER_CANCELLED.enabled) {
    for (const u of STAGES.cancelled) emit(findings, policy, u.evaluate(ctx));
    return finish(result, findings, policy, undefined, {});
  }

  const parties = (result.parties = ctx.parties = screenParties(order, view, policy, D, cp));
  const japanNexus = (result.japanNexus = ctx.japanNexus = findJapanNexus(order, parties, cp, policy));
  // Without a Japan nexus no rule applies; the lines are still evaluated for an explanation.
  if (!japanNexus.present && opts.explain === false) return finish(result, findings, policy, undefined, {});
  const lines = (result.lines = ctx.lines = order.lines.map((l) => evaluateLine(l, order, cr, cp, policy, D)));

  if (!japanNexus.present) return finish(result, findings, policy, undefined, {});

  if (!banInForce) {
    for (const u of STAGES.banNotInForce) emit(findings, policy, u.evaluate(ctx));
    return finish(result, findings, policy, undefined, {});
  }

  for (const l of lines)
    for (const u of STAGES.line) {
      if (u.exposedLinesOnly && !l.exposed) continue;
      emit(findings, policy, u.evaluate(ctx, l));
    }

  ctx.sensitive = sensitiveCandidates(parties);
  if (ctx.sensitive.length > 0) for (const u of STAGES.sensitive) emit(findings, policy, u.evaluate(ctx));

  const exposed = lines.filter((l) => l.exposed);
  if (exposed.length === 0) return finish(result, findings, policy, undefined, {});

  // Order-level findings rest on the least restricted exposed line: its cap and its strength.
  let anchor = exposed[0];
  for (const l of exposed) {
    if (verdictRank(l.cap) > verdictRank(anchor.cap) || (l.cap === anchor.cap && l.strength > anchor.strength)) anchor = l;
  }
  // Exposed value: Σ quantity × unit price over the priced exposed lines, by currency in the order met.
  const byCurrency: Record<string, number> = {};
  const currencies: string[] = [];
  for (const l of exposed) {
    if (l.line.unitPrice === undefined) continue;
    const cur = l.line.currency ?? '(none)';
    if (!(cur in byCurrency)) currencies.push(cur);
    byCurrency[cur] = (byCurrency[cur] ?? 0) + l.line.quantity * l.line.unitPrice;
  }
  ctx.exposed = exposed;
  ctx.exposedIds = exposed.map((l) => l.lineId);
  ctx.anchor = anchor;
  ctx.orderCap = anchor.cap;
  ctx.cappedBy = anchor.cap === TOP ? undefined : cappedByText(exposed.flatMap((l) => l.capBy));
  ctx.currencies = currencies;
  ctx.byCurrency = byCurrency;

  for (const p of parties) for (const c of p.candidates) for (const u of STAGES.party) emit(findings, policy, u.evaluate(ctx, p, c));
  for (const u of STAGES.order) emit(findings, policy, u.evaluate(ctx));

  let exposedValue: Evaluation['exposedValue'];
  if (currencies.length > 0) {
    const first = currencies[0];
    exposedValue = { amount: round2(byCurrency[first]), currency: first === '(none)' ? undefined : first };
  }
  return finish(result, findings, policy, exposedValue, byCurrency);
}

// ------------------------------------------------------------------------------------------------

/** The findings of a unit's hits: the policy's verdict (capped), weight and wording. */
function emit(findings: Finding[], policy: Policy, hits: readonly RuleHit[]): void {
  for (let i = 0; i < hits.length; i++) {
    const hit = hits[i];
    const rule = policy.rules[hit.code];
    // a rule the policy leaves out (v1 lacks the v2 rules) is off
    if (!rule?.enabled) continue;
    const verdict = hit.cap ? milder(rule.verdict, hit.cap) : rule.verdict;
    const capped = verdict !== rule.verdict;
    const message = say(hit);
    // Built key by key, without undefined members: the reason goes out as it is (no copy, no strip).
    const out: Reason = { code: hit.code, message: capped && hit.cappedBy ? heldAt(message, verdict, hit.cappedBy) : message };
    if (hit.lineId !== undefined) out.lineId = hit.lineId;
    if (hit.partyRole !== undefined) out.partyRole = hit.partyRole;
    if (hit.matchScore !== undefined) out.matchScore = hit.matchScore;
    if (hit.evidence !== undefined) out.evidence = hit.evidence;
    if (hit.legalBasis !== undefined) out.legalBasis = hit.legalBasis;
    findings.push({
      code: hit.code,
      verdict,
      ruleVerdict: rule.verdict,
      weight: rule.weight * (hit.factor ?? 1),
      militarySignal: rule.militarySignal === true,
      severityFloor: rule.severityFloor,
      cappedBy: capped ? hit.cappedBy : undefined,
      reason: out,
    });
  }
}

const NO_NEXUS: Evaluation['japanNexus'] = Object.freeze({ present: false, grounds: [] as string[] });

function finish(
  result: Evaluation,
  findings: Finding[],
  policy: Policy,
  exposedValue: Evaluation['exposedValue'],
  exposedByCurrency: Record<string, number>,
): Evaluation {
  // stable: worst verdict first, then the heaviest, then the order of evaluation
  const sorted = findings;
  for (let i = 1; i < sorted.length; i++) {
    const f = sorted[i];
    const rank = verdictRank(f.verdict);
    let j = i - 1;
    while (j >= 0 && (verdictRank(sorted[j].verdict) < rank || (verdictRank(sorted[j].verdict) === rank && sorted[j].weight < f.weight))) {
      sorted[j + 1] = sorted[j];
      j--;
    }
    sorted[j + 1] = f;
  }
  let verdict: Verdict = 'clear';
  let militarySignals = 0;
  let signalWeight = 0;
  for (const f of sorted) {
    verdict = worse(verdict, f.verdict);
    if (f.militarySignal) militarySignals++;
    signalWeight += f.weight;
  }
  let severity: Severity = policy.severity.byVerdict[verdict];
  for (const e of policy.severity.escalations) {
    if (e.verdict === verdict && militarySignals >= e.minMilitarySignals && severityRank(e.severity) > severityRank(severity))
      severity = e.severity;
  }
  for (const f of sorted) {
    if (f.severityFloor && severityRank(f.severityFloor) > severityRank(severity)) severity = f.severityFloor;
  }
  const band = policy.scoreBands[severity];
  result.findings = sorted;
  result.militarySignals = militarySignals;
  result.signalWeight = signalWeight;
  result.verdict = verdict;
  result.severity = severity;
  result.score = band.min + Math.round((band.max - band.min) * (1 - Math.exp(-signalWeight / policy.scoring.saturation)));
  result.exposedValue = exposedValue;
  result.exposedByCurrency = exposedByCurrency;
  return result;
}

/** The Japan ban's status at D, made once per interval of D between its status changes and shared. */
function banStatusAt(ban: Announcement, D: string, cp: CompiledPolicy): InForceStatus {
  let memo = cp.banStatus;
  if (!memo || memo.announcement !== ban)
    memo = cp.banStatus = { announcement: ban, epochs: statusEpochs([ban], cp.suspensionReading), items: [] };
  const i = epochOf(memo.epochs, D);
  return (memo.items[i] ??= statusAt(ban, D, cp.suspensionReading));
}

const NO_CANDIDATES: PartyCandidate[] = Object.freeze([]) as unknown as PartyCandidate[];

function screenParties(order: Order, view: ReferenceView, policy: Policy, D: string, cp: CompiledPolicy): PartyEvaluation[] {
  const out: PartyEvaluation[] = [];
  for (const role of SCREENED_ROLES) {
    const party = order[role];
    if (!party) continue;
    const matches = view.screenParty(party);
    out.push({ role, party, candidates: matches.length === 0 ? NO_CANDIDATES : partyCandidates(matches, policy, D, cp) });
  }
  return out;
}

/**
 * The candidates of one screening result at date D. Screening results are memoised per name (the view),
 * and the candidates built from them depend only on the statuses of their entries at D: they are made once
 * per (result, interval of D between the entries' status changes) and shared, never mutated, so an order of
 * a known party allocates none.
 */
function partyCandidates(matches: readonly ScreeningMatch[], policy: Policy, D: string, cp: CompiledPolicy): PartyCandidate[] {
  let memo = cp.partyCandidates.get(matches);
  if (!memo) {
    const entries: ListedParty[] = [];
    for (const m of matches) entries.push(m.entry);
    cp.partyCandidates.set(matches, (memo = { epochs: statusEpochs(entries, cp.suspensionReading), items: [] }));
  }
  const i = epochOf(memo.epochs, D);
  let candidates = memo.items[i];
  if (candidates) return candidates;
  const honour = cp.suspensionReading;
  candidates = [];
  for (const m of matches) {
    if (m.score < policy.partyMatch.possible || candidates.some((c) => c.entry.id === m.entry.id)) continue;
    candidates.push({
      entry: m.entry,
      score: Math.min(1, Math.max(0, m.score)),
      method: m.method,
      matchedName: m.matchedName,
      why: m.why,
      band: m.score >= policy.partyMatch.match ? 'match' : 'possible',
      status: statusAt(m.entry, D, honour),
    });
  }
  memo.items[i] = candidates;
  return candidates;
}

/**
 * What a line's item evidence comes to at date D: its item matches, the strongest in force and the strongest
 * inactive, and policy v2's reading of the description against the best match (refineItem). It depends only
 * on the (memoised) candidate list, which is the list of one description and its codes, and on the statuses
 * of its families at D: made once per (list, interval of D between the families' status changes) and
 * shared, never mutated (but for `vague`, filled in when first asked).
 */
export interface LineItem {
  /** The description the candidate list was found for (checked: a list of another description is not reused). */
  description: string;
  candidates: ItemMatch[];
  classification: LineEvaluation['item']['classification'];
  match: ItemMatch | undefined;
  inactive: ItemMatch | undefined;
  uncontrolled: LineEvaluation['uncontrolled'];
  /** Whether the description names no specific good (isVague), worked out when first asked. */
  vague: boolean | undefined;
}

function lineItem(found: ItemCandidate[], description: string, policy: Policy, D: string, cp: CompiledPolicy): LineItem {
  let memo = cp.lineItems.get(found);
  if (!memo) {
    const families: ItemFamily[] = [];
    for (const c of found) families.push(c.family);
    cp.lineItems.set(found, (memo = { epochs: statusEpochs(families, cp.suspensionReading), items: [] }));
  }
  const i = epochOf(memo.epochs, D);
  let out = memo.items[i];
  if (out && out.description === description) return out;
  out = makeLineItem(found, description, policy, D, cp);
  memo.items[i] = out;
  return out;
}

function makeLineItem(found: ItemCandidate[], description: string, policy: Policy, D: string, cp: CompiledPolicy): LineItem {
  const strengths = policy.itemMatch.strengths;
  const candidates = itemMatches(found, policy, D, cp);
  let match: ItemMatch | undefined;
  let inactive: ItemMatch | undefined;
  for (const c of candidates) {
    if (c.status.state === 'in_force') {
      if (!match || c.strength > match.strength) match = c;
    } else if (!inactive || c.strength > inactive.strength) inactive = c;
  }
  const classification = match
    ? 'controlled'
    : inactive
      ? inactive.status.state === 'suspended'
        ? 'suspended'
        : 'not_in_force'
      : 'no_match';
  // v2 item evidence read from the description: see refineItem
  let uncontrolled: LineEvaluation['uncontrolled'];
  if (match && (match.method === 'hs6' || match.method === 'hs6Weak' || match.method === 'keyword')) {
    const r = refineItem(match, candidates, description, cp);
    if (r.corroboratedBy) {
      const strength = strengths.hs6;
      match = { ...match, strength, weak: strength < policy.itemMatch.weakBelow, corroboratedBy: r.corroboratedBy };
    }
    if (r.uncontrolled) {
      uncontrolled = r.uncontrolled;
      if (!match.weak) match = { ...match, weak: true };
    }
  }
  return { description, candidates, classification, match, inactive, uncontrolled, vague: undefined };
}

/** The item matches of a candidate list at date D. */
function itemMatches(found: ItemCandidate[], policy: Policy, D: string, cp: CompiledPolicy): ItemMatch[] {
  if (found.length === 0) return NO_ITEM_MATCHES;
  const strengths = policy.itemMatch.strengths;
  const honour = cp.suspensionReading;
  return found.map((c) => {
    const strength = strengths[c.method];
    return {
      familyId: c.family.id,
      familyName: c.family.name,
      method: c.method,
      matched: c.matched,
      lang: c.lang,
      controlCode: c.controlCode?.code,
      strength,
      weak: strength < policy.itemMatch.weakBelow,
      status: statusAt(c.family, D, honour),
      family: c.family,
    };
  });
}

const NO_ITEM_MATCHES: ItemMatch[] = Object.freeze([]) as unknown as ItemMatch[];

function evaluateLine(line: OrderLine, order: Order, cr: CompiledRefData, cp: CompiledPolicy, policy: Policy, D: string): LineEvaluation {
  const item = lineItem(cr.items.candidates(line), line.description, policy, D, cp);
  const { match, inactive } = item;
  let unidentified = false;
  if (!match && !inactive && !line.hsCode && !line.controlCode && cp.vagueWords !== undefined) {
    if (item.vague === undefined) item.vague = isVague(line.description, cp.vagueWords);
    unidentified = item.vague;
  }
  const uncontrolled = item.uncontrolled;

  const origin = findOrigin(line, order, cr, cp, policy);
  const exposed = !!match && origin.finding !== 'not_prc' && origin.finding !== 'unknown';
  let capBy: LineEvaluation['capBy'] = NO_CAPS;
  let cap: Verdict = TOP;
  if (origin.finding === 'possible' || origin.finding === 'content' || match?.weak) capBy = [];
  if (origin.finding === 'possible') {
    capBy.push('possiblePrcOrigin');
    cap = milder(cap, policy.caps.possiblePrcOrigin);
  }
  if (origin.finding === 'content') {
    capBy.push('prcContentOnly');
    cap = milder(cap, policy.caps.prcContentOnly);
  }
  if (match?.weak) {
    capBy.push('weakItemMatch');
    cap = milder(cap, policy.caps.weakItemMatch);
  }
  return {
    lineId: line.lineId,
    description: line.description,
    line,
    item: { classification: item.classification, match, inactive, candidates: item.candidates },
    uncontrolled,
    unidentified,
    origin,
    exposed,
    cap,
    capBy,
    strength: (match?.strength ?? 0) * origin.certainty,
  };
}

const NO_CAPS: LineEvaluation['capBy'] = Object.freeze([]) as unknown as LineEvaluation['capBy'];

/**
 * Origin findings that depend on one country only are shared objects, made once per policy and
 * never mutated: looked up by (kind, country) without building their text.
 */
function sharedOrigin(cp: CompiledPolicy, kind: string, country: string): LineEvaluation['origin'] | undefined {
  return cp.origins.get(kind)?.get(country) as LineEvaluation['origin'] | undefined;
}

function keepOrigin(cp: CompiledPolicy, kind: string, country: string, o: LineEvaluation['origin']): LineEvaluation['origin'] {
  let byCountry = cp.origins.get(kind);
  if (!byCountry) cp.origins.set(kind, (byCountry = new Map()));
  byCountry.set(country, Object.freeze(o));
  return o;
}

function findOrigin(line: OrderLine, order: Order, cr: CompiledRefData, cp: CompiledPolicy, policy: Policy): LineEvaluation['origin'] {
  const c = policy.origin.certainty;
  const content = (line.chinaContentPct ?? 0) > 0;
  if (line.originCountry) {
    const oc = line.originCountry;
    if (cp.prc.has(oc))
      return (
        sharedOrigin(cp, 'declared', oc) ??
        keepOrigin(cp, 'declared', oc, { finding: 'declared', basis: `declared ${oc}`, certainty: c.declared })
      );
    if (content) return { finding: 'content', basis: `declared ${oc} with ${line.chinaContentPct}% PRC content`, certainty: c.content };
    return sharedOrigin(cp, 'not_prc', oc) ?? keepOrigin(cp, 'not_prc', oc, { finding: 'not_prc', basis: `declared ${oc}`, certainty: 0 });
  }
  const seller = order.seller.country;
  if (policy.origin.inferFromSellerCountry && cp.prc.has(seller)) {
    return (
      sharedOrigin(cp, 'seller', seller) ??
      keepOrigin(cp, 'seller', seller, {
        finding: 'inferred',
        basis: `inferred PRC: not declared, and the seller is in ${seller}`,
        certainty: c.inferred,
      })
    );
  }
  const from = order.shipFrom;
  if (policy.origin.inferFromShipFrom && cp.prc.has(from)) {
    return (
      sharedOrigin(cp, 'shipFrom', from) ??
      keepOrigin(cp, 'shipFrom', from, {
        finding: 'inferred',
        basis: `inferred PRC: not declared, and the goods ship from ${from}`,
        certainty: c.inferred,
      })
    );
  }
  if (cr.countries.get(from)?.possiblePrcOrigin) {
    return (
      sharedOrigin(cp, 'possible', from) ??
      keepOrigin(cp, 'possible', from, {
        finding: 'possible',
        basis: `possibly PRC: not declared, and the goods ship from ${from}`,
        certainty: c.possible,
      })
    );
  }
  if (content) return { finding: 'content', basis: `not declared, with ${line.chinaContentPct}% PRC content`, certainty: c.content };
  return (
    sharedOrigin(cp, 'unknown', '') ??
    keepOrigin(cp, 'unknown', '', { finding: 'unknown', basis: 'not declared and cannot be inferred', certainty: 0 })
  );
}

function findJapanNexus(order: Order, parties: PartyEvaluation[], cp: CompiledPolicy, policy: Policy): Evaluation['japanNexus'] {
  const grounds: string[] = [];
  if (policy.japanNexus.shipTo && cp.japan.has(order.shipTo)) grounds.push(`ships to ${order.shipTo}`);
  for (const role of policy.japanNexus.partyRoles) {
    const p = order[role];
    if (p && cp.japan.has(p.country)) grounds.push(`${ROLE_WORD[role]} in ${p.country}`);
  }
  for (const p of parties) {
    for (const c of p.candidates) {
      if (!policy.japanNexus.listKinds.includes(c.entry.list) || !cp.japan.has(c.entry.country)) continue;
      if (c.band === 'match') grounds.push(`${ROLE_WORD[p.role]} matches the Japanese entity ${c.entry.names.en}`);
      // v2 (no false clear): a party that may be a Japanese military user or control-listed entity is a nexus too
      else if (policy.japanNexus.possibleSensitive) grounds.push(`${ROLE_WORD[p.role]} may be the Japanese entity ${c.entry.names.en}`);
    }
  }
  if (grounds.length === 0) return NO_NEXUS;
  return { present: true, grounds: grounds.filter((g, i) => grounds.indexOf(g) === i) };
}

/** The parties that are, or may be, a Japanese military user or a control-listed entity in force at D. */
function sensitiveCandidates(parties: PartyEvaluation[]): { p: PartyEvaluation; c: PartyCandidate }[] {
  let out: { p: PartyEvaluation; c: PartyCandidate }[] | undefined;
  for (const p of parties)
    for (const c of p.candidates)
      if (c.status.state === 'in_force' && (c.entry.list === 'military_user' || c.entry.list === 'control_list')) {
        (out ??= []).push({ p, c });
        break;
      }
  if (!out) return NO_SENSITIVE;
  return out.sort((a, b) => (a.c.band === b.c.band ? b.c.score - a.c.score : a.c.band === 'match' ? -1 : 1));
}

const NO_SENSITIVE: { p: PartyEvaluation; c: PartyCandidate }[] = Object.freeze([]) as unknown as {
  p: PartyEvaluation;
  c: PartyCandidate;
}[];

interface ItemRefinement {
  corroboratedBy?: string;
  uncontrolled?: LineEvaluation['uncontrolled'];
}
const NO_REFINEMENT: ItemRefinement = Object.freeze({});

/**
 * Policy v2's reading of a line's description against its best item match: a broad code family (hs6Weak)
 * corroborated by words naming the controlled material (explicit corroboration entries, else a specific,
 * non-class keyword of the same family) counts as a 6-digit family; a description that expressly names an
 * uncontrolled material (light rare earths, NdFeB without Dy or Tb) makes a broad or keyword match weak.
 * Worked out once per line item (lineItem).
 */
function refineItem(match: ItemMatch, candidates: ItemMatch[], description: string, cp: CompiledPolicy): ItemRefinement {
  if (cp.corroboration.length === 0 && !cp.genericKeywords && cp.uncontrolled.length === 0) return NO_REFINEMENT;
  const norm = normaliseText(description);
  const out: ItemRefinement = {};
  if (match.method === 'hs6Weak') {
    for (const c of cp.corroboration) {
      if (!c.families.includes(match.familyId) || !c.codes.includes(match.matched)) continue;
      const w = c.words.find(norm)[0];
      if (w) {
        out.corroboratedBy = w.term;
        break;
      }
    }
    if (!out.corroboratedBy && cp.genericKeywords) {
      const kw = candidates.find(
        (c) => c.method === 'keyword' && c.familyId === match.familyId && !cp.genericKeywords!.has(normaliseText(c.matched)),
      );
      if (kw) out.corroboratedBy = kw.matched;
    }
  }
  for (const u of cp.uncontrolled) {
    if (!u.families.includes(match.familyId)) continue;
    const w = u.words.find(norm)[0];
    if (w) {
      out.uncontrolled = { id: u.id, word: w.term, note: u.note };
      break;
    }
  }
  return out.corroboratedBy || out.uncontrolled ? out : NO_REFINEMENT;
}

/** Whether a description names no specific good: every word of it is vague (numbers, units and punctuation aside). */
function isVague(description: string, vague: CompiledPolicy['vagueWords']): boolean {
  if (!vague) return false;
  let s = normaliseText(description);
  for (const w of vague.cjk) s = s.split(w).join(' ');
  const words = s.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  let any = false;
  for (const w of words) {
    if (/^[0-9.,x×]+[a-z]*$/.test(w)) continue;
    if (vague.latin.has(w) || vague.latin.has(w.replace(/s$/, ''))) {
      any = true;
      continue;
    }
    return false;
  }
  return any || normaliseText(description).trim() !== s.trim();
}

const round2 = (x: number) => Math.round(x * 100) / 100;
