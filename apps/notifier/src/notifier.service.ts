import * as fs from 'node:fs';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { topicName } from '@dualwatch/contracts';
import { createKafka, provisionTopics } from '@dualwatch/messaging';
import { kafkaIndicator, redisIndicator, type HealthIndicator, type Logger } from '@dualwatch/observability';
import { closeRedis, createRedis } from '@dualwatch/redis';
import {
  DeliveryQueue,
  DeliveryWorker,
  NotifyMetrics,
  parseAlert,
  routeAlert,
  SecretBox,
  SubscriptionStore,
  TargetGuard,
  type Delivery,
} from '@dualwatch/notify';
import type { NotifierSettings } from './settings';

export const NOTIFIER_SETTINGS = Symbol('NOTIFIER_SETTINGS');
export const LOGGER = Symbol('LOGGER');

/**
 * The notifier: risk.alerts.v1 in (read committed); every alert scheduled durably in Redis for every
 * matching subscription before its offset is committed; a worker delivers what is due.
 */
@Injectable()
export class NotifierService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly kafka: Kafka;
  readonly redis: Redis;
  readonly store: SubscriptionStore;
  readonly queue: DeliveryQueue;
  readonly metrics: NotifyMetrics;
  private readonly worker: DeliveryWorker;
  private readonly producer: Producer;
  private consumer?: Consumer;

  constructor(
    @Inject(NOTIFIER_SETTINGS) private readonly s: NotifierSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.kafka = createKafka(s, 'notifier', logger);
    // the subscriptions and the delivery queue are durable state: commands wait for Redis rather than fail fast
    this.redis = createRedis(s, 'state', { onError: (err) => logger.debug({ err: err.message }, 'redis connection error') });
    const guard = new TargetGuard(s.targetAllowList);
    this.store = new SubscriptionStore(this.redis, s.redisKeyPrefix, new SecretBox(s.secretKey), guard);
    this.queue = new DeliveryQueue(this.redis, s.redisKeyPrefix);
    this.metrics = new NotifyMetrics(() => this.queue.counts());
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.worker = new DeliveryWorker({
      queue: this.queue,
      store: this.store,
      guard,
      metrics: this.metrics,
      logger,
      schedule: s.retryScheduleMs,
      jitter: s.retryJitterPercent / 100,
      timeoutMs: s.timeoutMs,
      leaseMs: s.leaseMs,
      pollMs: s.pollMs,
      concurrency: s.concurrency,
      doneTtlMs: s.doneTtlHours * 3_600_000,
      dashboardBaseUrl: s.dashboardBaseUrl,
      publishDead: (d, name) => this.publishDead(d, name),
    });
  }

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
    await this.producer.connect();
    this.worker.start();
    await this.consume();
    this.logger.info({ groupId: s.groupId, input: topicName('alerts', s.topicPrefix) }, 'notifier consuming');
  }

  private async consume(): Promise<void> {
    const s = this.s;
    const topic = topicName('alerts', s.topicPrefix);
    const consumer = this.kafka.consumer({
      groupId: s.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 500,
      sessionTimeout: s.sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(s.sessionTimeoutMs / 3)),
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: s.fromBeginning });
    const route = { maxPerWindow: s.digestMaxPerWindow, windowMs: s.digestWindowMs, doneTtlMs: s.doneTtlHours * 3_600_000 };
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const subscriptions = await this.store.list();
        let last: string | undefined;
        for (const m of batch.messages) {
          if (!isRunning() || isStale()) break;
          const parsed = parseAlert(m.value);
          if (!parsed.ok) {
            // a bad message is reported and skipped: it must not block the partition
            this.metrics.alertsIn.inc({ result: 'invalid' });
            this.logger.error(
              { topic, partition: batch.partition, offset: m.offset, error: parsed.error },
              'alert message skipped: not a valid alert',
            );
          } else {
            const routed = await routeAlert(parsed.alert, subscriptions, this.queue, route);
            this.metrics.alertsIn.inc({ result: 'routed' });
            for (const r of routed) if (r.mode !== 'exists') this.metrics.scheduled.inc({ mode: r.mode });
            this.logger.debug({ alertId: parsed.alert.alertId, orderId: parsed.alert.orderId, routed }, 'alert scheduled');
          }
          resolveOffset(m.offset);
          last = m.offset;
          await heartbeat();
        }
        // only now: every delivery of these alerts is in Redis, so a crash before this re-reads them
        // and the idempotent schedule adds nothing twice
        if (last !== undefined)
          await consumer.commitOffsets([{ topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
        this.worker.poke();
      },
    });
  }

  private async publishDead(d: Delivery, subscriptionName: string | undefined): Promise<void> {
    const alerts = d.kind === 'digest' ? await this.queue.digestAlerts(d.id) : d.alert ? [d.alert] : [];
    await this.producer.send({
      topic: topicName('notificationsDlq', this.s.topicPrefix),
      messages: [
        {
          key: d.id,
          value: JSON.stringify({
            deliveryId: d.id,
            subscriptionId: d.subscriptionId,
            subscriptionName,
            kind: d.kind,
            alertIds: alerts.map((a) => a.alertId),
            orderIds: alerts.map((a) => a.orderId),
            attempts: d.attempts,
            lastStatus: d.lastStatus,
            lastError: d.lastError,
            deadAt: d.doneAt,
          }),
          headers: { 'dw-error-code': 'DELIVERY_FAILED', 'dw-error': (d.lastError ?? '').slice(0, 2000) },
        },
      ],
    });
  }

  /** SIGTERM: stop reading, let attempts in flight finish, then close. */
  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    await this.worker.stop().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
    await closeRedis(this.redis);
    this.logger.info('notifier stopped');
  }
}
