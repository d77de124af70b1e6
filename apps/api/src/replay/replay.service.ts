import { Injectable } from '@nestjs/common';
import { topicName, type OrderEvent } from '@dualwatch/contracts';
import { provisionTopics } from '@dualwatch/messaging';
import { RefDataError, refDataFromObject, RefDataStore, type RefData, type RefDataFiles, type VersionSwitch } from '@dualwatch/refdata';
import { lookahead, replayDiff, type OrderLookahead, type ReplayDiffResult } from '@dualwatch/scoring';
import { WhatIfService } from '../assess/what-if.service';
import { ApiRuntime } from '../runtime';

/** A reference-data version to compare with the current one: the files of a directory, or a version stored in Redis. */
export type Candidate = { files: Partial<RefDataFiles> } | { version: string };

export class CandidateError extends Error {
  constructor(
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** What the risk-engine's open-order book holds of an order (libs/alerting/src/open-order-book.ts). */
interface BookEntryLike {
  state: { event: OrderEvent; verdict: string } | null;
}

/**
 * Replay and look-ahead for the dashboard: the open orders (read from the risk-engine's open-order book
 * in Redis), their diff under a candidate reference-data version against the current one, the switch
 * to it (RefDataStore + refdata.changes.v1, as `dualwatch refdata load|switch`), and the changes ahead.
 */
@Injectable()
export class ReplayService {
  readonly store: RefDataStore;

  constructor(
    private readonly rt: ApiRuntime,
    private readonly whatIf: WhatIfService,
  ) {
    this.store = new RefDataStore(rt.stateRedis, rt.s.redisKeyPrefix);
  }

  /** Every open order's latest event, from the book (keys {prefix}book:{orderId}). */
  async openOrders(limit = 100_000): Promise<OrderEvent[]> {
    const redis = this.rt.stateRedis;
    const match = `${this.rt.s.redisKeyPrefix}book:*`;
    const out: OrderEvent[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
      cursor = next;
      if (!keys.length) continue;
      for (const raw of await redis.mget(keys)) {
        if (!raw) continue;
        const e = JSON.parse(raw) as BookEntryLike;
        if (e.state) out.push(e.state.event);
        if (out.length >= limit) return out;
      }
    } while (cursor !== '0');
    return out.sort((a, b) => a.order.orderId.localeCompare(b.order.orderId));
  }

  async versions(): Promise<{ current: string | null; served: string; versions: { version: string; label: string }[] }> {
    const [current, versions] = await Promise.all([this.store.currentVersion(), this.store.versions()]);
    return {
      current,
      served: this.whatIf.reference.refdata.version,
      versions: versions.reverse().map((v) => ({ version: v, label: v.split('+')[0] })),
    };
  }

  async candidate(c: Candidate): Promise<RefData> {
    if ('version' in c) {
      const data = await this.store.get(c.version);
      if (!data) throw new CandidateError(`reference-data version ${c.version} is not stored in Redis`);
      return data;
    }
    try {
      return refDataFromObject(c.files as RefDataFiles);
    } catch (err) {
      if (err instanceof RefDataError)
        throw new CandidateError(
          err.message,
          err.issues.map((i) => ({ path: `${i.file}${i.entry ? `#${i.entry}` : ''}${i.path}`, message: i.message })),
        );
      throw err;
    }
  }

  /** The diff of the open orders under the candidate against the version in use. */
  async preview(
    c: Candidate,
    asOf?: string,
  ): Promise<{ current: { version: string; label: string }; candidate: { version: string; label: string }; diff: ReplayDiffResult }> {
    await this.whatIf.reference.refresh();
    const current = this.whatIf.reference.refdata;
    const next = await this.candidate(c);
    const policy = this.whatIf.policy;
    const diff = replayDiff(await this.openOrders(), { refdata: current, policy }, { refdata: next, policy }, asOf);
    return { current: { version: current.version, label: current.label }, candidate: { version: next.version, label: next.label }, diff };
  }

  /** Makes the candidate current in Redis and announces it on refdata.changes.v1 (the risk-engine re-screens). */
  async switchTo(c: Candidate): Promise<VersionSwitch & { announced: boolean; unchanged?: boolean }> {
    let change: VersionSwitch | null;
    if ('version' in c) change = await this.store.switchTo(c.version);
    else {
      const data = await this.candidate(c);
      change = await this.store.publish(data);
      if (!change)
        return {
          version: data.version,
          label: data.label,
          previous: data.version,
          switchedAt: new Date().toISOString(),
          announced: false,
          unchanged: true,
        };
    }
    await this.rt.connect();
    if (this.rt.s.provisionTopics) await provisionTopics(this.rt.kafka, ['refdataChanges'], this.rt.s.topicPrefix);
    await this.rt.producer.send({
      topic: topicName('refdataChanges', this.rt.s.topicPrefix),
      acks: -1,
      messages: [{ key: 'refdata', value: JSON.stringify(change) }],
    });
    await this.whatIf.reference.refresh();
    return { ...change, announced: true };
  }

  /** The open orders whose verdict will change on a known future date, with the date and why. */
  async upcoming(today: string, horizonDays?: number): Promise<OrderLookahead[]> {
    await this.whatIf.reference.refresh();
    return lookahead(await this.openOrders(), { refdata: this.whatIf.reference.refdata, policy: this.whatIf.policy }, today, {
      horizonDays,
    });
  }
}
