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
import type { Announcement, ItemFamily, Lang, ListedParty, PartyListKind } from '@dualwatch/refdata';
import { compilePolicy, compileRefData, type CompiledPolicy, type CompiledRefData } from './compiled';
import { describeStatus, resolveAsOf, statusAt, type AsOfSource, type InForceStatus, type SuspensionReading } from './dates';
import type { ItemCandidate } from './item-index';
import type { ItemMatchMethod, OriginFinding, Policy, RuleCode } from './policy';
import type { ReferenceView, ScreeningMatch } from './reference-view';
import { isNegated, nameKey, normaliseText } from './text';

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

const ROLE_LABEL: Record<PartyRole, string> = {
  seller: 'Seller',
  buyer: 'Buyer',
  consignee: 'Consignee',
  endUser: 'End user',
  freightForwarder: 'Freight forwarder',
};

const ROLE_WORD: Record<PartyRole, string> = {
  seller: 'seller',
  buyer: 'buyer',
  consignee: 'consignee',
  endUser: 'end user',
  freightForwarder: 'freight forwarder',
};

const LIST_LABEL: Record<PartyListKind, string> = {
  control_list: "China's export-control control list (管控名单)",
  watch_list: "China's export-control watch list (关注名单)",
  military_user: 'the Japanese military users named by Ann. 1/2026',
  defence_nexus: "the known suppliers and relatives of Japan's defence sector",
};

const LIST_RULE: Record<PartyListKind, RuleCode> = {
  control_list: 'PARTY_ON_CONTROL_LIST',
  military_user: 'PARTY_MILITARY_USER',
  watch_list: 'PARTY_ON_WATCH_LIST',
  defence_nexus: 'DEFENCE_NEXUS_PARTY',
};

const METHOD_LABEL: Record<ItemMatchMethod, string> = {
  controlCode: 'control code',
  hs10: '10-digit HS code',
  hs8: '8-digit tariff line',
  hs6: '6-digit HS family',
  hs6Weak: 'broad 6-digit HS heading',
  keyword: 'description keyword',
};

const LANG_LABEL: Record<Lang, string> = { en: 'English', zh: 'Chinese', ja: 'Japanese' };

const CAP_LABEL = {
  possiblePrcOrigin: 'PRC origin is only possible (ships from HK/MO, no origin declared)',
  prcContentOnly: 'the line carries PRC content only, which Ann. 1/2026 may not reach',
  weakItemMatch: 'the item matched only weakly (description keywords or a broad HS heading)',
} as const;

const short = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const lineLabel = (l: LineEvaluation) => `line ${l.lineId} ("${short(l.description)}")`;
const lineTitle = (l: LineEvaluation) => `Line ${l.lineId} ("${short(l.description)}")`;
const fmt2 = (x: number) => x.toFixed(2);

/** Evaluates every rule of the policy for one order event at its as-of date (or `asOf`). */
export interface EvaluateOptions {
  /** Evaluate every line even where no rule can apply (no Japan nexus), for `dualwatch explain`. Default true. */
  explain?: boolean;
}

