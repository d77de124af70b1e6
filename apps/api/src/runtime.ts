import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import { createKafka } from '@dualwatch/messaging';
import { kafkaIndicator, redisIndicator, type HealthIndicator, type Logger } from '@dualwatch/observability';
import { closeRedis, createRedis } from '@dualwatch/redis';
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

  constructor(
    @Inject(API_SETTINGS) readonly s: ApiSettings,
    @Inject(LOGGER) readonly logger: Logger,
  ) {
    this.kafka = createKafka(s, 'api', logger);
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const onError = (err: Error) => logger.debug({ err: err.message }, 'redis connection error');
    this.stateRedis = createRedis(s, 'state', { onError });
    this.cacheRedis = createRedis(s, 'cache', { onError });
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

  healthIndicators(): HealthIndicator[] {
    return [redisIndicator(this.stateRedis), kafkaIndicator(this.kafka)];
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
    await Promise.all([closeRedis(this.stateRedis), closeRedis(this.cacheRedis)]);
  }
}
