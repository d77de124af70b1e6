import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClientKafka, KafkaContext } from '@nestjs/microservices';
import Redis from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { orderEventValidator, topicName, type OrderEvent, type Party } from '@dualwatch/contracts';
import type { Logger } from '@dualwatch/observability';
import { loadBundledRefData, type PartyMatcher, RefDataStore, type RefData } from '@dualwatch/refdata';
import {
  assess,
  createPartyMatcher,
  loadBundledPolicy,
  SCREENED_ROLES,
  withAssessedAt,
  type Policy,
  type ReferenceView,
} from '@dualwatch/scoring';
import { buildAlert, decideAlert, type OrderState } from '@dualwatch/alerting';
import type { NaiveSettings } from './settings';

export const NAIVE_SETTINGS = Symbol('NAIVE_SETTINGS');
export const NAIVE_LOGGER = Symbol('NAIVE_LOGGER');
export const KAFKA_OUT = 'KAFKA_OUT';

type Matches = ReturnType<ReferenceView['screenParty']>;
const partyKey = (p: Party) => `${p.name}|${p.country}|${p.identifiers?.jpCorporateNumber ?? ''}`;

/**
 * The order pipeline as a NestJS team would first write it (the benchmark's comparison point, not a
 * product app): one order per handler call, a Redis GET (and SET on a miss) per party screening and
 * per open-order state, a ClientKafka.emit per output. The scoring and alert decisions are the
 * risk-engine's own code (assess, decideAlert, buildAlert), so only the plumbing differs.
 */
@Injectable()
export class NaiveEngineService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly policy: Policy = loadBundledPolicy();
  private refdata!: RefData;
  private matcher!: PartyMatcher;
  private readonly topics: { assessments: string; alerts: string; dlq: string };
  private processed = 0;

  constructor(
    @Inject(NAIVE_SETTINGS) private readonly s: NaiveSettings,
    @Inject(NAIVE_LOGGER) private readonly logger: Logger,
    @Inject(KAFKA_OUT) private readonly client: ClientKafka,
  ) {
    this.redis = new Redis(s.redisUrl, { lazyConnect: true });
    this.topics = {
      assessments: topicName('assessments', s.topicPrefix),
      alerts: topicName('alerts', s.topicPrefix),
      dlq: topicName('ordersDlq', s.topicPrefix),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.redis.connect();
    this.refdata = (await new RefDataStore(this.redis, this.s.redisKeyPrefix).current()) ?? loadBundledRefData();
    this.matcher = createPartyMatcher(this.refdata, this.policy);
    await this.client.connect();
    this.logger.info({ refdataVersion: this.refdata.version }, 'naive engine ready');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close().catch(() => undefined);
    this.redis.disconnect();
  }

  async handle(data: unknown, ctx: KafkaContext): Promise<void> {
    const checked = orderEventValidator.validate(data);
    if (!checked.ok) {
      const msg = ctx.getMessage();
      await this.emit(this.topics.dlq, {
        key: msg.key?.toString() ?? null,
        value: JSON.stringify(data),
        headers: { 'dw-error-code': 'SCHEMA_VIOLATION' },
      });
      return;
    }
    const event: OrderEvent = checked.value;
    const order = event.order;

    // one GET per party (and a SET when nobody screened it before)
    const screened = new Map<string, Matches>();
    for (const role of SCREENED_ROLES) {
      const p = order[role];
      if (!p) continue;
      const key = partyKey(p);
      if (!screened.has(key)) screened.set(key, await this.screen(p));
    }
    const view: ReferenceView = {
      refdata: this.refdata,
      screenParty: (p) =>
        screened.get(partyKey(p)) ??
        this.matcher.match({ name: p.name, country: p.country, jpCorporateNumber: p.identifiers?.jpCorporateNumber }),
    };
    const now = new Date();
    const assessment = withAssessedAt(assess(event, view, this.policy), now);

    // the open order's state: one GET, one SET (or DEL)
    const stateKey = `${this.s.redisKeyPrefix}naive:order:${order.orderId}`;
    const raw = await this.redis.get(stateKey);
    const prior = raw ? (JSON.parse(raw) as OrderState) : null;
    const decision = decideAlert(event, assessment, prior, this.policy.alerting.minVerdict);

    await this.emit(this.topics.assessments, { key: order.orderId, value: assessment, headers: { 'dw-event-id': event.eventId } });
    if (decision.kind) {
      const alert = buildAlert(decision.kind, assessment, event, prior, now.toISOString());
      await this.emit(this.topics.alerts, { key: order.orderId, value: alert, headers: { 'dw-alert-kind': decision.kind } });
      this.logger.info({ orderId: order.orderId, alertId: alert.alertId, kind: decision.kind }, 'alert');
    }
    if (decision.next) await this.redis.set(stateKey, JSON.stringify(decision.next));
    else await this.redis.del(stateKey);
    this.processed++;
  }

  private async screen(p: Party): Promise<Matches> {
    const key = `${this.s.redisKeyPrefix}naive:screen:${this.refdata.version}:${partyKey(p)}`;
    const cached = await this.redis.get(key);
    if (cached) return JSON.parse(cached) as Matches;
    const matches = this.matcher.match({ name: p.name, country: p.country, jpCorporateNumber: p.identifiers?.jpCorporateNumber });
    await this.redis.set(key, JSON.stringify(matches));
    return matches;
  }

  private async emit(topic: string, message: { key: string | null; value: unknown; headers?: Record<string, string> }): Promise<void> {
    const sent = this.client.emit(topic, message);
    if (this.s.awaitEmit) await lastValueFrom(sent);
  }
}
