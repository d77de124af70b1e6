import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { topicName } from '@dualwatch/contracts';
import { provisionTopics, type ChunkBinding, type ChunkHandlerExtras } from '@dualwatch/messaging';
import { kafkaIndicator, redisIndicator, type HealthIndicator, type Logger } from '@dualwatch/observability';
import { closeRedis, RedisLease } from '@dualwatch/redis';
import { ReferenceService } from '@dualwatch/refdata';
import type { Policy } from '@dualwatch/scoring';
import type { Kafka } from 'kafkajs';
import { EngineMetrics } from './metrics';
import type { ProcessorTopics } from './order-processor';
import { CACHE_REDIS, ENGINE_SETTINGS, ENGINE_TOPICS, KAFKA, LOGGER, POLICY } from './providers';
import { RescreenService } from './rescreen.service';
import type { EngineSettings } from './settings';
import { OpenOrderBook, UpcomingService } from '@dualwatch/alerting';

export { ENGINE_SETTINGS, LOGGER } from './providers';

/**
 * The risk-engine's lifecycle around its collaborators (providers.ts): at start the reference data is
 * read and the topics provisioned, re-screening and the look-ahead scan start, and the reference data is
 * polled; `bind` tells KafkaChunkTransport where OrdersConsumer's orders come from (exactly once:
 * outputs and offsets in one transaction per chunk).
 */
@Injectable()
export class EngineService implements OnApplicationBootstrap, OnApplicationShutdown {
  private rescreen?: RescreenService;
  private upcoming?: UpcomingService;
  private poll?: NodeJS.Timeout;

  constructor(
    @Inject(ENGINE_SETTINGS) private readonly s: EngineSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(KAFKA) readonly kafka: Kafka,
    @Inject(CACHE_REDIS) readonly redis: Redis,
    @Inject(POLICY) readonly policy: Policy,
    readonly reference: ReferenceService,
    private readonly book: OpenOrderBook,
    @Inject(ENGINE_TOPICS) private readonly topics: ProcessorTopics,
    readonly metrics: EngineMetrics,
  ) {}

  healthIndicators(): HealthIndicator[] {
    return [redisIndicator(this.redis), kafkaIndicator(this.kafka)];
  }

  async onApplicationBootstrap(): Promise<void> {
    const s = this.s;
    await this.redis
      .connect()
      .catch((err) => this.logger.warn({ err: err.message }, 'Redis unavailable at start; serving the bundled reference data'));
    await this.reference.refresh();
    if (s.provisionTopics)
      await provisionTopics(this.kafka, ['orders', 'assessments', 'alerts', 'ordersDlq', 'refdataChanges'], s.topicPrefix);
    const { book, topics } = this;
    this.rescreen = new RescreenService({
      kafka: this.kafka,
      groupId: `${s.groupId}-rescreen`,
      transactionalId: `${s.transactionalIdPrefix}-rescreen`,
      sessionTimeoutMs: s.sessionTimeoutMs,
      changesTopic: topicName('refdataChanges', s.topicPrefix),
      alertsTopic: topics.alerts,
      reference: this.reference,
      book,
      policy: () => this.policy,
      minAlertVerdict: s.minAlertVerdict === 'policy' ? undefined : s.minAlertVerdict,
      metrics: this.metrics,
      logger: this.logger,
    });
    await this.rescreen.start();
    this.upcoming = new UpcomingService({
      redis: this.redis,
      prefix: s.redisKeyPrefix,
      book,
      reference: this.reference,
      policy: () => this.policy,
      // one scanner across the group: the lease holder, fenced in Kafka by one shared transactional.id
      lease: new RedisLease(this.redis, {
        key: `${s.redisKeyPrefix}upcoming:lease`,
        ttlMs: Math.max(s.upcomingLeaseMs, 2 * s.upcomingScanMs),
      }),
      producer: {
        // a background scan: waits out a broker outage rather than give up (idempotence needs unbounded retries)
        transactional: () =>
          this.kafka.producer({
            transactionalId: `${s.transactionalIdPrefix}-upcoming`,
            idempotent: true,
            maxInFlightRequests: 1,
            retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5000 },
          }),
      },
      scanMs: s.upcomingScanMs,
      alertsTopic: topics.alerts,
      logger: this.logger,
      metrics: this.metrics,
    });
    await this.upcoming.start();
    this.poll = setInterval(() => void this.reference.refresh(), s.refdataPollMs).unref();
    this.logger.info(
      { refdataVersion: this.reference.refdata.version, policyVersion: this.policy.version },
      'risk-engine ready to consume',
    );
  }

  /**
   * Where a chunk handler's pattern reads from, for KafkaChunkTransport: "orders" is orders.v1 (with the
   * topic prefix), in the engine's group, one transactional.id per input partition.
   */
  bind(pattern: string, _extras: ChunkHandlerExtras): ChunkBinding {
    const s = this.s;
    if (pattern !== 'orders') throw new Error(`the risk-engine has no binding for the pattern "${pattern}"`);
    return {
      topic: topicName('orders', s.topicPrefix),
      groupId: s.groupId,
      transactionalIdPrefix: s.transactionalIdPrefix,
      maxChunkMessages: s.maxChunkMessages,
      partitionsConsumedConcurrently: s.partitionsConcurrently,
      sessionTimeoutMs: s.sessionTimeoutMs,
      hooks: {
        committed: ({ partition, ms, lag }) => {
          this.metrics.batchSeconds.observe(ms / 1000);
          this.metrics.lag.set({ partition: String(partition) }, lag);
          this.metrics.cacheHitRatio.set(this.reference.screening.hitRatio());
        },
        retrying: () => this.metrics.retries.inc(),
      },
    };
  }

  /** SIGTERM: the orders transport has stopped (Nest closes it first); re-screening and look-ahead stop, then Redis. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.poll);
    await this.rescreen?.stop().catch(() => undefined);
    await this.upcoming?.stop().catch(() => undefined);
    await closeRedis(this.redis);
    this.logger.info('risk-engine stopped');
  }
}
