import type { Assessment, OrderEvent } from '@dualwatch/contracts';
import type Redis from 'ioredis';
import { alertIdFor, buildAlert, decideAlert, serializeAlert } from './alert-decision';
import { alertStateOf, OpenOrderBook, serializeBookEntry, type BookEntry, type OrderState } from './open-order-book';

const event = (eventType: OrderEvent['eventType'] = 'order.created'): OrderEvent => ({
  schemaVersion: 1,
  eventId: `e-${eventType}`,
  eventType,
  occurredAt: '2026-03-02T09:00:00Z',
  order: {
    orderId: 'PO-1',
    seller: { name: 'S', country: 'CN' },
    buyer: { name: 'B', country: 'JP' },
    shipFrom: 'CN',
    shipTo: 'JP',
    lines: [{ lineId: '1', description: 'x', quantity: 1 }],
  },
});
const assessment = (verdict: Assessment['verdict'], score = 50, codes = ['X']): Assessment => ({
  assessmentId: 'a',
  orderId: 'PO-1',
  eventId: 'e',
  asOf: '2026-03-02',
  verdict,
  severity: verdict === 'clear' ? 'none' : 'medium',
  score,
  reasons: codes.map((code) => ({ code, message: code })),
  policyVersion: 'p1',
  refdataVersion: 'r1',
});
const stateOf = (verdict: Assessment['verdict'], alertOpen: boolean, score = 50, codes = ['X']): OrderState => ({
  event: event(),
  verdict,
  severity: 'medium',
  score,
  reasonCodes: codes,
  alertId: alertOpen ? alertIdFor('PO-1', 'p1', 'r1') : null,
  alertOpen,
  policyVersion: 'p1',
  refdataVersion: 'r1',
});

describe('decideAlert: what an assessment means for the order alert', () => {
  it('raises an alert for a first exposure at or above the alert level', () => {
    const d = decideAlert(event(), assessment('review'), null, 'review');
    expect(d.kind).toBe('raised');
    expect(d.next).toMatchObject({ alertOpen: true, verdict: 'review' });
  });
  it('raises nothing below the alert level, and remembers the order as open', () => {
    const d = decideAlert(event(), assessment('clear', 20), null, 'review');
    expect(d.kind).toBeNull();
    expect(d.next).toMatchObject({ alertOpen: false, verdict: 'clear' });
  });
  it('updates an open alert whose findings changed (re-score supersedes)', () => {
    expect(decideAlert(event('order.updated'), assessment('prohibited', 95), stateOf('review', true), 'review').kind).toBe('updated');
    expect(decideAlert(event('order.updated'), assessment('review', 50, ['X', 'Y']), stateOf('review', true), 'review').kind).toBe(
      'updated',
    );
  });
  it('says nothing new when a re-sent order reaches the same findings', () => {
    const d = decideAlert(event('order.updated'), assessment('review'), stateOf('review', true), 'review');
    expect(d.kind).toBeNull();
    expect(d.next?.alertOpen).toBe(true);
  });
  it('withdraws an open alert when the order is no longer exposed', () => {
    const d = decideAlert(event('order.updated'), assessment('clear', 5), stateOf('review', true), 'review');
    expect(d.kind).toBe('withdrawn');
    expect(d.next?.alertOpen).toBe(false);
  });
  it('withdraws an open alert when the order is cancelled, and drops the order from the book', () => {
    const d = decideAlert(event('order.cancelled'), assessment('prohibited', 95), stateOf('prohibited', true), 'review');
    expect(d.kind).toBe('withdrawn');
    expect(d.next).toBeNull();
  });
  it('cancelling an order with no open alert raises nothing', () => {
    expect(decideAlert(event('order.cancelled'), assessment('prohibited', 95), null, 'review').kind).toBeNull();
  });
  it('a shipped order is still alerted, then leaves the book', () => {
    const d = decideAlert(event('order.shipped'), assessment('prohibited', 95), null, 'review');
    expect(d.kind).toBe('raised');
    expect(d.next).toBeNull();
  });
  it('a withdrawal carries the id of the alert it withdraws and the previous verdict', () => {
    const prior = stateOf('prohibited', true);
    const a = buildAlert(
      'withdrawn',
      { ...assessment('clear'), refdataVersion: 'r2' },
      event('order.cancelled'),
      prior,
      '2026-03-03T00:00:00Z',
    );
    expect(a.alertId).toBe(prior.alertId);
    expect(a.previousVerdict).toBe('prohibited');
  });
});

