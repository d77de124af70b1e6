import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { assessmentValidator, contractSchemaPath, type Assessment, type TextEncodingChoice } from '@dualwatch/contracts';
import { loadBundledRefData } from '@dualwatch/refdata';
import { createLocalView, loadBundledPolicy } from '@dualwatch/scoring';
import { explainCommand, scoreCommand } from './commands';
import { readOrderEvents } from './input';
import { run } from './main';
import { TextSink } from './testing';
import { encodeShiftJis } from '../../../test/support/encodings';

/** The CLI's commands, driven through streams: no process is spawned here (see cli.e2e.spec.ts). */

const repo = path.resolve(__dirname, '../../..');
const fixture = (f: string) => path.join(repo, 'test/fixtures/orders', f);
const example = (f: string) => contractSchemaPath('examples', f);

const policy = loadBundledPolicy();
const view = createLocalView(loadBundledRefData(), policy);

async function score(
  input: Readable,
  extra: { asOf?: string; format?: 'ndjson' | 'table'; assessedAt?: boolean; encoding?: TextEncodingChoice } = {},
) {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const code = await scoreCommand({ input, stdout, stderr, policy, view, ...extra });
  return { code, out: stdout.lines(), err: stderr.lines(), stdout: stdout.text };
}

describe('dualwatch score', () => {
  it.each([
    ['prohibited-dysprosium-to-atla.json', 'prohibited'],
    ['license-required-magnets-via-korea.json', 'license_required'],
    ['clear-copper-to-osaka.json', 'clear'],
  ])('scores the pretty-printed example %s as %s', async (file, verdict) => {
    const r = await score(fs.createReadStream(example(file)));
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out).toHaveLength(1);
    const a = JSON.parse(r.out[0]) as Assessment;
    expect(a.verdict).toBe(verdict);
    expect(assessmentValidator.check(a)).toBe(true);
  });

  it('prints one valid assessment per NDJSON line, in input order', async () => {
    const r = await score(fs.createReadStream(fixture('examples.ndjson')));
    expect(r.code).toBe(0);
    const out = r.out.map((l) => JSON.parse(l) as Assessment);
    expect(out.map((a) => [a.orderId, a.verdict])).toEqual([
      ['PO-2026-0001', 'prohibited'],
      ['SO-KR-7781', 'license_required'],
      ['PO-5521', 'clear'],
    ]);
    for (const a of out) expect(assessmentValidator.check(a)).toBe(true);
  });

  it('reports a bad line in the middle on stderr with its number and field, scores the rest in order, and exits 1', async () => {
    const r = await score(fs.createReadStream(fixture('mixed-with-invalid-line.ndjson')));
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    const e = JSON.parse(r.err[0]);
    expect(Object.keys(e)).toEqual(['line', 'error']);
    expect(e.line).toBe(2);
    expect(e.error).toMatch(/^\/order\/lines\/0\/quantity: /);
    expect(r.out.map((l) => (JSON.parse(l) as Assessment).eventId)).toEqual(['evt-0001', 'evt-0002', 'evt-0003']);
  });

  it('skips blank lines, counts them in line numbers, and reports text that is not JSON', async () => {
    const good = fs.readFileSync(fixture('examples.ndjson'), 'utf8').split('\n')[2];
    const r = await score(Readable.from([`\n   \n{"schemaVersion":\n${good}\n`]));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.err[0])).toMatchObject({ line: 3, error: expect.stringMatching(/not JSON/) });
    expect(r.out).toHaveLength(1);
  });

  it('streams: reads from a stream that delivers one line at a time, without waiting for its end', async () => {
    const input = new PassThrough();
    const stdout = new TextSink();
    const done = scoreCommand({ input, stdout, stderr: new TextSink(), policy, view });
    const lines = fs.readFileSync(fixture('examples.ndjson'), 'utf8').split('\n');
    input.write(`${lines[0]}\n`);
    await new Promise((r) => setTimeout(r, 50));
    expect(stdout.lines()).toHaveLength(1);
    input.end(`${lines[1]}\n`);
    expect(await done).toBe(0);
    expect(stdout.lines()).toHaveLength(2);
  });

  it('applies --as-of to every event', async () => {
    const r = await score(fs.createReadStream(example('prohibited-dysprosium-to-atla.json')), { asOf: '2026-01-05' });
    expect(JSON.parse(r.out[0])).toMatchObject({ asOf: '2026-01-05', verdict: 'clear' });
  });

  it('is reproducible by default and stamps assessedAt on request', async () => {
    const a = await score(fs.createReadStream(fixture('examples.ndjson')));
    const b = await score(fs.createReadStream(fixture('examples.ndjson')));
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.out[0]).assessedAt).toBeUndefined();
    const c = await score(fs.createReadStream(fixture('examples.ndjson')), { assessedAt: true });
    expect(JSON.parse(c.out[0]).assessedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('--format table: one block per order with verdict, severity, score and the top 3 reasons', async () => {
    const r = await score(fs.createReadStream(fixture('mixed-with-invalid-line.ndjson')), { format: 'table' });
    expect(r.code).toBe(1);
    const text = r.stdout;
    expect(text.split('\n')[0]).toMatch(/^ORDER\s+VERDICT\s+SEVERITY\s+SCORE\s+TOP REASONS/);
    expect(text).toMatch(/PO-2026-0001\s+prohibited\s+critical\s+9\d\s+1\. PARTY_MILITARY_USER \(buyer, line 1\)/);
    expect(text).toMatch(/SO-KR-7781\s+license_required\s+high\s+\d+\s+1\. PARTY_ON_WATCH_LIST/);
    expect(text).toMatch(/PO-5521\s+clear\s+none\s+0\s+-/);
    const atlaBlock = text.split('\n').filter((l) => /^\s+[23]\. /.test(l));
    expect(atlaBlock.length).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/^\s+4\. /m);
    expect(text).toMatch(/3 order event\(s\) scored: 1 prohibited, 1 license_required, 0 review, 1 clear; 1 invalid line\(s\), see stderr/);
  });
});

