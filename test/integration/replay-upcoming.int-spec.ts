import Redis from 'ioredis';
import type { Producer } from 'kafkajs';
import type { Alert, OrderEvent } from '@dualwatch/contracts';
import { alertValidator } from '@dualwatch/contracts';
import { createLogger } from '@dualwatch/observability';
import { loadBundledRefData, ReferenceService } from '@dualwatch/refdata';
import { assess, createPartyMatcher, loadBundledPolicy } from '@dualwatch/scoring';
import { replayOrder } from '../../libs/scoring/src/replay/testing-refdata';
import { uniqueName } from '@dualwatch/testing';
import { OpenOrderBook, UpcomingService, type BookEntry } from '@dualwatch/alerting';
import { RedisLease } from '@dualwatch/redis';

/**
 * The risk-engine's upcoming alerts over a real Redis (the open-order book and the idempotency sets):
 * an open order whose verdict changes on a known date is announced once, and once more when the date
 * comes; scanning again sends nothing twice. The producer is a recorder (the topic plumbing is the
 * same idempotent producer as everywhere else).
 */

const policy = loadBundledPolicy();
const bundled = loadBundledRefData();

const ATLA = 'Acquisition, Technology & Logistics Agency';
const order = (orderId: string, shipDate: string, description: string, hsCode: string): OrderEvent =>
  replayOrder(orderId, ATLA, {
    shipDate,
    line: { description, hsCode, quantity: 10, unitPrice: 60 },
    order: { endUse: { category: 'civil', statement: 'laboratory' } },
  });

class RecordingProducer {
  sent: Alert[] = [];
  /** When set, a send waits (up to 1 s) for another send to arrive: two scans then overlap for sure. */
  private barrier?: { waiting: (() => void)[] };
  constructor(o: { overlapSends?: boolean } = {}) {
    if (o.overlapSends) this.barrier = { waiting: [] };
  }
  async connect() {}
  async disconnect() {}
  async send(r: { topic: string; messages: { value: string }[] }) {
    if (this.barrier) {
      const b = this.barrier;
      if (b.waiting.length) for (const release of b.waiting.splice(0)) release();
      else
        await new Promise<void>((release) => {
          const timer = setTimeout(release, 1_000); // alone (the lease let one scan through): go on
          b.waiting.push(() => (clearTimeout(timer), release()));
        });
    }
    for (const m of r.messages) this.sent.push(JSON.parse(m.value) as Alert);
    return [];
  }
}

describe('upcoming alerts (risk-engine)', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(() => redis.disconnect());

  /**
   * An open-order book with two orders: erbium oxide (suspended to 2027-01-10, uncertain) shipping after
   * the suspension ends, a change ahead; dysprosium (in force) shipping the same day, none.
   */
  async function seededBook(prefix: string): Promise<{ book: OpenOrderBook; reference: ReferenceService }> {
    const book = new OpenOrderBook(redis, prefix);
    const reference = new ReferenceService({ redis, prefix, bundled, matcherFor: (r) => createPartyMatcher(r, policy) });
    const entries = new Map<string, BookEntry>();
    for (const e of [
      order('PO-ER', '2027-02-01', 'Erbium oxide 99.9%', '2846901920'),
      order('PO-DY', '2027-02-01', 'Dysprosium metal ingot 99.9%', '2805301200'),
    ]) {
      const a = assess(e, { refdata: bundled, screenParty: () => [] }, policy);
      entries.set(e.order.orderId, {
        state: {
          event: e,
          verdict: a.verdict,
          severity: a.severity,
          score: a.score,
          reasonCodes: [],
          alertId: null,
          alertOpen: false,
          policyVersion: a.policyVersion,
          refdataVersion: a.refdataVersion,
        },
        prior: null,
        lastOffset: '0',
        source: 'orders',
      });
    }
    await book.putMany(entries);
    return { book, reference };
  }

  it('two instances scanning at the same moment: both announce without a lease (the race), exactly one does with it', async () => {
    const now = () => new Date('2026-11-28T06:00:00Z');
    const run = async (withLease: boolean) => {
      const prefix = `${uniqueName('up2')}:`;
      const { book, reference } = await seededBook(prefix);
      // each scan checks what was announced before it sends, and marks it after: sends that overlap show the race
      const producer = new RecordingProducer({ overlapSends: true });
      const instance = (holderId: string) =>
        new UpcomingService({
          redis,
          prefix,
          book,
          reference,
          policy: () => policy,
          producer: producer as unknown as Producer,
          lease: withLease ? new RedisLease(redis, { key: `${prefix}upcoming:lease`, ttlMs: 10_000, holderId }) : undefined,
          alertsTopic: 'risk.alerts.v1',
          logger: createLogger('test', 'silent'),
          now,
        });
      const [a, b] = [instance('a'), instance('b')];
      const scans = await Promise.all([a.scanOnce(), b.scanOnce()]);
      return { sent: producer.sent.length, scanned: scans.filter((x) => x !== null).length };
    };
    expect(await run(false)).toEqual({ sent: 2, scanned: 2 });
    expect(await run(true)).toEqual({ sent: 1, scanned: 1 });
  });

  it('announces a change ahead once, and again when its date arrives', async () => {
    const prefix = `${uniqueName('up')}:`;
    const { book, reference } = await seededBook(prefix);

    let now = new Date('2026-11-28T06:00:00Z');
    const producer = new RecordingProducer();
    const svc = new UpcomingService({
      redis,
      prefix,
      book,
      reference,
      policy: () => policy,
      producer: producer as unknown as Producer,
      alertsTopic: 'risk.alerts.v1',
      logger: createLogger('test', 'silent'),
      now: () => now,
    });

    const first = await svc.scan();
    expect(first).toMatchObject({ today: '2026-11-28', looked: 2, announced: 1, arrived: 0 });
    expect(producer.sent).toHaveLength(1);
    const alert = producer.sent[0];
    expect(alert).toMatchObject({
      kind: 'upcoming',
      orderId: 'PO-ER',
      // policy v2: "until 2027-01-10" includes that day, and inside the uncertain window a military user is review
      effectiveOn: '2027-01-11',
      previousVerdict: 'review',
      assessment: { verdict: 'prohibited', asOf: '2027-01-11' },
    });
    expect(alertValidator.check(alert)).toBe(true);

    expect(await svc.scan()).toMatchObject({ looked: 0, announced: 0 }); // nothing changed: not even looked at
    now = new Date('2026-12-01T06:00:00Z');
    expect(await svc.scan()).toMatchObject({ looked: 2, announced: 0, arrived: 0 }); // a new day: looked at again, nothing new
    now = new Date('2027-01-11T00:05:00Z');
    expect(await svc.scan()).toMatchObject({ announced: 0, arrived: 1 });
    expect(producer.sent).toHaveLength(2);
    expect(producer.sent[1]).toMatchObject({ kind: 'upcoming', orderId: 'PO-ER', effectiveOn: '2027-01-11', alertId: alert.alertId });
    expect(await svc.scan()).toMatchObject({ announced: 0, arrived: 0 });
    expect(producer.sent).toHaveLength(2);
  });
});
