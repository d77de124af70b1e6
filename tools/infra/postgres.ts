/**
 * A throw-away PostgreSQL server (foreground child, bound to 127.0.0.1 on its own port, its own data
 * directory) for tests, the dev run and CI, from Debian's `postgresql` package (initdb and postgres sit
 * outside PATH in /usr/lib/postgresql/<major>/bin). Never touches the system server on 5432.
 *
 * PostgreSQL refuses to run as root: when we are root, initdb and postgres run as the package's
 * `postgres` user (spawn's uid/gid), and the data directory is made theirs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import {
  endServerPid,
  fileSize,
  freePort,
  isPidAlive,
  ownsServerPid,
  readFrom,
  run,
  signalPid,
  sleep,
  trackForegroundChild,
  untrackForegroundChild,
  waitForPidExit,
  which,
} from './util';

type Logger = (message: string) => void;
const stderrLogger: Logger = (m) => process.stderr.write(`[dw-infra] ${m}\n`);

/** The superuser initdb creates (trust authentication on 127.0.0.1 and the socket only). */
export const PG_USER = 'dualwatch';

function binDirs(): string[] {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return [];
  return fs
    .readdirSync(base)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(base, v, 'bin'))
    .filter((d) => fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'postgres')));
}

/**
 * The folder holding initdb and postgres: DW_PG_BIN, else the newest /usr/lib/postgresql/<major>/bin,
 * else a folder on PATH. If none and we are root, installs Debian's `postgresql`; otherwise a clear error.
 */
export async function ensurePostgres(opts: { log?: Logger } = {}): Promise<string> {
  const given = process.env.DW_PG_BIN?.trim();
  if (given) {
    if (!fs.existsSync(path.join(given, 'initdb'))) throw new Error(`DW_PG_BIN=${given} holds no initdb`);
    return given;
  }
  const found = binDirs()[0] ?? (which('initdb') && which('postgres') ? path.dirname(which('initdb')!) : undefined);
  if (found) return found;
  const log = opts.log ?? stderrLogger;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !which('apt-get'))
    throw new Error(
      'PostgreSQL server binaries (initdb, postgres) not found. Install them (Debian/Ubuntu: `sudo apt-get install -y postgresql`) ' +
        'or set DW_PG_BIN to the folder that holds them, or point the tests at a running server with DW_TEST_DATABASE_URL.',
    );
  log('PostgreSQL not found; installing it with apt-get (root)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = await run('apt-get', ['update'], { env, timeoutMs: 10 * 60_000 });
  if (update.code !== 0) throw new Error(`apt-get update failed:\n${update.output.slice(-3000)}`);
  const install = await run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], { env, timeoutMs: 10 * 60_000 });
  if (install.code !== 0) throw new Error(`apt-get install postgresql failed:\n${install.output.slice(-3000)}`);
  const after = binDirs()[0];
  if (!after) throw new Error('initdb still not found after apt-get install postgresql');
  return after;
}

/** uid/gid to run the server as: ours, or the `postgres` user's when we are root. */
function runAs(): { uid?: number; gid?: number } {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line)
    throw new Error('running as root, and there is no `postgres` user to run PostgreSQL as (apt-get install postgresql creates it)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function chownTree(dir: string, ids: { uid?: number; gid?: number }): void {
  if (ids.uid === undefined) return;
  fs.chownSync(dir, ids.uid, ids.gid!);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chownTree(p, ids);
    else fs.chownSync(p, ids.uid, ids.gid!);
  }
}

export interface PostgresServerOptions {
  /** Port on 127.0.0.1 (default: a free port). */
  port?: number;
  /** Where the cluster lives (kept on stop). Default: a fresh mkdtemp under os.tmpdir(), removed on stop(). */
  dir?: string;
  /** Own process group, survives the starting process (CLI). Default false. */
  detached?: boolean;
  /** Give up starting after this long (default 60 s). */
  startTimeoutMs?: number;
  /** Databases to create once the server answers (default: `dualwatch`). */
  databases?: string[];
  /**
   * fsync and full-page writes on, as a production server (default false: a throw-away server for
   * tests skips them; a crash of the process is survived either way, a crash of the machine is not).
   */
  durable?: boolean;
}

