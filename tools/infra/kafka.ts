/**
 * A real, single-node Apache Kafka 3.9 broker (KRaft, broker+controller in one JVM) for tests,
 * the dev run and CI. No Docker: the broker's jars come from Maven Central (kafka-pom.xml) into a
 * cache dir, and the JVM is started directly as a child process we own by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  cacheDir,
  fileSize,
  freePort,
  endServerPid,
  isPidAlive,
  ownsServerPid,
  readFrom,
  repoRoot,
  run,
  sleep,
  trackForegroundChild,
  untrackForegroundChild,
  which,
} from './util';

/** The Kafka version we want; 3.9.1 is only tried when 3.9.2 cannot be fetched. */
export const KAFKA_VERSION = '3.9.2';
const KAFKA_VERSIONS = [KAFKA_VERSION, '3.9.1'] as const;
const MARKER = '.complete';
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies';
const STARTED_MESSAGE = 'Kafka Server started';
/** Largest record batch the broker accepts: 12 MiB, so the app can see (and DLQ) > 10 MB messages. */
export const KAFKA_MAX_MESSAGE_BYTES = 12_582_912;

type Logger = (message: string) => void;
const stderrLogger: Logger = (m) => process.stderr.write(`[dw-infra] ${m}\n`);

function distDir(version: string): string {
  return path.join(cacheDir(), `kafka-${version}`);
}

function completeLibsDir(version: string): string | undefined {
  const dir = distDir(version);
  const libs = path.join(dir, 'libs');
  return fs.existsSync(path.join(dir, MARKER)) && fs.existsSync(path.join(libs, `kafka_2.13-${version}.jar`)) ? libs : undefined;
}

