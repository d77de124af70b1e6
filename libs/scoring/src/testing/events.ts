import { describeIssues, orderEventValidator, type Order, type OrderEvent, type OrderLine, type Party } from '@dualwatch/contracts';

/**
 * Order events for tests, built from a baseline that the rules leave clear but exposed: PRC-origin
 * dysprosium metal from a Chinese producer to an unlisted Japanese motor maker, civil end use,
 * shipping 2026-03-20. Each test changes only what it is about. Every event is validated against the
 * contract, so no test passes on an event the API would refuse.
 */

export const CN_SELLER: Party = { name: 'Ganzhou Example Rare Earth Co., Ltd.', country: 'CN', role: 'manufacturer' };
export const JP_BUYER: Party = { name: 'Hamamatsu Example Motors K.K.', country: 'JP', role: 'manufacturer' };

export const DY_LINE: OrderLine = {
  lineId: '1',
  description: 'Dysprosium metal ingot 99.9%',
  hsCode: '2805301200',
  originCountry: 'CN',
  quantity: 50,
  unit: 'kg',
  unitPrice: 380,
  currency: 'USD',
};

export const COPPER_LINE: OrderLine = {
  lineId: '2',
  description: 'Copper sheet 2mm',
  hsCode: '740921',
  originCountry: 'CN',
  quantity: 800,
  unit: 'kg',
  unitPrice: 9,
  currency: 'USD',
};

export interface EventPatch {
  eventId?: string;
  eventType?: OrderEvent['eventType'];
  occurredAt?: string;
  /** Fields of the order to replace; `undefined` removes one (e.g. `{ shipDate: undefined }`). */
  order?: Partial<Order>;
  /** Fields to replace on every line (or give `order.lines` for full control). */
  line?: Partial<OrderLine>;
}

export function orderEvent(patch: EventPatch = {}): OrderEvent {
  const order: Order = {
    orderId: 'PO-TEST-1',
    direction: 'sale',
    orderDate: '2026-03-02',
    shipDate: '2026-03-20',
    seller: CN_SELLER,
    buyer: JP_BUYER,
    endUse: { category: 'civil', statement: 'motors for factory automation' },
    shipFrom: 'CN',
    shipTo: 'JP',
    lines: [DY_LINE],
    ...patch.order,
  };
  if (patch.line) order.lines = order.lines.map((l) => ({ ...l, ...patch.line }));
  for (const l of order.lines) for (const k of Object.keys(l) as (keyof OrderLine)[]) if (l[k] === undefined) delete l[k];
  for (const k of Object.keys(order) as (keyof Order)[]) if (order[k] === undefined) delete order[k];
  const event: OrderEvent = {
    schemaVersion: 1,
    eventId: patch.eventId ?? 'evt-test-1',
    eventType: patch.eventType ?? 'order.created',
    occurredAt: patch.occurredAt ?? '2026-03-02T09:15:00Z',
    order,
  };
  const check = orderEventValidator.validate(event);
  if (!check.ok) throw new Error(`test event is not a valid order event: ${describeIssues(check.issues)}`);
  return event;
}

/** A party in Japan with the given name (a listed entity, a near-miss, a plain company). */
export const jp = (name: string, extra: Partial<Party> = {}): Party => ({ name, country: 'JP', ...extra });
