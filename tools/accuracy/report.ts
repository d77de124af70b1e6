import * as fs from 'node:fs';
import { Verdicts } from '@dualwatch/contracts';
import { VARIANT_KINDS } from './corpus';
import { ratio, TARGETS, type Measurement, type Rate } from './measure';

/** docs/accuracy.md (between markers, so reruns replace the figures) and the console report. */

export const START = '<!-- accuracy:start -->';
export const END = '<!-- accuracy:end -->';
export const DOC_FAILURE_LIMIT = 40;

const pct = (r: Rate, digits = 2) => `${(ratio(r) * 100).toFixed(digits)} %`;
const frac = (r: Rate) => `${r.hit}/${r.total}`;
const mark = (ok: boolean) => (ok ? 'met' : '**NOT MET**');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function verdictOf(m: Measurement): { certainOk: boolean; anyOk: boolean; fcOk: boolean; agreeOk: boolean; noFalseClear: boolean } {
  return {
    certainOk: ratio(m.positives.certainByDesign) >= TARGETS.certainRecall,
    anyOk: ratio(m.positives.any) >= TARGETS.anyRecall,
    fcOk: ratio(m.negatives.falseCertain) <= TARGETS.falseCertainRate,
    agreeOk: ratio(m.orders.agreement) >= TARGETS.orderAgreement,
    noFalseClear: m.orders.falseClears.length === 0,
  };
}

export function formatReport(m: Measurement, limit = DOC_FAILURE_LIMIT): string {
  const v = verdictOf(m);
  const out: string[] = [];
  out.push(`Run ${m.runDate} · policy \`${m.policyVersion}\` · reference data \`${m.refdataVersion}\``);
  out.push('');
  out.push('| measure | value | target | |');
  out.push('|---|---|---|---|');
  out.push(
    `| positives: certain-match recall, variants that must be certain | ${pct(m.positives.certainByDesign)} (${frac(m.positives.certainByDesign)}) | ≥ ${TARGETS.certainRecall * 100} % | ${mark(v.certainOk)} |`,
  );
  out.push(
    `| positives: certain-match recall, all variants | ${pct(m.positives.certain)} (${frac(m.positives.certain)}) | (information) | |`,
  );
  out.push(
    `| positives: generic government names abroad (possible by design), any candidate | ${pct(m.positives.genericAbroad.any)} (${frac(m.positives.genericAbroad.any)}) | (information) | |`,
  );
  out.push(
    `| positives: any-candidate recall | ${pct(m.positives.any)} (${frac(m.positives.any)}) | ≥ ${TARGETS.anyRecall * 100} % | ${mark(v.anyOk)} |`,
  );
  out.push(
    `| positives: expected entry is the top candidate, certain | ${pct(m.positives.top1)} (${frac(m.positives.top1)}) | (information) | |`,
  );
  out.push(
    `| negatives: false certain matches | ${pct(m.negatives.falseCertain)} (${frac(m.negatives.falseCertain)}) | ≤ ${TARGETS.falseCertainRate * 100} % | ${mark(v.fcOk)} |`,
  );
  out.push(`| negatives: false possible matches | ${pct(m.negatives.falsePossible)} (${frac(m.negatives.falsePossible)}) | (reported) | |`);
  out.push(
    `| orders: verdict agreement | ${pct(m.orders.agreement)} (${frac(m.orders.agreement)}) | ≥ ${TARGETS.orderAgreement * 100} % | ${mark(v.agreeOk)} |`,
  );
  out.push(`| orders: false clears | ${m.orders.falseClears.length} | 0 | ${mark(v.noFalseClear)} |`);
  out.push(
    `| cold screening, fresh matcher (${m.timing.names} names; build ${m.timing.buildMs.toFixed(0)} ms) | median ${m.timing.medianUs.toFixed(0)} µs, p99 ${m.timing.p99Us.toFixed(0)} µs per name | (not asserted) | |`,
  );
  out.push('');
  out.push('### Positives by variant kind');
  out.push('');
  out.push('| kind | variants | certain | any candidate |');
  out.push('|---|---|---|---|');
  for (const k of VARIANT_KINDS) {
    const r = m.positives.byKind[k];
    if (r) out.push(`| ${k} | ${r.certain.total} | ${pct(r.certain, 1)} | ${pct(r.any, 1)} |`);
  }
  out.push(
    `| (base name in unverifiedNames) | ${m.positives.unverified.certain.total} | ${pct(m.positives.unverified.certain, 1)} | ${pct(m.positives.unverified.any, 1)} |`,
  );
  out.push('');
  out.push('### Positives by list');
  out.push('');
  out.push('| list | variants | certain | any candidate |');
  out.push('|---|---|---|---|');
  for (const [k, r] of Object.entries(m.positives.byList))
    out.push(`| ${k} | ${r.certain.total} | ${pct(r.certain, 1)} | ${pct(r.any, 1)} |`);
  out.push('');
  out.push('### Negatives by script');
  out.push('');
  out.push('| script | names | false certain | false possible |');
  out.push('|---|---|---|---|');
  for (const [k, r] of Object.entries(m.negatives.byScript))
    out.push(`| ${k} | ${r.falseCertain.total} | ${pct(r.falseCertain, 1)} | ${pct(r.falsePossible, 1)} |`);
  out.push('');
  out.push('### Orders: confusion matrix (rows: label, columns: scorer)');
  out.push('');
  out.push(`| label \\ got | ${[...Verdicts, 'error'].join(' | ')} |`);
  out.push(`|---|${[...Verdicts, 'error'].map(() => '---').join('|')}|`);
  for (const l of Verdicts) out.push(`| ${l} | ${[...Verdicts, 'error'].map((g) => m.orders.confusion[l][g]).join(' | ')} |`);
  out.push('');
  out.push('| order group | agreement |');
  out.push('|---|---|');
  for (const [g, r] of Object.entries(m.orders.byGroup).sort()) out.push(`| ${g} | ${frac(r)} (${pct(r, 1)}) |`);
  out.push('');
  out.push(...failureSections(m, limit));
  return out.join('\n');
}

