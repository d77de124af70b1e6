import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { topicName } from '@dualwatch/contracts';
import { createKafka, provisionTopics, type ChunkBinding, type ChunkHandlerExtras } from '@dualwatch/messaging';
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
 * The risk-engine's collaborators: the Kafka client, the reference data (Redis, bundled fallback), the
 * policy, the order processor, re-screening of open orders when the reference data changes, and the
 * look-ahead alerts. Orders are consumed by OrdersConsumer through KafkaChunkTransport (exactly once:
 * outputs and offsets in one transaction per chunk); `bind` tells the transport where they come from.
 */
@Injectable()
export class EngineService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly metrics = new EngineMetrics();
  readonly kafka: Kafka;
  readonly redis: Redis;
  readonly reference: ReferenceService;
  readonly policy: Policy;
  private orderProcessor?: OrderProcessor;
  private rescreen?: RescreenService;
  private upcoming?: UpcomingService;
  private poll?: NodeJS.Timeout;

  constructor(
    @Inject(ENGINE_SETTINGS) private readonly s: EngineSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
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
    await this.redis
      .connect()
      .catch((err) => this.logger.warn({ err: err.message }, 'Redis unavailable at start; serving the bundled reference data'));
    await this.reference.refresh();
    if (s.provisionTopics)
      await provisionTopics(this.kafka, ['orders', 'assessments', 'alerts', 'ordersDlq', 'refdataChanges'], s.topicPrefix);
    const book = new OpenOrderBook(this.redis, s.redisKeyPrefix);
    const topics = {
      assessments: topicName('assessments', s.topicPrefix),
      alerts: topicName('alerts', s.topicPrefix),
      dlq: topicName('ordersDlq', s.topicPrefix),
    };
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
    this.orderProcessor = processor;
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
      // a background scan: waits out a broker outage rather than give up (idempotence needs unbounded retries)
      producer: this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5000 },
      }),
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

  /** The order processor (made at bootstrap, once the reference data is read). */
  get processor(): OrderProcessor {
    if (!this.orderProcessor) throw new Error('the risk-engine has not bootstrapped yet');
    return this.orderProcessor;
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
