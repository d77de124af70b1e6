import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { topicName } from '@dualwatch/contracts';
import { provisionTopics, type ChunkBinding, type ChunkHandlerExtras } from '@dualwatch/messaging';
import { kafkaIndicator, redisIndicator, type HealthIndicator, type Logger } from '@dualwatch/observability';
import { closeRedis } from '@dualwatch/redis';
import { ReferenceService } from '@dualwatch/refdata';
import type { Policy } from '@dualwatch/scoring';
import type { Kafka } from 'kafkajs';
import { EngineMetrics } from './metrics';
import { CACHE_REDIS, ENGINE_SETTINGS, KAFKA, LOGGER, POLICY } from './providers';
import type { EngineSettings } from './settings';
import { UpcomingService } from '@dualwatch/alerting';

export { ENGINE_SETTINGS, LOGGER } from './providers';

/**
 * The risk-engine's lifecycle around its collaborators (providers.ts): at start the reference data is
 * read and the topics provisioned, the look-ahead scan starts, and the reference data is polled; `bind`
 * tells KafkaChunkTransport where OrdersConsumer's and RescreenConsumer's messages come from (exactly
 * once: outputs and offsets in one transaction per chunk).
 */
@Injectable()
export class EngineService implements OnApplicationBootstrap, OnApplicationShutdown {
  private poll?: NodeJS.Timeout;

  constructor(
    @Inject(ENGINE_SETTINGS) private readonly s: EngineSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(KAFKA) readonly kafka: Kafka,
    @Inject(CACHE_REDIS) readonly redis: Redis,
    @Inject(POLICY) readonly policy: Policy,
    readonly reference: ReferenceService,
    readonly metrics: EngineMetrics,
    private readonly upcoming: UpcomingService,
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
      await provisionTopics(
        this.kafka,
        ['orders', 'assessments', 'alerts', 'ordersDlq', 'refdataChanges', 'rescreen', 'book'],
        s.topicPrefix,
      );
    await this.upcoming.start();
    this.poll = setInterval(() => void this.reference.refresh(), s.refdataPollMs).unref();
    this.logger.info(
      { refdataVersion: this.reference.refdata.version, policyVersion: this.policy.version },
      'risk-engine ready to consume',
    );
  }

  /**
   * Where a chunk handler's pattern reads from, for KafkaChunkTransport (exactly once, one transactional.id
   * per input partition: `${ENGINE_TRANSACTIONAL_ID_PREFIX}-${topic}-${partition}`):
   *   orders          orders.v1 in the engine's group (OrdersConsumer)
   *   refdataChanges  refdata.changes.v1, one change per transaction, from the beginning (RescreenConsumer)
   *   rescreen        engine.rescreen.v1, the re-screen tasks, a bounded chunk per transaction (RescreenConsumer)
   */
  bind(pattern: string, _extras: ChunkHandlerExtras): ChunkBinding {
    const s = this.s;
    const common = {
      transactionalIdPrefix: s.transactionalIdPrefix,
      sessionTimeoutMs: s.sessionTimeoutMs,
      hooks: { retrying: () => this.metrics.retries.inc() },
    };
    switch (pattern) {
      case 'orders':
        return {
          ...common,
          topic: topicName('orders', s.topicPrefix),
          groupId: s.groupId,
          maxChunkMessages: s.maxChunkMessages,
          partitionsConsumedConcurrently: s.partitionsConcurrently,
          hooks: {
            ...common.hooks,
            committed: ({ partition, ms, lag }) => {
              this.metrics.batchSeconds.observe(ms / 1000);
              this.metrics.lag.set({ partition: String(partition) }, lag);
              this.metrics.cacheHitRatio.set(this.reference.screening.hitRatio());
            },
          },
        };
      case 'refdataChanges':
        // a change announced while the group was forming must not be skipped
        return { ...common, topic: topicName('refdataChanges', s.topicPrefix), groupId: `${s.groupId}-rescreen`, fromBeginning: true };
      case 'rescreen':
        return {
          ...common,
          topic: topicName('rescreen', s.topicPrefix),
          groupId: `${s.groupId}-rescreen-tasks`,
          fromBeginning: true,
          maxChunkMessages: s.maxChunkMessages,
          partitionsConsumedConcurrently: s.partitionsConcurrently,
        };
      default:
        throw new Error(`the risk-engine has no binding for the pattern "${pattern}"`);
    }
  }

  /** SIGTERM: the orders transport has stopped (Nest closes it first); re-screening and look-ahead stop, then Redis. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.poll);
    await this.upcoming.stop().catch(() => undefined);
    await closeRedis(this.redis);
    this.logger.info('risk-engine stopped');
  }
}
