import type { OrderEvent } from '@dualwatch/contracts';
import { bundled, policyWith } from '../testing/harness';
import { jp, orderEvent } from '../testing/events';
import { formatReplayTable, replayDiff } from './replay-diff';
import { withWatchListEntry } from './testing-refdata';

const NEW_ENTITY = 'Kanazawa Precision Magnetics K.K.';
const at = (id: string, patch: Parameters<typeof orderEvent>[0] = {}): OrderEvent =>
  orderEvent({ eventId: `evt-${id}`, ...patch, order: { orderId: id, shipDate: '2026-12-15', ...patch.order } });

describe('replayDiff', () => {
  const { refdata, policy } = bundled();
  const next = withWatchListEntry({ names: { en: NEW_ENTITY, ja: '金沢精密磁材株式会社' } });

  const events = [
    at('PO-A', { order: { buyer: jp(NEW_ENTITY) } }), // matches the new entry: exposed dysprosium to it
    at('PO-B', { order: { consignee: jp('Kanazawa Precision Magnetics Co., Ltd.') } }), // the same entity as consignee
    at('PO-C'), // the plain baseline buyer: unchanged (clear, supply risk)
    at('PO-D', { order: { buyer: jp(NEW_ENTITY) }, line: { description: 'Copper sheet 2mm', hsCode: '740921' } }), // not a controlled item
    at('PO-E', { order: { buyer: jp('Kanazawa Kisen Kaisha') } }), // a different company
    at('PO-F', { order: { buyer: jp('TDK Corporation') } }), // already on the watch list: unchanged
  ];

  it('adding a watch-list entry turns the matching open orders into license_required, and only those', () => {
    const d = replayDiff(events, { refdata, policy }, { refdata: next, policy });
    expect(d.counts).toEqual({ newlyExposed: 2, noLongerExposed: 0, verdictChanged: 0 });
    expect(d.newlyExposed.map((o) => [o.orderId, o.base.verdict, o.next.verdict])).toEqual([
      ['PO-A', 'clear', 'license_required'],
      ['PO-B', 'clear', 'license_required'],
    ]);
    expect(d.newlyExposed[0].reasonsAdded).toContain('PARTY_ON_WATCH_LIST');
    expect(d.unchanged).toBe(4);
    expect(d.orders).toBe(6);
    expect(d.exposedValue.newlyExposed).toEqual({ USD: 2 * 50 * 380 });
    expect(d.verdicts.next.license_required - d.verdicts.base.license_required).toBe(2);
    expect(d.base.refdataVersion).toBe(refdata.version);
    expect(d.next.refdataVersion).toMatch(/^2026-12-r1\+/);
  });

  it('is symmetric: going back to the old version shows the same orders as no longer exposed', () => {
    const d = replayDiff(events, { refdata: next, policy }, { refdata, policy });
    expect(d.noLongerExposed.map((o) => o.orderId)).toEqual(['PO-A', 'PO-B']);
    expect(d.exposedValue.noLongerExposed).toEqual({ USD: 38000 });
  });

  it('respects the as-of date: before the entry takes effect nothing changes', () => {
    const d = replayDiff(events, { refdata, policy }, { refdata: next, policy }, '2026-11-30');
    expect(d.counts.newlyExposed).toBe(0);
    expect(d.asOf).toBe('2026-11-30');
  });

  it('compares each order on its latest event, and a cancellation leaves nothing to diff', () => {
    const cancelled = at('PO-A', { eventType: 'order.cancelled', eventId: 'evt-A-2', order: { buyer: jp(NEW_ENTITY) } });
    const d = replayDiff([...events, cancelled], { refdata, policy }, { refdata: next, policy });
    expect(d.events).toBe(7);
    expect(d.newlyExposed.map((o) => o.orderId)).toEqual(['PO-B']);
  });

  it('reports a verdict change under a new policy (watch list raised to prohibited)', () => {
    const strict = policyWith((p) => (p.rules.PARTY_ON_WATCH_LIST.verdict = 'prohibited'));
    const d = replayDiff(events, { refdata, policy }, { refdata, policy: strict });
    expect(d.verdictChanged.map((o) => [o.orderId, o.base.verdict, o.next.verdict])).toEqual([['PO-F', 'license_required', 'prohibited']]);
    expect(d.next.policyVersion).not.toBe(d.base.policyVersion);
  });

  it('prints a table with the counts and the orders', () => {
    const text = formatReplayTable(replayDiff(events, { refdata, policy }, { refdata: next, policy }));
    expect(text).toMatch(/newly exposed\s+2\s+value 38,000 USD/);
    expect(text).toMatch(/newly exposed\s+PO-A\s+2026-12-15\s+clear \(\d+\)\s+license_required/);
  });
});
