/** A readiness check: a name and a probe that resolves when the dependency answers. */
export interface HealthIndicator {
  name: string;
  check(): Promise<void>;
}

export interface HealthReport {
  status: 'ok' | 'error';
  checks: Record<string, { status: 'up' | 'down'; error?: string; ms: number }>;
}

/** Runs every indicator at once, each raced against a timeout, so one hung dependency cannot hang /ready. */
export async function runHealthChecks(indicators: HealthIndicator[], timeoutMs = 2000): Promise<HealthReport> {
  const checks: HealthReport['checks'] = {};
  await Promise.all(
    indicators.map(async (ind) => {
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          ind.check(),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs))),
        ]);
        checks[ind.name] = { status: 'up', ms: Date.now() - started };
      } catch (err) {
        checks[ind.name] = { status: 'down', error: (err as Error).message, ms: Date.now() - started };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { status: Object.values(checks).every((c) => c.status === 'up') ? 'ok' : 'error', checks };
}

/** Readiness of Redis: a PING answered (the client reconnects on its own; this only asks). */
export function redisIndicator(redis: { ping(): Promise<unknown> }, name = 'redis'): HealthIndicator {
  return { name, check: async () => void (await redis.ping()) };
}

interface KafkaAdminLike {
  connect(): Promise<void>;
  describeCluster(): Promise<unknown>;
  disconnect(): Promise<void>;
}

/** Readiness of Kafka: a short-lived admin client that can describe the cluster. */
export function kafkaIndicator(kafka: { admin(): KafkaAdminLike }, name = 'kafka'): HealthIndicator {
  return {
    name,
    check: async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.describeCluster();
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}
