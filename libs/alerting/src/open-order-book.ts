import type Redis from 'ioredis';
import type { OrderEvent, Severity, Verdict } from '@dualwatch/contracts';

/** The alert state an order's latest assessment led to: what alert decisions compare against. */
export interface AlertState {
  verdict: Verdict;
  severity: Severity;
  score: number;
  /** Reason codes, to tell whether a re-score changed anything. */
  reasonCodes: string[];
  alertId: string | null;
  alertOpen: boolean;
  policyVersion: string;
  refdataVersion: string;
}

/** What the engine remembers of one open order: its latest event and the alert state it led to. */
export interface OrderState extends AlertState {
  event: OrderEvent;
}

/** The alert state alone (a copy without the event). */
export function alertStateOf(s: AlertState): AlertState {
  return {
    verdict: s.verdict,
    severity: s.severity,
    score: s.score,
    reasonCodes: s.reasonCodes,
    alertId: s.alertId,
    alertOpen: s.alertOpen,
    policyVersion: s.policyVersion,
    refdataVersion: s.refdataVersion,
  };
}

/**
 * A book entry, written BEFORE the Kafka transaction that carries the same event's outputs commits.
 * If that transaction aborts (crash, fencing), the chunk is processed again and finds an entry whose
 * `lastOffset` is at or beyond the event's offset: it then starts from `prior`, the state before the
 * aborted attempt, so a retry reaches the same decisions as the first try and nothing is doubled.
 * `prior` is stored without an event: a retried order event brings its own, and a retried re-screen
 * re-assesses `state.event` (re-screening never changes the event). Storing the order event once
 * halves the entry and its Redis write (docs/benchmarks.md).
 */
export interface BookEntry {
  state: OrderState | null;
  prior: AlertState | null;
  /** Source offset (orders topic) or change sequence (refdata changes) that produced `state`. */
  lastOffset: string;
  source: 'orders' | 'rescreen';
}

/** A book entry to write, optionally with its state's event as received (see serializeBookEntry). */
export interface BookWrite extends BookEntry {
  /** The JSON bytes state.event was parsed from: stored as they are instead of serialising the event again. */
  eventJson?: Buffer;
}

/**
 * The stored form of an entry: `prior` without its event, and the state's event spliced in from the
 * bytes it arrived as when they are given (JSON.parse of those bytes made state.event, so the stored
 * entry reads back the same; serialising a 1 KB event again was most of the book's CPU cost).
 */
export function serializeBookEntry(e: BookWrite): string | Buffer {
  const rest = { prior: e.prior && alertStateOf(e.prior), lastOffset: e.lastOffset, source: e.source };
  if (e.state && e.eventJson && e.eventJson[0] === 0x7b /* { */) {
    const head = JSON.stringify(alertStateOf(e.state));
    const tail = JSON.stringify(rest);
    return Buffer.concat([Buffer.from(`{"state":${head.slice(0, -1)},"event":`), e.eventJson, Buffer.from(`},${tail.slice(1)}`)]);
  }
  return JSON.stringify({ state: e.state, ...rest });
}

export class OpenOrderBook {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'dw:',
  ) {}

  /** The entries of an MGET of these orders' keys (a missing key: no entry). */
  static entriesOf(orderIds: string[], raw: (string | null)[]): Map<string, BookEntry> {
    const out = new Map<string, BookEntry>();
    raw.forEach((r, i) => r && out.set(orderIds[i], JSON.parse(r) as BookEntry));
    return out;
  }

  /** The Redis key of an order's entry. */
  keyOf(orderId: string): string {
    return `${this.prefix}book:${orderId}`;
  }

  async getMany(orderIds: string[]): Promise<Map<string, BookEntry>> {
    if (!orderIds.length) return new Map();
    return OpenOrderBook.entriesOf(orderIds, await this.redis.mget(orderIds.map((id) => this.keyOf(id))));
  }

  async putMany(entries: Map<string, BookWrite>): Promise<void> {
    if (!entries.size) return;
    const pipe = this.redis.pipeline();
    for (const [id, e] of entries) pipe.set(this.keyOf(id), serializeBookEntry(e));
    const results = await pipe.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** Every open order (state not null), page by page; for re-screening after a reference-data change. */
  async *scanOpen(pageSize = 500): AsyncGenerator<[string, BookEntry][]> {
    let cursor = '0';
    const strip = this.keyOf('').length;
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', this.keyOf('*'), 'COUNT', pageSize);
      cursor = next;
      if (!keys.length) continue;
      const raw = await this.redis.mget(keys);
      const page: [string, BookEntry][] = [];
      raw.forEach((r, i) => {
        if (!r) return;
        const e = JSON.parse(r) as BookEntry;
        if (e.state) page.push([keys[i].slice(strip), e]);
      });
      if (page.length) yield page;
    } while (cursor !== '0');
  }

  /** The state to start from when processing `offset` (see BookEntry). */
  static priorFor(entry: BookEntry | undefined, offset: string, source: BookEntry['source']): AlertState | null {
    if (!entry) return null;
    if (entry.source === source && BigInt(entry.lastOffset) >= BigInt(offset)) return entry.prior;
    return entry.state;
  }
}
