import type { Readable, Writable } from 'node:stream';
import { describeIssues, type TextEncodingChoice, type Verdict } from '@dualwatch/contracts';
import { assess, evaluate, toAssessment, withAssessedAt, type Policy, type ReferenceView } from '@dualwatch/scoring';
import { explainText, TABLE_HEADER, tableRows, tableSummary } from './format';
import { readOrderEvents, type InputRecord } from './input';

/**
 * The CLI's commands as functions over streams: main.ts wires them to the process, the tests call
 * them directly. Each returns the exit code.
 */

export interface ScoringContext {
  view: ReferenceView;
  policy: Policy;
}

export interface ScoreOptions extends ScoringContext {
  input: Readable;
  stdout: Writable;
  stderr: Writable;
  asOf?: string;
  format?: 'ndjson' | 'table';
  /** Stamp each assessment with assessedAt (the current time); off by default so output is reproducible. */
  assessedAt?: boolean;
  /** The input's encoding (default auto: UTF-8 with or without BOM, or Shift-JIS / CP932, detected). */
  encoding?: TextEncodingChoice;
}

/**
 * The input's records; when the input was not plain UTF-8 (a BOM, Shift-JIS, or an encoding chosen),
 * what it was read as is said once on stderr: {"encoding": "shift_jis", "how": "detected"}.
 */
export async function* inputRecords(input: Readable, stderr: Writable, encoding?: TextEncodingChoice): AsyncGenerator<InputRecord> {
  const notes: string[] = [];
  const records = readOrderEvents(input, {
    encoding,
    onEncoding: (d) => {
      if (d.encoding !== 'utf-8' || d.how !== 'detected') notes.push(`${JSON.stringify(d)}\n`);
    },
  });
  for await (const rec of records) {
    for (const note of notes.splice(0)) await write(stderr, note);
    yield rec;
  }
  for (const note of notes.splice(0)) await write(stderr, note);
}

/** Writes and waits for the stream to drain when its buffer is full (large inputs, slow pipes). */
async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
}

function failureMessage(result: { code: string; error: string; issues?: { path: string; message: string }[] }): string {
  return result.code === 'SCHEMA_VIOLATION' && result.issues ? describeIssues(result.issues) : result.error;
}

/**
 * `dualwatch score`: one assessment per valid input event, in input order, as NDJSON (or a table for
 * people); each invalid line is reported on stderr as {"line": N, "error": "..."} and the rest are
 * still scored. Exit code 1 if any line was invalid, else 0.
 */
export async function scoreCommand(o: ScoreOptions): Promise<number> {
  const table = o.format === 'table';
  let invalid = 0;
  const counts: Partial<Record<Verdict, number>> = {};
  if (table) await write(o.stdout, `${TABLE_HEADER}\n`);
  for await (const rec of inputRecords(o.input, o.stderr, o.encoding)) {
    if (!rec.result.ok) {
      invalid++;
      await write(o.stderr, `${JSON.stringify({ line: rec.line, error: failureMessage(rec.result) })}\n`);
      continue;
    }
    let a = assess(rec.result.event, o.view, o.policy, o.asOf);
    if (o.assessedAt) a = withAssessedAt(a);
    counts[a.verdict] = (counts[a.verdict] ?? 0) + 1;
    await write(o.stdout, table ? `${tableRows(a).join('\n')}\n` : `${JSON.stringify(a)}\n`);
  }
  if (table) await write(o.stdout, `\n${tableSummary(counts, invalid)}\n`);
  return invalid > 0 ? 1 : 0;
}

export interface ExplainOptions extends ScoringContext {
  input: Readable;
  stdout: Writable;
  stderr: Writable;
  asOf?: string;
  encoding?: TextEncodingChoice;
}

/** `dualwatch explain`: the full reasoning for the first event of the input. */
export async function explainCommand(o: ExplainOptions): Promise<number> {
  for await (const rec of inputRecords(o.input, o.stderr, o.encoding)) {
    if (!rec.result.ok) {
      await write(o.stderr, `${JSON.stringify({ line: rec.line, error: failureMessage(rec.result) })}\n`);
      return 1;
    }
    const e = evaluate(rec.result.event, o.view, o.policy, o.asOf);
    await write(o.stdout, explainText(e, toAssessment(e)));
    return 0;
  }
  await write(o.stderr, 'no order event in the input\n');
  return 1;
}
