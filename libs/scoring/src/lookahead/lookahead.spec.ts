import { withWatchListEntry } from '../replay/testing-refdata';
import { bundled, policyWith } from '../testing/harness';
import { jp, orderEvent } from '../testing/events';
import { formatLookaheadTable, lookahead, lookaheadOrder } from './lookahead';

const ATLA = jp('Acquisition, Technology & Logistics Agency');
// erbium oxide: Ann. 57/2025 (rare-earths-oct-2025), suspended to 2026-11-10, reportedly (uncertain) to 2027-01-10
const erbium = (orderId: string, shipDate?: string) =>
  orderEvent({
    eventId: `evt-${orderId}`,
    order: { orderId, buyer: ATLA, shipDate },
    line: { description: 'Erbium oxide 99.9%', hsCode: '2846901920', unitPrice: 60 },
  });

describe('lookahead', () => {
  const { policy, view } = bundled();

  it('an order shipping after a suspension ends shows with that date, and why', () => {
    const r = lookaheadOrder(erbium('PO-ER-1', '2027-02-01'), view, policy, '2026-11-28')!;
    // inside the uncertain window (2026-11-11..2027-01-10) a line to a military user is at least review (policy v2)
    expect(r.current.verdict).toBe('review');
    expect(r.until).toBe('2027-02-01');
    expect(r.changes).toHaveLength(1);
    const c = r.changes[0];
    // "until 2027-01-10" includes that day: controlled again from the day after
    expect(c).toMatchObject({ date: '2027-01-11', from: { verdict: 'review' }, to: { verdict: 'prohibited' } });
    expect(c.assessment.asOf).toBe('2027-01-11');
    expect(c.why).toEqual([
      expect.objectContaining({
        kind: 'item_family',
        id: 'rare-earths-oct-2025',
        change: 'suspension_ends',
        from: 'suspended',
        to: 'in_force',
        uncertain: true,
      }),
    ]);
  });

  it('from before the first suspension end, a policy that ignores uncertain suspensions sees the change on 2026-11-11', () => {
    const strict = policyWith((p) => (p.suspensions.honourUncertain = false));
    const r = lookaheadOrder(erbium('PO-ER-1', '2027-02-01'), bundled().view, strict, '2026-10-01')!;
    expect(r.changes.map((c) => [c.date, c.to.verdict])).toEqual([['2026-11-11', 'prohibited']]);
    // honoured (the default): review inside the uncertain window from 2026-11-11, prohibited from 2027-01-11
    expect(lookaheadOrder(erbium('PO-ER-1', '2027-02-01'), view, policy, '2026-10-01')!.changes.map((c) => [c.date, c.to.verdict])).toEqual(
      [
        ['2026-11-11', 'review'],
        ['2027-01-11', 'prohibited'],
      ],
    );
  });

  it('an order shipping before the suspension ends has nothing ahead; one already shipped neither', () => {
    expect(lookaheadOrder(erbium('PO-ER-2', '2027-01-09'), view, policy, '2026-11-28')!.changes).toEqual([]);
    expect(lookaheadOrder(erbium('PO-ER-3', '2026-11-01'), view, policy, '2026-11-28')).toBeNull();
  });

  it('only an order whose as-of date is still ahead is looked at: without a ship date, up to its order date, and the horizon', () => {
    // as of its order date (2026-03-02, the default), long past: its verdict cannot change any more
    expect(lookaheadOrder(erbium('PO-ER-4'), view, policy, '2026-11-28')).toBeNull();
    const ordered = (orderDate: string) => ({ ...erbium('PO-ER-5'), order: { ...erbium('PO-ER-5').order, orderDate } });
    const r = lookaheadOrder(ordered('2027-02-01'), view, policy, '2026-11-28')!;
    expect([r.until, r.untilSource, r.changes.map((c) => c.date)]).toEqual(['2027-02-01', 'orderDate', ['2027-01-11']]);
    expect(lookaheadOrder(ordered('2027-02-01'), view, policy, '2026-11-28', { horizonDays: 30 })).toMatchObject({
      untilSource: 'horizon',
      changes: [],
    });
  });

  it('a listing taking effect in the future is a dated change too', () => {
    const next = withWatchListEntry({ names: { en: 'Kanazawa Precision Magnetics K.K.' } }); // effective 2026-12-01
    const e = orderEvent({ order: { orderId: 'PO-KZ', buyer: jp('Kanazawa Precision Magnetics K.K.'), shipDate: '2026-12-20' } });
    const rows = lookahead([e, erbium('PO-ER-1', '2027-02-01')], { refdata: next, policy }, '2026-11-28');
    expect(rows.map((r) => [r.orderId, r.changes[0].date, r.changes[0].to.verdict, r.changes[0].why[0].change])).toEqual([
      ['PO-KZ', '2026-12-01', 'license_required', 'takes_effect'],
      ['PO-ER-1', '2027-01-11', 'prohibited', 'suspension_ends'],
    ]);
    expect(formatLookaheadTable(rows)).toMatch(
      /2026-12-01\s+PO-KZ\s+clear\s+license_required\s+Kanazawa Precision Magnetics K\.K\.: takes effect/,
    );
  });

  it('rejects a malformed today', () => {
    expect(() => lookaheadOrder(erbium('x'), view, policy, '2026-13-01')).toThrow(/YYYY-MM-DD/);
  });
});
