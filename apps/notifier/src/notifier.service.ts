import * as fs from 'node:fs';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { topicName } from '@dualwatch/contracts';
import { provisionTopics, type ChunkBinding, type ChunkContext, type ChunkHandlerExtras } from '@dualwatch/messaging';
import { kafkaIndicator, redisIndicator, type HealthIndicator, type Logger } from '@dualwatch/observability';
import { closeRedis } from '@dualwatch/redis';
import { DeliveryQueue, DeliveryWorker, NotifyMetrics, parseAlert, routeAlert, SubscriptionStore } from '@dualwatch/notify';
import { DeadDeliveries } from './dead-deliveries';
import { KAFKA, LOGGER, NOTIFIER_SETTINGS, STATE_REDIS } from './tokens';
import type { NotifierSettings } from './settings';

export { LOGGER, NOTIFIER_SETTINGS } from './tokens';

/**
 * The notifier: risk.alerts.v1 in (read committed, through AlertsConsumer); every alert scheduled durably
 * in Redis for every matching subscription before its offset is committed; a worker delivers what is due.
 */
@Injectable()
export class NotifierService implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(NOTIFIER_SETTINGS) private readonly s: NotifierSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(KAFKA) readonly kafka: Kafka,
    @Inject(STATE_REDIS) readonly redis: Redis,
    readonly store: SubscriptionStore,
    readonly queue: DeliveryQueue,
    readonly metrics: NotifyMetrics,
    private readonly worker: DeliveryWorker,
    private readonly dead: DeadDeliveries,
  ) {}

  healthIndicators(): HealthIndicator[] {
    return [redisIndicator(this.redis), kafkaIndicator(this.kafka)];
  }

  async onApplicationBootstrap(): Promise<void> {
    const s = this.s;
    await this.redis.connect();
    if (s.subscriptionsFile) {
      const result = await this.store.seed(JSON.parse(fs.readFileSync(s.subscriptionsFile, 'utf8')));
      this.logger.info(result, 'subscriptions seeded');
    }
    if (s.provisionTopics) await provisionTopics(this.kafka, ['alerts', 'notificationsDlq'], s.topicPrefix);
    await this.dead.connect();
    this.worker.start();
  }

  /**
   * Where the alerts consumer reads (KafkaChunkTransport, at least once): risk.alerts.v1 in the notifier's
   * group, the offset committed after each chunk, once every delivery of its alerts is in Redis.
   */
  bind(pattern: string, _extras: ChunkHandlerExtras): ChunkBinding {
    const s = this.s;
    if (pattern !== 'alerts') throw new Error(`the notifier has no binding for the pattern "${pattern}"`);
    return {
      topic: topicName('alerts', s.topicPrefix),
      groupId: s.groupId,
      fromBeginning: s.fromBeginning,
      sessionTimeoutMs: s.sessionTimeoutMs,
      maxWaitTimeInMs: 500,
      maxChunkMessages: 100,
    };
  }

  /**
   * One chunk of alert messages: each valid alert is scheduled for every matching subscription
   * (idempotently: a chunk handed over again after a crash adds nothing twice); a message that is not an
   * alert is reported and skipped, it must not block the partition.
   */
  async routeChunk(messages: KafkaMessage[], ctx: ChunkContext): Promise<void> {
    const s = this.s;
    const subscriptions = await this.store.list();
    const route = { maxPerWindow: s.digestMaxPerWindow, windowMs: s.digestWindowMs, doneTtlMs: s.doneTtlHours * 3_600_000 };
    for (const m of messages) {
      const parsed = parseAlert(m.value);
      if (!parsed.ok) {
        this.metrics.alertsIn.inc({ result: 'invalid' });
        this.logger.error(
          { topic: ctx.topic, partition: ctx.partition, offset: m.offset, error: parsed.error },
          'alert message skipped: not a valid alert',
        );
        continue;
      }
      const routed = await routeAlert(parsed.alert, subscriptions, this.queue, route);
      this.metrics.alertsIn.inc({ result: 'routed' });
      for (const r of routed) if (r.mode !== 'exists') this.metrics.scheduled.inc({ mode: r.mode });
      this.logger.debug({ alertId: parsed.alert.alertId, orderId: parsed.alert.orderId, routed }, 'alert scheduled');
    }
    this.worker.poke();
  }

  /** SIGTERM: the alerts transport has stopped reading (Nest closes it first); attempts in flight finish, then close. */
  async onApplicationShutdown(): Promise<void> {
    await this.worker.stop().catch(() => undefined);
    await this.dead.close();
    await closeRedis(this.redis);
    this.logger.info('notifier stopped');
  }
}