describe('dualwatch explain', () => {
  async function explain(file: string, asOf?: string) {
    const stdout = new TextSink();
    const stderr = new TextSink();
    const code = await explainCommand({ input: fs.createReadStream(file), stdout, stderr, policy, view, asOf });
    return { code, text: stdout.text, err: stderr.text };
  }

  it('prints the as-of date and why, the lines, the parties screened, every reason with evidence, source and legal basis, and the versions', async () => {
    const r = await explain(example('prohibited-dysprosium-to-atla.json'));
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/^Order PO-2026-0001 \(event evt-0001, order\.created\)/);
    expect(r.text).toMatch(/Verdict: prohibited\s+severity: critical/);
    expect(r.text).toMatch(/As-of date: 2026-03-20 \(the order's ship date\)/);
    expect(r.text).toMatch(/Japan ban: MOFCOM Ann\. 1\/2026 .* in force at the as-of date/);
    expect(r.text).toMatch(/line 1: Dysprosium metal ingot 99\.9%\s+HS 2805301200/);
    expect(r.text).toMatch(/item: controlled: "Medium and heavy rare earths.*by hs10 2805301200/);
    expect(r.text).toMatch(/origin: declared/);
    expect(r.text).toMatch(/buyer\s+Acquisition, Technology & Logistics Agency \(JP, government\)\n\s+MATCH\s+1\.00 exact: .*MU-ATLA/);
    expect(r.text).toMatch(/1\. \[prohibited\] PARTY_MILITARY_USER \(buyer, line 1, match 1\.00\)/);
    expect(r.text).toMatch(/evidence: entryId=MU-ATLA/);
    expect(r.text).toMatch(/source: https?:\/\//);
    expect(r.text).toMatch(/legal basis: MOFCOM Ann\. 1\/2026/);
    expect(r.text).toMatch(/Exposed value: 19000 USD/);
    expect(r.text).toMatch(/Versions: policy policy-v2\+[0-9a-f]{12}; reference data \S+; degraded: no/);
  });

  it('explains only the first event of a file', async () => {
    const r = await explain(fixture('examples.ndjson'));
    expect(r.text.match(/^Order /gm)).toHaveLength(1);
    expect(r.text).toMatch(/^Order PO-2026-0001/);
  });

  it('says why a date changes the answer (--as-of before the ban)', async () => {
    const r = await explain(example('prohibited-dysprosium-to-atla.json'), '2026-01-05');
    expect(r.text).toMatch(/As-of date: 2026-01-05 \(given with --as-of\)/);
    expect(r.text).toMatch(/not in force \(not yet\)/);
    expect(r.text).toMatch(/JAPAN_BAN_NOT_IN_FORCE/);
  });

  it('reports an invalid first event and exits 1', async () => {
    const stderr = new TextSink();
    const code = await explainCommand({ input: Readable.from(['{"schemaVersion": 2}\n']), stdout: new TextSink(), stderr, policy, view });
    expect(code).toBe(1);
    expect(JSON.parse(stderr.text)).toMatchObject({ line: 1 });
  });
});

describe('the command line (run, in process)', () => {
  const io = () => {
    const stdout = new TextSink();
    const stderr = new TextSink();
    return { stdin: Readable.from([]), stdout, stderr };
  };

  it('scores a file given with --input and returns the exit code', async () => {
    const s = io();
    expect(await run(['node', 'dualwatch', 'score', '--input', fixture('examples.ndjson')], s)).toBe(0);
    expect(s.stdout.lines()).toHaveLength(3);
  });

  it('reads standard input with --input -', async () => {
    const s = { ...io(), stdin: fs.createReadStream(fixture('examples.ndjson')) };
    expect(await run(['node', 'dualwatch', 'score', '--input', '-', '--format', 'table'], s)).toBe(0);
    expect(s.stdout.text).toMatch(/PO-5521/);
  });

  it('exits 2 on a date that is not a date, a missing file, or an unknown format', async () => {
    const a = io();
    expect(await run(['node', 'dualwatch', 'score', '--input', fixture('examples.ndjson'), '--as-of', '2026-13-01'], a)).toBe(2);
    expect(a.stderr.text).toMatch(/--as-of must be a date/);
    const b = io();
    expect(await run(['node', 'dualwatch', 'score', '--input', '/nonexistent.ndjson'], b)).toBe(2);
    expect(b.stderr.text).toMatch(/input file not found/);
    const c = io();
    expect(await run(['node', 'dualwatch', 'score', '--input', fixture('examples.ndjson'), '--format', 'xml'], c)).toBe(2);
  });

  it('exits 2 on a broken policy file, naming the field', async () => {
    const doc = JSON.parse(fs.readFileSync(path.join(repo, 'libs/scoring/policy/policy.v2.json'), 'utf8'));
    doc.partyMatch.match = 'high';
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dw-cli-')), 'policy.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const s = io();
    expect(await run(['node', 'dualwatch', 'score', '--input', fixture('examples.ndjson'), '--policy', file], s)).toBe(2);
    expect(s.stderr.text).toMatch(/\/partyMatch\/match/);
  });

  it('uses a reference-data directory given with --refdata', async () => {
    const s = io();
    expect(
      await run(
        ['node', 'dualwatch', 'score', '--input', fixture('examples.ndjson'), '--refdata', path.join(repo, 'libs/refdata/data')],
        s,
      ),
    ).toBe(0);
    expect((JSON.parse(s.stdout.lines()[0]) as Assessment).refdataVersion).toBe(loadBundledRefData().version);
  });
});

describe('readOrderEvents', () => {
  it('reads several pretty-printed documents in a row, each numbered by its first line', async () => {
    const doc = fs.readFileSync(example('clear-copper-to-osaka.json'), 'utf8').trim();
    const records = [];
    for await (const r of readOrderEvents(Readable.from([`${doc}\n\n${doc}\n`]))) records.push(r);
    expect(records.map((r) => [r.line, r.result.ok])).toEqual([
      [1, true],
      [doc.split('\n').length + 2, true],
    ]);
  });
});

describe('input encodings: UTF-8 with or without BOM, Shift-JIS / CP932, never lossy', () => {
  const prohibited = JSON.parse(fs.readFileSync(example('prohibited-dysprosium-to-atla.json'), 'utf8'));
  // the listed buyer written in Japanese: 防衛装備庁 (ATLA), as a Japanese ERP exports it in Shift-JIS
  const event = { ...prohibited, order: { ...prohibited.order, buyer: { ...prohibited.order.buyer, name: '防衛装備庁' } } };
  const line = `${JSON.stringify(event)}\n`;

  it('detects Shift-JIS, scores the listed name as listed, and says what it read', async () => {
    const r = await score(Readable.from([encodeShiftJis(line)]), {});
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out[0]) as Assessment).verdict).toBe('prohibited');
    expect(r.err.map((l) => JSON.parse(l))).toEqual([{ encoding: 'shift_jis', how: 'detected' }]);
    // UTF-8 (with a BOM) scores the same
    const utf8 = await score(Readable.from([Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(line)])]), {});
    expect(utf8.out).toEqual(r.out);
  });

  it('splits a stream anywhere, even inside a character', async () => {
    const bytes = encodeShiftJis(line + line);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    const r = await score(Readable.from(chunks), {});
    expect(r.out).toHaveLength(2);
  });

  it('reports a line whose bytes are not in the chosen encoding, naming the offset, and scores the others', async () => {
    const good = Buffer.from(line);
    const bad = Buffer.from(line);
    bad[bad.indexOf('防')] = 0xff;
    const r = await score(Readable.from([Buffer.concat([good, bad, good])]), { encoding: 'utf-8' });
    expect(r.code).toBe(1);
    expect(r.out).toHaveLength(2);
    const errors = r.err.map((l) => JSON.parse(l));
    expect(errors).toContainEqual({ encoding: 'utf-8', how: 'chosen' });
    expect(errors).toContainEqual({ line: 2, error: expect.stringMatching(/not UTF-8: the bytes at offset \d+ \(0xff/) });
  });

  it('refuses an unknown --encoding as a usage error', async () => {
    const stdout = new TextSink();
    const stderr = new TextSink();
    const code = await run(['node', 'dualwatch', 'score', '--input', '-', '--encoding', 'ebcdic'], {
      stdin: Readable.from([]),
      stdout,
      stderr,
    });
    expect(code).not.toBe(0);
    expect(stderr.text).toMatch(/--encoding/);
  });
});
