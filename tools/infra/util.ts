/**
 * Small process / filesystem / network helpers shared by the Kafka and Redis launchers.
 * No dependencies beyond Node's standard library.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

const REPO_PACKAGE_NAME = 'dualwatch';

let cachedRepoRoot: string | undefined;

/** Walks up from `start` to the folder whose package.json has `"name": "dualwatch"`. */
function findRepoRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        const json = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: unknown };
        if (json.name === REPO_PACKAGE_NAME) return dir;
      } catch {
        /* unreadable package.json: keep walking */
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The repository root: the nearest folder above this file (works from `tools/infra` under ts-jest
 * and from `dist/tools/infra` after a build) whose package.json is named "dualwatch"; falls back to
 * the current working directory's ancestors.
 */
export function repoRoot(): string {
  if (cachedRepoRoot) return cachedRepoRoot;
  const found = findRepoRoot(__dirname) ?? findRepoRoot(process.cwd());
  if (!found) {
    throw new Error(`repoRoot(): no package.json named "${REPO_PACKAGE_NAME}" above ${__dirname} or ${process.cwd()}`);
  }
  cachedRepoRoot = found;
  return found;
}

/** Cache dir for downloaded tooling: env DW_CACHE_DIR or `<repoRoot>/.cache`. */
export function cacheDir(): string {
  const fromEnv = process.env.DW_CACHE_DIR;
  return fromEnv && fromEnv.trim() ? path.resolve(fromEnv) : path.join(repoRoot(), '.cache');
}

const recentlyHandedOut = new Map<number, number>();

/**
 * A TCP port that is free on `host` right now (the kernel picks it: bind to port 0, read, close).
 * Ports handed out by this process during the last minute are never returned twice, so two calls
 * in a row (broker + controller port) always differ.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const now = Date.now();
  for (const [port, at] of recentlyHandedOut) if (now - at > 60_000) recentlyHandedOut.delete(port);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.once('error', reject);
      srv.listen({ port: 0, host, exclusive: true }, () => {
        const addr = srv.address();
        const p = typeof addr === 'object' && addr ? addr.port : 0;
        srv.close((err) => (err ? reject(err) : resolve(p)));
      });
    });
    if (port > 0 && !recentlyHandedOut.has(port)) {
      recentlyHandedOut.set(port, Date.now());
      return port;
    }
  }
  throw new Error(`freePort(): could not find a free port on ${host}`);
}

export interface WaitForOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 200 ms). */
  intervalMs?: number;
  /** Used in the timeout error: "timed out after N ms waiting for <what>". */
  what?: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `predicate` until it returns true (a thrown error counts as "not yet"). Rejects after
 * `timeoutMs` with an error naming `what` and carrying the last error thrown by the predicate.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 200, what = 'condition' }: WaitForOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await predicate()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError === undefined ? '' : `: last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`, { cause: lastError });
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** Linux process state letter from /proc/<pid>/stat ('R', 'S', 'Z', ...) or undefined. */
function procState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ..." – comm may contain spaces/parens, so split after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || undefined;
  } catch {
    return undefined;
  }
}

/** True while `pid` exists and is not a zombie. */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return procState(pid) !== 'Z';
}

/** The process's command line (argv joined by spaces) or '' if unreadable / gone. */
export function processCommandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Sends a signal, ignoring "no such process". Returns false when the process was already gone. */
export function signalPid(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Resolves once `pid` is gone; false on timeout. */
export async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isPidAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Graceful stop of exactly one pid: SIGTERM, wait up to `graceMs`, then SIGKILL and wait again.
 * Returns how it ended.
 */
export async function terminatePid(pid: number, graceMs = 30_000): Promise<'not-running' | 'terminated' | 'killed'> {
  if (!isPidAlive(pid)) return 'not-running';
  if (!signalPid(pid, 'SIGTERM')) return 'not-running';
  if (await waitForPidExit(pid, graceMs)) return 'terminated';
  signalPid(pid, 'SIGKILL');
  if (!(await waitForPidExit(pid, 10_000))) {
    throw new Error(`pid ${pid} survived SIGKILL for 10 s`);
  }
  return 'killed';
}

/**
 * True while `pid` is a server process of ours: our child that has not exited, or (attached from a
 * saved state, e.g. by another process) a live pid whose command line `isOurs` recognises, so that a
 * reused pid is never signalled.
 */
export function ownsServerPid(pid: number, child: ChildProcess | undefined, isOurs: (commandLine: string) => boolean): boolean {
  if (!pid || !isPidAlive(pid)) return false;
  if (child) return child.exitCode === null && child.signalCode === null;
  return isOurs(processCommandLine(pid));
}

/**
 * Ends a server process we own: SIGKILL at once when `graceMs` <= 0 (crash simulation), else SIGTERM
 * then SIGKILL after `graceMs`; and stops tracking it as a foreground child either way.
 */
export async function endServerPid(pid: number, owned: boolean, graceMs: number, label: string): Promise<void> {
  if (pid && owned) {
    if (graceMs <= 0) {
      signalPid(pid, 'SIGKILL');
      if (!(await waitForPidExit(pid, 10_000))) throw new Error(`${label}: pid ${pid} survived SIGKILL`);
    } else {
      await terminatePid(pid, graceMs);
    }
  }
  if (pid) untrackForegroundChild(pid);
}

/** Last `maxBytes` of a file as text ('' if missing). */
export function tailFile(file: string, maxBytes = 8_192): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, maxBytes);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** Text of `file` from byte `offset` on ('' if missing). */
export function readFrom(file: string, offset: number): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= offset) return '';
      const buf = Buffer.alloc(size - offset);
      fs.readSync(fd, buf, 0, buf.length, offset);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

export function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Finds an executable on PATH (like `command -v`). */
export function which(cmd: string): string | undefined {
  if (cmd.includes('/')) return isExecutable(cmd) ? cmd : undefined;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, cmd);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs a command to completion, capturing stdout+stderr (interleaved). Never throws on exit code. */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; uid?: number; gid?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    }
    child.once('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/**
 * Children started in the foreground (not detached) are SIGKILLed if this Node process exits
 * without stopping them (crashed test run), so nothing is left behind. Detached ones are not.
 */
const foregroundChildren = new Set<number>();
let exitHookInstalled = false;

function killForegroundChildren(): void {
  for (const p of foregroundChildren) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  foregroundChildren.clear();
}

export function trackForegroundChild(pid: number): void {
  foregroundChildren.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killForegroundChildren);
    // A SIGTERM/SIGHUP (CI cancelling the job) skips 'exit' handlers: clean up, then let the
    // signal do what it would have done (re-raise if nobody else handles it).
    for (const sig of ['SIGTERM', 'SIGHUP'] as const) {
      const handler = (): void => {
        killForegroundChildren();
        if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
      };
      process.once(sig, handler);
    }
  }
}

export function untrackForegroundChild(pid: number): void {
  foregroundChildren.delete(pid);
}

/** Writes a file atomically (temp file in the same folder + rename). */
export function writeFileAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}