/** Cross-process lock: a directory created with mkdir (atomic); stale locks of dead pids are broken. */
async function withDirLock<T>(lockDir: string, what: string, fn: () => Promise<T>, log: Logger): Promise<T> {
  const ownerFile = path.join(lockDir, 'owner.json');
  const deadline = Date.now() + 20 * 60_000;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now() }));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // Somebody holds it: break it if the holder is dead (same host) or it is ancient.
    let stale = false;
    try {
      const owner = JSON.parse(fs.readFileSync(ownerFile, 'utf8')) as { pid: number; host: string; at: number };
      stale = (owner.host === os.hostname() && !isPidAlive(owner.pid)) || Date.now() - owner.at > 30 * 60_000;
    } catch {
      // owner file not written yet (holder between mkdir and write) or unreadable: judge by age.
      try {
        stale = Date.now() - fs.statSync(lockDir).mtimeMs > 60_000;
      } catch {
        /* lock vanished: retry */
      }
    }
    if (stale) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lockDir} (${what})`);
    if (!announced) {
      log(`waiting for another process that is ${what} (lock ${lockDir})`);
      announced = true;
    }
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Makes sure the Kafka broker's runtime classpath is in the cache and returns its libs dir
 * (`<DW_CACHE_DIR or repoRoot/.cache>/kafka-3.9.2/libs`). The first call runs Maven
 * (`mvn -q -B ... copy-dependencies`); the result counts only once the marker file exists.
 * Concurrent callers (two jest runs) serialise on a mkdir lock, and the copy goes to a temp dir
 * that is renamed into place, so a half-finished fetch is never used and is redone next time.
 */
export async function ensureKafkaDistribution(opts: { log?: Logger } = {}): Promise<string> {
  const log = opts.log ?? stderrLogger;
  for (const v of KAFKA_VERSIONS) {
    const libs = completeLibsDir(v);
    if (libs) return libs;
  }
  const root = cacheDir();
  fs.mkdirSync(root, { recursive: true });
  return withDirLock(
    path.join(root, 'kafka-dist.lock'),
    'fetching the Kafka distribution',
    async () => {
      for (const v of KAFKA_VERSIONS) {
        const libs = completeLibsDir(v); // another process may have finished while we waited
        if (libs) return libs;
      }
      // temp dirs of fetches whose process died (killed CI job, Ctrl-C) are garbage now.
      for (const entry of fs.readdirSync(root)) {
        const m = /^kafka-.+\.tmp-(\d+)-[0-9a-f]+$/.exec(entry);
        if (m && !isPidAlive(Number(m[1]))) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
      }
      const mvn = which('mvn');
      if (!mvn) throw new Error('ensureKafkaDistribution: `mvn` (Maven 3) is not on PATH; it is needed once to fetch Kafka');
      if (!javaExecutable()) throw new Error('ensureKafkaDistribution: `java` (JDK 17+) is not on PATH');
      const pom = path.join(repoRoot(), 'tools', 'infra', 'kafka-pom.xml');
      if (!fs.existsSync(pom)) throw new Error(`ensureKafkaDistribution: ${pom} is missing`);
      const failures: string[] = [];
      for (const v of KAFKA_VERSIONS) {
        const tmp = `${distDir(v)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
        const tmpLibs = path.join(tmp, 'libs');
        fs.mkdirSync(tmpLibs, { recursive: true });
        log(`fetching Apache Kafka ${v} from Maven Central into ${distDir(v)} (one time)...`);
        const started = Date.now();
        try {
          const res = await run(
            mvn,
            [
              '-q',
              '-B',
              '-Dstyle.color=never',
              '-f',
              pom,
              `-Dkafka.version=${v}`,
              DEPENDENCY_PLUGIN,
              '-DincludeScope=runtime',
              `-DoutputDirectory=${tmpLibs}`,
            ],
            { cwd: tmp, timeoutMs: 20 * 60_000 },
          );
          const jar = path.join(tmpLibs, `kafka_2.13-${v}.jar`);
          if (res.code !== 0 || !fs.existsSync(jar)) {
            failures.push(`Kafka ${v}: mvn exited ${res.code ?? res.signal}\n${res.output.slice(-4000)}`);
            fs.rmSync(tmp, { recursive: true, force: true });
            continue;
          }
          const jars = fs.readdirSync(tmpLibs).filter((f) => f.endsWith('.jar'));
          fs.writeFileSync(
            path.join(tmp, MARKER),
            JSON.stringify({ version: v, jars: jars.length, fetchedAt: new Date().toISOString() }, null, 2),
          );
          fs.rmSync(distDir(v), { recursive: true, force: true }); // leftovers of an interrupted run
          fs.renameSync(tmp, distDir(v));
          log(`Kafka ${v}: ${jars.length} jars fetched in ${((Date.now() - started) / 1000).toFixed(1)} s`);
          return path.join(distDir(v), 'libs');
        } catch (err) {
          fs.rmSync(tmp, { recursive: true, force: true });
          throw err;
        }
      }
      throw new Error(`ensureKafkaDistribution: Maven could not fetch Kafka:\n${failures.join('\n---\n')}`);
    },
    log,
  );
}

function javaExecutable(): string | undefined {
  const home = process.env.JAVA_HOME;
  if (home) {
    const j = path.join(home, 'bin', 'java');
    if (fs.existsSync(j)) return j;
  }
  return which('java');
}

/** 22-char base64url of 16 random bytes, never starting with '-' (it would look like a CLI flag). */
export function generateClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export interface KafkaBrokerOptions {
  /** PLAINTEXT port on 127.0.0.1 (default: a free port). */
  port?: number;
  /** CONTROLLER port on 127.0.0.1 (default: a free port). */
  controllerPort?: number;
  /** Data dir (kept on stop). Default: a fresh mkdtemp under os.tmpdir(), removed on stop(). */
  dataDir?: string;
  /** JVM -Xmx in MiB (default 512). */
  heapMb?: number;
  /** Label used in the temp dir name and messages (default "kafka"). */
  name?: string;
  /** Own process group, not killed with us; survives the starting process (CLI). Default false. */
  detached?: boolean;
  /** Give up starting after this long (default 90 s). */
  startTimeoutMs?: number;
  /** Extra / overriding server.properties entries. */
  extraProperties?: Record<string, string | number | boolean>;
}

