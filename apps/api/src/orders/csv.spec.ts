import { parseCsv } from './csv';
import { ordersFromCsv } from './csv-orders';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, and a BOM', () => {
    const rows = parseCsv('\ufeffa,b,c\r\n"x, y","say ""hi""","two\nlines"\n1,,3\n');
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', 'two\nlines'] },
      { line: 4, fields: ['1', '', '3'] },
    ]);
  });

  it('refuses an unclosed quote and text after a closing quote, naming the line', () => {
    expect(() => parseCsv('a\n"open')).toThrow(/line 2: a quoted field is not closed/);
    expect(() => parseCsv('"a"b')).toThrow(/line 1: text after a closing quote/);
  });
});

describe('ordersFromCsv', () => {
  const header =
    'orderId,sellerName,sellerCountry,buyerName,buyerCountry,shipFrom,shipTo,lineId,description,quantity,unitPrice,currency,transit';
  const now = new Date('2026-03-02T09:00:00Z');

  it('groups the rows of one order into one event with its lines, typed', () => {
    const r = ordersFromCsv(`${header}\nPO-1,S,CN,B,JP,CN,JP,1,Gallium,5,10.5,USD,SG;KR\nPO-1,,,,,,,2,Germanium,2,,,`, {
      now,
      maxOrders: 10,
    });
    expect(r.rejected).toEqual([]);
    expect(r.events).toHaveLength(1);
    const e = r.events[0].event;
    expect(e.order.transit).toEqual(['SG', 'KR']);
    expect(e.order.lines).toEqual([
      { lineId: '1', description: 'Gallium', quantity: 5, unitPrice: 10.5, currency: 'USD' },
      { lineId: '2', description: 'Germanium', quantity: 2 },
    ]);
    expect(e.eventId).toMatch(/^csv-[0-9a-f]{32}$/);
    // the same content gives the same event id, whenever it is uploaded
    expect(
      ordersFromCsv(`${header}\nPO-1,S,CN,B,JP,CN,JP,1,Gallium,5,10.5,USD,SG;KR\nPO-1,,,,,,,2,Germanium,2,,,`, {
        now: new Date(),
        maxOrders: 10,
      }).events[0].event.eventId,
    ).toBe(e.eventId);
  });

  it('names the row and column of each error, and keeps the bad order back', () => {
    const r = ordersFromCsv(`${header}\nPO-2,S,CN,B,JP,CN,JP,1,x,abc,,,\nPO-2,S,CN,B,KR,CN,JP,1,y,1,,,`, { now, maxOrders: 10 });
    expect(r.events).toEqual([]);
    expect(r.rejected[0].errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 2, column: 'quantity' }),
        expect.objectContaining({ row: 3, column: 'buyerCountry' }),
        expect.objectContaining({ row: 3, column: 'lineId' }),
      ]),
    );
  });

  it('refuses a file with unknown or missing columns, or too many orders', () => {
    expect(() => ordersFromCsv('orderId,colour\nX,red', { now, maxOrders: 10 })).toThrow(/unknown columns: colour/);
    expect(() => ordersFromCsv('orderId,lineId\nX,1', { now, maxOrders: 10 })).toThrow(/missing required columns: sellerName/);
    expect(() => ordersFromCsv(`${header}\nA,S,CN,B,JP,CN,JP,1,x,1,,,\nB,S,CN,B,JP,CN,JP,1,x,1,,,`, { now, maxOrders: 1 })).toThrow(
      /at most 1/,
    );
  });
});
