import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { alertValidator, describeIssues, topicName } from '@dualwatch/contracts';
import { heartbeatIntervalFor, provisionTopics } from '@dualwatch/messaging';
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
 * compacted alerts.lifecycle.v1 (read_committed, from the beginning, in a consumer group of its own),
 * so that a restart rebuilds the same state and every instance's live stream sees every change.
 * Triage changes are written to alerts.lifecycle.v1 and take effect when read back, in log order.
 */
@Injectable()
export class AlertFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly store = new AlertStore();
  readonly alertsTopic: string;
  readonly lifecycleTopic: string;
  private consumer?: Consumer;
  /** Highest lifecycle offset read, per partition, and the writers waiting to see theirs. */
  private readonly lifecycleSeen = new Map<number, bigint>();
  private waiters: { partition: number; offset: bigint; done: () => void }[] = [];
  private readonly locks = new Map<string, Promise<unknown>>();
  private caughtUp = false;

  constructor(private readonly rt: ApiRuntime) {
    this.alertsTopic = topicName('alerts', rt.s.topicPrefix);
    this.lifecycleTopic = topicName('alertLifecycle', rt.s.topicPrefix);
  }

  get ready(): boolean {
    return this.caughtUp;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { s, logger, kafka } = this.rt;
    await this.rt.connect();
    const ends = await retrying(async () => {
      if (s.provisionTopics) await provisionTopics(kafka, ['orders', 'alerts', 'alertLifecycle'], s.topicPrefix);
      return this.partitionEnds();
    });
    let caughtUp!: () => void;
    const allRead = new Promise<void>((r) => (caughtUp = r));
    const reached = (topic: string, partition: number, offset: string) => {
      const key = `${topic}|${partition}`;
      const end = ends.get(key);
      if (end !== undefined && BigInt(offset) >= end) {
        ends.delete(key);
        if (ends.size === 0) caughtUp();
      }
    };
    if (ends.size === 0) caughtUp();

    const groupId = `${s.groupIdPrefix}-${os.hostname()}-${randomBytes(4).toString('hex')}`.replace(/[^A-Za-z0-9._-]/g, '-');
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      sessionTimeout: 10000,
      heartbeatInterval: heartbeatIntervalFor(10000),
    });
    this.consumer = consumer;
    // batches of only transaction markers reach no handler, but this event: they count as read too
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => reached(payload.topic, payload.partition, payload.lastOffset));
    await consumer.connect();
    await consumer.subscribe({ topics: [this.alertsTopic, this.lifecycleTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        for (const m of batch.messages) this.apply(batch.topic, batch.partition, m);
        if (batch.topic === this.lifecycleTopic && batch.messages.length)
          this.seen(batch.partition, BigInt(batch.messages[batch.messages.length - 1].offset));
        await heartbeat();
      },
    });
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      allRead.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), s.catchUpTimeoutMs))),
    ]);
    clearTimeout(timer);
    this.caughtUp = true;
    if (timedOut) logger.warn({ left: [...ends.keys()] }, 'alert store still catching up: serving what has been read');
    logger.info({ alerts: this.store.size, ms: Date.now() - started, groupId }, 'alert store rebuilt from Kafka');
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

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
