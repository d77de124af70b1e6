import type { ListedParty } from '@dualwatch/refdata';
import type { Citer, CompiledRefData } from '../compiled';
import type { ItemMatch, LineEvaluation, PartyCandidate, PartyEvaluation } from '../evaluate';

/*
 * The evidence objects of the reasons. They are serialised as they are: key order matters, and no
 * member is undefined.
 */

/** Whether the matched code is one the research inferred (not in the announcement). */
export function isInferredCode(m: ItemMatch): boolean {
  const inferred = m.family.inferredCodes;
  if (!inferred || inferred.length === 0 || m.method === 'keyword') return false;
  return inferred.includes(m.matched) || (m.controlCode !== undefined && inferred.includes(m.controlCode));
}

/** Sets o[k] = v unless v is undefined: evidence goes out without undefined members. */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (v !== undefined) o[k] = v;
}

export function partyEvidence(c: PartyCandidate, citation: Citer, lines: string[]): Record<string, unknown> {
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
  ev.sourceKinds = citation.kinds(e.sources);
  ev.uncertain = e.uncertain === true;
  put(ev, 'note', e.note);
  ev.lines = lines;
  return ev;
}

export function itemEvidence(m: ItemMatch, l: LineEvaluation, citation: Citer, extra?: Record<string, unknown>): Record<string, unknown> {
  const f = m.family;
  const ev: Record<string, unknown> = { familyId: f.id, familyName: f.name, method: m.method, matched: m.matched };
  put(ev, 'controlCode', m.controlCode);
  put(ev, 'keywordLanguage', m.lang);
  put(ev, 'corroboratedBy', m.corroboratedBy);
  ev.announcement = f.announcement;
  ev.citation = citation(f.announcement);
  ev.effectiveFrom = f.effectiveFrom;
  ev.sources = f.sources;
  ev.sourceKinds = citation.kinds(f.sources);
  ev.uncertain = f.uncertain === true;
  ev.inferredCode = isInferredCode(m);
  ev.origin = l.origin.finding;
  ev.originBasis = l.origin.basis;
  if (extra) for (const k in extra) put(ev, k, extra[k]);
  return ev;
}

export function redFlagEvidence(cr: CompiledRefData, code: string, alsoCodes: string[] = []): Record<string, unknown> {
  const flag = cr.redFlags.get(code) ?? alsoCodes.map((c) => cr.redFlags.get(c)).find(Boolean);
  return flag ? { redFlag: flag.code, redFlagTitle: flag.title, sources: flag.sources, sourceKinds: cr.citer.kinds(flag.sources) } : {};
}

/** The contracts and group ties that make an entry a defence-nexus party. */
export function defenceTiesEvidence(e: ListedParty): Record<string, unknown> {
  return { contracts: e.contracts ?? [], related: e.related ?? [] };
}

export function sensitiveEvidence(sensitive: { p: PartyEvaluation; c: PartyCandidate }[]): Record<string, unknown>[] {
  return sensitive.map(({ p, c }) => ({ role: p.role, entryId: c.entry.id, list: c.entry.list, band: c.band, score: c.score }));
}
