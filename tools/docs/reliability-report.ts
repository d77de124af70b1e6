/**
 * docs/reliability.md from the figures the reliability scenarios recorded in .run/reliability/*.json
 * (test/reliability/support/report.ts). `npm run reliability` runs the full-size suite and then this:
 * `node dist/tools/docs/reliability-report.js [--dir .run/reliability] [--out docs/reliability.md]`.
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
  fs.writeFileSync(out, spliceReport(fs.readFileSync(out, 'utf8'), records));
  console.log(`wrote ${records.length} scenarios to ${out}`);
}
