import type { Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import { createKafka } from '@dualwatch/messaging';
import type { Logger } from '@dualwatch/observability';
import { createRedis } from '@dualwatch/redis';
import { DeliveryQueue, DeliveryWorker, NotifyMetrics, SecretBox, SubscriptionStore, TargetGuard } from '@dualwatch/notify';
import { DeadDeliveries } from './dead-deliveries';
import { KAFKA, LOGGER, NOTIFIER_SETTINGS, STATE_REDIS } from './tokens';

export { KAFKA, LOGGER, NOTIFIER_SETTINGS, STATE_REDIS } from './tokens';
import type { NotifierSettings } from './settings';

/*
 * The notifier's collaborators, one provider each, so that a test module can replace any of them
 * (`Test.createTestingModule(...).overrideProvider(DeliveryQueue).useValue(...)`).
 */

export function notifierProviders(settings: NotifierSettings, logger: Logger): Provider[] {
  return [
    { provide: NOTIFIER_SETTINGS, useValue: settings },
    { provide: LOGGER, useValue: logger },
    { provide: KAFKA, useFactory: (s: NotifierSettings, l: Logger) => createKafka(s, 'notifier', l), inject: [NOTIFIER_SETTINGS, LOGGER] },
    {
      provide: STATE_REDIS,
      useFactory: (s: NotifierSettings, l: Logger) =>
        createRedis(s, 'state', { onError: (err) => l.debug({ err: err.message }, 'redis connection error') }),
      inject: [NOTIFIER_SETTINGS, LOGGER],
    },
    { provide: TargetGuard, useFactory: (s: NotifierSettings) => new TargetGuard(s.targetAllowList), inject: [NOTIFIER_SETTINGS] },
    {
      provide: SubscriptionStore,
      useFactory: (s: NotifierSettings, redis: Redis, guard: TargetGuard) =>
        new SubscriptionStore(redis, s.redisKeyPrefix, new SecretBox(s.secretKey), guard),
      inject: [NOTIFIER_SETTINGS, STATE_REDIS, TargetGuard],
    },
    {
      provide: DeliveryQueue,
      useFactory: (s: NotifierSettings, redis: Redis) => new DeliveryQueue(redis, s.redisKeyPrefix),
      inject: [NOTIFIER_SETTINGS, STATE_REDIS],
    },
    { provide: NotifyMetrics, useFactory: (queue: DeliveryQueue) => new NotifyMetrics(() => queue.counts()), inject: [DeliveryQueue] },
    DeadDeliveries,
    {
      provide: DeliveryWorker,
      useFactory: (
        s: NotifierSettings,
        queue: DeliveryQueue,
        store: SubscriptionStore,
        guard: TargetGuard,
        metrics: NotifyMetrics,
        dead: DeadDeliveries,
        logger: Logger,
      ) =>
        new DeliveryWorker({
          queue,
          store,
          guard,
          metrics,
          logger,
          schedule: s.retryScheduleMs,
          jitter: s.retryJitterPercent / 100,
          timeoutMs: s.timeoutMs,
          leaseMs: s.leaseMs,
          pollMs: s.pollMs,
          concurrency: s.concurrency,
          doneTtlMs: s.doneTtlHours * 3_600_000,
          dashboardBaseUrl: s.dashboardBaseUrl,
          publishDead: (d, name) => dead.publish(d, name),
        }),
      inject: [NOTIFIER_SETTINGS, DeliveryQueue, SubscriptionStore, TargetGuard, NotifyMetrics, DeadDeliveries, LOGGER],
    },
  ];
}
