/**
 * @dualwatch/testing: helpers for integration tests against the real Kafka broker and Redis
 * started by test/setup/global-setup.ts (process.env.KAFKA_BROKERS / REDIS_URL).
 */
import { randomBytes } from 'node:crypto';
import Redis, { type RedisOptions } from 'ioredis';
import { Kafka, logLevel, type Admin, type KafkaConfig } from 'kafkajs';

// kafkajs prints a partitioner notice on every producer unless told not to.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface EventuallyOptions {
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 100 ms). */
  intervalMs?: number;
}

/**
 * Retries `assertion` until it stops throwing; after `timeoutMs` rethrows its last error
 * (so the jest diff of the final attempt is what you see).
 */
export async function expectEventually(
  assertion: () => void | Promise<void>,
  { timeoutMs = 20_000, intervalMs = 100 }: EventuallyOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() + intervalMs > deadline) {
        if (err instanceof Error) err.message = `${err.message}\n(still failing after ${timeoutMs} ms)`;
        throw err;
      }
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Identifies this test process; part of every uniqueName(). */
export const TEST_RUN_ID = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
let counter = 0;

/**
 * A topic / group / key name unique to this test run and call, e.g. "orders-lx2k9a3f01ab-7".
 * Only Kafka-legal characters [A-Za-z0-9._-]; stays under Kafka's 249-char limit.
 */
export function uniqueName(prefix: string): string {
  const clean = prefix.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 200);
  counter += 1;
  return `${clean}-${TEST_RUN_ID}-${counter}`;
}

/** process.env.KAFKA_BROKERS as a list (set by the integration global setup). */
export function testBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    throw new Error('KAFKA_BROKERS is not set: run integration tests through the `integration` jest project');
  }
  return brokers
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/** process.env.REDIS_URL (set by the integration global setup). */
export function testRedisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run integration tests through the `integration` jest project');
  return url;
}

function currentTestName(): string | undefined {
  try {
    return typeof expect === 'function' ? expect.getState().currentTestName : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A kafkajs client for the test broker. `test` (default: the current jest test name) becomes the
 * clientId. Logs nothing unless DW_TEST_KAFKA_LOG=error|warn|info|debug.
 */
export function kafkaFor(test?: string, overrides: Partial<KafkaConfig> = {}): Kafka {
  const name = (test ?? currentTestName() ?? 'dw-test').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 100);
  const levels: Record<string, logLevel> = {
    nothing: logLevel.NOTHING,
    error: logLevel.ERROR,
    warn: logLevel.WARN,
    info: logLevel.INFO,
    debug: logLevel.DEBUG,
  };
  return new Kafka({
    clientId: `${name}-${TEST_RUN_ID}`,
    brokers: testBrokers(),
    logLevel: levels[(process.env.DW_TEST_KAFKA_LOG ?? 'nothing').toLowerCase()] ?? logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2_000 },
    ...overrides,
  });
}

/**
 * Creates topics (replication 1) and waits until they are usable: every partition has a leader
 * and answers ListOffsets. Under KRaft a just-created topic can briefly answer "This server does
 * not host this topic-partition"; this waits that out. Existing topics are accepted as they are.
 */
export async function createTopics(
  admin: Admin,
  names: string | string[],
  partitions = 3,
  { timeoutMs = 30_000, configEntries }: { timeoutMs?: number; configEntries?: { name: string; value: string }[] } = {},
): Promise<void> {
  const topics = Array.isArray(names) ? names : [names];
  if (topics.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1, configEntries })),
  });
  await expectEventually(
    async () => {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      for (const t of meta) {
        if (t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)) {
          throw new Error(`topic ${t.name} has partitions without a leader`);
        }
      }
      for (const topic of topics) await admin.fetchTopicOffsets(topic);
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/**
 * An ioredis client for the test Redis (REDIS_URL) that fails fast instead of queueing forever.
 * Close it with closeRedis().
 */
export function redisFor(overrides: RedisOptions = {}): Redis {
  const client = new Redis(testRedisUrl(), {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 5_000,
    ...overrides,
  });
  client.on('error', () => undefined); // surfaced through the failing commands instead
  return client;
}

/**
 * quit() when connected, disconnect() otherwise. (ioredis' disconnect() on an already closed
 * stream leaves a 2 s timer that makes jest report "did not exit one second after the test run".)
 */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else if (client.status !== 'end') {
    client.disconnect();
  }
}

/**
 * A database of this test file's own on the test PostgreSQL server (DW_TEST_DATABASE_URL), with the
 * casework schema migrated in; `drop()` ends its connections and removes it.
 */
export async function testDatabase(prefix = 'dw'): Promise<{ url: string; drop: () => Promise<void> }> {
  const { Client } = await import('pg');
  const base = process.env.DW_TEST_DATABASE_URL;
  if (!base) throw new Error('DW_TEST_DATABASE_URL is not set: run under the integration project (global-setup starts PostgreSQL)');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const c = new Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const d = new Client({ connectionString: admin.toString() });
      await d.connect();
      try {
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await d.end();
      }
    },
  };
}
