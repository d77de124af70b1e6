import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SUITE_SIZE, type SuiteSize } from './size';

/**
 * What one reliability scenario did and found. Every scenario records one of these (when its
 * assertions have passed) to .run/reliability/<id>.json; test/reliability/render-report.ts turns
 * them into docs/reliability.md.
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

export interface RecordedScenario extends ScenarioFigures {
  size: SuiteSize;
  durationMs: number;
  recordedAt: string;
  machine: string;
}

export const REPORT_DIR = path.resolve(__dirname, '../../../.run/reliability');

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${os.type()} ${os.release()}`;
}

/** Writes the scenario's figures for the report; call it after the scenario's assertions passed. */
export function recordScenario(figures: ScenarioFigures, startedAt: number): RecordedScenario {
  const rec: RecordedScenario = {
    ...figures,
    size: SUITE_SIZE,
    durationMs: Date.now() - startedAt,
    recordedAt: new Date().toISOString(),
    machine: machineDescription(),
  };
  fs.mkdirSync(REPORT_DIR, { recursive: true });
  fs.writeFileSync(path.join(REPORT_DIR, `${figures.id}.json`), JSON.stringify(rec, null, 2) + '\n');
  return rec;
}
