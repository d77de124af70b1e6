import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ScenarioFigures, ScenarioRecord } from '../../../tools/docs/reliability-report';
import { SUITE_SIZE, type SuiteSize } from './size';

export type { ScenarioFigures } from '../../../tools/docs/reliability-report';

export interface RecordedScenario extends ScenarioRecord {
  size: SuiteSize;
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
