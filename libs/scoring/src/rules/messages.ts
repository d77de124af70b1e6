import type { Order, OrderEvent, PartyRole, Verdict } from '@dualwatch/contracts';
import type { Announcement, Lang, ListedParty, PartyListKind } from '@dualwatch/refdata';
import { describeStatus, type InForceStatus } from '../dates';
import type { ItemMatch, LineEvaluation, PartyCandidate, PartyEvaluation } from '../evaluate';
import type { ItemMatchMethod, RuleCode } from '../policy';
import { isInferredCode } from './evidence';

/*
 * The wording of every reason, keyed by rule code (and `CODE:variant` where one code has several
 * sentences, or one sentence serves several codes). A message is a function of the hit's parameters
 * only; the rule units never build text. Tests assert codes and evidence, not these sentences.
 */

const ROLE_LABEL: Record<PartyRole, string> = {
  seller: 'Seller',
  buyer: 'Buyer',
  consignee: 'Consignee',
  endUser: 'End user',
  freightForwarder: 'Freight forwarder',
};

export const ROLE_WORD: Record<PartyRole, string> = {
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
/** "line 1 (…), line 2 (…)", joined as it goes. */
function lineLabels(lines: LineEvaluation[]): string {
  if (lines.length === 0) return '';
  let out = lineLabel(lines[0]);
  for (let i = 1; i < lines.length; i++) out += `, ${lineLabel(lines[i])}`;
  return out;
}
const exposedText = (exposed: LineEvaluation[]) =>
  exposed.length === 1 ? lineLabel(exposed[0]) : `${exposed.length} lines (${exposed.map((l) => l.lineId).join(', ')})`;
const who = (p: PartyEvaluation) => `${ROLE_LABEL[p.role]} "${p.party.name}" (${p.party.country})`;

function entryLabel(e: ListedParty): string {
  const others = [e.names.zh, e.names.ja].filter((n): n is string => !!n && n !== e.names.en);
  return `"${e.names.en}"${others.length ? ` (${[...new Set(others)].join(' / ')})` : ''}`;
}

function listConsequence(e: ListedParty, citation: string): string {
  const when = `listed ${e.listedOn}, ${citation}`;
  switch (e.list) {
    case 'control_list':
      return `on ${LIST_LABEL.control_list} (${when}): exports, and third-country transfers of PRC-origin dual-use items, to it are prohibited`;
    case 'watch_list':
      return `on ${LIST_LABEL.watch_list} (${when}): exports of dual-use items to it need an individual licence with a risk-assessment report and a written no-military-use pledge`;
    case 'military_user':
      return `a Japanese military user (${citation}): all dual-use items to Japanese military users are banned`;
    case 'defence_nexus':
      return `a known supplier or relative of Japan's defence sector, not itself listed (${citation}): a military end use must be ruled out`;
  }
}

/** Why an entry is a defence-nexus party: its procurement contracts and group ties. */
function defenceTiesText(e: ListedParty): string {
  const parts: string[] = [];
  const contracts = e.contracts ?? [];
  if (contracts.length) parts.push(`MoD/ATLA top contractor in FY${contracts.map((c) => c.fiscalYear).join(', FY')}`);
  const related = e.related ?? [];
  if (related.length)
    parts.push(related.map((r) => `${r.relation} of ${r.id}${r.ownershipPct !== undefined ? ` (${r.ownershipPct}%)` : ''}`).join(', '));
  return parts.join('; ') || 'defence supplier';
}

const whoSensitive = (sensitive: { p: PartyEvaluation; c: PartyCandidate }[]) =>
  sensitive
    .map(
      ({ p, c }) =>
        `${ROLE_WORD[p.role]} "${p.party.name}" ${c.band === 'match' ? 'is' : 'may be'} ${entryLabel(c.entry)} (${c.entry.list === 'military_user' ? 'a Japanese military user' : 'control list'})`,
    )
    .join('; ');

/** The caps of the exposed lines, said as why an order-level finding is held. */
export function cappedByText(capBy: LineEvaluation['capBy']): string {
  return `the only exposed lines are limited (${[...new Set(capBy)].map((c) => CAP_LABEL[c]).join('; ')})`;
}

/** The sentence a capped finding ends with. */
export function heldAt(message: string, verdict: Verdict, cappedBy: string): string {
  return `${message} Held at ${verdict}: ${cappedBy}.`;
}

/*
 * Phrases that depend only on objects the evaluation shares and never mutates (an item match, an origin
 * finding, an announcement) are worded once per object and reused: the same words with fewer joins per reason.
 */

/** A phrase per object, made by `make` the first time (`make` is a plain function of the object). */
function once<K extends object>(cache: WeakMap<K, string>, key: K, make: (key: K) => string): string {
  let p = cache.get(key);
  if (p === undefined) cache.set(key, (p = make(key)));
  return p;
}

/** A phrase per item match and a second value that comes with it (its citation, its uncontrolled material). */
function onceWith<K extends object, V>(cache: WeakMap<K, { v: V; p: string }>, key: K, v: V, make: (key: K, v: V) => string): string {
  const known = cache.get(key);
  if (known !== undefined && known.v === v) return known.p;
  const p = make(key, v);
  cache.set(key, { v, p });
  return p;
}

const controlledItemPhrase = (m: ItemMatch, citation: string) =>
  ` matches the controlled item family "${m.family.name}" by ${METHOD_LABEL[m.method]} ${m.matched}` +
  `${m.controlCode && m.method !== 'controlCode' ? ` (listed under ${m.controlCode})` : ''}${isInferredCode(m) ? ' (HS code not in the announcement; inferred by the research from the tariff and the annex structure)' : ''}${m.corroboratedBy ? ` (a heading broader than the control, corroborated by the description's "${m.corroboratedBy}")` : ''}, in force since ${m.family.effectiveFrom} (${citation}); ` +
  `origin: `;
const CONTROLLED_ITEM_PHRASE = new WeakMap<ItemMatch, { v: string; p: string }>();

const inferredPhrase = (o: LineEvaluation['origin']) =>
  ` declares no country of origin; PRC origin is inferred because ${o.basis.replace(/^inferred PRC: /, '')}. A certificate of origin or the supplier's origin declaration would settle it.`;
const INFERRED_PHRASE = new WeakMap<LineEvaluation['origin'], string>();

const uncontrolledPhrase = (m: ItemMatch, u: NonNullable<LineEvaluation['uncontrolled']>) =>
  ` expressly names "${u.word}", which is not a controlled "${m.family.name}" item (${u.note}), and its only item evidence is the ${METHOD_LABEL[m.method]} ${m.matched}. ` +
  `The description counts as evidence, so the line is no more than a weak match; a 10-digit HS code or the supplier's material declaration (composition, Dy/Tb content) would settle it.`;
const UNCONTROLLED_PHRASE = new WeakMap<ItemMatch, { v: NonNullable<LineEvaluation['uncontrolled']>; p: string }>();

const weakPhrase = (m: ItemMatch) =>
  ` matches "${m.family.name}" only by ${m.method === 'keyword' ? `the ${m.lang ? `${LANG_LABEL[m.lang]} ` : ''}keyword "${m.matched}"` : `the ${METHOD_LABEL[m.method]} ${m.matched}, which mostly covers uncontrolled goods`}. `;
const WEAK_PHRASE = new WeakMap<ItemMatch, string>();

const broadCodePhrase = (m: ItemMatch) =>
  ` has only the ${METHOD_LABEL[m.method]} ${m.matched}, a heading broader than the "${m.family.name}" control, but its description names the controlled material ("${m.corroboratedBy}"): it is treated as controlled. ` +
  `The 10-digit HS code or the Chinese control code would settle it.`;
const BROAD_CODE_PHRASE = new WeakMap<ItemMatch, string>();

const reexportPhrase = (ban: Announcement) =>
  `${ban.citation} cl. 2 holds anyone in any country liable for transferring PRC-origin dual-use items to Japanese parties, so this re-export is judged as a direct export from China would be.`;
const REEXPORT_PHRASE = new WeakMap<Announcement, string>();

const originMissingPhrase = (m: ItemMatch) =>
  ` matches the controlled family "${m.family.name}" but has no country of origin, and none can be inferred (seller in `;
const ORIGIN_MISSING_PHRASE = new WeakMap<ItemMatch, string>();

const supplyRiskPhrase = (ban: Announcement) =>
  `): licences for Japan are reported halted even for civil use since ${ban.citation}, so supply may stop whatever the end use.`;
const SUPPLY_RISK_PHRASE = new WeakMap<Announcement, string>();

/** A party (list) finding: who matched what. */
interface PartyParams {
  p: PartyEvaluation;
  c: PartyCandidate;
  citation: string;
  exposed: LineEvaluation[];
}

const listedParty = ({ p, c, citation, exposed }: PartyParams) =>
  `${who(p)} ${c.method === 'corporate_number' ? 'has the corporate number of' : 'matches'} ${entryLabel(c.entry)}, ${listConsequence(c.entry, citation)} (${c.why}; score ${fmt2(c.score)}). Exposed: ${exposedText(exposed)}.`;

export const MESSAGES = {
  ORDER_CANCELLED: (a: { orderId: string }) => `Order ${a.orderId} is cancelled by this event: nothing will ship, so no exposure remains.`,

  JAPAN_BAN_NOT_IN_FORCE: (a: { D: string; ban: Announcement; banStatus: InForceStatus; lines: LineEvaluation[] }) =>
    `As of ${a.D}, ${a.ban.citation} (the ban on dual-use exports for Japanese military use) is ${describeStatus(a.banStatus, a.ban)}; ` +
    `no Japan-specific rule applies to ${lineLabels(a.lines)}.`,

  // ---- lines ----
  CONTROLLED_ITEM: (a: { l: LineEvaluation; m: ItemMatch; citation: string }) =>
    `${lineTitle(a.l)}${onceWith(CONTROLLED_ITEM_PHRASE, a.m, a.citation, controlledItemPhrase)}${a.l.origin.basis}.`,

  ORIGIN_INFERRED: (a: { l: LineEvaluation }) => `${lineTitle(a.l)}${once(INFERRED_PHRASE, a.l.origin, inferredPhrase)}`,

  POSSIBLE_PRC_ORIGIN: (a: { l: LineEvaluation; m: ItemMatch; shipFrom: string }) =>
    `${lineTitle(a.l)} ships from ${a.shipFrom} with no declared origin: the goods may be of PRC origin (a controlled "${a.m.family.name}" item). A certificate of origin would settle it.`,

  PRC_CONTENT_ONLY: (a: { l: LineEvaluation; m: ItemMatch; ban: Announcement }) =>
    `${lineTitle(a.l)} is of ${a.l.line.originCountry ?? 'undeclared'} origin with ${a.l.line.chinaContentPct}% PRC content in a controlled "${a.m.family.name}" item. ` +
    `Whether ${a.ban.citation} reaches PRC content in foreign-made goods is unsettled, so this is never more than review. A bill of materials with the origin of the controlled content would settle it.`,

  UNCONTROLLED_MATERIAL_NAMED: (a: { l: LineEvaluation; m: ItemMatch; uncontrolled: NonNullable<LineEvaluation['uncontrolled']> }) =>
    `${lineTitle(a.l)}${onceWith(UNCONTROLLED_PHRASE, a.m, a.uncontrolled, uncontrolledPhrase)}`,

  WEAK_ITEM_MATCH: (a: { l: LineEvaluation; m: ItemMatch }) =>
    `${lineTitle(a.l)}${once(WEAK_PHRASE, a.m, weakPhrase)}` +
    `${a.l.line.hsCode ? `Its HS code ${a.l.line.hsCode} is not one of the family's reference codes; ` : 'It has no HS code; '}a Chinese control code or a 10-digit HS code would settle whether it is controlled.`,

  BROAD_CODE_CORROBORATED: (a: { l: LineEvaluation; m: ItemMatch }) => `${lineTitle(a.l)}${once(BROAD_CODE_PHRASE, a.m, broadCodePhrase)}`,

  REEXPORT_OF_PRC_ORIGIN: (a: { l: LineEvaluation; seller: Order['seller']; ban: Announcement }) =>
    `${lineTitle(a.l)} is a PRC-origin controlled item sold by "${a.seller.name}" in ${a.seller.country}: ${once(REEXPORT_PHRASE, a.ban, reexportPhrase)}`,

  ORIGIN_MISSING: (a: { l: LineEvaluation; m: ItemMatch; order: Order }) =>
    `${lineTitle(a.l)}${once(ORIGIN_MISSING_PHRASE, a.m, originMissingPhrase)}${a.order.seller.country}, ships from ${a.order.shipFrom}). A certificate of origin or the supplier's origin declaration would settle whether PRC-origin rules apply.`,

  ITEM_FAMILY_SUSPENDED: (a: { l: LineEvaluation; inactive: ItemMatch; D: string; citation: string }) => {
    const s = a.inactive.status.suspension!;
    return (
      `${lineTitle(a.l)} matches "${a.inactive.family.name}" by ${METHOD_LABEL[a.inactive.method]} ${a.inactive.matched}, but that family is suspended from ${s.from} until ${s.until} by ${a.citation}: ` +
      `not controlled at ${a.D}; the controls apply again by themselves from ${s.until} unless the suspension is extended.`
    );
  },

  SUSPENSION_END_UNCERTAIN: (a: { l: LineEvaluation; cand: ItemMatch }) =>
    `"${a.cand.family.name}" (${lineLabel(a.l)}): ${a.cand.status.assumption}.`,

  HS_CODE_MISSING: (a: { l: LineEvaluation }) =>
    `${lineTitle(a.l)} has neither an HS code nor a Chinese control code, so only its description could be checked against the controlled families. The 10-digit HS code (or the control code) would settle whether it is a controlled dual-use item.`,

  // ---- v2: sensitive parties ----
  UNIDENTIFIED_LINE: (a: { lines: LineEvaluation[]; sensitive: { p: PartyEvaluation; c: PartyCandidate }[] }) =>
    `${a.lines.map(lineTitle).join(', ')} names no specific good and has neither HS code nor control code, is of PRC origin (${a.lines[0].origin.basis}), and goes to a party that is or may be a sensitive end user: ${whoSensitive(a.sensitive)}. ` +
    `It may be a dual-use item. The 10-digit HS code or control code and a precise description of the goods would settle it.`,

  SUSPENSION_UNCERTAIN_SENSITIVE_PARTY: (a: {
    l: LineEvaluation;
    cand: ItemMatch;
    citation: string;
    sensitive: { p: PartyEvaluation; c: PartyCandidate }[];
  }) =>
    `${lineTitle(a.l)} is a "${a.cand.family.name}" item, whose suspension (${a.citation}) is inside a window with an uncertain end date (${a.cand.status.assumption}), and it goes to ${whoSensitive(a.sensitive)}. ` +
    `Whatever date is assumed, such a line is at least for review. A formal notice fixing the end of the suspension would settle it.`,

  // ---- parties ----
  PARTY_LISTING_NOT_IN_FORCE: (a: { p: PartyEvaluation; c: PartyCandidate; citation: string; D: string }) =>
    `${who(a.p)} ${a.c.band === 'match' ? 'matches' : 'resembles'} ${entryLabel(a.c.entry)} on ${LIST_LABEL[a.c.entry.list]} (${a.citation}), but that entry is ${describeStatus(a.c.status, a.c.entry)} at ${a.D}, so the listing does not count yet.`,

  /** v2: a known MoD contractor or defence-group member before its own listing (DEFENCE_NEXUS_PARTY, or POSSIBLE_LIST_MATCH when it only resembles). */
  'DEFENCE_NEXUS_PARTY:beforeListing': (a: { p: PartyEvaluation; c: PartyCandidate; exposed: LineEvaluation[] }) =>
    `${who(a.p)} ${a.c.band === 'match' ? 'matches' : 'resembles'} ${entryLabel(a.c.entry)}, a known supplier of Japan's defence sector (${defenceTiesText(a.c.entry)}) before its own listing on ${a.c.entry.effectiveFrom}: ` +
    `a military end use must be ruled out (${a.c.why}; score ${fmt2(a.c.score)}). The end user's signed end-use statement would settle it. Exposed: ${exposedText(a.exposed)}.`,

  POSSIBLE_LIST_MATCH: (a: PartyParams & { threshold: number }) =>
    `${who(a.p)} resembles ${entryLabel(a.c.entry)} on ${LIST_LABEL[a.c.entry.list]} (${a.citation}; score ${fmt2(a.c.score)}, ${a.c.why}), below the certain-match threshold of ${fmt2(a.threshold)}. ` +
    `The party's Japanese corporate number, address or registered name would settle whether it is the listed entity. Exposed: ${exposedText(a.exposed)}.`,

  PARTY_ON_CONTROL_LIST: listedParty,
  PARTY_MILITARY_USER: listedParty,
  PARTY_ON_WATCH_LIST: listedParty,
  DEFENCE_NEXUS_PARTY: listedParty,

  // ---- end use ----
  MILITARY_END_USE_JAPAN: (a: { grounds: string[]; category?: string; terms: string[]; ban: Announcement; exposed: LineEvaluation[] }) => {
    const why = [
      a.category !== undefined ? `end-use category "${a.category}"` : '',
      a.terms.length ? `the statement names ${a.terms.map((t) => `"${t}"`).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    return (
      `The order has a Japan nexus (${a.grounds.join('; ')}) and a military end use (${why}). ` +
      `${a.ban.citation} bans all dual-use items for Japanese military uses. Exposed: ${exposedText(a.exposed)}.`
    );
  },

  END_USE_MISSING: (a: { exposed: LineEvaluation[] }) =>
    `No end use is stated for an order with PRC-origin controlled items going to Japan (${exposedText(a.exposed)}). The end user's signed end-use statement (what the goods are for, and that they are not for military use) would settle it.`,

  END_USE_UNKNOWN: (a: { withheldWord?: string; exposed: LineEvaluation[] }) =>
    `${a.withheldWord === undefined ? 'The end use is declared "unknown"' : `The end-use statement withholds the end use ("${a.withheldWord}")`} for an order with PRC-origin controlled items going to Japan (${exposedText(a.exposed)}). ` +
    `The end user's signed end-use statement would settle it.`,

  // ---- red flags ----
  RED_FLAG_INTERMEDIARY_END_USER: (a: {
    endUserNamed: boolean;
    name: string;
    why: { role: string } | { forwarder: true } | { word: string };
    exposed: LineEvaluation[];
  }) => {
    const why =
      'role' in a.why
        ? `its role is ${a.why.role.replace('_', ' ')}`
        : 'forwarder' in a.why
          ? 'it is also the freight forwarder'
          : `its name contains "${a.why.word}"`;
    return (
      `${a.endUserNamed ? 'The end user' : 'No end user is named, and the buyer'} "${a.name}" looks like a freight forwarder or trading house (${why}), not the real end user of ${exposedText(a.exposed)}. ` +
      `The name and end-use statement of the ultimate end user would settle it.`
    );
  },

  RED_FLAG_TRANSSHIPMENT_HUB: (a: { hubs: { code: string; name?: string; uncertain?: boolean }[]; exposed: LineEvaluation[] }) =>
    `The goods transit ${a.hubs.map((h) => `${h.name ?? h.code} (${h.code}${h.uncertain ? ', an inferred hub' : ''})`).join(', ')}, ` +
    `a transshipment hub for PRC-origin controlled goods (${exposedText(a.exposed)}). The transport documents and the reason for the route would settle it.`,

  SHIPPED_FROM_HUB_STOCK: (a: { lines: LineEvaluation[]; hubName: string; shipFrom: string; uncertain?: boolean }) =>
    `PRC-origin controlled goods (${lineLabels(a.lines)}) ship from stock in ${a.hubName} (${a.shipFrom}${a.uncertain ? ', an inferred hub' : ''}), ` +
    `a transshipment hub: routing through a hub is a red flag whether the goods transit there or are shipped from stock there. The supplier's purchase records and the reason for the route would settle it.`,

  RED_FLAG_FREE_TRADE_ZONE: (a: { consignee?: string; word?: string; exposed: LineEvaluation[] }) =>
    `The consignee${a.consignee !== undefined ? ` "${a.consignee}"` : ''} is in a free-trade zone${a.word === undefined ? '' : ` (its name or address says "${a.word}")`}, a known diversion point (${exposedText(a.exposed)}). ` +
    `The name of the party that takes the goods out of the zone would settle it.`,

  RED_FLAG_CONSIGNEE_CHANGE: (a: {
    consignee: NonNullable<Order['consignee']>;
    buyer: Order['buyer'];
    eventType: OrderEvent['eventType'];
  }) =>
    `This update names a consignee, "${a.consignee.name}" (${a.consignee.country}), other than the buyer "${a.buyer.name}". ` +
    `It may be a last-minute consignee change; the consignee on the order's previous event (the order history) would confirm or dismiss it.`,

  // ---- supply, value ----
  SUPPLY_RISK_JAPAN: (a: { lines: LineEvaluation[]; ban: Announcement }) =>
    `PRC-origin controlled items go to Japan (${lineLabels(a.lines)}${once(SUPPLY_RISK_PHRASE, a.ban, supplyRiskPhrase)}`,

  EXPOSED_VALUE_MIXED_CURRENCIES: (a: { currencies: string[]; rounded: Record<string, number> }) =>
    `Exposed lines are priced in ${a.currencies.join(', ')}; the exposed value shows ${a.currencies[0]} only (${a.currencies.map((c) => `${c} ${a.rounded[c]}`).join(', ')}).`,
} satisfies Record<RuleCode | `${RuleCode}:${string}`, (a: never) => string>;

export type SayKey = keyof typeof MESSAGES;
export type SayParams<K extends SayKey> = Parameters<(typeof MESSAGES)[K]>[0];
/** A wording key and its parameters, as a rule hit carries them. */
export type Said = { [K in SayKey]: { say: K; params: SayParams<K> } }[SayKey];

/** The sentence of a hit. */
export function say(s: Said): string {
  return (MESSAGES[s.say] as (a: unknown) => string)(s.params);
}
