import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import { createKafka, provisionTopics } from '@dualwatch/messaging';
import { kafkaIndicator, redisIndicator, type HealthIndicator, type Logger } from '@dualwatch/observability';
import { closeRedis, createRedis } from '@dualwatch/redis';
import { API_SETTINGS, CACHE_REDIS, KAFKA, LOGGER, STATE_REDIS } from './tokens';
import type { ApiSettings } from './settings';

/**
 * The api's connections, made once: the Kafka client and one idempotent producer (orders and
 * lifecycle events), a Redis client for durable state (subscriptions: commands wait for it) and one
 * for the reference-data cache (fails fast so that what-if falls back to the bundled snapshot).
 */
@Injectable()
export class ApiRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(
    @Inject(API_SETTINGS) readonly s: ApiSettings,
    @Inject(LOGGER) readonly logger: Logger,
    @Inject(KAFKA) readonly kafka: Kafka,
    @Inject(STATE_REDIS) readonly stateRedis: Redis,
    @Inject(CACHE_REDIS) readonly cacheRedis: Redis,
  ) {
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

  /** Connects once (several services call it at start). Redis being down does not stop the api. */
  connect(): Promise<void> {
    this.connected ??= (async () => {
      await Promise.all([
        this.stateRedis
          .connect()
          .catch((err) => this.logger.warn({ err: err.message }, 'Redis unavailable at start: subscriptions fail until it is back')),
        this.cacheRedis.connect().catch(() => undefined),
      ]);
      await this.producer.connect();
    })();
    return this.connected;
  }

  /** Connected, and the topics it writes (orders) or whose names it shows provisioned, before it listens. */
  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
    if (this.s.provisionTopics)
      await retrying(() => provisionTopics(this.kafka, ['orders', 'alerts', 'alertLifecycle'], this.s.topicPrefix));
  }

  healthIndicators(): HealthIndicator[] {
    return [redisIndicator(this.stateRedis), kafkaIndicator(this.kafka)];
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
    await Promise.all([closeRedis(this.stateRedis), closeRedis(this.cacheRedis)]);
  }
}

/** The api's connections as providers, so that a test module can replace any of them. */
export function connectionProviders(): Provider[] {
  const onError = (logger: Logger) => (err: Error) => logger.debug({ err: err.message }, 'redis connection error');
  return [
    { provide: KAFKA, useFactory: (s: ApiSettings, l: Logger) => createKafka(s, 'api', l), inject: [API_SETTINGS, LOGGER] },
    {
      provide: STATE_REDIS,
      useFactory: (s: ApiSettings, l: Logger) => createRedis(s, 'state', { onError: onError(l) }),
      inject: [API_SETTINGS, LOGGER],
    },
    {
      provide: CACHE_REDIS,
      useFactory: (s: ApiSettings, l: Logger) => createRedis(s, 'cache', { onError: onError(l) }),
      inject: [API_SETTINGS, LOGGER],
    },
  ];
}

/** Retries what a broker may briefly refuse right after topics are created (no leader yet). */
async function retrying<T>(work: () => Promise<T>, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (err) {
      if (i >= attempts || !(err as { retriable?: boolean }).retriable) throw err;
      await new Promise((r) => setTimeout(r, 300 * i));
    }
  }
}
