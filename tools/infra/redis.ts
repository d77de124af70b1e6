/**
 * A throw-away redis-server (foreground child, no persistence, bound to 127.0.0.1 on its own port)
 * for tests, the dev run and CI. Never touches the system Redis on 6379.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  fileSize,
  freePort,
  endServerPid,
  ownsServerPid,
  readFrom,
  run,
  sleep,
  trackForegroundChild,
  untrackForegroundChild,
  which,
} from './util';

type Logger = (message: string) => void;
const stderrLogger: Logger = (m) => process.stderr.write(`[dw-infra] ${m}\n`);

/**
 * Path of `redis-server`. If it is missing and we are root, installs Debian's package
 * (`apt-get update && apt-get install -y redis-server`); otherwise throws a clear error.
 */
export async function ensureRedisServer(opts: { log?: Logger } = {}): Promise<string> {
  const found = which('redis-server');
  if (found) return found;
  const log = opts.log ?? stderrLogger;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !which('apt-get')) {
    throw new Error(
      'redis-server is not on PATH. Install it (Debian/Ubuntu: `sudo apt-get install -y redis-server`, ' +
        'macOS: `brew install redis`) or point the tests at a running Redis with DW_TEST_REDIS_URL.',
    );
  }
  log('redis-server not found; installing it with apt-get (root)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = await run('apt-get', ['update'], { env, timeoutMs: 10 * 60_000 });
  if (update.code !== 0) throw new Error(`apt-get update failed:\n${update.output.slice(-3000)}`);
  const install = await run('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server'], {
    env,
    timeoutMs: 10 * 60_000,
  });
  if (install.code !== 0) throw new Error(`apt-get install redis-server failed:\n${install.output.slice(-3000)}`);
  const after = which('redis-server') ?? (fs.existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined);
  if (!after) throw new Error('redis-server still not found after apt-get install');
  return after;
}

type RespValue = string | number | null;

/** One RESP command over a raw socket (no client library, no reconnect noise). */
export function redisCommand(port: number, args: string[], timeoutMs = 1_000, host = '127.0.0.1'): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    const done = (err: Error | null, value?: RespValue): void => {
      socket.destroy();
      if (err) reject(err);
      else resolve(value ?? null);
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`redis ${host}:${port}: no reply within ${timeoutMs} ms`)));
    socket.once('error', (err) => done(err));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const eol = buf.indexOf('\r\n');
      if (eol < 0) return;
      const head = buf.subarray(0, eol).toString('utf8');
      const type = head[0];
      const rest = head.slice(1);
      if (type === '+') return done(null, rest);
      if (type === '-') return done(new Error(`redis error: ${rest}`));
      if (type === ':') return done(null, Number(rest));
      if (type === '$') {
        const len = Number(rest);
        if (len < 0) return done(null, null);
        if (buf.length < eol + 2 + len) return; // wait for the rest of the bulk string
        return done(null, buf.subarray(eol + 2, eol + 2 + len).toString('utf8'));
      }
      return done(new Error(`redis: unsupported reply type ${JSON.stringify(head)}`));
    });
    socket.once('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
  });
}

export interface RedisServerOptions {
  /** Port on 127.0.0.1 (default: a free port). */
  port?: number;
  /** Working dir (kept on stop). Default: a fresh mkdtemp under os.tmpdir(), removed on stop(). */
  dir?: string;
  /** Own process group, survives the starting process (CLI). Default false. */
  detached?: boolean;
  /** Give up starting after this long (default 20 s). */
  startTimeoutMs?: number;
  /**
   * Keep the data across stop()/kill() and restart() in an append-only file in `dir` (fsync every
   * second), as a production Redis holding state would. Default false: nothing on disk.
   */
  appendOnly?: boolean;
}

export interface RedisServerState {
  kind: 'redis';
  pid: number;
  port: number;
  url: string;
  dir: string;
  ownsDir: boolean;
  logFile: string;
  detached: boolean;
  appendOnly?: boolean;
}

class RedisStartFailure extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
  }
}

export class RedisServer {
  readonly port: number;
  /** "redis://127.0.0.1:<port>" */
  readonly url: string;
  readonly dir: string;
  readonly logFile: string;
  private readonly ownsDir: boolean;
  private readonly detached: boolean;
  private readonly startTimeoutMs: number;
  private readonly appendOnly: boolean;
  private child?: ChildProcess;
  private _pid: number;

  private constructor(s: Omit<RedisServerState, 'kind'> & { startTimeoutMs?: number }) {
    this.appendOnly = s.appendOnly ?? false;
    this.port = s.port;
    this.url = s.url;
    this.dir = s.dir;
    this.logFile = s.logFile;
    this.ownsDir = s.ownsDir;
    this.detached = s.detached;
    this.startTimeoutMs = s.startTimeoutMs ?? 20_000;
    this._pid = s.pid;
  }

