import type { Verdict } from '@dualwatch/contracts';

/**
 * The labeller: the verdict exposure-rules.md (policy v2) demands for a generated order case, written
 * from the rules text and the case's own attributes. It never calls the scorer or the matcher: a party's
 * list status comes from what the case was built from (the entry a positive variant was made from).
 */

export const JAPAN_BAN_FROM = '2026-01-06';
/** Ann. 70/2025: the Oct-2025 families are suspended "until 2026-11-10" (至: that day included). */
export const SUSPENDED_THROUGH = '2026-11-10';
/** The reported (uncertain) extension "to 2027-01-10", also inclusive: controlled again from 2027-01-11. */
export const UNCERTAIN_THROUGH = '2027-01-10';

export type Role = 'seller' | 'buyer' | 'consignee' | 'endUser' | 'freightForwarder';
export type ListKind = 'control_list' | 'watch_list' | 'military_user' | 'defence_nexus';

export interface PartyTruth {
  role: Role;
  country: string;
  /** The list entries the party IS (from the entry its name was made from), each with its date in force. */
  statuses: { list: ListKind; from: string; id: string; ambiguous?: boolean }[];
  /** An intermediary named as end user (freight forwarder or trading house): a red flag. */
  intermediary?: boolean;
}

export type ItemKind =
  | 'strong' // control code, 10-digit code or specific 6-digit family of a family in force since before 2026
  | 'weak' // keyword only, or a broad (hs6Weak) code
  | 'capped' // expressly uncontrolled material (light rare earth, NdFeB without Dy/Tb) with only a broad code family
  | 'generic' // generic class words ("rare earth", "assorted magnets"): unidentified AND weak keywords of their families
  | 'unidentified' // "parts", "materials": no code, no specific good
  | 'not_dual_use' // office paper, catering
  | 'oct2025'; // a family of Ann. 57/2025 (holmium...) identified by its control code: suspended, then uncertain

export type OriginKind = 'declared' | 'inferred' | 'possible' | 'content' | 'non_prc' | 'unknown';
export type EndUseKind = 'civil' | 'military' | 'negated' | 'missing' | 'unknown';

export interface OrderCase {
  /** shipDate / orderDate / occurredAt as on the event. */
  shipDate?: string;
  orderDate?: string;
  occurredAt: string;
  shipTo: string;
  parties: PartyTruth[];
  item: ItemKind;
  origin: OriginKind;
  endUse: EndUseKind;
  /** Route and event red flags present: transit via a hub, shipped from stock in a hub, FTZ consignee, consignee change. */
  redFlags: string[];
}

export interface Label {
  verdict: Verdict;
  accept?: Verdict[];
  why: string;
  rules: string[];
  note?: string;
}

const RANK: Record<Verdict, number> = { clear: 0, review: 1, license_required: 2, prohibited: 3 };

/** As-of date D: shipDate, else orderDate, else the calendar date of occurredAt in China Standard Time (UTC+8). */
export function asOfDate(c: Pick<OrderCase, 'shipDate' | 'orderDate' | 'occurredAt'>): string {
  if (c.shipDate) return c.shipDate;
  if (c.orderDate) return c.orderDate;
  return new Date(Date.parse(c.occurredAt) + 8 * 3600_000).toISOString().slice(0, 10);
}

type ItemState = 'controlled' | 'weak' | 'unidentified' | 'none' | 'uncertain';

function itemState(kind: ItemKind, d: string): { state: ItemState; unidentified: boolean } {
  switch (kind) {
    case 'strong':
      return { state: 'controlled', unidentified: false };
    case 'weak':
    case 'capped':
      return { state: 'weak', unidentified: false };
    case 'generic':
      return { state: 'weak', unidentified: true };
    case 'unidentified':
      return { state: 'unidentified', unidentified: true };
    case 'not_dual_use':
      return { state: 'none', unidentified: false };
    case 'oct2025':
      if (d <= SUSPENDED_THROUGH) return { state: 'none', unidentified: false };
      if (d <= UNCERTAIN_THROUGH) return { state: 'uncertain', unidentified: false };
      return { state: 'controlled', unidentified: false };
  }
}

