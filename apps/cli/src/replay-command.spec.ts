import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { OrderEvent, OrderLine } from '@dualwatch/contracts';
import { filesWithWatchListEntry, NEW_ENTITY, replayOrder } from '../../../libs/scoring/src/replay/testing-refdata';
import { runCli } from './testing';

/** `dualwatch replay` and `dualwatch lookahead`, driven through run() with in-memory streams. */

const cli = (...args: string[]) => runCli(args);

const event = (orderId: string, buyer: string, extra: Partial<OrderEvent['order']> = {}, line: Partial<OrderLine> = {}): OrderEvent =>
  replayOrder(orderId, buyer, { line, order: { endUse: { category: 'civil', statement: 'motors for factory automation' }, ...extra } });

let dir: string;
let orders: string;
let refdataDir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-replay-'));
  orders = path.join(dir, 'orders.ndjson');
  const events = [
    event('PO-A', NEW_ENTITY),
    event('PO-B', 'Hamamatsu Example Motors K.K.'),
    event(
      'PO-ER',
      'Acquisition, Technology & Logistics Agency',
      { shipDate: '2027-02-01' },
      { description: 'Erbium oxide 99.9%', hsCode: '2846901920', unitPrice: 60 },
    ),
  ];
  fs.writeFileSync(orders, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  refdataDir = path.join(dir, 'refdata');
  fs.mkdirSync(refdataDir);
  for (const [file, content] of Object.entries(filesWithWatchListEntry({ names: { en: NEW_ENTITY } })))
    fs.writeFileSync(path.join(refdataDir, file), JSON.stringify(content));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('dualwatch replay', () => {
  it('prints the diff as JSON: the order of the new watch-list entity, and only it, needs a licence', async () => {
    const r = await cli('replay', '--input', orders, '--refdata', refdataDir, '--format', 'json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out);
    expect(d.counts).toEqual({ newlyExposed: 1, noLongerExposed: 0, verdictChanged: 0 });
    expect(d.newlyExposed.map((o: { orderId: string; next: { verdict: string } }) => [o.orderId, o.next.verdict])).toEqual([
      ['PO-A', 'license_required'],
    ]);
    expect(d.exposedValue.newlyExposed).toEqual({ USD: 19000 });
  });

  it('prints a table by default, and the reverse direction with --base-refdata', async () => {
    const r = await cli('replay', '--input', orders, '--base-refdata', refdataDir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no longer exposed\s+1\s+value 19,000 USD/);
    expect(r.out).toMatch(/no longer exposed\s+PO-A/);
  });

  it('needs exactly one source', async () => {
    expect((await cli('replay')).code).toBe(2);
    expect((await cli('replay', '--input', orders, '--topic', 'orders.v1')).code).toBe(2);
    expect((await cli('replay', '--input', path.join(dir, 'missing.ndjson'))).err).toMatch(/not found/);
  });
});

describe('dualwatch lookahead', () => {
  it('lists the order shipping after the suspension ends, with that date', async () => {
    const r = await cli('lookahead', '--input', orders, '--today', '2026-11-28', '--format', 'json');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out);
    expect(
      d.orders.map((o: { orderId: string; changes: { date: string; to: { verdict: string } }[] }) => [
        o.orderId,
        o.changes[0].date,
        o.changes[0].to.verdict,
      ]),
    ).toEqual([['PO-ER', '2027-01-11', 'prohibited']]); // "until 2027-01-10" includes that day (policy v2)
  });

  it('prints a table, and refuses a bad date', async () => {
    const r = await cli('lookahead', '--input', orders, '--today', '2026-11-28');
    expect(r.out).toMatch(/2027-01-11\s+PO-ER\s+review\s+prohibited\s+.*suspension ends \(uncertain date\)/);
    expect((await cli('lookahead', '--input', orders, '--today', '2026-02-30')).code).toBe(2);
  });
});
