import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import { createKafka } from '@dualwatch/messaging';
import type { HealthIndicator, Logger } from '@dualwatch/observability';
import { API_SETTINGS, LOGGER } from './tokens';
import type { ApiSettings } from './settings';

/**
 * The api's connections, made once: the Kafka client and one idempotent producer (orders and
 * lifecycle events), a Redis client for durable state (subscriptions: commands wait for it) and one
 * for the reference-data cache (fails fast so that what-if falls back to the bundled snapshot).
 */
@Injectable()
export class ApiRuntime implements OnApplicationShutdown {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly stateRedis: Redis;
  readonly cacheRedis: Redis;
  private connected?: Promise<void>;

  constructor(@Inject(API_SETTINGS) readonly s: ApiSettings, @Inject(LOGGER) readonly logger: Logger) {
    this.kafka = createKafka(s, 'api', logger);
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.stateRedis = new Redis(s.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: 5000, retryStrategy: (n) => Math.min(n * 200, 2000) });
    this.cacheRedis = new Redis(s.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
      enableAutoPipelining: true,
      retryStrategy: (n) => Math.min(n * 200, 2000),
    });
    for (const r of [this.stateRedis, this.cacheRedis]) r.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  }

  /** Connects once (several services call it at start). Redis being down does not stop the api. */
  connect(): Promise<void> {
    this.connected ??= (async () => {
      await Promise.all([
        this.stateRedis.connect().catch((err) => this.logger.warn({ err: err.message }, 'Redis unavailable at start: subscriptions fail until it is back')),
        this.cacheRedis.connect().catch(() => undefined),
      ]);
      await this.producer.connect();
    })();
    return this.connected;
  }

  healthIndicators(): HealthIndicator[] {
    return [
      { name: 'redis', check: async () => void (await this.stateRedis.ping()) },
      {
        name: 'kafka',
        check: async () => {
          const admin = this.kafka.admin();
          await admin.connect();
          try {
            await admin.describeCluster();
          } finally {
            await admin.disconnect();
          }
        },
      },
    ];
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
    for (const r of [this.stateRedis, this.cacheRedis]) await r.quit().catch(() => r.disconnect());
  }
}