  /** pid of redis-server (changes on restart()). */
  get pid(): number {
    return this._pid;
  }

  static async start(opts: RedisServerOptions = {}): Promise<RedisServer> {
    const bin = await ensureRedisServer();
    const maxAttempts = opts.port === undefined ? 3 : 1;
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freePort());
      const ownsDir = !opts.dir;
      const dir = opts.dir ? path.resolve(opts.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'dw-redis-'));
      fs.mkdirSync(dir, { recursive: true });
      const server = new RedisServer({
        pid: 0,
        port,
        url: `redis://127.0.0.1:${port}`,
        dir,
        ownsDir,
        logFile: path.join(dir, 'redis.log'),
        detached: opts.detached ?? false,
        startTimeoutMs: opts.startTimeoutMs,
        appendOnly: opts.appendOnly,
      });
      try {
        await server.launch(bin);
        return server;
      } catch (err) {
        if (ownsDir) fs.rmSync(dir, { recursive: true, force: true });
        if (err instanceof RedisStartFailure && err.addressInUse && attempt < maxAttempts) continue;
        throw err;
      }
    }
  }

  /** A handle on a server started earlier (e.g. by `cli start`), from its state(). */
  static attach(state: RedisServerState): RedisServer {
    return new RedisServer(state);
  }

  state(): RedisServerState {
    return {
      kind: 'redis',
      pid: this._pid,
      port: this.port,
      url: this.url,
      dir: this.dir,
      ownsDir: this.ownsDir,
      logFile: this.logFile,
      detached: this.detached,
      appendOnly: this.appendOnly,
    };
  }

  toJSON(): RedisServerState {
    return this.state();
  }

  isRunning(): boolean {
    return this.ownsPid();
  }

  /** PING over a raw socket. */
  async ping(timeoutMs = 1_000): Promise<boolean> {
    try {
      return (await redisCommand(this.port, ['PING'], timeoutMs)) === 'PONG';
    } catch {
      return false;
    }
  }

  /** SIGTERM, SIGKILL after 30 s; removes the dir if we created it. */
  async stop(): Promise<void> {
    await this.terminate(30_000);
    if (this.ownsDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGKILL (crash simulation); keeps the dir so restart() can follow. */
  async kill(): Promise<void> {
    await this.terminate(0);
  }

  /** Stops (if running) and starts again on the same port; resolves when PING answers. */
  async restart(): Promise<void> {
    await this.terminate(30_000);
    await this.launch(await ensureRedisServer());
  }

  private ownsPid(): boolean {
    return ownsServerPid(this._pid, this.child, (cmd) => cmd.includes('redis-server') && cmd.includes(`:${this.port}`));
  }

  private async terminate(graceMs: number): Promise<void> {
    await endServerPid(this._pid, this.ownsPid(), graceMs, 'RedisServer');
    this.child = undefined;
  }

  private async launch(bin: string): Promise<void> {
    const offset = fileSize(this.logFile);
    const out = fs.openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        bin,
        [
          '--daemonize',
          'no',
          '--bind',
          '127.0.0.1',
          '--port',
          String(this.port),
          '--save',
          '',
          '--appendonly',
          this.appendOnly ? 'yes' : 'no',
          '--appendfsync',
          'everysec',
          '--dir',
          this.dir,
          '--logfile',
          '',
        ],
        { cwd: this.dir, detached: this.detached, stdio: ['ignore', out, out] },
      );
    } finally {
      fs.closeSync(out);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    if (!child.pid) throw new Error('RedisServer: spawn returned no pid');
    this.child = child;
    this._pid = child.pid;
    if (this.detached) child.unref();
    else trackForegroundChild(child.pid);

    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      if (!this.ownsPid()) {
        const text = readFrom(this.logFile, offset).slice(-4000);
        this.child = undefined;
        untrackForegroundChild(child.pid);
        throw new RedisStartFailure(
          `redis-server (pid ${child.pid}, port ${this.port}) exited during startup ` +
            `(code ${child.exitCode ?? '?'}, signal ${child.signalCode ?? '-'}).\n--- ${this.logFile} ---\n${text}`,
          /Address already in use/i.test(text),
        );
      }
      // INFO's process_id proves the answer comes from *our* process, not another Redis on that port.
      try {
        const info = await redisCommand(this.port, ['INFO', 'server'], 1_000);
        if (typeof info === 'string' && new RegExp(`^process_id:${child.pid}\\r?$`, 'm').test(info)) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        const text = readFrom(this.logFile, offset).slice(-4000);
        await this.terminate(0);
        throw new Error(
          `redis-server (pid ${child.pid}, port ${this.port}) not answering after ${this.startTimeoutMs / 1000} s; ` +
            `killed it.\n--- ${this.logFile} ---\n${text}`,
        );
      }
      await sleep(50);
    }
  }
}
