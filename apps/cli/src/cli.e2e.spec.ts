import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assessmentValidator, type Assessment } from '@dualwatch/contracts';

/**
 * The installed command for real: `bin/dualwatch.js` (the package bin) over the compiled CLI in dist/.
 * Builds first (tsc + tsc-alias, as `npm run build`) when dist is missing or older than the sources.
 */

const repo = path.resolve(__dirname, '../../..');
const bin = path.join(repo, 'bin/dualwatch.js');
const main = path.join(repo, 'dist/apps/cli/src/main.js');

function newestSource(dirs: string[]): number {
  let newest = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|json)$/.test(e.name) && !e.name.endsWith('.spec.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  for (const d of dirs) walk(path.join(repo, d));
  return newest;
}

/** A build whose path aliases were not rewritten (tsc ran, tsc-alias did not) cannot run. */
const unaliased = () => /require\("@dualwatch\//.test(fs.readFileSync(main, 'utf8'));

function ensureBuilt(): void {
  const stale =
    !fs.existsSync(main) ||
    fs.statSync(main).mtimeMs < newestSource(['apps/cli/src', 'libs/scoring', 'libs/contracts/src', 'libs/refdata/src']) ||
    unaliased();
  if (!stale) return;
  const tsc = path.join(repo, 'node_modules/.bin/tsc');
  const alias = path.join(repo, 'node_modules/.bin/tsc-alias');
  // tsc emits even when another part of the monorepo has a type error; the CLI's own types are checked by `npm run typecheck`
  spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: repo, encoding: 'utf8' });
  const r = spawnSync(alias, ['-p', 'tsconfig.build.json'], { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0 || !fs.existsSync(main)) throw new Error(`build failed: ${r.stderr}`);
}

const dualwatch = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });

describe('dualwatch, spawned as installed', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('scores NDJSON with a bad line in the middle: the other lines on stdout in order, line 2 on stderr, exit code 1', () => {
    const r = dualwatch('score', '--input', 'test/fixtures/orders/mixed-with-invalid-line.ndjson');
    expect(r.status).toBe(1);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Assessment);
    expect(out.map((a) => a.verdict)).toEqual(['prohibited', 'license_required', 'clear']);
    for (const a of out) expect(assessmentValidator.check(a)).toBe(true);
    const err = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(err).toEqual([{ line: 2, error: expect.stringMatching(/^\/order\/lines\/0\/quantity/) }]);
  });

  it('scores a published example from standard input and exits 0', () => {
    const input = fs.readFileSync(path.join(repo, 'libs/contracts/schemas/examples/license-required-magnets-via-korea.json'));
    const r = spawnSync(process.execPath, [bin, 'score', '--input', '-'], { cwd: repo, input, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ orderId: 'SO-KR-7781', verdict: 'license_required' });
  });

  it('explains an order', () => {
    const r = dualwatch('explain', '--input', 'libs/contracts/schemas/examples/prohibited-dysprosium-to-atla.json');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/PARTY_MILITARY_USER/);
  });

  it('prints its usage with --help', () => {
    const r = dualwatch('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/score/);
    expect(r.stdout).toMatch(/explain/);
  });
});