export function labelOrder(c: OrderCase): Label {
  const d = asOfDate(c);
  if (d < JAPAN_BAN_FROM)
    return { verdict: 'clear', why: `D=${d} is before Ann. 1/2026 (2026-01-06): no Japan rule applies`, rules: ['JAPAN_BAN_NOT_IN_FORCE'] };

  const inForce = c.parties.flatMap((p) => p.statuses.filter((s) => s.from <= d).map((s) => ({ ...s, role: p.role })));
  const has = (l: ListKind) => inForce.find((s) => s.list === l);
  const cl = has('control_list');
  const mu = has('military_user');
  const wl = has('watch_list');
  const dn = has('defence_nexus');
  const listedAnyDate = c.parties.some((p) => p.statuses.some((s) => s.list !== 'defence_nexus' && s.from <= d));
  const japanNexus =
    c.shipTo === 'JP' || c.parties.some((p) => ['buyer', 'consignee', 'endUser'].includes(p.role) && p.country === 'JP') || listedAnyDate;
  const military = c.endUse === 'military';
  const { state, unidentified } = itemState(c.item, d);
  const prc = c.origin === 'declared' || c.origin === 'inferred';
  const prcOrPossible = prc || c.origin === 'possible';
  const exposedOrigin = prcOrPossible || c.origin === 'content';

  let verdict: Verdict = 'clear';
  const rules: string[] = [];
  const why: string[] = [`D=${d}`];
  const raise = (v: Verdict, rule: string, text: string) => {
    rules.push(rule);
    why.push(text);
    if (RANK[v] > RANK[verdict]) verdict = v;
  };

  if (state === 'controlled' && prc) {
    if (cl) raise('prohibited', 'PARTY_ON_CONTROL_LIST', `${cl.role} is ${cl.id} (control list from ${cl.from})`);
    if (mu) raise('prohibited', 'PARTY_MILITARY_USER', `${mu.role} is ${mu.id} (military user)`);
    if (japanNexus && military) raise('prohibited', 'MILITARY_END_USE_JAPAN', 'Japan nexus and a military end use');
    if (wl) raise('license_required', 'PARTY_ON_WATCH_LIST', `${wl.role} is ${wl.id} (watch list from ${wl.from})`);
  }
  let accept: Verdict[] | undefined;
  let note: string | undefined;
  let ambiguousNexus = false;
  if (state === 'uncertain' && prc && (cl || mu)) {
    raise(
      'review',
      'SUSPENSION_END_UNCERTAIN',
      `inside the uncertain extension (${SUSPENDED_THROUGH} < D ≤ ${UNCERTAIN_THROUGH}) to a military user / control-listed party: at least review`,
    );
    accept = ['review', 'prohibited'];
    note = 'uncertain suspension window: at least review, whatever date is assumed';
  }
  const exposed = (state === 'controlled' || state === 'weak') && exposedOrigin;
  if (japanNexus && exposed) {
    if (dn) {
      raise('review', 'DEFENCE_NEXUS_PARTY', `${dn.role} is ${dn.id} (defence nexus)`);
      if (dn.ambiguous) ambiguousNexus = true;
    }
    if (c.endUse === 'missing') raise('review', 'END_USE_MISSING', 'end use missing');
    if (c.endUse === 'unknown') raise('review', 'END_USE_UNKNOWN', 'end use unknown');
    for (const f of c.redFlags) raise('review', f, `red flag ${f}`);
    for (const p of c.parties)
      if (p.intermediary && p.role === 'endUser') raise('review', 'RED_FLAG_INTERMEDIARY_END_USER', 'intermediary named as end user');
    if (c.origin === 'possible') raise('review', 'POSSIBLE_PRC_ORIGIN', 'possible PRC origin (ship-from HK/MO)');
    if (c.origin === 'content') raise('review', 'PRC_CONTENT_ONLY', 'PRC content only');
    if (state === 'weak')
      raise(
        'review',
        'WEAK_ITEM_MATCH',
        c.item === 'capped' ? 'uncontrolled material named with only a broad code family: at most review' : 'weak item match',
      );
    if (state === 'weak' || !prc) {
      if (cl || mu || wl)
        raise('review', 'LIST_MATCH_CAPPED', 'list / military-user match on a weak, possible-origin or content-only line');
      if (military) raise('review', 'MILITARY_END_USE_CAPPED', 'military end use on a weak, possible-origin or content-only line');
    }
  }
  if (unidentified && prcOrPossible && (cl || mu))
    raise('review', 'UNIDENTIFIED_TO_MILITARY_OR_CONTROL_LISTED', 'unidentified PRC-origin line to a military user / control-listed party');
  if (ambiguousNexus && (verdict as Verdict) === 'review' && rules.length === 1) {
    // the only finding is a group tie the rules do not settle before the listing: stricter label, clear also accepted
    accept = ['review', 'clear'];
    note =
      'before its listing the entity is a group company of a defence-nexus parent: whether that alone makes it defence-nexus is not settled by the rules; labelled review (stricter), clear accepted';
  }
  if (verdict === 'clear')
    why.push(
      state === 'controlled' && prc && japanNexus
        ? 'PRC-origin controlled line to Japan, nothing else: clear (supply risk, low)'
        : 'nothing the rules name applies',
    );
  return { verdict, ...(accept ? { accept } : {}), why: why.join('; '), rules: rules.length ? rules : ['NONE'], ...(note ? { note } : {}) };
}