export function evaluate(event: OrderEvent, view: ReferenceView, policy: Policy, asOf?: string, opts: EvaluateOptions = {}): Evaluation {
  const ref = view.refdata;
  const cr = compileRefData(ref);
  const cp = compilePolicy(ref, policy);
  const order = event.order;
  const { date: D, source: asOfSource } = resolveAsOf(event, asOf, policy.asOf?.occurredAtUtcOffsetMinutes ?? 0);
  const honour = suspensionReading(policy);

  const banAnnouncement = cr.announcements.get(policy.japanBan.announcement);
  if (!banAnnouncement) throw new Error(`policy ${policy.version}: japanBan.announcement "${policy.japanBan.announcement}" is not in reference data ${ref.version}`);
  const banStatus = statusAt(banAnnouncement, D, honour);
  const banInForce = banStatus.state === 'in_force';

  const findings: Finding[] = [];
  const emit = (code: RuleCode, reason: Omit<Reason, 'code'>, opts: { factor?: number; cap?: Verdict; cappedBy?: string } = {}): void => {
    const rule = policy.rules[code];
    if (!rule.enabled) return;
    const verdict = opts.cap ? milder(rule.verdict, opts.cap) : rule.verdict;
    const capped = verdict !== rule.verdict;
    // Built key by key, without undefined members: the reason goes out as it is (no copy, no strip).
    const out: Reason = { code, message: capped && opts.cappedBy ? `${reason.message} Held at ${verdict}: ${opts.cappedBy}.` : reason.message };
    if (reason.lineId !== undefined) out.lineId = reason.lineId;
    if (reason.partyRole !== undefined) out.partyRole = reason.partyRole;
    if (reason.matchScore !== undefined) out.matchScore = reason.matchScore;
    if (reason.evidence !== undefined) out.evidence = reason.evidence;
    if (reason.legalBasis !== undefined) out.legalBasis = reason.legalBasis;
    findings.push({
      code,
      verdict,
      ruleVerdict: rule.verdict,
      weight: rule.weight * (opts.factor ?? 1),
      militarySignal: rule.militarySignal === true,
      severityFloor: rule.severityFloor,
      cappedBy: capped ? opts.cappedBy : undefined,
      reason: out,
    });
  };
  const citation = (id: string) => cr.announcements.get(id)?.citation ?? id;
  const legalBasis = (id: string) => cr.announcements.get(id)?.legalBasis;

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

  // A cancelled order ships nothing: one reason, nothing else evaluated.
  if (event.eventType === 'order.cancelled' && policy.rules.ORDER_CANCELLED.enabled) {
    emit('ORDER_CANCELLED', { lineId: order.lines[0].lineId, message: `Order ${order.orderId} is cancelled by this event: nothing will ship, so no exposure remains.` });
    return finish(result, findings, policy, undefined, {});
  }

  const parties = (result.parties = screenParties(order, view, policy, D));
  const japanNexus = (result.japanNexus = findJapanNexus(order, parties, cp, policy));
  // Without a Japan nexus no rule applies; the lines are still evaluated for an explanation.
  if (!japanNexus.present && opts.explain === false) return finish(result, findings, policy, undefined, {});
  const lines = (result.lines = order.lines.map((l) => evaluateLine(l, order, cr, cp, policy, D)));
  const prcIsh = (l: LineEvaluation) => l.origin.finding !== 'not_prc' && l.origin.finding !== 'unknown';

  if (!japanNexus.present) return finish(result, findings, policy, undefined, {});

  if (!banInForce) {
    const relevant = lines.filter((l) => (l.item.match || l.item.inactive) && prcIsh(l));
    if (relevant.length > 0) {
      emit('JAPAN_BAN_NOT_IN_FORCE', {
        lineId: relevant[0].lineId,
        message:
          `As of ${D}, ${banAnnouncement.citation} (the ban on dual-use exports for Japanese military use) is ${describeStatus(banStatus, banAnnouncement)}; ` +
          `no Japan-specific rule applies to ${relevant.map(lineLabel).join(', ')}.`,
        evidence: { announcement: banAnnouncement.id, citation: banAnnouncement.citation, effectiveFrom: banAnnouncement.effectiveFrom, sources: banAnnouncement.sources, lines: relevant.map((l) => l.lineId) },
        legalBasis: banAnnouncement.legalBasis,
      });
    }
    return finish(result, findings, policy, undefined, {});
  }

  // ---- lines ---------------------------------------------------------------------------------
  const uncertainFamilies = new Set<string>();
  for (const l of lines) {
    const m = l.item.match;
    const fam = m?.family;
    if (m && fam && l.exposed) {
      emit(
        'CONTROLLED_ITEM',
        {
          lineId: l.lineId,
          message:
            `${lineTitle(l)} matches the controlled item family "${fam.name}" by ${METHOD_LABEL[m.method]} ${m.matched}` +
            `${m.controlCode && m.method !== 'controlCode' ? ` (listed under ${m.controlCode})` : ''}${isInferredCode(m) ? ' (HS code not in the announcement; inferred by the research from the tariff and the annex structure)' : ''}${m.corroboratedBy ? ` (a heading broader than the control, corroborated by the description's "${m.corroboratedBy}")` : ''}, in force since ${fam.effectiveFrom} (${citation(fam.announcement)}); ` +
            `origin: ${l.origin.basis}.`,
          matchScore: m.strength,
          evidence: itemEvidence(m, l, citation),
          legalBasis: legalBasis(fam.announcement),
        },
        { factor: l.strength },
      );
      if (l.origin.finding === 'inferred') {
        emit('ORIGIN_INFERRED', {
          lineId: l.lineId,
          message: `${lineTitle(l)} declares no country of origin; PRC origin is inferred because ${l.origin.basis.replace(/^inferred PRC: /, '')}. A certificate of origin or the supplier's origin declaration would settle it.`,
          evidence: { origin: 'inferred', basis: l.origin.basis, seller: order.seller.country, shipFrom: order.shipFrom },
          legalBasis: banAnnouncement.legalBasis,
        });
      }
      if (l.origin.finding === 'possible') {
        emit(
          'POSSIBLE_PRC_ORIGIN',
          {
            lineId: l.lineId,
            message: `${lineTitle(l)} ships from ${order.shipFrom} with no declared origin: the goods may be of PRC origin (a controlled "${fam.name}" item). A certificate of origin would settle it.`,
            matchScore: m.strength,
            evidence: itemEvidence(m, l, citation, { shipFrom: order.shipFrom }),
            legalBasis: banAnnouncement.legalBasis,
          },
          { factor: l.strength },
        );
      }
      if (l.origin.finding === 'content') {
        emit(
          'PRC_CONTENT_ONLY',
          {
            lineId: l.lineId,
            message:
              `${lineTitle(l)} is of ${l.line.originCountry ?? 'undeclared'} origin with ${l.line.chinaContentPct}% PRC content in a controlled "${fam.name}" item. ` +
              `Whether ${banAnnouncement.citation} reaches PRC content in foreign-made goods is unsettled, so this is never more than review. A bill of materials with the origin of the controlled content would settle it.`,
            matchScore: m.strength,
            evidence: itemEvidence(m, l, citation, { chinaContentPct: l.line.chinaContentPct }),
            legalBasis: banAnnouncement.legalBasis,
          },
          { factor: l.strength },
        );
      }
      if (l.uncontrolled) {
        emit('UNCONTROLLED_MATERIAL_NAMED', {
          lineId: l.lineId,
          message:
            `${lineTitle(l)} expressly names "${l.uncontrolled.word}", which is not a controlled "${fam.name}" item (${l.uncontrolled.note}), and its only item evidence is the ${METHOD_LABEL[m.method]} ${m.matched}. ` +
            `The description counts as evidence, so the line is no more than a weak match; a 10-digit HS code or the supplier's material declaration (composition, Dy/Tb content) would settle it.`,
          matchScore: m.strength,
          evidence: itemEvidence(m, l, citation, { uncontrolledMaterial: l.uncontrolled.id, word: l.uncontrolled.word }),
          legalBasis: legalBasis(fam.announcement),
        });
      }
      if (m.weak) {
        emit(
          'WEAK_ITEM_MATCH',
          {
            lineId: l.lineId,
            message:
              `${lineTitle(l)} matches "${fam.name}" only by ${m.method === 'keyword' ? `the ${m.lang ? `${LANG_LABEL[m.lang]} ` : ''}keyword "${m.matched}"` : `the ${METHOD_LABEL[m.method]} ${m.matched}, which mostly covers uncontrolled goods`}. ` +
              `${l.line.hsCode ? `Its HS code ${l.line.hsCode} is not one of the family's reference codes; ` : 'It has no HS code; '}a Chinese control code or a 10-digit HS code would settle whether it is controlled.`,
            matchScore: m.strength,
            evidence: itemEvidence(m, l, citation),
            legalBasis: legalBasis(fam.announcement),
          },
          { factor: l.strength },
        );
      }
      if (!cp.prc.has(order.seller.country) && (l.origin.finding === 'declared' || l.origin.finding === 'inferred')) {
        emit(
          'REEXPORT_OF_PRC_ORIGIN',
          {
            lineId: l.lineId,
            partyRole: 'seller',
            message:
              `${lineTitle(l)} is a PRC-origin controlled item sold by "${order.seller.name}" in ${order.seller.country}: ` +
              `${banAnnouncement.citation} cl. 2 holds anyone in any country liable for transferring PRC-origin dual-use items to Japanese parties, so this re-export is judged as a direct export from China would be.`,
            matchScore: m.strength,
            evidence: itemEvidence(m, l, citation, { seller: order.seller.name, sellerCountry: order.seller.country, shipFrom: order.shipFrom }),
            legalBasis: banAnnouncement.legalBasis,
          },
          { factor: l.strength },
        );
      }
    } else if (m && fam && l.origin.finding === 'unknown') {
      emit('ORIGIN_MISSING', {
        lineId: l.lineId,
        message: `${lineTitle(l)} matches the controlled family "${fam.name}" but has no country of origin, and none can be inferred (seller in ${order.seller.country}, ships from ${order.shipFrom}). A certificate of origin or the supplier's origin declaration would settle whether PRC-origin rules apply.`,
        matchScore: m.strength,
        evidence: itemEvidence(m, l, citation),
        legalBasis: banAnnouncement.legalBasis,
      });
    }
    const inactive = l.item.inactive;
    if (inactive && inactive.status.state === 'suspended' && prcIsh(l) && (!m || (m.family !== inactive.family && inactive.strength > m.strength))) {
      const s = inactive.status.suspension!;
      emit('ITEM_FAMILY_SUSPENDED', {
        lineId: l.lineId,
        message:
          `${lineTitle(l)} matches "${inactive.family.name}" by ${METHOD_LABEL[inactive.method]} ${inactive.matched}, but that family is suspended from ${s.from} until ${s.until} by ${citation(s.announcement)}: ` +
          `not controlled at ${D}; the controls apply again by themselves from ${s.until} unless the suspension is extended.`,
        matchScore: inactive.strength,
        evidence: itemEvidence(inactive, l, citation, { suspension: { from: s.from, until: s.until, announcement: s.announcement, citation: citation(s.announcement), uncertain: s.uncertain === true, sources: s.sources } }),
        legalBasis: legalBasis(s.announcement),
      });
    }
    for (const cand of [m, inactive]) {
      if (!cand?.status.assumption || !prcIsh(l) || uncertainFamilies.has(cand.familyId)) continue;
      uncertainFamilies.add(cand.familyId);
      const s = cand.status.suspension!;
      emit('SUSPENSION_END_UNCERTAIN', {
        lineId: l.lineId,
        message: `"${cand.family.name}" (${lineLabel(l)}): ${cand.status.assumption}.`,
        evidence: { familyId: cand.familyId, familyName: cand.familyName, assumption: cand.status.assumption, suspension: { from: s.from, until: s.until, announcement: s.announcement, citation: citation(s.announcement), uncertain: true, note: s.note ?? null, sources: s.sources } },
        legalBasis: legalBasis(s.announcement),
      });
    }
    if (!l.line.hsCode && !l.line.controlCode && prcIsh(l)) {
      emit('HS_CODE_MISSING', {
        lineId: l.lineId,
        message: `${lineTitle(l)} has neither an HS code nor a Chinese control code, so only its description could be checked against the controlled families. The 10-digit HS code (or the control code) would settle whether it is a controlled dual-use item.`,
        legalBasis: banAnnouncement.legalBasis,
      });
    }
  }

  const exposed = lines.filter((l) => l.exposed);

  // ---- v2: a party that is, or may be, a Japanese military user or control-listed entity --------
  const sensitive = sensitiveCandidates(parties);
  if (sensitive.length > 0) {
    const whoSensitive = sensitive.map(({ p, c }) => `${ROLE_WORD[p.role]} "${p.party.name}" ${c.band === 'match' ? 'is' : 'may be'} ${entryLabel(c.entry)} (${c.entry.list === 'military_user' ? 'a Japanese military user' : 'control list'})`).join('; ');
    const sensitiveEvidence = sensitive.map(({ p, c }) => ({ role: p.role, entryId: c.entry.id, list: c.entry.list, band: c.band, score: c.score }));
    const unidentified = lines.filter((l) => l.unidentified && (l.origin.finding === 'declared' || l.origin.finding === 'inferred' || l.origin.finding === 'possible'));
    if (unidentified.length > 0) {
      emit(
        'UNIDENTIFIED_LINE',
        {
          lineId: unidentified[0].lineId,
          partyRole: sensitive[0].p.role,
          matchScore: sensitive[0].c.score,
          message:
            `${unidentified.map(lineTitle).join(', ')} names no specific good and has neither HS code nor control code, is of PRC origin (${unidentified[0].origin.basis}), and goes to a party that is or may be a sensitive end user: ${whoSensitive}. ` +
            `It may be a dual-use item. The 10-digit HS code or control code and a precise description of the goods would settle it.`,
          evidence: { lines: unidentified.map((l) => l.lineId), origins: unidentified.map((l) => l.origin.finding), parties: sensitiveEvidence },
          legalBasis: banAnnouncement.legalBasis,
        },
        { factor: sensitive[0].c.score * unidentified[0].origin.certainty },
      );
    }
    for (const l of lines) {
      const cand = [l.item.match, l.item.inactive].find((c) => c?.status.assumption && c.status.suspension?.uncertain);
      if (!cand || !(l.origin.finding === 'declared' || l.origin.finding === 'inferred' || l.origin.finding === 'possible')) continue;
      const s = cand.status.suspension!;
      emit(
        'SUSPENSION_UNCERTAIN_SENSITIVE_PARTY',
        {
          lineId: l.lineId,
          partyRole: sensitive[0].p.role,
          matchScore: cand.strength,
          message:
            `${lineTitle(l)} is a "${cand.family.name}" item, whose suspension (${citation(s.announcement)}) is inside a window with an uncertain end date (${cand.status.assumption}), and it goes to ${whoSensitive}. ` +
            `Whatever date is assumed, such a line is at least for review. A formal notice fixing the end of the suspension would settle it.`,
          evidence: itemEvidence(cand, l, citation, { suspension: { from: s.from, until: s.until, announcement: s.announcement, uncertain: true, sources: s.sources }, parties: sensitiveEvidence }),
          legalBasis: legalBasis(s.announcement),
        },
        { factor: cand.strength },
      );
    }
  }
  if (exposed.length === 0) return finish(result, findings, policy, undefined, {});

  // Order-level findings rest on the least restricted exposed line: its cap and its strength.
  let anchor = exposed[0];
  for (const l of exposed) {
    if (verdictRank(l.cap) > verdictRank(anchor.cap) || (l.cap === anchor.cap && l.strength > anchor.strength)) anchor = l;
  }
  const orderCap = anchor.cap;
  const capText = orderCap === TOP ? undefined : `the only exposed lines are limited (${[...new Set(exposed.flatMap((l) => l.capBy))].map((c) => CAP_LABEL[c]).join('; ')})`;
  const exposedText = exposed.length === 1 ? lineLabel(exposed[0]) : `${exposed.length} lines (${exposed.map((l) => l.lineId).join(', ')})`;
  const exposedIds = exposed.map((l) => l.lineId);
  const orderOpts = (factor = 1) => ({ factor: factor * anchor.strength, cap: orderCap, cappedBy: capText });

  // ---- parties -------------------------------------------------------------------------------
  for (const p of parties) {
    const hasCertain = p.candidates.some((c) => c.band === 'match' && c.status.state === 'in_force');
    for (const c of p.candidates) {
      const e = c.entry;
      const ev = partyEvidence(c, citation, exposedIds);
      const who = `${ROLE_LABEL[p.role]} "${p.party.name}" (${p.party.country})`;
      const entryName = entryLabel(e);
      if (c.status.state !== 'in_force') {
        const nexusBefore = c.status.state === 'not_yet' && e.defenceNexusFrom !== undefined && D >= e.defenceNexusFrom;
        emit('PARTY_LISTING_NOT_IN_FORCE', {
          partyRole: p.role,
          matchScore: c.score,
          message: `${who} ${c.band === 'match' ? 'matches' : 'resembles'} ${entryName} on ${LIST_LABEL[e.list]} (${citation(e.announcement)}), but that entry is ${describeStatus(c.status, e)} at ${D}, so the listing does not count yet.`,
          evidence: ev,
          legalBasis: legalBasis(e.announcement),
        });
        if (nexusBefore) {
          // v2: a known MoD contractor or defence-group member is a defence-nexus party before its own listing
          const ties = defenceTies(e);
          emit(
            c.band === 'match' ? 'DEFENCE_NEXUS_PARTY' : 'POSSIBLE_LIST_MATCH',
            {
              partyRole: p.role,
              lineId: anchor.lineId,
              matchScore: c.score,
              message:
                `${who} ${c.band === 'match' ? 'matches' : 'resembles'} ${entryName}, a known supplier of Japan's defence sector (${ties.text}) before its own listing on ${e.effectiveFrom}: ` +
                `a military end use must be ruled out (${c.why}; score ${fmt2(c.score)}). The end user's signed end-use statement would settle it. Exposed: ${exposedText}.`,
              evidence: { ...ev, basis: 'defence_nexus_before_listing', defenceNexusFrom: e.defenceNexusFrom, ties: ties.evidence },
              legalBasis: banAnnouncement.legalBasis,
            },
            orderOpts(c.score),
          );
        }
        continue;
      }
      if (c.band === 'possible') {
        if (hasCertain) continue; // the certain match already explains this party
        emit(
          'POSSIBLE_LIST_MATCH',
          {
            partyRole: p.role,
            matchScore: c.score,
            message:
              `${who} resembles ${entryName} on ${LIST_LABEL[e.list]} (${citation(e.announcement)}; score ${fmt2(c.score)}, ${c.why}), below the certain-match threshold of ${fmt2(policy.partyMatch.match)}. ` +
              `The party's Japanese corporate number, address or registered name would settle whether it is the listed entity. Exposed: ${exposedText}.`,
            evidence: ev,
            legalBasis: legalBasis(e.announcement),
          },
          orderOpts(c.score),
        );
        continue;
      }
      const code = LIST_RULE[e.list];
      emit(
        code,
        {
          partyRole: p.role,
          lineId: anchor.lineId,
          matchScore: c.score,
          message: `${who} ${c.method === 'corporate_number' ? 'has the corporate number of' : 'matches'} ${entryName}, ${listConsequence(e, citation)} (${c.why}; score ${fmt2(c.score)}). Exposed: ${exposedText}.`,
          evidence: ev,
          legalBasis: legalBasis(e.announcement),
        },
        orderOpts(c.score),
      );
    }
  }

  // ---- end use -------------------------------------------------------------------------------
  const endUse = order.endUse;
  const statement = endUse?.statement?.trim() ?? '';
  const normStatement = statement ? normaliseText(statement) : '';
  const military = militaryEndUse(endUse?.category, normStatement, cr, cp, policy);
  const withheld = normStatement ? cp.endUseWithheldWords.find(normStatement) : [];
  if (military) {
    emit(
      'MILITARY_END_USE_JAPAN',
      {
        lineId: anchor.lineId,
        message:
          `The order has a Japan nexus (${japanNexus.grounds.join('; ')}) and a military end use (${military.why}). ` +
          `${banAnnouncement.citation} bans all dual-use items for Japanese military uses. Exposed: ${exposedText}.`,
        evidence: { endUse: endUse ?? null, terms: military.terms, japanNexus: japanNexus.grounds, announcement: banAnnouncement.id, citation: banAnnouncement.citation, sources: banAnnouncement.sources },
        legalBasis: banAnnouncement.legalBasis,
      },
      orderOpts(),
    );
  }
  if (!endUse || (!endUse.category && statement === '')) {
    emit(
      'END_USE_MISSING',
      {
        lineId: anchor.lineId,
        message: `No end use is stated for an order with PRC-origin controlled items going to Japan (${exposedText}). The end user's signed end-use statement (what the goods are for, and that they are not for military use) would settle it.`,
        evidence: { endUse: endUse ?? null, lines: exposedIds },
        legalBasis: banAnnouncement.legalBasis,
      },
      orderOpts(),
    );
  } else if (endUse.category === 'unknown' || withheld.length > 0) {
    emit(
      'END_USE_UNKNOWN',
      {
        lineId: anchor.lineId,
        message:
          `${endUse.category === 'unknown' ? 'The end use is declared "unknown"' : `The end-use statement withholds the end use ("${withheld[0].term}")`} for an order with PRC-origin controlled items going to Japan (${exposedText}). ` +
          `The end user's signed end-use statement would settle it.`,
        evidence: { endUse, words: withheld.map((w) => w.term), lines: exposedIds, ...(withheld.length ? redFlagEvidence(cr, withheld[0].values[0]) : {}) },
        legalBasis: banAnnouncement.legalBasis,
      },
      orderOpts(),
    );
  }

  // ---- red flags -----------------------------------------------------------------------------
  const eu = order.endUser ?? order.buyer;
  const euRole: PartyRole = order.endUser ? 'endUser' : 'buyer';
  // Name words only stand in for a missing role ("other" says nothing either), and never for a party
  // already known as a listed entity: "Acquisition, Technology & Logistics Agency" is no forwarder.
  const euKnown = parties.some((p) => p.role === euRole && p.candidates.some((c) => c.band === 'match'));
  const words = (!eu.role || eu.role === 'other') && !euKnown ? cp.intermediaryWords.find(normaliseText(eu.name)) : [];
  const forwarderIsEndUser = !!order.endUser && !!order.freightForwarder && nameKey(order.endUser.name) === nameKey(order.freightForwarder.name);
  if ((eu.role && policy.intermediaries.roles.includes(eu.role)) || words.length > 0 || forwarderIsEndUser) {
    const why = eu.role && policy.intermediaries.roles.includes(eu.role) ? `its role is ${eu.role.replace('_', ' ')}` : forwarderIsEndUser ? 'it is also the freight forwarder' : `its name contains "${words[0].term}"`;
    emit(
      'RED_FLAG_INTERMEDIARY_END_USER',
      {
        partyRole: euRole,
        message:
          `${order.endUser ? 'The end user' : 'No end user is named, and the buyer'} "${eu.name}" looks like a freight forwarder or trading house (${why}), not the real end user of ${exposedText}. ` +
          `The name and end-use statement of the ultimate end user would settle it.`,
        evidence: { party: eu.name, role: eu.role ?? null, words: words.map((w) => w.term), ...redFlagEvidence(cr, 'RED_FLAG_INTERMEDIARY_END_USER', words.length ? [words[0].values[0]] : []) },
        legalBasis: banAnnouncement.legalBasis,
      },
      orderOpts(),
    );
  }
  const hubs = (order.transit ?? []).filter((c) => cr.countries.get(c)?.transshipmentHub);
  if (hubs.length > 0) {
    emit(
      'RED_FLAG_TRANSSHIPMENT_HUB',
      {
        lineId: anchor.lineId,
        message:
          `The goods transit ${[...new Set(hubs)].map((c) => `${cr.countries.get(c)?.name ?? c} (${c}${cr.countries.get(c)?.uncertain ? ', an inferred hub' : ''})`).join(', ')}, ` +
          `a transshipment hub for PRC-origin controlled goods (${exposedText}). The transport documents and the reason for the route would settle it.`,
        evidence: { transit: order.transit, hubs: [...new Set(hubs)], hubSources: [...new Set(hubs.flatMap((c) => cr.countries.get(c)?.sources ?? []))], ...redFlagEvidence(cr, 'RED_FLAG_TRANSSHIPMENT_HUB') },
        legalBasis: banAnnouncement.legalBasis,
      },
      orderOpts(),
    );
  }
  const stockFrom = cr.countries.get(order.shipFrom);
  const stock = stockFrom?.transshipmentHub && !cp.prc.has(order.shipFrom) ? exposed.filter((l) => l.origin.finding === 'declared' || l.origin.finding === 'inferred') : [];
  if (stock.length > 0) {
    emit(
      'SHIPPED_FROM_HUB_STOCK',
      {
        lineId: stock[0].lineId,
        message:
          `PRC-origin controlled goods (${stock.map(lineLabel).join(', ')}) ship from stock in ${stockFrom!.name} (${order.shipFrom}${stockFrom!.uncertain ? ', an inferred hub' : ''}), ` +
          `a transshipment hub: routing through a hub is a red flag whether the goods transit there or are shipped from stock there. The supplier's purchase records and the reason for the route would settle it.`,
        evidence: { shipFrom: order.shipFrom, lines: stock.map((l) => l.lineId), hubSources: stockFrom!.sources ?? [], ...redFlagEvidence(cr, 'RED_FLAG_TRANSSHIPMENT_HUB') },
        legalBasis: banAnnouncement.legalBasis,
      },
      orderOpts(),
    );
  }
  const ftzWords = order.consignee ? cp.freeTradeZoneWords.find(normaliseText(`${order.consignee.name} ${order.consignee.address ?? ''}`)) : [];
  if (order.consigneeInFreeTradeZone === true || ftzWords.length > 0) {
    emit(
      'RED_FLAG_FREE_TRADE_ZONE',
      {
        partyRole: order.consignee ? 'consignee' : undefined,
        lineId: anchor.lineId,
        message:
          `The consignee${order.consignee ? ` "${order.consignee.name}"` : ''} is in a free-trade zone${order.consigneeInFreeTradeZone ? '' : ` (its name or address says "${ftzWords[0].term}")`}, a known diversion point (${exposedText}). ` +
          `The name of the party that takes the goods out of the zone would settle it.`,
        evidence: { consignee: order.consignee?.name ?? null, address: order.consignee?.address ?? null, declared: order.consigneeInFreeTradeZone === true, words: ftzWords.map((w) => w.term), ...redFlagEvidence(cr, 'RED_FLAG_FREE_TRADE_ZONE') },
        legalBasis: banAnnouncement.legalBasis,
      },
      orderOpts(),
    );
  }
  if (event.eventType === 'order.updated' && order.consignee && nameKey(order.consignee.name) !== nameKey(order.buyer.name)) {
    emit(
      'RED_FLAG_CONSIGNEE_CHANGE',
      {
        partyRole: 'consignee',
        message:
          `This update names a consignee, "${order.consignee.name}" (${order.consignee.country}), other than the buyer "${order.buyer.name}". ` +
          `It may be a last-minute consignee change; the consignee on the order's previous event (the order history) would confirm or dismiss it.`,
        evidence: { consignee: order.consignee.name, consigneeCountry: order.consignee.country, buyer: order.buyer.name, eventType: event.eventType, ...redFlagEvidence(cr, 'RED_FLAG_CONSIGNEE_CHANGE') },
        legalBasis: banAnnouncement.legalBasis,
      },
      orderOpts(),
    );
  }

  // ---- supply risk ---------------------------------------------------------------------------
  const supply = exposed.filter((l) => (l.origin.finding === 'declared' || l.origin.finding === 'inferred') && l.item.match && !l.item.match.weak);
  if (supply.length > 0) {
    emit(
      'SUPPLY_RISK_JAPAN',
      {
        lineId: supply[0].lineId,
        message: `PRC-origin controlled items go to Japan (${supply.map(lineLabel).join(', ')}): licences for Japan are reported halted even for civil use since ${banAnnouncement.citation}, so supply may stop whatever the end use.`,
        evidence: { lines: supply.map((l) => l.lineId), families: [...new Set(supply.map((l) => l.item.match!.familyId))], announcement: banAnnouncement.id, citation: banAnnouncement.citation, sources: banAnnouncement.sources },
        legalBasis: banAnnouncement.legalBasis,
      },
      { factor: Math.max(...supply.map((l) => l.strength)) },
    );
  }

  // ---- exposed value -------------------------------------------------------------------------
  const byCurrency: Record<string, number> = {};
  const order_: string[] = [];
  for (const l of exposed) {
    if (l.line.unitPrice === undefined) continue;
    const cur = l.line.currency ?? '(none)';
    if (!(cur in byCurrency)) order_.push(cur);
    byCurrency[cur] = (byCurrency[cur] ?? 0) + l.line.quantity * l.line.unitPrice;
  }
  let exposedValue: Evaluation['exposedValue'];
  if (order_.length > 0) {
    const first = order_[0];
    exposedValue = { amount: round2(byCurrency[first]), currency: first === '(none)' ? undefined : first };
    if (order_.length > 1) {
      emit('EXPOSED_VALUE_MIXED_CURRENCIES', {
        lineId: exposed[0].lineId,
        message: `Exposed lines are priced in ${order_.join(', ')}; the exposed value shows ${first} only (${order_.map((c) => `${c} ${round2(byCurrency[c])}`).join(', ')}).`,
        evidence: { byCurrency: Object.fromEntries(order_.map((c) => [c, round2(byCurrency[c])])) },
      });
    }
  }
  return finish(result, findings, policy, exposedValue, byCurrency);
}

// ------------------------------------------------------------------------------------------------

const NO_NEXUS: Evaluation['japanNexus'] = Object.freeze({ present: false, grounds: [] as string[] });

function finish(result: Evaluation, findings: Finding[], policy: Policy, exposedValue: Evaluation['exposedValue'], exposedByCurrency: Record<string, number>): Evaluation {
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
    if (e.verdict === verdict && militarySignals >= e.minMilitarySignals && severityRank(e.severity) > severityRank(severity)) severity = e.severity;
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

const NO_CANDIDATES: PartyCandidate[] = Object.freeze([]) as unknown as PartyCandidate[];

/** How the policy reads suspensions (v1: an uncertain end honoured, "until" exclusive; v2: inclusive). */
export function suspensionReading(policy: Policy): SuspensionReading {
  return { honourUncertain: policy.suspensions.honourUncertain, untilInclusive: policy.suspensions.untilInclusive === true };
}

function screenParties(order: Order, view: ReferenceView, policy: Policy, D: string): PartyEvaluation[] {
  const out: PartyEvaluation[] = [];
  const honour = suspensionReading(policy);
  for (const role of SCREENED_ROLES) {
    const party = order[role];
    if (!party) continue;
    const matches = view.screenParty(party);
    if (matches.length === 0) {
      out.push({ role, party, candidates: NO_CANDIDATES });
      continue;
    }
    const candidates: PartyCandidate[] = [];
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
    out.push({ role, party, candidates });
  }
  return out;
}

function evaluateLine(line: OrderLine, order: Order, cr: CompiledRefData, cp: CompiledPolicy, policy: Policy, D: string): LineEvaluation {
  const strengths = policy.itemMatch.strengths;
  const honour = suspensionReading(policy);
  const candidates: ItemMatch[] = cr.items.candidates(line).map((c: ItemCandidate) => {
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
  let match: ItemMatch | undefined;
  let inactive: ItemMatch | undefined;
  for (const c of candidates) {
    if (c.status.state === 'in_force') {
      if (!match || c.strength > match.strength) match = c;
    } else if (!inactive || c.strength > inactive.strength) inactive = c;
  }
  const classification = match ? 'controlled' : inactive ? (inactive.status.state === 'suspended' ? 'suspended' : 'not_in_force') : 'no_match';
  // v2: a broad code family corroborated by a description naming the controlled material counts as a 6-digit family
  if (match && match.method === 'hs6Weak' && cp.corroboration.length > 0) {
    const norm = normaliseText(line.description);
    for (const c of cp.corroboration) {
      if (!c.families.includes(match.familyId) || !c.codes.includes(match.matched)) continue;
      const hit = c.words.find(norm)[0];
      if (hit) {
        const strength = strengths.hs6;
        match = { ...match, strength, weak: strength < policy.itemMatch.weakBelow, corroboratedBy: hit.term };
        break;
      }
    }
  }
  // v2: a description that expressly names an uncontrolled material outweighs a broad code family or a keyword
  let uncontrolled: LineEvaluation['uncontrolled'];
  if (match && (match.method === 'hs6' || match.method === 'hs6Weak' || match.method === 'keyword') && cp.uncontrolled.length > 0) {
    const norm = normaliseText(line.description);
    for (const u of cp.uncontrolled) {
      if (!u.families.includes(match.familyId)) continue;
      const hit = u.words.find(norm)[0];
      if (hit) {
        uncontrolled = { id: u.id, word: hit.term, note: u.note };
        if (!match.weak) match = { ...match, weak: true };
        break;
      }
    }
  }
  const unidentified = !match && !inactive && !line.hsCode && !line.controlCode && cp.vagueWords !== undefined && isVague(line.description, cp.vagueWords);

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
    item: { classification, match, inactive, candidates },
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
function originOf(cp: CompiledPolicy, kind: string, country: string, make: () => LineEvaluation['origin']): LineEvaluation['origin'] {
  let byCountry = cp.origins.get(kind);
  if (!byCountry) cp.origins.set(kind, (byCountry = new Map()));
  let o = byCountry.get(country);
  if (!o) byCountry.set(country, (o = Object.freeze(make())));
  return o as LineEvaluation['origin'];
}

function findOrigin(line: OrderLine, order: Order, cr: CompiledRefData, cp: CompiledPolicy, policy: Policy): LineEvaluation['origin'] {
  const c = policy.origin.certainty;
  const content = (line.chinaContentPct ?? 0) > 0;
  if (line.originCountry) {
    const oc = line.originCountry;
    if (cp.prc.has(oc)) return originOf(cp, 'declared', oc, () => ({ finding: 'declared', basis: `declared ${oc}`, certainty: c.declared }));
    if (content) return { finding: 'content', basis: `declared ${oc} with ${line.chinaContentPct}% PRC content`, certainty: c.content };
    return originOf(cp, 'not_prc', oc, () => ({ finding: 'not_prc', basis: `declared ${oc}`, certainty: 0 }));
  }
  const seller = order.seller.country;
  if (policy.origin.inferFromSellerCountry && cp.prc.has(seller)) {
    return originOf(cp, 'seller', seller, () => ({ finding: 'inferred', basis: `inferred PRC: not declared, and the seller is in ${seller}`, certainty: c.inferred }));
  }
  const from = order.shipFrom;
  if (policy.origin.inferFromShipFrom && cp.prc.has(from)) {
    return originOf(cp, 'shipFrom', from, () => ({ finding: 'inferred', basis: `inferred PRC: not declared, and the goods ship from ${from}`, certainty: c.inferred }));
  }
  if (cr.countries.get(from)?.possiblePrcOrigin) {
    return originOf(cp, 'possible', from, () => ({ finding: 'possible', basis: `possibly PRC: not declared, and the goods ship from ${from}`, certainty: c.possible }));
  }
  if (content) return { finding: 'content', basis: `not declared, with ${line.chinaContentPct}% PRC content`, certainty: c.content };
  return originOf(cp, 'unknown', '', () => ({ finding: 'unknown', basis: 'not declared and cannot be inferred', certainty: 0 }));
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

function militaryEndUse(
  category: string | undefined,
  norm: string,
  cr: CompiledRefData,
  cp: CompiledPolicy,
  policy: Policy,
): { why: string; terms: string[] } | undefined {
  const byCategory = !!category && (policy.militaryEndUse.categories as string[]).includes(category);
  const terms: string[] = [];
  if (norm) {
    for (const h of cr.militaryTerms.find(norm)) {
      if (!isNegated(norm, h.index, h.term.length, policy.militaryEndUse.negationWindow, cp.negations)) terms.push(h.term);
    }
  }
  if (!byCategory && terms.length === 0) return undefined;
  const why = [byCategory ? `end-use category "${category}"` : '', terms.length ? `the statement names ${[...new Set(terms)].map((t) => `"${t}"`).join(', ')}` : '']
    .filter(Boolean)
    .join(' and ');
  return { why, terms: [...new Set(terms)] };
}

/** The parties that are, or may be, a Japanese military user or a control-listed entity in force at D. */
function sensitiveCandidates(parties: PartyEvaluation[]): { p: PartyEvaluation; c: PartyCandidate }[] {
  const out: { p: PartyEvaluation; c: PartyCandidate }[] = [];
  for (const p of parties)
    for (const c of p.candidates)
      if (c.status.state === 'in_force' && (c.entry.list === 'military_user' || c.entry.list === 'control_list')) {
        out.push({ p, c });
        break;
      }
  return out.sort((a, b) => (a.c.band === b.c.band ? b.c.score - a.c.score : a.c.band === 'match' ? -1 : 1));
}

/** Why an entry is a defence-nexus party: its procurement contracts and group ties, in words and as evidence. */
function defenceTies(e: ListedParty): { text: string; evidence: Record<string, unknown> } {
  const parts: string[] = [];
  const contracts = e.contracts ?? [];
  if (contracts.length) parts.push(`MoD/ATLA top contractor in FY${contracts.map((c) => c.fiscalYear).join(', FY')}`);
  const related = e.related ?? [];
  if (related.length) parts.push(related.map((r) => `${r.relation} of ${r.id}${r.ownershipPct !== undefined ? ` (${r.ownershipPct}%)` : ''}`).join(', '));
  return { text: parts.join('; ') || 'defence supplier', evidence: { contracts, related } };
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

function listConsequence(e: ListedParty, citation: (id: string) => string): string {
  const when = `listed ${e.listedOn}, ${citation(e.announcement)}`;
  switch (e.list) {
    case 'control_list':
      return `on ${LIST_LABEL.control_list} (${when}): exports, and third-country transfers of PRC-origin dual-use items, to it are prohibited`;
    case 'watch_list':
      return `on ${LIST_LABEL.watch_list} (${when}): exports of dual-use items to it need an individual licence with a risk-assessment report and a written no-military-use pledge`;
    case 'military_user':
      return `a Japanese military user (${citation(e.announcement)}): all dual-use items to Japanese military users are banned`;
    case 'defence_nexus':
      return `a known supplier or relative of Japan's defence sector, not itself listed (${citation(e.announcement)}): a military end use must be ruled out`;
  }
}

function entryLabel(e: ListedParty): string {
  const others = [e.names.zh, e.names.ja].filter((n): n is string => !!n && n !== e.names.en);
  return `"${e.names.en}"${others.length ? ` (${[...new Set(others)].join(' / ')})` : ''}`;
}

/** Sets o[k] = v unless v is undefined: evidence goes out without undefined members. */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (v !== undefined) o[k] = v;
}

function partyEvidence(c: PartyCandidate, citation: (id: string) => string, lines: string[]): Record<string, unknown> {
  const e = c.entry;
  const ev: Record<string, unknown> = {
    entryId: e.id,
    list: e.list,
    names: e.names,
    aliases: e.aliases,
    matchedName: c.matchedName,
    method: c.method,
    why: c.why,
    announcement: e.announcement,
    citation: citation(e.announcement),
    listedOn: e.listedOn,
  };
  put(ev, 'annexEntry', e.annexEntry);
  ev.status = c.status.state;
  ev.sources = e.sources;
  ev.uncertain = e.uncertain === true;
  put(ev, 'note', e.note);
  ev.lines = lines;
  return ev;
}

function itemEvidence(m: ItemMatch, l: LineEvaluation, citation: (id: string) => string, extra?: Record<string, unknown>): Record<string, unknown> {
  const f = m.family;
  const ev: Record<string, unknown> = { familyId: f.id, familyName: f.name, method: m.method, matched: m.matched };
  put(ev, 'controlCode', m.controlCode);
  put(ev, 'keywordLanguage', m.lang);
  put(ev, 'corroboratedBy', m.corroboratedBy);
  ev.announcement = f.announcement;
  ev.citation = citation(f.announcement);
  ev.effectiveFrom = f.effectiveFrom;
  ev.sources = f.sources;
  ev.uncertain = f.uncertain === true;
  ev.inferredCode = isInferredCode(m);
  ev.origin = l.origin.finding;
  ev.originBasis = l.origin.basis;
  if (extra) for (const k in extra) put(ev, k, extra[k]);
  return ev;
}

function redFlagEvidence(cr: CompiledRefData, code: string, alsoCodes: string[] = []): Record<string, unknown> {
  const flag = cr.redFlags.get(code) ?? alsoCodes.map((c) => cr.redFlags.get(c)).find(Boolean);
  return flag ? { redFlag: flag.code, redFlagTitle: flag.title, sources: flag.sources } : {};
}

function isInferredCode(m: ItemMatch): boolean {
  const inferred = m.family.inferredCodes;
  if (!inferred || inferred.length === 0 || m.method === 'keyword') return false;
  return inferred.includes(m.matched) || (m.controlCode !== undefined && inferred.includes(m.controlCode));
}

const round2 = (x: number) => Math.round(x * 100) / 100;

