/**
 * The processes the benchmark starts (engines, workers): spawned by us, tracked by pid, sampled for
 * memory, and stopped by pid only. Anything still running when the benchmark exits is SIGKILLed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { isPidAlive, terminatePid } from '@dualwatch/infra';
import { tailFile } from '@dualwatch/infra/util';

const started = new Set<number>();
let hooked = false;

function killAllStarted(): void {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  started.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllStarted);
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Last lines of its stdout/stderr (for error messages). */
  tail(): string;
  exited(): boolean;
  /** Resolves with the exit code (or signal name). */
  readonly exit: Promise<string>;
  /** SIGSTOP / SIGCONT: freezes it while a backlog is produced. */
  pause(): void;
  resume(): void;
  /** SIGTERM, SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

export function startProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  opts: { stdoutFile?: string; ipc?: boolean } = {},
): ManagedProcess {
  hookExit();
  // stdout (the app's JSON log) goes straight to a file, so that reading it costs the benchmark nothing
  const out = opts.stdoutFile ? fs.openSync(opts.stdoutFile, 'a') : 'ignore';
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: opts.ipc ? ['ignore', out, 'pipe', 'ipc'] : ['ignore', out, 'pipe'],
    });
  } finally {
    if (typeof out === 'number') fs.closeSync(out);
  }
  if (!child.pid) throw new Error(`${name}: spawn returned no pid`);
  const pid = child.pid;
  started.add(pid);
  const errLines: string[] = [];
  child.stderr?.on('data', (b: Buffer) => {
    for (const l of b.toString('utf8').split('\n')) if (l.trim()) errLines.push(l);
    if (errLines.length > 60) errLines.splice(0, errLines.length - 60);
  });
  const exit = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      started.delete(pid);
      resolve(signal ?? String(code));
    }),
  );
  return {
    name,
    pid,
    child,
    exit,
    tail: () =>
      [
        `--- ${name} (pid ${pid}) stderr ---`,
        ...errLines,
        ...(opts.stdoutFile ? [`--- ${opts.stdoutFile} (tail) ---`, tailFile(opts.stdoutFile, 4_000)] : []),
      ].join('\n'),
    exited: () => child.exitCode !== null || child.signalCode !== null,
    pause: () => process.kill(pid, 'SIGSTOP'),
    resume: () => process.kill(pid, 'SIGCONT'),
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(pid, 'SIGCONT'); // a stopped process does not act on SIGTERM
      } catch {
        /* gone */
      }
      await terminatePid(pid, graceMs);
      await Promise.race([exit, new Promise((r) => setTimeout(r, 2_000))]);
      started.delete(pid);
    },
  };
}

/** VmRSS and VmHWM of a pid in bytes (undefined when gone). */
export function readMemory(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `intervalMs`; `peak()` is the highest sample or VmHWM, whichever is higher. */
export class RssSampler {
  private timer?: NodeJS.Timeout;
  private maxRss = 0;
  private lastHwm = 0;
  private samples = 0;
  private windowMax = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    const tick = () => {
      if (!isPidAlive(this.pid)) return;
      const m = readMemory(this.pid);
      if (!m) return;
      this.samples++;
      if (m.rss > this.maxRss) this.maxRss = m.rss;
      if (m.rss > this.windowMax) this.windowMax = m.rss;
      if (m.hwm > this.lastHwm) this.lastHwm = m.hwm;
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Highest sampled RSS since the last call (for per-phase peaks). */
  takeWindowMax(): number {
    const m = this.windowMax;
    this.windowMax = 0;
    return m;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get sampleCount(): number {
    return this.samples;
  }

  get maxSampledRss(): number {
    return this.maxRss;
  }

  get hwm(): number {
    return this.lastHwm;
  }
}

export const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(0)} MiB`;

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** Busy and total jiffies of the whole machine (/proc/stat "cpu" line). */
function machineJiffies(): { busy: number; total: number } | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = v;
    const busy = user + nice + system + irq + softirq + (steal ?? 0);
    return { busy, total: busy + idle + (iowait ?? 0) };
  } catch {
    return undefined;
  }
}

/** utime + stime of a process (all its threads), in jiffies. */
function processJiffies(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

export interface CpuUse {
  seconds: number;
  /** Average cores used by the listed processes (ours). */
  oursCores: number;
  /** Average cores used by everything else on the machine (other people's work). */
  othersCores: number;
  /** CPU seconds used by each listed pid over the window. */
  cpuSeconds: Record<number, number>;
}

/**
 * How much CPU the benchmark's own processes used over a window, and how much everything else did:
 * on a shared machine the second number says how far a result may be understated.
 */
export class CpuAccount {
  private readonly startMachine = machineJiffies();
  private readonly startOurs: Map<number, number>;
  private readonly t0 = Date.now();

  constructor(private readonly pids: number[]) {
    this.startOurs = new Map(pids.map((p) => [p, processJiffies(p)]));
  }

  stop(): CpuUse {
    const seconds = (Date.now() - this.t0) / 1000;
    const m = machineJiffies();
    let ours = 0;
    const cpuSeconds: Record<number, number> = {};
    for (const p of this.pids) {
      const used = Math.max(0, processJiffies(p) - (this.startOurs.get(p) ?? 0));
      cpuSeconds[p] = used / CLOCK_TICKS;
      ours += used;
    }
    const busy = m && this.startMachine ? m.busy - this.startMachine.busy : NaN;
    const toCores = (j: number) => (seconds > 0 ? j / CLOCK_TICKS / seconds : NaN);
    return { seconds, oursCores: toCores(ours), othersCores: Math.max(0, toCores(busy - ours)), cpuSeconds };
  }
}