export interface PostgresServerState {
  kind: 'postgres';
  pid: number;
  port: number;
  /** postgres://dualwatch@127.0.0.1:<port>/dualwatch */
  url: string;
  dir: string;
  ownsDir: boolean;
  logFile: string;
  detached: boolean;
  durable?: boolean;
}

/** A database URL on this server. */
export const postgresUrl = (port: number, database = 'dualwatch'): string => `postgres://${PG_USER}@127.0.0.1:${port}/${database}`;

export class PostgresServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly logFile: string;
  private readonly ownsDir: boolean;
  private readonly detached: boolean;
  private readonly startTimeoutMs: number;
  private readonly durable: boolean;
  private child?: ChildProcess;
  private _pid: number;

  private constructor(s: Omit<PostgresServerState, 'kind'> & { startTimeoutMs?: number }) {
    this.durable = s.durable ?? false;
    this.port = s.port;
    this.url = s.url;
    this.dir = s.dir;
    this.logFile = s.logFile;
    this.ownsDir = s.ownsDir;
    this.detached = s.detached;
    this.startTimeoutMs = s.startTimeoutMs ?? 60_000;
    this._pid = s.pid;
  }

  /** pid of the postmaster (changes on restart()). */
  get pid(): number {
    return this._pid;
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  static async start(opts: PostgresServerOptions = {}): Promise<PostgresServer> {
    const bin = await ensurePostgres();
    const ids = runAs();
    const ownsDir = !opts.dir;
    const dir = opts.dir ? path.resolve(opts.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'dw-postgres-'));
    fs.mkdirSync(dir, { recursive: true });
    const logFile = path.join(dir, 'postgres.log');
    try {
      const data = path.join(dir, 'data');
      if (!fs.existsSync(path.join(data, 'PG_VERSION'))) {
        fs.mkdirSync(data, { recursive: true, mode: 0o700 });
        chownTree(dir, ids);
        const init = await run(
          path.join(bin, 'initdb'),
          ['-D', data, '-U', PG_USER, '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'],
          { timeoutMs: 120_000, ...ids },
        );
        if (init.code !== 0) throw new Error(`initdb failed:\n${init.output.slice(-3000)}`);
      }
      const maxAttempts = opts.port === undefined ? 3 : 1;
      for (let attempt = 1; ; attempt++) {
        const port = opts.port ?? (await freePort());
        const server = new PostgresServer({
          pid: 0,
          port,
          url: postgresUrl(port),
          dir,
          ownsDir,
          logFile,
          detached: opts.detached ?? false,
          startTimeoutMs: opts.startTimeoutMs,
          durable: opts.durable,
        });
        try {
          await server.launch(bin, ids);
        } catch (err) {
          if ((err as { addressInUse?: boolean }).addressInUse && attempt < maxAttempts) continue;
          throw err;
        }
        for (const db of opts.databases ?? ['dualwatch']) await server.createDatabase(db);
        return server;
      }
    } catch (err) {
      if (ownsDir) fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** A handle on a server started earlier (e.g. by `cli start`), from its state(). */
  static attach(state: PostgresServerState): PostgresServer {
    return new PostgresServer(state);
  }

  state(): PostgresServerState {
    return {
      kind: 'postgres',
      pid: this._pid,
      port: this.port,
      url: this.url,
      dir: this.dir,
      ownsDir: this.ownsDir,
      logFile: this.logFile,
      detached: this.detached,
      durable: this.durable,
    };
  }

  toJSON(): PostgresServerState {
    return this.state();
  }

  isRunning(): boolean {
    return this.ownsPid();
  }

  /** A URL for another database on this server. */
  urlFor(database: string): string {
    return postgresUrl(this.port, database);
  }

  /** Creates a database if it does not exist yet. */
  async createDatabase(name: string): Promise<string> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
    const c = new Client({ connectionString: postgresUrl(this.port, 'postgres') });
    await c.connect();
    try {
      const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (r.rowCount === 0) await c.query(`CREATE DATABASE ${name}`);
    } finally {
      await c.end();
    }
    return this.urlFor(name);
  }

  /** SELECT 1 over a fresh connection. */
  async ping(timeoutMs = 2_000): Promise<boolean> {
    const c = new Client({ connectionString: postgresUrl(this.port, 'postgres'), connectionTimeoutMillis: timeoutMs });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  /** Fast shutdown (SIGINT: clients are disconnected), SIGKILL after 30 s; removes the dir if we created it. */
  async stop(): Promise<void> {
    await this.terminate(30_000);
    if (this.ownsDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGKILL (crash simulation); keeps the data so restart() recovers from the WAL. */
  async kill(): Promise<void> {
    await this.terminate(0);
    // the backends notice their postmaster is gone and exit; a new postmaster refuses to start until they have
    await sleep(200);
  }

  /** Stops (if running) and starts again on the same port and data; resolves when it answers. */
  async restart(): Promise<void> {
    await this.terminate(30_000);
    await this.launch(await ensurePostgres(), runAs());
  }

  private ownsPid(): boolean {
    return ownsServerPid(this._pid, this.child, (cmd) => cmd.includes('postgres') && cmd.includes(this.dataDir));
  }

  private async terminate(graceMs: number): Promise<void> {
    const pid = this._pid;
    const owned = this.ownsPid();
    if (pid && owned && graceMs > 0) {
      // SIGTERM is PostgreSQL's "smart" shutdown, which waits for every client to leave: SIGINT is "fast"
      signalPid(pid, 'SIGINT');
      if (!(await waitForPidExit(pid, graceMs))) await endServerPid(pid, true, 0, 'PostgresServer');
    } else await endServerPid(pid, owned, graceMs, 'PostgresServer');
    if (pid) untrackForegroundChild(pid);
    this.child = undefined;
  }

  private async launch(bin: string, ids: { uid?: number; gid?: number }): Promise<void> {
    const offset = fileSize(this.logFile);
    const out = fs.openSync(this.logFile, 'a');
    if (ids.uid !== undefined) fs.chownSync(this.logFile, ids.uid, ids.gid!);
    let child: ChildProcess;
    try {
      child = spawn(
        path.join(bin, 'postgres'),
        [
          '-D',
          this.dataDir,
          '-p',
          String(this.port),
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          `unix_socket_directories=${this.dir}`,
          // a throw-away server: a crash of this process is survived (WAL), a crash of the machine is not
          ...(this.durable ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off']),
          '-c',
          'max_connections=200',
          '-c',
          'shared_buffers=128MB',
        ],
        { cwd: this.dir, detached: this.detached, stdio: ['ignore', out, out], ...ids },
      );
    } finally {
      fs.closeSync(out);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    if (!child.pid) throw new Error('PostgresServer: spawn returned no pid');
    this.child = child;
    this._pid = child.pid;
    if (this.detached) child.unref();
    else trackForegroundChild(child.pid);

    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      if (!isPidAlive(child.pid) || child.exitCode !== null) {
        const text = readFrom(this.logFile, offset).slice(-4000);
        this.child = undefined;
        untrackForegroundChild(child.pid);
        const err = new Error(
          `postgres (pid ${child.pid}, port ${this.port}) exited during startup (code ${child.exitCode ?? '?'}).\n--- ${this.logFile} ---\n${text}`,
        );
        Object.assign(err, { addressInUse: /could not bind|already in use/i.test(text) });
        throw err;
      }
      // the data directory it reports proves the answer comes from *our* server, not another on that port
      const c = new Client({ connectionString: postgresUrl(this.port, 'postgres'), connectionTimeoutMillis: 1_000 });
      try {
        await c.connect();
        const r = await c.query<{ data_directory: string }>('SHOW data_directory');
        if (path.resolve(r.rows[0].data_directory) === path.resolve(this.dataDir)) return;
      } catch {
        /* not answering yet */
      } finally {
        await c.end().catch(() => undefined);
      }
      if (Date.now() > deadline) {
        const text = readFrom(this.logFile, offset).slice(-4000);
        await this.terminate(0);
        throw new Error(
          `postgres (pid ${child.pid}, port ${this.port}) not answering after ${this.startTimeoutMs / 1000} s; killed it.\n--- ${this.logFile} ---\n${text}`,
        );
      }
      await sleep(100);
    }
  }
}
