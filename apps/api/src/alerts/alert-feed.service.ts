import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { Controller, Injectable, UseFilters, type OnApplicationBootstrap } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { KafkaMessage } from 'kafkajs';
import { alertValidator, describeIssues, topicName } from '@dualwatch/contracts';
import {
  ChunkErrorFilter,
  provisionTopics,
  type ChunkBinding,
  type ChunkContext,
  type ChunkHandlerExtras,
  type OutputMessage,
} from '@dualwatch/messaging';
import { ApiRuntime } from '../runtime';
import { AlertStore } from './alert-store';
import { lifecycleRecordValidator, transition, type LifecycleAction, type LifecycleRecord } from './lifecycle';

/** Retries what a broker may briefly refuse right after topics are created (no leader yet). */
async function retrying<T>(work: () => Promise<T>, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (err) {
      if (i >= attempts || !(err as { retriable?: boolean }).retriable) throw err;
      await new Promise((r) => setTimeout(r, 300 * i));
    }
  }
}

/**
 * Materialises the alert store from Kafka. Every instance reads the whole of risk.alerts.v1 and the
 * compacted alerts.lifecycle.v1 (read_committed, from the beginning, in a consumer group of its own:
 * KafkaChunkTransport's replay delivery, AlertFeedConsumer's handlers), so that a restart rebuilds the
 * same state and every instance's live stream sees every change. Triage changes are written to
 * alerts.lifecycle.v1 and take effect when read back, in log order.
 */
@Injectable()
export class AlertFeed implements OnApplicationBootstrap {
  readonly alertsTopic: string;
  readonly lifecycleTopic: string;
  /** Highest lifecycle offset read, per partition, and the writers waiting to see theirs. */
  private readonly lifecycleSeen = new Map<number, bigint>();
  private waiters: { partition: number; offset: bigint; done: () => void }[] = [];
  private readonly locks = new Map<string, Promise<unknown>>();
  /** The log ends to read before the store is whole ("topic|partition" → last offset), taken at start. */
  private ends = new Map<string, bigint>();
  private allRead!: () => void;
  private readonly caughtUpPromise = new Promise<void>((r) => (this.allRead = r));
  private caughtUp = false;
  private readonly groupId: string;
  private startedAt = Date.now();

  constructor(
    private readonly rt: ApiRuntime,
    readonly store: AlertStore,
  ) {
    this.alertsTopic = topicName('alerts', rt.s.topicPrefix);
    this.lifecycleTopic = topicName('alertLifecycle', rt.s.topicPrefix);
    this.groupId = `${rt.s.groupIdPrefix}-${os.hostname()}-${randomBytes(4).toString('hex')}`.replace(/[^A-Za-z0-9._-]/g, '-');
  }

  get ready(): boolean {
    return this.caughtUp;
  }

  /** Topics provisioned and the log ends taken, before the transport starts reading. */
  async onApplicationBootstrap(): Promise<void> {
    const { s } = this.rt;
    await this.rt.connect();
    this.ends = await retrying(async () => {
      if (s.provisionTopics) await provisionTopics(this.rt.kafka, ['orders', 'alerts', 'alertLifecycle'], s.topicPrefix);
      return this.partitionEnds();
    });
    this.startedAt = Date.now();
    if (this.ends.size === 0) this.allRead();
  }

  /**
   * Where AlertFeedConsumer's patterns read (KafkaChunkTransport, replay): "alerts" and "alertLifecycle",
   * in this instance's own group, from the beginning, nothing committed.
   */
  bind(pattern: string, _extras: ChunkHandlerExtras): ChunkBinding {
    const topic = pattern === 'alerts' ? this.alertsTopic : pattern === 'alertLifecycle' ? this.lifecycleTopic : undefined;
    if (!topic) throw new Error(`the api has no binding for the pattern "${pattern}"`);
    return {
      topic,
      groupId: `${this.groupId}-${pattern}`,
      maxWaitTimeInMs: 100,
      sessionTimeoutMs: 10_000,
      maxChunkMessages: 1000,
      hooks: { reached: ({ topic: t, partition, offset }) => this.reached(t, partition, offset) },
    };
  }

