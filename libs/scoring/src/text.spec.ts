import { generateOrders } from './testing/order-generator';
import { nameKey, sameNameKey } from './text';

describe('sameNameKey', () => {
  it('agrees with comparing nameKeys, ASCII or not (case, punctuation, full width, combining marks)', () => {
    const names = new Set([
      '',
      ' ',
      '--',
      'A',
      'a',
      'a b',
      'AB',
      'a-b',
      'Ab.',
      'ab1',
      'é',
      'e\u0301',
      'e',
      'Ｅ',
      'ＡＢ',
      'ab\u0301',
      'Nippon Express Co., Ltd.',
      'NIPPON EXPRESS CO LTD',
      'nippon-express co ltd.',
      '日本通運',
      '日本 通運',
      'x\u00a0y',
      'xy',
    ]);
    for (const o of generateOrders(300, 7))
      for (const p of [o.order.seller, o.order.buyer, o.order.consignee, o.order.endUser, o.order.freightForwarder])
        if (p) names.add(p.name);
    const list = [...names];
    const disagree: [string, string][] = [];
    for (const a of list) for (const b of list) if (sameNameKey(a, b) !== (nameKey(a) === nameKey(b))) disagree.push([a, b]);
    expect(disagree).toEqual([]);
  });
});
