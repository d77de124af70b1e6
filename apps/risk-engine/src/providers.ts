import type { Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { topicName } from '@dualwatch/contracts';
import { createKafka } from '@dualwatch/messaging';
import type { Logger } from '@dualwatch/observability';
import { createRedis, RedisLease } from '@dualwatch/redis';
import { loadBundledRefData, ReferenceService } from '@dualwatch/refdata';
import { createPartyMatcher, loadBundledPolicy, loadPolicy, type Policy } from '@dualwatch/scoring';
import { EngineMetrics } from './metrics';
import { DurableOrderBook, OpenOrderBook, UpcomingService } from '@dualwatch/alerting';
import { OrderProcessor, type ChunkReference, type OrderBookStore, type ProcessorTopics } from './order-processor';
import type { EngineSettings } from './settings';

/*
 * The risk-engine's collaborators, one provider each, so a test module can replace any of them
 * (`Test.createTestingModule(...).overrideProvider(ORDER_BOOK).useValue(...)`).
 */

export const ENGINE_SETTINGS = Symbol('ENGINE_SETTINGS');
/** The one logger of the app (pino). */
export const LOGGER = Symbol('LOGGER');
export const KAFKA = Symbol('KAFKA');
/** Redis as a cache: fails fast, so enrichment falls back to the bundled snapshot (Redis down shows in /ready and `degraded`). */
export const CACHE_REDIS = Symbol('CACHE_REDIS');
export const POLICY = Symbol('POLICY');
/** ReferenceService behind the ChunkReference interface. */
export const REFERENCE = Symbol('REFERENCE');
/** The open-order book of record (DurableOrderBook: changelog topic, Redis cache) behind the OrderBookStore interface. */
export const ORDER_BOOK = Symbol('ORDER_BOOK');
export const ENGINE_TOPICS = Symbol('ENGINE_TOPICS');
/** Where re-screening writes: its work list (engine.rescreen.v1) and the alerts. */
export const RESCREEN_TOPICS = Symbol('RESCREEN_TOPICS');

export function engineProviders(settings: EngineSettings, logger: Logger): Provider[] {
  return [
    { provide: ENGINE_SETTINGS, useValue: settings },
    { provide: LOGGER, useValue: logger },
    { provide: KAFKA, useFactory: (s: EngineSettings, l: Logger) => createKafka(s, 'risk-engine', l), inject: [ENGINE_SETTINGS, LOGGER] },
    { provide: CACHE_REDIS, useFactory: (s: EngineSettings) => createRedis(s, 'cache'), inject: [ENGINE_SETTINGS] },
    {
      provide: POLICY,
      useFactory: (s: EngineSettings) => (s.policyFile ? loadPolicy(s.policyFile) : loadBundledPolicy()),
      inject: [ENGINE_SETTINGS],
    },
    {
      provide: ReferenceService,
      useFactory: (s: EngineSettings, redis: Redis, policy: Policy, l: Logger) =>
        new ReferenceService({
          redis,
          prefix: s.redisKeyPrefix,
          bundled: loadBundledRefData(),
          matcherFor: (refdata) => createPartyMatcher(refdata, policy),
          lruSize: s.lruSize,
          onSwitch: (from, to) => l.info({ from, to }, 'reference data switched'),
        }),
      inject: [ENGINE_SETTINGS, CACHE_REDIS, POLICY, LOGGER],
    },
    { provide: REFERENCE, useExisting: ReferenceService },
    {
      provide: OpenOrderBook,
      useFactory: (s: EngineSettings, redis: Redis) => new OpenOrderBook(redis, s.redisKeyPrefix),
      inject: [ENGINE_SETTINGS, CACHE_REDIS],
    },
    {
      provide: DurableOrderBook,
      useFactory: (s: EngineSettings, redis: Redis, kafka: Kafka, l: Logger) =>
        new DurableOrderBook({ redis, prefix: s.redisKeyPrefix, kafka, changelogTopic: topicName('book', s.topicPrefix), logger: l }),
      inject: [ENGINE_SETTINGS, CACHE_REDIS, KAFKA, LOGGER],
    },
    { provide: ORDER_BOOK, useExisting: DurableOrderBook },
    EngineMetrics,
    {
      provide: ENGINE_TOPICS,
      useFactory: (s: EngineSettings): ProcessorTopics => ({
        assessments: topicName('assessments', s.topicPrefix),
        alerts: topicName('alerts', s.topicPrefix),
        dlq: topicName('ordersDlq', s.topicPrefix),
      }),
      inject: [ENGINE_SETTINGS],
    },
    {
      provide: RESCREEN_TOPICS,
      useFactory: (s: EngineSettings) => ({ rescreen: topicName('rescreen', s.topicPrefix), alerts: topicName('alerts', s.topicPrefix) }),
      inject: [ENGINE_SETTINGS],
    },
    {
      provide: OrderProcessor,
      useFactory: (
        s: EngineSettings,
        topics: ProcessorTopics,
        reference: ChunkReference,
        book: OrderBookStore,
        policy: Policy,
        metrics: EngineMetrics,
        l: Logger,
      ) =>
        new OrderProcessor({
          topics,
          reference,
          book,
          policy: () => policy,
          minAlertVerdict: s.minAlertVerdict === 'policy' ? undefined : s.minAlertVerdict,
          maxEventBytes: s.maxEventBytes,
          metrics,
          logger: l,
        }),
      inject: [ENGINE_SETTINGS, ENGINE_TOPICS, REFERENCE, ORDER_BOOK, POLICY, EngineMetrics, LOGGER],
    },
    {
      // the look-ahead scan: one scanner across the group, the lease holder, fenced in Kafka by one shared transactional.id
      provide: UpcomingService,
      useFactory: (
        s: EngineSettings,
        redis: Redis,
        kafka: Kafka,
        book: OpenOrderBook,
        reference: ReferenceService,
        policy: Policy,
        topics: ProcessorTopics,
        metrics: EngineMetrics,
        l: Logger,
      ) =>
        new UpcomingService({
          redis,
          prefix: s.redisKeyPrefix,
          book,
          reference,
          policy: () => policy,
          lease: new RedisLease(redis, {
            key: `${s.redisKeyPrefix}upcoming:lease`,
            ttlMs: Math.max(s.upcomingLeaseMs, 2 * s.upcomingScanMs),
          }),
          producer: {
            // a background scan: waits out a broker outage rather than give up (idempotence needs unbounded retries)
            transactional: () =>
              kafka.producer({
                transactionalId: `${s.transactionalIdPrefix}-upcoming`,
                idempotent: true,
                maxInFlightRequests: 1,
                retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5000 },
              }),
          },
          scanMs: s.upcomingScanMs,
          alertsTopic: topics.alerts,
          logger: l,
          metrics,
        }),
      inject: [ENGINE_SETTINGS, CACHE_REDIS, KAFKA, OpenOrderBook, ReferenceService, POLICY, ENGINE_TOPICS, EngineMetrics, LOGGER],
    },
  ];
}