  /**
   * Waits until the store holds what the topics held at start (or the catch-up timeout passes, then it
   * serves what it has read and says so). The api listens only after this.
   */
  async waitCaughtUp(): Promise<void> {
    const { s, logger } = this.rt;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.caughtUpPromise.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), s.catchUpTimeoutMs))),
    ]);
    clearTimeout(timer);
    this.caughtUp = true;
    if (timedOut) logger.warn({ left: [...this.ends.keys()] }, 'alert store still catching up: serving what has been read');
    logger.info({ alerts: this.store.size, ms: Date.now() - this.startedAt }, 'alert store rebuilt from Kafka');
  }

  /** One chunk of either topic, applied in log order. */
  applyChunk(messages: KafkaMessage[], ctx: ChunkContext): void {
    for (const m of messages) this.apply(ctx.topic, ctx.partition, m);
    if (ctx.topic === this.lifecycleTopic && messages.length) this.seen(ctx.partition, BigInt(messages[messages.length - 1].offset));
  }

  /** A position read (transaction markers included): the store is whole once every start-time end is reached. */
  private reached(topic: string, partition: number, offset: string): void {
    if (topic === this.lifecycleTopic) this.seen(partition, BigInt(offset));
    const key = `${topic}|${partition}`;
    const end = this.ends.get(key);
    if (end !== undefined && BigInt(offset) >= end) {
      this.ends.delete(key);
      if (this.ends.size === 0) this.allRead();
    }
  }

  /** The last offset of each non-empty partition now ("topic|partition" → offset): the store is rebuilt once each is read. */
  private async partitionEnds(): Promise<Map<string, bigint>> {
    const admin = this.rt.kafka.admin();
    await admin.connect();
    const ends = new Map<string, bigint>();
    try {
      for (const topic of [this.alertsTopic, this.lifecycleTopic])
        for (const p of await admin.fetchTopicOffsets(topic))
          if (BigInt(p.high) > BigInt(p.low)) ends.set(`${topic}|${p.partition}`, BigInt(p.high) - 1n);
    } finally {
      await admin.disconnect();
    }
    return ends;
  }

  private apply(topic: string, partition: number, m: KafkaMessage): void {
    let doc: unknown;
    try {
      doc = m.value ? JSON.parse(m.value.toString('utf8')) : null;
    } catch {
      doc = undefined;
    }
    if (doc === null) return; // a tombstone
    if (topic === this.alertsTopic) {
      const r = alertValidator.validate(doc);
      if (r.ok) this.store.applyAlert(r.value);
      else
        this.rt.logger.error(
          { topic, partition, offset: m.offset, error: describeIssues(r.issues) },
          'alert message skipped: not a valid alert',
        );
    } else {
      const r = lifecycleRecordValidator.validate(doc);
      if (r.ok) this.store.applyLifecycle(r.value);
      else this.rt.logger.error({ topic, partition, offset: m.offset }, 'lifecycle message skipped: not a valid record');
    }
  }

  private seen(partition: number, offset: bigint): void {
    if ((this.lifecycleSeen.get(partition) ?? -1n) >= offset) return;
    this.lifecycleSeen.set(partition, offset);
    this.waiters = this.waiters.filter((w) => {
      if (w.partition !== partition || w.offset > offset) return true;
      w.done();
      return false;
    });
  }

  /**
   * One triage change: checked against the current state, written to alerts.lifecycle.v1, and
   * answered once this instance has read it back (so the answer is what every reader will see).
   * Changes to one alert are serialised within the instance.
   */
  async change(alertId: string, action: LifecycleAction, user: string, note: string): Promise<LifecycleRecord> {
    const prior = this.locks.get(alertId) ?? Promise.resolve();
    const work = prior
      .catch(() => undefined)
      .then(async () => {
        const record = transition(this.store.lifecycleOf(alertId), alertId, action, user, new Date().toISOString(), note);
        const [meta] = await this.rt.producer.send({
          topic: this.lifecycleTopic,
          acks: -1,
          messages: [{ key: alertId, value: JSON.stringify(record), headers: { 'dw-user': user } }],
        });
        await this.readBack(meta.partition, BigInt(meta.baseOffset ?? '0'));
        return record;
      });
    this.locks.set(alertId, work);
    try {
      return await work;
    } finally {
      if (this.locks.get(alertId) === work) this.locks.delete(alertId);
    }
  }

  private readBack(partition: number, offset: bigint, timeoutMs = 15000): Promise<void> {
    if ((this.lifecycleSeen.get(partition) ?? -1n) >= offset) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`lifecycle event not read back within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ partition, offset, done: () => (clearTimeout(timer), resolve()) });
    });
  }
}

/**
 * risk.alerts.v1 and alerts.lifecycle.v1 into this instance's alert store (KafkaChunkTransport, replay:
 * each instance reads both logs whole and commits nothing). The topics come from AlertFeed.bind.
 */
@Controller()
@UseFilters(ChunkErrorFilter)
export class AlertFeedConsumer {
  constructor(private readonly feed: AlertFeed) {}

  @EventPattern('alerts', { delivery: 'replay' } satisfies ChunkHandlerExtras)
  alerts(@Payload() messages: KafkaMessage[], @Ctx() ctx: ChunkContext): OutputMessage[] {
    this.feed.applyChunk(messages, ctx);
    return [];
  }

  @EventPattern('alertLifecycle', { delivery: 'replay' } satisfies ChunkHandlerExtras)
  lifecycle(@Payload() messages: KafkaMessage[], @Ctx() ctx: ChunkContext): OutputMessage[] {
    this.feed.applyChunk(messages, ctx);
    return [];
  }
}
