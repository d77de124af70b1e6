import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { topicName } from '@dualwatch/contracts';
import { createKafka, provisionTopics, TransactionalPipeline } from '@dualwatch/messaging';
import type { HealthIndicator, Logger } from '@dualwatch/observability';
import { loadBundledRefData, PartyMatcher, ReferenceService } from '@dualwatch/refdata';
import { loadBundledPolicy, loadPolicy, type Policy } from '@dualwatch/scoring';
import type { Kafka } from 'kafkajs';
import { EngineMetrics } from './metrics';
import { OpenOrderBook } from './open-order-book';
import { OrderProcessor } from './order-processor';
import { RescreenService } from './rescreen.service';
import type { EngineSettings } from './settings';

export const ENGINE_SETTINGS = Symbol('ENGINE_SETTINGS');
export const LOGGER = Symbol('LOGGER');

/** Redis for a cache: fail fast when it is down so that callers fall back instead of queueing. */
export function cacheRedis(url: string): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

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
  private poll?: NodeJS.Timeout;

  constructor(@Inject(ENGINE_SETTINGS) private readonly s: EngineSettings, @Inject(LOGGER) private readonly logger: Logger) {
    this.kafka = createKafka(s, 'risk-engine', logger);
    this.redis = cacheRedis(s.redisUrl);
    this.redis.on('error', () => undefined); // reported through /ready and the degraded flag, not as crashes
    this.policy = s.policyFile ? loadPolicy(s.policyFile) : loadBundledPolicy();
    const policy = this.policy;
    this.reference = new ReferenceService({
      redis: this.redis,
      prefix: s.redisKeyPrefix,
      bundled: loadBundledRefData(),
      matcherFor: (refdata) => new PartyMatcher(refdata.parties, refdata.legalForms, { minScore: policy.partyMatch.possible }),
      lruSize: s.lruSize,
      onSwitch: (from, to) => logger.info({ from, to }, 'reference data switched'),
    });
  }

  healthIndicators(): HealthIndicator[] {
    return [
      { name: 'redis', check: async () => void (await this.redis.ping()) },
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
    this.poll = setInterval(() => void this.reference.refresh(), s.refdataPollMs).unref();
    this.logger.info({ groupId: s.groupId, input: topicName('orders', s.topicPrefix), refdataVersion: this.reference.refdata.version, policyVersion: this.policy.version }, 'risk-engine consuming');
  }

  /** SIGTERM: the chunk in hand is finished and committed, then the consumers leave their groups. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.poll);
    await this.rescreen?.stop().catch(() => undefined);
    await this.pipeline?.stop().catch((err) => this.logger.warn({ err }, 'pipeline stop failed'));
    await this.redis.quit().catch(() => this.redis.disconnect());
    this.logger.info('risk-engine stopped');
  }
}