export function failureSections(m: Measurement, limit: number): string[] {
  const out: string[] = [];
  const cap = <T>(xs: T[]) => (Number.isFinite(limit) ? xs.slice(0, limit) : xs);
  const more = (n: number) =>
    Number.isFinite(limit) && n > limit ? [``, `… and ${n - limit} more (\`npm run accuracy\` prints all).`] : [];
  const fc = m.orders.falseClears;
  out.push(`### False clears (${fc.length})`);
  out.push('');
  if (fc.length) {
    out.push('| order | expected | got | why expected | attributes | top candidates |');
    out.push('|---|---|---|---|---|---|');
    for (const r of cap(fc))
      out.push(
        `| ${r.eventId} | ${r.label.verdict} | ${r.got} | ${cell(r.label.why)} | ${cell(attrs(r.label.attrs))} | ${cell(r.topCandidate ?? '')} |`,
      );
    out.push(...more(fc.length));
  } else out.push('None.');
  out.push('');
  const od = m.orders.results.filter((r) => !r.agree && !r.falseClear);
  out.push(`### Other order disagreements (${od.length})`);
  out.push('');
  if (od.length) {
    out.push('| order | expected | got | why expected | attributes | top candidates |');
    out.push('|---|---|---|---|---|---|');
    for (const r of cap(od))
      out.push(
        `| ${r.eventId} | ${r.label.verdict}${r.label.accept ? ` (or ${r.label.accept.join('/')})` : ''} | ${r.got}${r.error ? `: ${cell(r.error.slice(0, 120))}` : ''} | ${cell(r.label.why)} | ${cell(attrs(r.label.attrs))} | ${cell(r.topCandidate ?? '')} |`,
      );
    out.push(...more(od.length));
  }
  out.push('');
  const pm = m.positives.results.filter((r) => !r.certain);
  out.push(`### Positives not matched with certainty (${pm.length})`);
  out.push('');
  if (pm.length) {
    out.push('| variant | text | country | expected | kinds | top candidate |');
    out.push('|---|---|---|---|---|---|');
    for (const r of cap(pm))
      out.push(
        `| ${r.v.id} | ${cell(r.v.text)} | ${r.v.country} | ${r.v.expected} | ${r.v.kinds.join('+')} | ${r.top ? `${r.top.id} ${r.top.score} (${r.top.band})` : 'none'} |`,
      );
    out.push(...more(pm.length));
  }
  out.push('');
  const nm = m.negatives.results.filter((r) => r.band !== 'none');
  out.push(`### Negatives with a candidate (${nm.length}: ${nm.filter((r) => r.band === 'match').length} certain)`);
  out.push('');
  if (nm.length) {
    out.push('| name | country | shares | band | top candidate |');
    out.push('|---|---|---|---|---|');
    for (const r of cap(nm.sort((a, b) => (a.band === b.band ? 0 : a.band === 'match' ? -1 : 1))))
      out.push(
        `| ${cell(r.n.name)} | ${r.n.country} | ${cell(r.n.shares)} | ${r.band} | ${r.top ? `${r.top.id} ${r.top.score} (${cell(r.top.matchedName)})` : ''} |`,
      );
    out.push(...more(nm.length));
  }
  return out;
}

function attrs(a: Record<string, string>): string {
  return Object.entries(a)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** Replaces the part between the markers (adds the markers at the end if the doc has none). */
export function writeDoc(file: string, body: string, preamble: string): void {
  const block = `${START}\n${body}\n${END}`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `${preamble}\n\n${START}\n${END}\n`;
  const i = text.indexOf(START);
  const j = text.indexOf(END);
  if (i < 0 || j < i) text = `${text.trimEnd()}\n\n${block}\n`;
  else text = text.slice(0, i) + block + text.slice(j + END.length);
  fs.writeFileSync(file, text);
}
