import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { topicName } from '@dualwatch/contracts';
import { createKafka, provisionTopics, TransactionalPipeline } from '@dualwatch/messaging';
import { kafkaIndicator, redisIndicator, type HealthIndicator, type Logger } from '@dualwatch/observability';
import { closeRedis, createRedis } from '@dualwatch/redis';
import { loadBundledRefData, ReferenceService } from '@dualwatch/refdata';
import { createPartyMatcher, loadBundledPolicy, loadPolicy, type Policy } from '@dualwatch/scoring';
import type { Kafka } from 'kafkajs';
import { EngineMetrics } from './metrics';
import { OpenOrderBook } from './open-order-book';
import { OrderProcessor } from './order-processor';
import { RescreenService } from './rescreen.service';
import type { EngineSettings } from './settings';
import { UpcomingService } from './upcoming';

export const ENGINE_SETTINGS = Symbol('ENGINE_SETTINGS');
export const LOGGER = Symbol('LOGGER');

/**
 * The risk-engine: orders.v1 in, assessments and alerts out, exactly once (see TransactionalPipeline),
 * with reference data from Redis (bundled fallback), and re-screening of open orders when it changes.
 */
@Injectable()
export class EngineService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly metrics = new EngineMetrics();
  readonly kafka: Kafka;
  readonly redis: Redis;
  readonly reference: ReferenceService;
  readonly policy: Policy;
  private pipeline?: TransactionalPipeline;
  private rescreen?: RescreenService;
  private upcoming?: UpcomingService;
  private poll?: NodeJS.Timeout;

  constructor(@Inject(ENGINE_SETTINGS) private readonly s: EngineSettings, @Inject(LOGGER) private readonly logger: Logger) {
    this.kafka = createKafka(s, 'risk-engine', logger);
    // a cache: fails fast, so enrichment falls back to the bundled snapshot; Redis down shows in /ready and the degraded flag
    this.redis = createRedis(s, 'cache');
    this.policy = s.policyFile ? loadPolicy(s.policyFile) : loadBundledPolicy();
    const policy = this.policy;
    this.reference = new ReferenceService({
      redis: this.redis,
      prefix: s.redisKeyPrefix,
      bundled: loadBundledRefData(),
      matcherFor: (refdata) => createPartyMatcher(refdata, policy),
      lruSize: s.lruSize,
      onSwitch: (from, to) => logger.info({ from, to }, 'reference data switched'),
    });
  }

  healthIndicators(): HealthIndicator[] {
    return [redisIndicator(this.redis), kafkaIndicator(this.kafka)];
  }

  async onApplicationBootstrap(): Promise<void> {
    const s = this.s;
    await this.redis.connect().catch((err) => this.logger.warn({ err: err.message }, 'Redis unavailable at start; serving the bundled reference data'));
    await this.reference.refresh();
    if (s.provisionTopics) await provisionTopics(this.kafka, ['orders', 'assessments', 'alerts', 'ordersDlq', 'refdataChanges'], s.topicPrefix);
    const book = new OpenOrderBook(this.redis, s.redisKeyPrefix);
    const topics = { assessments: topicName('assessments', s.topicPrefix), alerts: topicName('alerts', s.topicPrefix), dlq: topicName('ordersDlq', s.topicPrefix) };
    const processor = new OrderProcessor({
      topics,
      reference: this.reference,
      book,
      policy: () => this.policy,
      minAlertVerdict: s.minAlertVerdict === 'policy' ? undefined : s.minAlertVerdict,
      maxEventBytes: s.maxEventBytes,
      metrics: this.metrics,
      logger: this.logger,
    });
    this.pipeline = new TransactionalPipeline({
      kafka: this.kafka,
      groupId: s.groupId,
      inputTopic: topicName('orders', s.topicPrefix),
      transactionalIdPrefix: s.transactionalIdPrefix,
      handler: (messages, ctx) => processor.process(messages, ctx),
      maxChunkMessages: s.maxChunkMessages,
      partitionsConsumedConcurrently: s.partitionsConcurrently,
      sessionTimeoutMs: s.sessionTimeoutMs,
      logger: this.logger,
      hooks: {
        committed: ({ partition, ms, lag }) => {
          this.metrics.batchSeconds.observe(ms / 1000);
          this.metrics.lag.set({ partition: String(partition) }, lag);
          this.metrics.cacheHitRatio.set(this.reference.screening.hitRatio());
        },
        retrying: () => this.metrics.retries.inc(),
      },
    });
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
    await this.pipeline.start();
    await this.rescreen.start();
    this.upcoming = new UpcomingService({ redis: this.redis, prefix: s.redisKeyPrefix, book, reference: this.reference, policy: () => this.policy, producer: this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 }), alertsTopic: topics.alerts, logger: this.logger, metrics: this.metrics });
    await this.upcoming.start();
    this.poll = setInterval(() => void this.reference.refresh(), s.refdataPollMs).unref();
    this.logger.info({ groupId: s.groupId, input: topicName('orders', s.topicPrefix), refdataVersion: this.reference.refdata.version, policyVersion: this.policy.version }, 'risk-engine consuming');
  }

  /** SIGTERM: the chunk in hand is finished and committed, then the consumers leave their groups. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.poll);
    await this.rescreen?.stop().catch(() => undefined);
    await this.upcoming?.stop().catch(() => undefined);
    await this.pipeline?.stop().catch((err) => this.logger.warn({ err }, 'pipeline stop failed'));
    await closeRedis(this.redis);
    this.logger.info('risk-engine stopped');
  }
}
