/**
 * docs/reliability.md from the figures the reliability scenarios recorded in .run/reliability/*.json
 * (test/reliability/support/report.ts). `npm run reliability` runs the full-size suite and then this:
 * `node dist/tools/docs/reliability-report.js [--dir .run/reliability] [--out docs/reliability.md] [--merge]`
 * (--merge: the scenarios not in --dir keep their rows and sections as the report had them).
 * Only the part between the generated markers is replaced; the prose around it is kept.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What one reliability scenario did and found. Every scenario records one of these (when its
 * assertions have passed) to .run/reliability/<id>.json (test/reliability/support/report.ts).
 */
export interface ScenarioFigures {
  /** file-safe id, e.g. "engine-sigkill" */
  id: string;
  /** one-line title for the report */
  title: string;
  /** what was done, in a sentence or two (the fault, when, how often) */
  done: string;
  /** how much went through, e.g. { orders: 50000, kills: 3 } */
  amount: Record<string, number | string>;
  /** how many were lost (expected 0) */
  lost: number;
  /** how many were doubled (expected 0, or say why not in `notes`) */
  doubled: number;
  /** recovery times in ms, named, e.g. { afterRestart: 4200 } */
  recoveryMs: Record<string, number>;
  /** anything else measured, e.g. { peakRssMiB: 210, degradedAssessments: 812 } */
  figures?: Record<string, number | string>;
  notes?: string[];
}

/** A scenario's figures as recorded: with the suite size, run time, when and where. */
export interface ScenarioRecord extends ScenarioFigures {
  size: string;
  durationMs: number;
  recordedAt: string;
  machine: string;
}

export const START = '<!-- reliability:start -->';
export const END = '<!-- reliability:end -->';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const num = (v: number | string) => (typeof v === 'number' ? v.toLocaleString('en-US') : v);
const kv = (o: Record<string, number | string> | undefined, unit = '') =>
  Object.entries(o ?? {})
    .map(([k, v]) => `${k} ${num(v)}${unit}`)
    .join(', ') || '-';
const secs = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
    .join(', ') || '-';

export function renderScenarios(records: ScenarioRecord[]): string {
  const sorted = [...records].sort((a, b) => a.id.localeCompare(b.id));
  const sizes = [...new Set(sorted.map((r) => r.size))].join(', ');
  const machines = [...new Set(sorted.map((r) => r.machine))];
  const lines = [
    `Size: **${sizes || 'none'}**. Machine: ${machines.join('; ') || '-'}.`,
    '',
    '| scenario | how much | lost | doubled | recovery | run time |',
    '|---|---|---:|---:|---|---:|',
    ...sorted.map(
      (r) =>
        `| [${cell(r.title)}](#${r.id}) | ${cell(kv(r.amount))} | ${r.lost} | ${r.doubled} | ${cell(secs(r.recoveryMs))} | ${(r.durationMs / 1000).toFixed(0)} s |`,
    ),
    '',
  ];
  for (const r of sorted) {
    lines.push(`### ${r.title}`, '', `<a id="${r.id}"></a>${r.done}`, '');
    lines.push(`- how much: ${kv(r.amount)}`);
    lines.push(`- lost: **${r.lost}**, doubled: **${r.doubled}**`);
    lines.push(`- recovery: ${secs(r.recoveryMs)}`);
    if (r.figures && Object.keys(r.figures).length) lines.push(`- measured: ${kv(r.figures)}`);
    for (const n of r.notes ?? []) lines.push(`- ${n}`);
    lines.push(`- recorded ${r.recordedAt.slice(0, 16).replace('T', ' ')} UTC, size ${r.size}, ${(r.durationMs / 1000).toFixed(0)} s`, '');
  }
  return lines.join('\n');
}

export function readRecords(dir: string): ScenarioRecord[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as ScenarioRecord);
}

/**
 * The scenarios already in the report's generated part, by id: their table row and their section, as
 * rendered then (so that a report made from some scenarios keeps the others as they were recorded).
 */
export function existingScenarios(doc: string): Map<string, { row: string; section: string }> {
  const i = doc.indexOf(START);
  const j = doc.indexOf(END);
  const out = new Map<string, { row: string; section: string }>();
  if (i < 0 || j < i) return out;
  const body = doc.slice(i + START.length, j);
  const rows = body.split('\n').filter((l) => /^\| \[.*\]\(#[^)]+\) \|/.test(l));
  const sections = body.split(/\n(?=### )/).filter((x) => x.startsWith('### '));
  for (const section of sections) {
    const id = /<a id="([^"]+)"><\/a>/.exec(section)?.[1];
    const row = rows.find((r) => id && r.includes(`](#${id})`));
    if (id && row) out.set(id, { row, section: section.trimEnd() });
  }
  return out;
}

/** Like spliceReport, but the scenarios of the doc that `records` does not hold are kept as they were. */
export function mergeReport(doc: string, records: ScenarioRecord[]): string {
  const old = existingScenarios(doc);
  const fresh = new Map(records.map((r) => [r.id, r]));
  const ids = [...new Set([...old.keys(), ...fresh.keys()])].sort();
  const rendered = renderScenarios(records).split('\n');
  const header = rendered.slice(0, 4);
  const rowOf = (id: string) => (fresh.has(id) ? rendered.find((l) => l.includes(`](#${id})`))! : old.get(id)!.row);
  const sectionOf = (id: string) => {
    if (!fresh.has(id)) return old.get(id)!.section;
    const one = renderScenarios([fresh.get(id)!]);
    return one.slice(one.indexOf('### ')).trimEnd();
  };
  const kept = ids.filter((id) => !fresh.has(id));
  const lines = [
    `${header[0]}${kept.length ? ` Scenarios not re-run this time keep the size, machine and date in their own section.` : ''}`,
    '',
    header[2],
    header[3],
    ...ids.map(rowOf),
    '',
    ...ids.map((id) => `${sectionOf(id)}\n`),
  ];
  const i = doc.indexOf(START);
  const j = doc.indexOf(END);
  return `${doc.slice(0, i + START.length)}\n${lines.join('\n')}\n${doc.slice(j)}`;
}

/** Replaces the generated part of `doc` (between START and END) with the rendered records. */
export function spliceReport(doc: string, records: ScenarioRecord[]): string {
  const i = doc.indexOf(START);
  const j = doc.indexOf(END);
  if (i < 0 || j < i) throw new Error(`the report has no ${START} ... ${END} markers`);
  return `${doc.slice(0, i + START.length)}\n${renderScenarios(records)}\n${doc.slice(j)}`;
}

if (require.main === module) {
  const arg = (name: string, dflt: string) => {
    const k = process.argv.indexOf(name);
    return k > 0 && process.argv[k + 1] ? process.argv[k + 1] : dflt;
  };
  const root = path.resolve(__dirname, '../../..');
  const dir = path.resolve(arg('--dir', path.join(root, '.run/reliability')));
  const out = path.resolve(arg('--out', path.join(root, 'docs/reliability.md')));
  const records = readRecords(dir);
  if (records.length === 0) {
    console.error(`no scenario figures in ${dir}: run the suite first (npm run reliability)`);
    process.exit(1);
  }
  // --merge: only some scenarios were run; the others keep what the report said of them
  const merge = process.argv.includes('--merge');
  fs.writeFileSync(out, (merge ? mergeReport : spliceReport)(fs.readFileSync(out, 'utf8'), records));
  console.log(`wrote ${records.length} scenarios to ${out}`);
}
