import type { Assessment } from '@dualwatch/contracts';
import type { Evaluation, Finding, ItemMatch, LineEvaluation, PartyEvaluation } from '@dualwatch/scoring';

/** Text for people: the `--format table` summary and the `explain` report. */

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padL = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export const TABLE_HEADER = `${pad('ORDER', 18)} ${pad('VERDICT', 16)} ${pad('SEVERITY', 8)} ${padL('SCORE', 5)}  TOP REASONS`;

/** One block per order: the verdict line, then up to three reasons, worst first. */
export function tableRows(a: Assessment, width = 160): string[] {
  const head = `${pad(clip(a.orderId, 18), 18)} ${pad(a.verdict, 16)} ${pad(a.severity, 8)} ${padL(String(a.score), 5)}  `;
  const indent = ' '.repeat(head.length);
  const top = a.reasons.slice(0, 3);
  if (top.length === 0) return [`${head}-`];
  return top.map((r, i) => {
    const where = [r.partyRole, r.lineId ? `line ${r.lineId}` : undefined].filter(Boolean).join(', ');
    const text = `${i + 1}. ${r.code}${where ? ` (${where})` : ''}: ${r.message}`;
    return `${i === 0 ? head : indent}${clip(text, Math.max(40, width - head.length))}`;
  });
}

export function tableSummary(counts: Record<string, number>, invalid: number): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const mix = ['prohibited', 'license_required', 'review', 'clear'].map((v) => `${counts[v] ?? 0} ${v}`).join(', ');
  return `${total} order event(s) scored: ${mix}${invalid ? `; ${invalid} invalid line(s), see stderr` : ''}`;
}

const ASOF_WHY = {
  argument: 'given with --as-of',
  shipDate: "the order's ship date",
  orderDate: "the order's date (no ship date)",
  occurredAt: 'the UTC date of the event (no ship or order date)',
} as const;

function itemText(m: ItemMatch): string {
  const st =
    m.status.state === 'in_force'
      ? 'in force'
      : m.status.state === 'suspended'
        ? `suspended until ${m.status.suspension?.until}`
        : m.status.state.replace('_', ' ');
  return `"${m.familyName}" (${m.familyId}) by ${m.method} ${m.matched}${m.controlCode && m.method !== 'controlCode' ? ` [${m.controlCode}]` : ''}, strength ${m.strength.toFixed(2)}${m.weak ? ' (weak)' : ''}, ${st}${m.status.assumption ? `; ${m.status.assumption}` : ''}`;
}

function lineBlock(l: LineEvaluation): string[] {
  const ln = l.line;
  const out = [
    `  line ${l.lineId}: ${ln.description}${ln.hsCode ? `  HS ${ln.hsCode}` : '  (no HS code)'}${ln.controlCode ? `  control code ${ln.controlCode}` : ''}  ${ln.quantity}${ln.unit ? ` ${ln.unit}` : ''}${ln.unitPrice !== undefined ? ` × ${ln.unitPrice} ${ln.currency ?? ''}` : ''}`,
  ];
  const item = l.item;
  if (item.match) out.push(`    item: controlled: ${itemText(item.match)}`);
  else if (item.inactive) out.push(`    item: not controlled at the as-of date: ${itemText(item.inactive)}`);
  else out.push('    item: matches no controlled family');
  for (const c of item.candidates) {
    if (c === item.match || c === item.inactive) continue;
    out.push(`      also: ${itemText(c)}`);
  }
  out.push(`    origin: ${l.origin.finding} (${l.origin.basis}), certainty ${l.origin.certainty.toFixed(2)}`);
  out.push(
    `    exposed: ${l.exposed ? `yes${l.capBy.length ? `, at most ${l.cap} (${l.capBy.join(', ')})` : ''}, strength ${l.strength.toFixed(2)}` : 'no'}`,
  );
  return out;
}

function partyBlock(p: PartyEvaluation): string[] {
  const head = `  ${pad(p.role, 16)} ${p.party.name} (${p.party.country}${p.party.role ? `, ${p.party.role}` : ''}${p.party.identifiers?.jpCorporateNumber ? `, corporate number ${p.party.identifiers.jpCorporateNumber}` : ''})`;
  if (p.candidates.length === 0) return [head, '      no list candidates'];
  return [
    head,
    ...p.candidates.map(
      (c) =>
        `      ${c.band === 'match' ? 'MATCH   ' : 'possible'} ${c.score.toFixed(2)} ${c.method}: ${c.entry.names.en} [${c.entry.list}, ${c.entry.id}, ${c.entry.announcement}, listed ${c.entry.listedOn}, ${c.status.state.replace('_', ' ')}] ${c.why}`,
    ),
  ];
}

function findingBlock(f: Finding, i: number): string[] {
  const r = f.reason;
  const where = [
    r.partyRole,
    r.lineId ? `line ${r.lineId}` : undefined,
    r.matchScore !== undefined ? `match ${r.matchScore.toFixed(2)}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const out = [
    `  ${i + 1}. [${f.verdict}${f.cappedBy ? `, rule says ${f.ruleVerdict}` : ''}] ${r.code}${where ? ` (${where})` : ''}  weight ${f.weight.toFixed(1)}${f.militarySignal ? ', military signal' : ''}`,
    `     ${r.message}`,
  ];
  const ev = r.evidence as Record<string, unknown> | undefined;
  if (ev) {
    const sources = Array.isArray(ev.sources) ? (ev.sources as string[]) : [];
    const rest = Object.entries(ev).filter(
      ([k, v]) => k !== 'sources' && v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0),
    );
    if (rest.length) out.push(`     evidence: ${rest.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('; ')}`);
    for (const s of sources) out.push(`     source: ${s}`);
  }
  if (r.legalBasis) out.push(`     legal basis: ${r.legalBasis}`);
  return out;
}

/** The full reasoning behind one assessment, for a compliance officer. */
export function explainText(e: Evaluation, a: Assessment): string {
  const ban = e.japanBan;
  const out: string[] = [
    `Order ${e.orderId} (event ${e.eventId}, ${e.eventType})`,
    `Verdict: ${e.verdict}   severity: ${e.severity}   score: ${e.score}   assessment: ${a.assessmentId}`,
    `As-of date: ${e.asOf} (${ASOF_WHY[e.asOfSource]})`,
    `Japan ban: ${ban.announcement.citation} (${ban.announcement.id}), effective ${ban.announcement.effectiveFrom}: ${ban.inForce ? 'in force' : `not in force (${ban.status.state.replace('_', ' ')})`} at the as-of date`,
    `Japan nexus: ${e.japanNexus.present ? e.japanNexus.grounds.join('; ') : 'none'}`,
    '',
    'Lines',
    ...e.lines.flatMap(lineBlock),
    '',
    'Parties screened',
    ...e.parties.flatMap(partyBlock),
    '',
    `Reasons, worst first (${e.findings.length}; strong military signals: ${e.militarySignals}; signal weight ${e.signalWeight.toFixed(1)})`,
    ...(e.findings.length ? e.findings.flatMap(findingBlock) : ['  none']),
    '',
    `Exposed value: ${e.exposedValue ? `${e.exposedValue.amount}${e.exposedValue.currency ? ` ${e.exposedValue.currency}` : ''}` : 'none'}${Object.keys(e.exposedByCurrency).length > 1 ? ` (by currency: ${JSON.stringify(e.exposedByCurrency)})` : ''}`,
    `Versions: policy ${e.policyVersion}; reference data ${e.refdataVersion}; degraded: ${e.degraded ? 'yes' : 'no'}`,
  ];
  return out.join('\n') + '\n';
}