describe('OpenOrderBook.priorFor: a retried chunk starts from the state before its first attempt', () => {
  const s0 = stateOf('clear', false);
  const s1 = stateOf('review', true);
  const entry = (lastOffset: string, source: BookEntry['source'] = 'orders'): BookEntry => ({ state: s1, prior: s0, lastOffset, source });
  it('uses the current state for an event after the one that produced it', () => {
    expect(OpenOrderBook.priorFor(entry('10'), '11', 'orders')).toBe(s1);
  });
  it('uses the prior state for the same or an earlier offset (the write of an aborted attempt)', () => {
    expect(OpenOrderBook.priorFor(entry('10'), '10', 'orders')).toBe(s0);
    expect(OpenOrderBook.priorFor(entry('10'), '7', 'orders')).toBe(s0);
  });
  it('compares offsets as numbers, not strings', () => {
    expect(OpenOrderBook.priorFor(entry('9'), '10', 'orders')).toBe(s1);
  });
  it('does not compare offsets of different sources', () => {
    expect(OpenOrderBook.priorFor(entry('10', 'rescreen'), '3', 'orders')).toBe(s1);
  });
  it('knows nothing of an order it has never seen', () => {
    expect(OpenOrderBook.priorFor(undefined, '3', 'orders')).toBeNull();
  });
});

describe('serializeAlert: the alert JSON with the already-serialised assessment spliced in', () => {
  it('parses to the same value as JSON.stringify of the alert, with and without optional fields', () => {
    const a = { ...assessment('prohibited', 90, ['LISTED', 'FAMILY']), assessedAt: '2026-03-02T09:15:01.000Z' };
    const prior = stateOf('review', true);
    for (const alert of [
      buildAlert('raised', a, event(), null, '2026-03-02T09:15:01Z'),
      buildAlert('updated', a, event(), prior, '2026-03-02T09:15:01Z', '2026-04-01'),
    ]) {
      const json = serializeAlert(alert, JSON.stringify(a));
      expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(alert)));
    }
  });
});

describe('OpenOrderBook.putMany: the order event is stored once per entry', () => {
  it('writes the prior state without its event and keeps the current state whole', async () => {
    const written: [string, string][] = [];
    const pipe = { set: (k: string, v: string) => written.push([k, v]), exec: async () => [[null, 'OK']] };
    const book = new OpenOrderBook({ pipeline: () => pipe } as unknown as Redis, 't:');
    const s0 = stateOf('clear', false);
    const s1 = stateOf('review', true);
    await book.putMany(new Map([['PO-1', { state: s1, prior: s0, lastOffset: '5', source: 'orders' } as BookEntry]]));
    expect(written).toHaveLength(1);
    const [key, raw] = written[0];
    expect(key).toBe('t:book:PO-1');
    const stored = JSON.parse(raw) as BookEntry;
    expect(stored.state).toEqual(s1);
    expect(stored.prior).toEqual(alertStateOf(s0));
    expect(stored.prior).not.toHaveProperty('event');
    expect(raw.split('"eventId"').length - 1).toBe(1);
  });
});

describe("serializeBookEntry: the state's event spliced in from the bytes it arrived as", () => {
  it('reads back exactly as the entry serialised whole, whitespace and all', () => {
    const s0 = stateOf('clear', false);
    const s1 = stateOf('review', true);
    const entry: BookEntry = { state: s1, prior: s0, lastOffset: '12', source: 'orders' };
    const whole = serializeBookEntry(entry);
    for (const raw of [JSON.stringify(s1.event), JSON.stringify(s1.event, null, 2) + '\n']) {
      const spliced = serializeBookEntry({ ...entry, eventJson: Buffer.from(raw) });
      expect(Buffer.isBuffer(spliced)).toBe(true);
      expect(JSON.parse(spliced.toString())).toEqual(JSON.parse(whole.toString()));
    }
  });
  it('serialises the event itself when there are no usable bytes or no state', () => {
    const s1 = stateOf('review', true);
    expect(typeof serializeBookEntry({ state: s1, prior: null, lastOffset: '1', source: 'orders', eventJson: Buffer.from('  {}') })).toBe(
      'string',
    );
    expect(
      JSON.parse(
        serializeBookEntry({ state: null, prior: s1, lastOffset: '1', source: 'orders', eventJson: Buffer.from('{}') }).toString(),
      ),
    ).toEqual({
      state: null,
      prior: alertStateOf(s1),
      lastOffset: '1',
      source: 'orders',
    });
  });
});
