import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * scripts/supervise.sh, which `npm start` runs every app under: an app that dies is started again and
 * the supervisor says so; SIGTERM to the supervisor stops the app that runs now (a restarted one too)
 * and ends the supervision. Real processes, checked by pid.
 */
const SCRIPT = path.resolve(__dirname, '../../scripts/supervise.sh');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('scripts/supervise.sh (npm start)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-supervise-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('restarts an app that dies and says so; SIGTERM stops the restarted app and the supervision', async () => {
    const log = path.join(dir, 'app.log');
    const pids = path.join(dir, 'pids');
    // the app writes its pid, then dies with code 3 the first time and stays up the second
    const app = `require('fs').appendFileSync(${JSON.stringify(pids)}, process.pid + '\\n'); console.log('app up'); const n = require('fs').readFileSync(${JSON.stringify(pids)}, 'utf8').trim().split('\\n').length; if (n === 1) setTimeout(() => process.exit(3), 100); else setInterval(() => undefined, 1000);`;
    const sup = spawn('bash', [SCRIPT, 'demo-app', log, '--', process.execPath, '-e', app], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    sup.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((r) => sup.once('exit', (code) => r(code)));
    try {
      for (let i = 0; i < 100 && !(fs.existsSync(pids) && fs.readFileSync(pids, 'utf8').trim().split('\n').length >= 2); i++)
        await sleep(100);
      const [first, second] = fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number);
      expect(stderr).toMatch(/\[start\] demo-app exited \(code 3\); restarting it in 1 s/);
      expect(stderr).toMatch(/\[start\] demo-app restarted/);
      expect(alive(first)).toBe(false);
      expect(alive(second)).toBe(true);
      expect(fs.readFileSync(log, 'utf8').match(/app up/g)).toHaveLength(2);

      sup.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(alive(second)).toBe(false);
      expect(stderr).not.toMatch(/exited \(code \d+\); restarting it in 2 s/); // not restarted after the stop
    } finally {
      if (sup.exitCode === null) sup.kill('SIGKILL');
      for (const pid of fs.existsSync(pids) ? fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number) : [])
        if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 30_000);
});