/** Everything needed to find (and stop) a running broker again, e.g. from another process. */
export interface KafkaBrokerState {
  kind: 'kafka';
  name: string;
  pid: number;
  port: number;
  controllerPort: number;
  brokers: string;
  dataDir: string;
  ownsDataDir: boolean;
  logFile: string;
  heapMb: number;
  libsDir: string;
  detached: boolean;
  startTimeoutMs?: number;
}

class StartFailure extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
  }
}

export class KafkaBroker {
  readonly name: string;
  readonly port: number;
  readonly controllerPort: number;
  /** bootstrap string for clients, e.g. "127.0.0.1:39092" */
  readonly brokers: string;
  readonly dataDir: string;
  /** log4j output of the broker (server.log in the data dir). */
  readonly logFile: string;
  /** JVM stdout/stderr (crashes before log4j is up land here). */
  readonly outFile: string;
  readonly heapMb: number;
  private readonly ownsDataDir: boolean;
  private readonly libsDir: string;
  private readonly detached: boolean;
  private readonly startTimeoutMs: number;
  private child?: ChildProcess;
  private _pid: number;

  private constructor(s: Omit<KafkaBrokerState, 'kind'>) {
    this.name = s.name;
    this.port = s.port;
    this.controllerPort = s.controllerPort;
    this.brokers = s.brokers;
    this.dataDir = s.dataDir;
    this.logFile = s.logFile;
    this.outFile = path.join(s.dataDir, 'kafka.out');
    this.heapMb = s.heapMb;
    this.ownsDataDir = s.ownsDataDir;
    this.libsDir = s.libsDir;
    this.detached = s.detached;
    this.startTimeoutMs = s.startTimeoutMs ?? 90_000;
    this._pid = s.pid;
  }

  /** pid of the broker JVM (changes on restart()). */
  get pid(): number {
    return this._pid;
  }

  get serverPropertiesFile(): string {
    return path.join(this.dataDir, 'server.properties');
  }

