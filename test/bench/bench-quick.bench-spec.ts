import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The benchmark's quick mode (issue 9) in CI: `node dist/bench/run.js --quick` runs every phase with
 * small counts against a broker and Redis it starts itself, and must finish, print every row of its
 * table with figures, count every output exactly once, and leave docs/benchmarks.md alone. It asserts
 * that the benchmark works, never how fast anything is (that is what `npm run bench` records).
 */
const ROOT = path.resolve(__dirname, '../..');
const RUN = path.join(ROOT, 'dist/bench/run.js');
const DOC = path.join(ROOT, 'docs/benchmarks.md');
const RESULTS = path.join(ROOT, '.run/bench');

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, ...args], { cwd: ROOT, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

interface Throughput {
  rate: number;
  duplicates: number;
  missing: number;
  outputsRead: number;
  expectedOutputs: number;
}

it(
  'runs every phase in quick mode: figures for every row, every output exactly once, the doc untouched',
  async () => {
    expect(fs.existsSync(RUN)).toBe(true);
    const docBefore = sha(DOC);
    const before = new Set(fs.existsSync(RESULTS) ? fs.readdirSync(RESULTS) : []);

    const { code, out } = await run(['--quick']);
    expect({ code, tail: code === 0 ? '' : out.slice(-4000) }).toEqual({ code: 0, tail: '' });

    for (const row of [
      /1a\. Raw ceiling, plain[^\n]*\d[\d,]* orders\/s/,
      /1b\. Raw ceiling, transactional per chunk[^\n]*\d[\d,]* orders\/s/,
      /2\. risk-engine pipeline[^\n]*\d[\d,]* orders\/s/,
      /3\. naive NestJS[^\n]*\d[\d,]* orders\/s/,
      /4\. latency @ [\d,]+\/s, order → alert[^\n]*p50 [\d.,]+ ms, p95 [\d.,]+ ms, p99 [\d.,]+ ms/,
      /5\. scoring core alone[^\n]*\d[\d,]* orders\/s/,
      /6\. engine peak RSS under load[^\n]*\d+(\.\d+)? MiB/,
    ])
      expect(out).toMatch(row);
    expect(sha(DOC)).toBe(docBefore);

    const fresh = fs.readdirSync(RESULTS).filter((f) => f.startsWith('pipeline-') && !before.has(f));
    expect(fresh).toHaveLength(1);
    const results = JSON.parse(fs.readFileSync(path.join(RESULTS, fresh[0]), 'utf8')) as Record<string, Throughput | undefined> & {
      rss?: { hwm: number };
    };
    for (const phase of ['rawPlain', 'rawTx', 'engine', 'naive']) {
      const t = results[phase]!;
      expect({ phase, duplicates: t.duplicates, missing: Math.max(0, t.missing), complete: t.outputsRead >= t.expectedOutputs }).toEqual({
        phase,
        duplicates: 0,
        missing: 0,
        complete: true,
      });
      expect(t.rate).toBeGreaterThan(0);
    }
    expect(results.rss!.hwm).toBeGreaterThan(0);
  },
  15 * 60_000,
);
