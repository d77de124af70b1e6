import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { readRanges, type OutputMessage } from '@dualwatch/messaging';
import type { Logger } from '@dualwatch/observability';
import { OpenOrderBook, serializeBookEntry, type BookEntry, type BookWrite } from './open-order-book';

export interface DurableOrderBookOptions {
  redis: Redis;
  prefix?: string;
  kafka: Kafka;
  /** The changelog: a compacted topic (engine.book.v1), key orderId, value the entry as Redis stores it. */
  changelogTopic: string;
  logger: Logger;
}

/**
 * The open-order book as state of record, the way Kafka Streams keeps a state store: every change is a
 * record on a compacted changelog topic, written in the same Kafka transaction as the assessments,
 * alerts and consumed offsets it belongs to (`write()` returns the records to add to a chunk's
 * outputs). Redis holds a cache of it, written before the transaction commits (OpenOrderBook's
 * `prior` / `lastOffset` make a retried chunk reach the same decisions), and rebuilt from the changelog
 * when it was lost.
 *
 * How a lost cache is noticed: a marker key (`{prefix}book-epoch`) is read with every batch of entries.
 * When it is missing (Redis was flushed, or is new) or differs from the one this instance last saw, the
 * changelog is read from the beginning to its end and every entry is written back with SET NX (an entry
 * written since the loss, by any instance, is newer than the log's and stays), then the marker is set.
 * Chunks wait while that runs. A book that cannot be read or written fails the chunk, which is retried:
 * no chunk is processed without its state. (The marker detects a loss of the whole cache; Redis must not
 * evict book keys one by one: run it with maxmemory-policy noeviction, docs/operations.md.)
 */
export class DurableOrderBook {
  readonly book: OpenOrderBook;
  private readonly epochKey: string;
  private epoch: string | null = null;
  private restoring?: Promise<void>;
  /** Restores done by this instance (metrics and tests). */
  restores = 0;

  constructor(private readonly o: DurableOrderBookOptions) {
    this.book = new OpenOrderBook(o.redis, o.prefix);
    this.epochKey = `${o.prefix ?? 'dw:'}book-epoch`;
  }

  /** The entries of these orders, from a cache that holds the whole changelog (restored first if it was lost). */
  async getMany(orderIds: string[]): Promise<Map<string, BookEntry>> {
    for (let attempt = 0; ; attempt++) {
      await this.restoring;
      // the marker and the entries in one round trip
      const pipe = this.o.redis.pipeline().get(this.epochKey);
      if (orderIds.length) pipe.mget(orderIds.map((id) => this.book.keyOf(id)));
      const results = (await pipe.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
      const epoch = results[0][1] as string | null;
      if (epoch !== null && (epoch === this.epoch || this.epoch === null)) {
        // the cache is whole: its marker is the one this instance knows, or this is its first look
        this.epoch = epoch;
        return OpenOrderBook.entriesOf(orderIds, (results[1]?.[1] as (string | null)[] | undefined) ?? []);
      }
      if (attempt > 2) throw new Error('open-order book: the cache keeps changing under its restore');
      await this.restore(epoch);
    }
  }

  /**
   * The entries into the cache (before the chunk's transaction commits, see BookEntry) and their
   * changelog records for the transaction: each entry serialised once, the same bytes for both. With
   * `afterCommit` (the chunk's context), the same bytes are written to the cache again once the
   * transaction has committed: a cache lost (and restored from the changelog) between the first write
   * and the commit would otherwise miss them, since the restore reads the changelog only as far as it
   * was when it started.
   */
  async write(entries: Map<string, BookWrite>, ctx?: { afterCommit?(work: () => Promise<unknown>): void }): Promise<OutputMessage[]> {
    if (!entries.size) return [];
    const out: OutputMessage[] = [];
    const sets: [string, string | Buffer][] = [];
    for (const [orderId, w] of entries) {
      const value = serializeBookEntry(w);
      sets.push([this.book.keyOf(orderId), value]);
      out.push({ topic: this.o.changelogTopic, key: orderId, value });
    }
    await this.setAll(sets);
    ctx?.afterCommit?.(() => this.setAll(sets));
    return out;
  }

  private async setAll(sets: [string, string | Buffer][]): Promise<void> {
    const pipe = this.o.redis.pipeline();
    for (const [key, value] of sets) pipe.set(key, value);
    const results = (await pipe.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }

  scanOpen(pageSize?: number): AsyncGenerator<[string, BookEntry][]> {
    return this.book.scanOpen(pageSize);
  }

  /**
   * The cache was lost (no marker) or restored by another instance (another marker): unless the
   * marker is there now and new to us only, read the changelog back. One restore at a time per instance.
   */
  private restore(seen: string | null): Promise<void> {
    this.restoring ??= (async () => {
      try {
        if (seen !== null) {
          // another instance restored after a loss and set a new marker: the cache is whole again
          this.epoch = seen;
          return;
        }
        await this.rebuild();
      } finally {
        this.restoring = undefined;
      }
    })();
    return this.restoring;
  }

  private async rebuild(): Promise<void> {
    const { kafka, redis, changelogTopic, logger } = this.o;
    const started = Date.now();
    logger.warn({ topic: changelogTopic }, 'open-order book cache lost (no marker in Redis): rebuilding it from the changelog');
    const admin = kafka.admin();
    await admin.connect();
    let ranges;
    try {
      ranges = (await admin.fetchTopicOffsets(changelogTopic)).map((p) => ({
        partition: p.partition,
        start: BigInt(p.low),
        high: BigInt(p.high),
      }));
    } finally {
      await admin.disconnect();
    }
    // the latest record of each order; a record without a value (a tombstone) removes the order
    const latest = new Map<string, Buffer | null>();
    await readRanges(kafka, changelogTopic, ranges, (_p, m) => {
      if (m.key) latest.set(m.key.toString('utf8'), m.value);
    });
    let written = 0;
    const entries = [...latest].filter((e): e is [string, Buffer] => e[1] !== null);
    for (let i = 0; i < entries.length; i += 1000) {
      const pipe = redis.pipeline();
      for (const [orderId, value] of entries.slice(i, i + 1000)) pipe.set(this.book.keyOf(orderId), value, 'NX');
      const results = (await pipe.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
      written += results.filter(([, r]) => r === 'OK').length;
    }
    const epoch = randomUUID();
    const set = await redis.set(this.epochKey, epoch, 'NX');
    this.epoch = set === 'OK' ? epoch : await redis.get(this.epochKey);
    this.restores++;
    logger.warn(
      { topic: changelogTopic, orders: latest.size, written, ms: Date.now() - started },
      'open-order book cache rebuilt from the changelog',
    );
  }
}