  /** Fetches Kafka if needed, formats storage, starts the JVM and waits until it serves clients. */
  static async start(opts: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
    const libsDir = await ensureKafkaDistribution();
    const java = javaExecutable();
    if (!java) throw new Error('KafkaBroker: `java` (JDK 17+) is not on PATH and JAVA_HOME is not set');
    const name = opts.name ?? 'kafka';
    const autoPorts = opts.port === undefined && opts.controllerPort === undefined;
    const maxAttempts = autoPorts ? 3 : 1;
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freePort());
      let controllerPort = opts.controllerPort ?? (await freePort());
      while (controllerPort === port && opts.controllerPort === undefined) controllerPort = await freePort();
      if (controllerPort === port) throw new Error('KafkaBroker: port and controllerPort must differ');
      const ownsDataDir = !opts.dataDir;
      const dataDir = opts.dataDir
        ? path.resolve(opts.dataDir)
        : fs.mkdtempSync(path.join(os.tmpdir(), `dw-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}-`));
      fs.mkdirSync(dataDir, { recursive: true });
      const broker = new KafkaBroker({
        name,
        pid: 0,
        port,
        controllerPort,
        brokers: `127.0.0.1:${port}`,
        dataDir,
        ownsDataDir,
        logFile: path.join(dataDir, 'server.log'),
        heapMb: opts.heapMb ?? 512,
        libsDir,
        detached: opts.detached ?? false,
        startTimeoutMs: opts.startTimeoutMs,
      });
      try {
        broker.writeConfig(opts.extraProperties ?? {});
        await broker.formatStorage(java);
        await broker.launch(java);
        return broker;
      } catch (err) {
        if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
        if (err instanceof StartFailure && err.addressInUse && attempt < maxAttempts) continue;
        throw err;
      }
    }
  }

  /**
   * A handle on a broker started earlier (possibly by another process, e.g. `cli start`), from its
   * `state()`. stop()/kill() only signal the pid if it still is that broker's JVM.
   */
  static attach(state: KafkaBrokerState): KafkaBroker {
    return new KafkaBroker(state);
  }

  /** JSON-serialisable description, the input of attach(). */
  state(): KafkaBrokerState {
    return {
      kind: 'kafka',
      name: this.name,
      pid: this._pid,
      port: this.port,
      controllerPort: this.controllerPort,
      brokers: this.brokers,
      dataDir: this.dataDir,
      ownsDataDir: this.ownsDataDir,
      logFile: this.logFile,
      heapMb: this.heapMb,
      libsDir: this.libsDir,
      detached: this.detached,
      startTimeoutMs: this.startTimeoutMs,
    };
  }

  toJSON(): KafkaBrokerState {
    return this.state();
  }

  /** True while our JVM runs (checked by pid and command line, so a reused pid does not count). */
  isRunning(): boolean {
    return this.ownsPid();
  }

  /** Graceful stop: SIGTERM to the broker's pid, SIGKILL after 30 s; removes the data dir if we created it. */
  async stop(): Promise<void> {
    await this.terminate(30_000);
    if (this.ownsDataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** SIGKILL (crash simulation). Keeps the data dir, so restart() can follow. */
  async kill(): Promise<void> {
    await this.terminate(0);
  }

  /** Stops (if running) and starts again on the same ports and data dir; resolves once serving. */
  async restart(): Promise<void> {
    await this.terminate(30_000);
    const java = javaExecutable();
    if (!java) throw new Error('KafkaBroker: `java` is not on PATH');
    await this.launch(java);
  }

  private ownsPid(): boolean {
    return ownsServerPid(this._pid, this.child, (cmd) => cmd.includes('kafka.Kafka') && cmd.includes(this.serverPropertiesFile));
  }

  private async terminate(graceMs: number): Promise<void> {
    await endServerPid(this._pid, this.ownsPid(), graceMs, 'KafkaBroker');
    this.child = undefined;
  }

  private writeConfig(extra: Record<string, string | number | boolean>): void {
    const d = this.dataDir;
    const props: Record<string, string | number | boolean> = {
      'process.roles': 'broker,controller',
      'node.id': 1,
      'controller.quorum.voters': `1@127.0.0.1:${this.controllerPort}`,
      listeners: `PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${this.port}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'log.dirs': path.join(d, 'kafka-logs'),
      'num.partitions': 3,
      'default.replication.factor': 1,
      'min.insync.replicas': 1,
      'offsets.topic.replication.factor': 1,
      'offsets.topic.num.partitions': 1,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      'transaction.state.log.num.partitions': 1,
      'group.initial.rebalance.delay.ms': 0,
      // After a crash (SIGKILL) the restarted node must wait for its old registration's session to
      // expire before it is unfenced: 9 s by default; 4 s keeps crash tests quick.
      'broker.session.timeout.ms': 4_000,
      'broker.heartbeat.interval.ms': 500,
      'auto.create.topics.enable': false,
      'delete.topic.enable': true,
      // > 10 MB messages must reach the broker so the app can see and dead-letter them.
      'message.max.bytes': KAFKA_MAX_MESSAGE_BYTES,
      'replica.fetch.max.bytes': KAFKA_MAX_MESSAGE_BYTES,
      'replica.fetch.response.max.bytes': 4 * KAFKA_MAX_MESSAGE_BYTES,
      // segments must hold the largest batch; keep them smallish for a test broker.
      'log.segment.bytes': 64 * 1024 * 1024,
      'log.retention.hours': 24,
      'log.retention.check.interval.ms': 60_000,
      'log.cleaner.dedupe.buffer.size': 16 * 1024 * 1024,
      'num.network.threads': 3,
      'num.io.threads': 4,
      'num.recovery.threads.per.data.dir': 1,
      ...extra,
    };
    const lines = Object.entries(props).map(([k, v]) => `${k}=${String(v)}`);
    fs.writeFileSync(this.serverPropertiesFile, `# written by tools/infra/kafka.ts\n${lines.join('\n')}\n`);
    fs.writeFileSync(
      path.join(d, 'log4j.properties'),
      [
        'log4j.rootLogger=WARN, file',
        'log4j.appender.file=org.apache.log4j.FileAppender',
        `log4j.appender.file.File=${this.logFile}`,
        'log4j.appender.file.Append=true',
        'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
        'log4j.logger.kafka.server.KafkaServer=INFO',
        'log4j.logger.kafka.server.KafkaRaftServer=INFO',
        'log4j.logger.kafka.Kafka$=INFO',
        '',
      ].join('\n'),
    );
    const idFile = path.join(d, 'cluster.id');
    if (!fs.existsSync(idFile)) fs.writeFileSync(idFile, `${generateClusterId()}\n`);
  }

  private async formatStorage(java: string): Promise<void> {
    if (fs.existsSync(path.join(this.dataDir, 'kafka-logs', 'meta.properties'))) return; // already formatted
    const clusterId = fs.readFileSync(path.join(this.dataDir, 'cluster.id'), 'utf8').trim();
    const res = await run(
      java,
      [
        '-Xmx256m',
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        `-Dlog4j.configuration=file:${path.join(this.dataDir, 'log4j.properties')}`,
        '-cp',
        `${this.libsDir}/*`,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        this.serverPropertiesFile,
        '--ignore-formatted',
      ],
      { cwd: this.dataDir, timeoutMs: 120_000 },
    );
    if (res.code !== 0) {
      throw new Error(`KafkaBroker: StorageTool format failed (exit ${res.code ?? res.signal}):\n${res.output.slice(-4000)}`);
    }
  }

  private async launch(java: string): Promise<void> {
    const logOffset = fileSize(this.logFile);
    const outOffset = fileSize(this.outFile);
    const out = fs.openSync(this.outFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        java,
        [
          `-Xmx${this.heapMb}m`,
          `-Xms${Math.min(this.heapMb, 256)}m`,
          '-XX:+UseG1GC',
          '-XX:MaxGCPauseMillis=20',
          '-XX:+ExitOnOutOfMemoryError',
          '-Djava.awt.headless=true',
          `-Dlog4j.configuration=file:${path.join(this.dataDir, 'log4j.properties')}`,
          `-Dkafka.logs.dir=${this.dataDir}`,
          '-cp',
          `${this.libsDir}/*`,
          'kafka.Kafka',
          this.serverPropertiesFile,
        ],
        { cwd: this.dataDir, detached: this.detached, stdio: ['ignore', out, out] },
      );
    } finally {
      fs.closeSync(out);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    if (!child.pid) throw new Error('KafkaBroker: spawn returned no pid');
    this.child = child;
    this._pid = child.pid;
    if (this.detached) child.unref();
    else trackForegroundChild(child.pid);

    const deadline = Date.now() + this.startTimeoutMs;
    const diagnostics = (): string =>
      `--- ${this.logFile} (tail) ---\n${readFrom(this.logFile, logOffset).slice(-6000) || '(empty)'}\n` +
      `--- ${this.outFile} (tail) ---\n${readFrom(this.outFile, outOffset).slice(-3000) || '(empty)'}`;
    for (;;) {
      if (!this.ownsPid()) {
        const text = diagnostics();
        this.child = undefined;
        untrackForegroundChild(child.pid);
        throw new StartFailure(
          `KafkaBroker "${this.name}" (pid ${child.pid}, ${this.brokers}) exited during startup ` +
            `(code ${child.exitCode ?? '?'}, signal ${child.signalCode ?? '-'}).\n${text}`,
          /Address already in use|BindException/.test(text),
        );
      }
      if (readFrom(this.logFile, logOffset).includes(STARTED_MESSAGE) && (await this.describeCluster())) return;
      if (Date.now() > deadline) {
        const text = diagnostics();
        await this.terminate(0);
        throw new Error(
          `KafkaBroker "${this.name}" (pid ${child.pid}, ${this.brokers}) not ready after ` +
            `${this.startTimeoutMs / 1000} s; killed it.\n${text}`,
        );
      }
      await sleep(200);
    }
  }

  /** One kafkajs admin round trip: connect + describeCluster. */
  private async describeCluster(): Promise<boolean> {
    const admin = new Kafka({
      clientId: 'dw-infra-readiness',
      brokers: [this.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2_000,
      requestTimeout: 5_000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
