import type { OutputMessage } from '@dualwatch/messaging';
import { serializeBookEntry, type BookEntry, type BookWrite } from '@dualwatch/alerting';
import type { OrderBookStore } from './order-processor';

/**
 * The open-order book in memory, for unit tests in a TestingModule: entries stored as DurableOrderBook
 * stores them (serialised, read back), the changelog records it would produce, the open orders page by
 * page, and a write that fails once when asked to (`failNextWrite`), as a Redis timeout would.
 */
export class MemoryBook implements OrderBookStore {
  readonly entries = new Map<string, string>();
  failNextWrite = false;

  constructor(private readonly changelogTopic = 'unit.engine.book.v1') {}

  async getMany(ids: string[]): Promise<Map<string, BookEntry>> {
    const out = new Map<string, BookEntry>();
    for (const id of ids) {
      const raw = this.entries.get(id);
      if (raw) out.set(id, JSON.parse(raw) as BookEntry);
    }
    return out;
  }

  async write(entries: Map<string, BookWrite>): Promise<OutputMessage[]> {
    if (this.failNextWrite) {
      this.failNextWrite = false;
      throw new Error('Command timed out');
    }
    const out: OutputMessage[] = [];
    for (const [id, w] of entries) {
      const value = serializeBookEntry(w);
      this.entries.set(id, value.toString());
      out.push({ topic: this.changelogTopic, key: id, value });
    }
    return out;
  }

  async *scanOpen(): AsyncGenerator<[string, BookEntry][]> {
    const page = [...(await this.getMany([...this.entries.keys()]))].filter(([, e]) => e.state);
    if (page.length) yield page;
  }
}
