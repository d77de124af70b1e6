import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { topicName } from '@dualwatch/contracts';

const ROOT = path.resolve(__dirname, '../..');
export const ENGINE_MAIN = path.join(ROOT, 'dist/apps/risk-engine/src/main.js');

/** The environment of one isolated engine deployment: its own topics, group and Redis keys. */
export function engineEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    REDIS_URL: process.env.REDIS_URL!,
    DW_TOPIC_PREFIX: prefix,
    REDIS_KEY_PREFIX: `${prefix}:`,
    ENGINE_GROUP_ID: `${prefix}-engine`,
    ENGINE_TRANSACTIONAL_ID_PREFIX: `${prefix}-engine`,
    ENGINE_REFDATA_POLL_MS: '500',
    ENGINE_SESSION_TIMEOUT_MS: '6000',
    HTTP_PORT: '0',
    LOG_LEVEL: 'error',
    ...extra,
  };
}

/** The built entry point of an app (dist/apps/<app>/src/main.js). */
export const appMain = (app: 'risk-engine' | 'notifier' | 'api' | 'projector' | 'naive-engine'): string =>
  path.join(ROOT, `dist/apps/${app}/src/main.js`);

/**
 * A built app (dist/) in its own OS process, so that tests can SIGKILL it for real. Keeps the last
 * 200 chunks of its output (`output`) and counts its exits, so a test can assert "no restarts".
 */
export class AppProcess {
  private exited: Promise<number | null>;
  readonly output: string[] = [];

  protected constructor(
    readonly child: ChildProcess,
    readonly name: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const keep = (b: Buffer) => {
      this.output.push(b.toString());
      if (this.output.length > 200) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static start(main: string, env: Record<string, string>, name = path.basename(path.dirname(path.dirname(main)))): AppProcess {
    if (!fs.existsSync(main)) throw new Error(`${main} missing: run \`npm run build\` first (scripts/test.sh does)`);
    const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new AppProcess(child, name);
  }

  /** Resolves with the exit code (null when a signal ended it). */
  waitForExit(): Promise<number | null> {
    return this.exited;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resident set size in bytes, from /proc (0 once the process is gone). */
  rssBytes(): number {
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  /** SIGTERM, then SIGKILL after 30 s. */
  async stop(): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30000);
    const code = await this.kill('SIGTERM');
    clearTimeout(timer);
    return code;
  }

  /** The captured output, for a failure message. */
  tail(chars = 4000): string {
    return this.output.join('').slice(-chars);
  }
}

/** A risk-engine in its own OS process (the built app). */
export const EngineProcess = {
  start: (env: Record<string, string>): AppProcess => AppProcess.start(ENGINE_MAIN, env, 'risk-engine'),
};

/**
 * Reads a topic from the beginning with read_committed isolation (what downstream consumers see),
 * collecting every message, until `done(messages)` or the timeout.
 */
export async function readCommitted(
  kafka: Kafka,
  topic: string,
  done: (messages: KafkaMessage[]) => boolean,
  timeoutMs = 60000,
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({
    groupId: `reader-${topic}-${Date.now()}-${Math.random()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 200,
  });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let resolveDone!: () => void;
  const finished = new Promise<void>((r) => (resolveDone = r));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      messages.push(...batch.messages);
      if (done(messages)) resolveDone();
    },
  });
  let timeout: NodeJS.Timeout | undefined;
  const timer = new Promise<void>((r) => (timeout = setTimeout(r, timeoutMs)));
  if (done(messages)) resolveDone();
  await Promise.race([finished, timer]);
  clearTimeout(timeout);
  await consumer.disconnect();
  return messages;
}

export function topicsFor(prefix: string) {
  return {
    orders: topicName('orders', prefix),
    assessments: topicName('assessments', prefix),
    alerts: topicName('alerts', prefix),
    dlq: topicName('ordersDlq', prefix),
    changes: topicName('refdataChanges', prefix),
  };
}

export const parseValue = <T>(m: KafkaMessage): T => JSON.parse(m.value!.toString()) as T;
