import type { OrderEvent, OrderLine, Party } from '@dualwatch/contracts';

/**
 * Realistic synthetic order events from a seeded PRNG, for benchmarks, demo traffic and load tests.
 * The same seed always gives the same orders. The mix follows a trading desk that buys and sells
 * PRC-origin materials: mostly unlisted companies in CN/JP/KR/SG/DE/US, some listed Japanese
 * entities and their near-miss namesakes, about a third of the lines controlled materials.
 */

export interface OrderGeneratorOptions {
  /** First possible ship date (default 2025-12-01). */
  from?: string;
  /** Number of days over which ship dates spread (default 450: to early 2027, across every dated event). */
  days?: number;
  /** Share of orders with a listed Japanese entity as buyer, consignee or end user (default 0.04). */
  listedShare?: number;
  /** Share of orders whose buyer is a near-miss namesake of a listed entity (default 0.03). */
  nearMissShare?: number;
  /** Share of lines that are controlled materials (default 0.3). */
  controlledShare?: number;
  /** Prefix of event and order ids (default "gen"). */
  idPrefix?: string;
  /** Size of the pool of unlisted companies per country (default 400): an order book has repeat customers. */
  companiesPerCountry?: number;
}

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Item = Omit<OrderLine, 'lineId' | 'quantity'> & { qty: [number, number]; price: [number, number] };

const CONTROLLED: Item[] = [
  { description: 'Dysprosium metal ingot 99.9%', hsCode: '2805301200', unit: 'kg', qty: [5, 200], price: [300, 450] },
  { description: 'Terbium metal 99.95%', hsCode: '2805301300', unit: 'kg', qty: [2, 50], price: [900, 1400] },
  { description: 'Sintered NdFeB magnet, Dy-diffused, grade 48SH', hsCode: '850511', unit: 'pcs', qty: [500, 20000], price: [1.5, 6] },
  { description: 'Samarium-cobalt magnet Sm2Co17 ring', hsCode: '8505111000', unit: 'pcs', qty: [100, 5000], price: [3, 20] },
  { description: 'Gadolinium oxide 99.99%', hsCode: '2846901930', controlCode: '1C903.b', unit: 'kg', qty: [10, 500], price: [40, 90] },
  { description: 'Yttrium metal lump', hsCode: '2805301700', unit: 'kg', qty: [5, 100], price: [60, 120] },
  { description: 'Scandium oxide 99.99%', hsCode: '2846901980', unit: 'kg', qty: [1, 20], price: [700, 1200] },
  { description: 'Gallium metal 6N', hsCode: '8112929010', unit: 'kg', qty: [5, 300], price: [250, 600] },
  { description: 'Germanium dioxide powder', hsCode: '2825600002', unit: 'kg', qty: [5, 100], price: [1000, 1800] },
  { description: 'Germanium ingot, zone refined', hsCode: '8112921090', unit: 'kg', qty: [2, 80], price: [1500, 2500] },
  { description: 'Ammonium paratungstate (APT)', hsCode: '2841801000', unit: 'kg', qty: [100, 5000], price: [30, 60] },
  { description: 'Tungsten carbide powder', hsCode: '2849902000', unit: 'kg', qty: [50, 2000], price: [40, 80] },
  { description: 'Antimony ingot 99.65%', hsCode: '8110101000', unit: 'kg', qty: [500, 10000], price: [20, 50] },
  { description: 'Indium phosphide wafer 3 inch', hsCode: '2853904051', unit: 'pcs', qty: [10, 500], price: [200, 600] },
  { description: 'Bismuth metal needles 99.99%', hsCode: '8106101092', unit: 'kg', qty: [100, 2000], price: [8, 20] },
  { description: 'High-purity synthetic graphite block', hsCode: '3801100030', unit: 'kg', qty: [200, 5000], price: [5, 30] },
  { description: 'Spherical natural graphite', hsCode: '3801901000', unit: 'kg', qty: [1000, 20000], price: [2, 6] },
  { description: 'Tellurium metal 5N', hsCode: '2804500001', unit: 'kg', qty: [10, 300], price: [80, 150] },
  { description: 'Molybdenum powder <50um', hsCode: '8102100001', unit: 'kg', qty: [20, 500], price: [40, 80] },
  { description: 'UAV datalink radio module', hsCode: '8517629910', unit: 'pcs', qty: [5, 200], price: [300, 2000] },
  { description: 'Holmium oxide 99.9%', hsCode: '2846901990', unit: 'kg', qty: [5, 100], price: [60, 150] },
  { description: 'Erbium oxide 99.9%', hsCode: '2846901920', unit: 'kg', qty: [5, 100], price: [40, 90] },
  { description: '镝铁合金 (dysprosium-iron alloy)', unit: 'kg', qty: [10, 200], price: [200, 350] },
  { description: 'Rare earth magnet scrap containing terbium', unit: 'kg', qty: [100, 2000], price: [20, 60] },
];

const UNCONTROLLED: Item[] = [
  { description: 'Copper sheet 2mm', hsCode: '740921', unit: 'kg', qty: [200, 5000], price: [8, 11] },
  { description: 'Stainless steel hex bolts M8x30', hsCode: '7318150000', unit: 'pcs', qty: [1000, 100000], price: [0.02, 0.1] },
  { description: 'Polyethylene film 50um', hsCode: '392010', unit: 'kg', qty: [500, 10000], price: [1.5, 3] },
  { description: 'Aluminium extrusion profile 6063-T5', hsCode: '760429', unit: 'kg', qty: [500, 8000], price: [3, 5] },
  { description: 'Multilayer ceramic capacitor 100nF 0402', hsCode: '853224', unit: 'pcs', qty: [10000, 1000000], price: [0.001, 0.01] },
  { description: 'LED driver module 40W', hsCode: '850440', unit: 'pcs', qty: [100, 5000], price: [2, 8] },
  { description: 'Deep groove ball bearing 6204-2RS', hsCode: '848210', unit: 'pcs', qty: [200, 10000], price: [0.5, 2] },
  { description: 'Printed circuit board, 4 layers', hsCode: '853400', unit: 'pcs', qty: [100, 20000], price: [0.5, 5] },
  { description: 'Cotton T-shirts, assorted sizes', hsCode: '610910', unit: 'pcs', qty: [500, 20000], price: [1.5, 4] },
  { description: 'Ferrite magnet Y30 block', hsCode: '850519', unit: 'pcs', qty: [1000, 50000], price: [0.05, 0.3] },
  { description: 'Lithium-ion battery cell 18650 3000mAh', hsCode: '8507600090', unit: 'pcs', qty: [1000, 50000], price: [1, 3] },
  { description: 'Glass fibre cloth 200g', hsCode: '701939', unit: 'm2', qty: [500, 10000], price: [1, 3] },
  { description: 'Injection-moulded ABS housing', hsCode: '392690', unit: 'pcs', qty: [500, 20000], price: [0.3, 2] },
  { description: 'Titanium dioxide pigment rutile', hsCode: '320611', unit: 'kg', qty: [1000, 20000], price: [2, 4] },
  { description: 'Solar-grade polysilicon chunks', hsCode: '2804619000', unit: 'kg', qty: [500, 10000], price: [6, 12] },
];

const CITY: Record<string, string[]> = {
  CN: ['Ganzhou', 'Baotou', 'Ningbo', 'Xiamen', 'Shenzhen', 'Suzhou', 'Changsha', 'Chengdu', 'Tianjin', 'Qingdao', 'Zhuzhou', 'Luoyang'],
  JP: ['Osaka', 'Nagoya', 'Yokohama', 'Kobe', 'Sendai', 'Hamamatsu', 'Kyoto', 'Fukuoka', 'Niigata', 'Kawaguchi'],
  KR: ['Incheon', 'Busan', 'Changwon', 'Ulsan', 'Daegu', 'Suwon'],
  SG: ['Jurong', 'Tuas', 'Woodlands', 'Loyang'],
  DE: ['Stuttgart', 'Hanau', 'Dresden', 'Essen', 'Nuremberg'],
  US: ['Pittsburgh', 'Cleveland', 'Austin', 'Phoenix', 'Boston'],
  HK: ['Kwun Tong', 'Tsuen Wan', 'Kowloon Bay'],
  TH: ['Rayong', 'Chonburi'],
  VN: ['Haiphong', 'Bac Ninh'],
};
const TRADE = [
  'Rare Earth',
  'Magnetics',
  'New Materials',
  'Metals',
  'Precision',
  'Electronics',
  'Alloy',
  'Industrial',
  'Advanced Materials',
  'Components',
  'Tungsten',
  'Chemical',
];
const FORM: Record<string, string[]> = {
  CN: ['Co., Ltd.', 'Technology Co., Ltd.', 'Industrial Co., Ltd.'],
  JP: ['K.K.', 'Co., Ltd.', 'Corporation', 'Kogyo K.K.'],
  KR: ['Co., Ltd.', 'Corp.'],
  SG: ['Pte. Ltd.'],
  DE: ['GmbH', 'AG'],
  US: ['Inc.', 'LLC', 'Corp.'],
  HK: ['Limited', 'Trading Limited'],
  TH: ['Co., Ltd.'],
  VN: ['JSC', 'Co., Ltd.'],
};

/** Listed Japanese entities as an order would write them (English, Japanese, Chinese, odd spellings). */
const LISTED: Party[] = [
  { name: 'Acquisition, Technology & Logistics Agency', country: 'JP', role: 'government' },
  { name: '防衛装備庁', country: 'JP', role: 'government' },
  { name: 'Japan Ground Self-Defense Force', country: 'JP', role: 'government' },
  { name: 'TDK Corporation', country: 'JP', role: 'manufacturer' },
  { name: 'SUBARU CORPORATION', country: 'JP', role: 'manufacturer' },
  { name: 'Mitsubishi Materials Corp.', country: 'JP', role: 'manufacturer' },
  { name: '日東電工株式会社', country: 'JP', role: 'manufacturer' },
  { name: 'Nitto Denko Corporation', country: 'JP', role: 'manufacturer' },
  { name: 'IHI Aerospace Co., Ltd.', country: 'JP', role: 'manufacturer' },
  { name: 'Mitsubishi Heavy Industries Aero Engines, Ltd.', country: 'JP', role: 'manufacturer' },
  { name: '三菱造船株式会社', country: 'JP', role: 'manufacturer' },
  { name: 'Japan Marine United Corporation', country: 'JP', role: 'manufacturer' },
  { name: 'NEC Aerospace Systems, Ltd.', country: 'JP', role: 'manufacturer' },
  { name: 'OKI Electric Industry Co., Ltd.', country: 'JP', role: 'manufacturer' },
  { name: 'Terra Drone Corporation', country: 'JP', role: 'manufacturer' },
  { name: 'Howa Machinery, Ltd.', country: 'JP', role: 'manufacturer' },
  { name: 'National Institute for Defense Studies', country: 'JP', role: 'research' },
  { name: 'Mitsubishi Electric Defense and Space Technologies Corporation', country: 'JP', role: 'manufacturer' },
];

/** Unrelated companies whose names look like listed ones: must not match. */
const NEAR_MISS: Party[] = [
  { name: 'Kawasaki Kisen Kaisha, Ltd.', country: 'JP', role: 'other' },
  { name: 'Nitto Kohki Co., Ltd.', country: 'JP', role: 'manufacturer' },
  { name: 'Mitsubishi Estate Co., Ltd.', country: 'JP', role: 'other' },
  { name: 'Subaru Trading K.K.', country: 'JP', role: 'trading_company' },
  { name: 'TDK Lambda Americas Inc.', country: 'US', role: 'manufacturer' },
  { name: 'Oki Engineering Services Pte. Ltd.', country: 'SG', role: 'other' },
  { name: 'Hino Kogyo K.K.', country: 'JP', role: 'manufacturer' },
  { name: 'Fuji Electric Co., Ltd.', country: 'JP', role: 'manufacturer' },
];

const FORWARDERS: Party[] = [
  { name: 'Pacific Bridge Logistics Co., Ltd.', country: 'HK', role: 'freight_forwarder' },
  { name: 'Nippon Express Co., Ltd.', country: 'JP', role: 'freight_forwarder' },
  { name: 'Sinotrans Ltd.', country: 'CN', role: 'freight_forwarder' },
  { name: 'Kintetsu World Express (Singapore) Pte. Ltd.', country: 'SG', role: 'freight_forwarder' },
];

const STATEMENTS: { category?: 'civil' | 'military' | 'dual' | 'research' | 'unknown'; statement?: string }[] = [
  { category: 'civil', statement: 'motors for factory automation' },
  { category: 'civil', statement: 'consumer electronics production' },
  { category: 'civil', statement: 'EV traction motors' },
  { category: 'civil', statement: 'cookware production' },
  { category: 'civil', statement: 'for civilian use only, not for military use' },
  { category: 'research', statement: 'university materials research' },
  { category: 'dual', statement: 'aerospace components' },
  { category: 'unknown' },
  { category: 'military', statement: 'radar modules for the Self-Defense Forces' },
  { statement: 'components for missile guidance' },
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function weighted<T>(r: () => number, xs: readonly [T, number][]): T {
  let total = 0;
  for (const [, w] of xs) total += w;
  let x = r() * total;
  for (const [v, w] of xs) {
    x -= w;
    if (x < 0) return v;
  }
  return xs[xs.length - 1][0];
}

const dayCache = new Map<string, string>();
function addDays(iso: string, days: number): string {
  const key = `${iso}+${days}`;
  let d = dayCache.get(key);
  if (d === undefined) {
    d = new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    if (dayCache.size < 100_000) dayCache.set(key, d);
  }
  return d;
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** An endless stream of orders: `next()` gives the next event. */
export function createOrderGenerator(seed: number, opts: OrderGeneratorOptions = {}): { next(): OrderEvent } {
  const r = prng(seed);
  const from = opts.from ?? '2025-12-01';
  const days = opts.days ?? 450;
  const listedShare = opts.listedShare ?? 0.04;
  const nearMissShare = opts.nearMissShare ?? 0.03;
  const controlledShare = opts.controlledShare ?? 0.3;
  const prefix = opts.idPrefix ?? 'gen';
  const perCountry = opts.companiesPerCountry ?? 400;
  const pools = new Map<string, Party[]>();
  const company = (country: string): Party => {
    let pool = pools.get(country);
    if (!pool) pools.set(country, (pool = []));
    if (pool.length < perCountry && (pool.length === 0 || r() < 0.5)) {
      const p: Party = {
        name: `${pick(r, CITY[country] ?? ['Central'])} ${pick(r, ['Hengda', 'Zhongke', 'Daiichi', 'Sanwa', 'Hanil', 'Global', 'United', 'Pacific', 'Orient', 'Kyowa', 'Sunrise', 'Huaxin', 'Taeyang', 'Nordic', 'Meridian'])} ${pick(r, TRADE)} ${pool.length} ${pick(r, FORM[country] ?? ['Ltd.'])}`,
        country,
        role: weighted(r, [
          ['manufacturer', 5],
          ['distributor', 3],
          ['trading_company', 1],
        ] as const),
      };
      pool.push(p);
      return p;
    }
    return pool[Math.floor(r() * pool.length)];
  };
  let n = 0;
  return {
    next(): OrderEvent {
      n++;
      const sellerCountry = weighted(r, [
        ['CN', 60],
        ['KR', 10],
        ['SG', 6],
        ['DE', 5],
        ['US', 5],
        ['HK', 6],
        ['JP', 8],
      ] as const);
      const shipFrom = sellerCountry === 'HK' && r() < 0.5 ? 'HK' : sellerCountry;
      let buyer = company(
        weighted(r, [
          ['JP', 60],
          ['KR', 10],
          ['SG', 6],
          ['DE', 8],
          ['US', 8],
          ['TH', 4],
          ['VN', 4],
        ] as const),
      );
      const seller = company(sellerCountry);
      let endUser: Party | undefined;
      let consignee: Party | undefined;
      const x = r();
      if (x < listedShare) {
        const listed = pick(r, LISTED);
        const slot = r();
        if (slot < 0.6) buyer = listed;
        else if (slot < 0.85) endUser = listed;
        else consignee = listed;
      } else if (x < listedShare + nearMissShare) buyer = pick(r, NEAR_MISS);
      if (!endUser && r() < 0.25) endUser = r() < 0.1 ? pick(r, FORWARDERS) : company(buyer.country);
      if (!consignee && r() < 0.1) consignee = company(buyer.country);
      const shipTo = (consignee ?? buyer).country;
      // 1-5 lines, three on average (the benchmark's workload: issue 9)
      const nLines = weighted(r, [
        [1, 15],
        [2, 25],
        [3, 25],
        [4, 15],
        [5, 20],
      ] as const);
      const lines: OrderLine[] = [];
      for (let i = 0; i < nLines; i++) {
        const item = r() < controlledShare ? pick(r, CONTROLLED) : pick(r, UNCONTROLLED);
        const { qty, price, ...rest } = item;
        const line: OrderLine = {
          lineId: String((i + 1) * 10),
          ...rest,
          quantity: Math.max(1, Math.round(qty[0] + r() * (qty[1] - qty[0]))),
          unitPrice: round(price[0] + r() * (price[1] - price[0]), 4),
          currency: r() < 0.9 ? 'USD' : pick(r, ['JPY', 'EUR', 'CNY']),
        };
        const o = r();
        if (o < 0.5) line.originCountry = sellerCountry === 'HK' || sellerCountry === 'CN' || r() < 0.6 ? 'CN' : sellerCountry;
        else if (o < 0.75) {
          /* origin not declared */
        } else if (o < 0.93) line.originCountry = sellerCountry === 'CN' ? 'CN' : sellerCountry;
        else {
          line.originCountry = sellerCountry === 'CN' ? 'KR' : sellerCountry;
          line.chinaContentPct = round(1 + r() * 60, 1);
        }
        lines.push(line);
      }
      const shipDate = addDays(from, Math.floor(r() * days));
      const orderDate = addDays(shipDate, -Math.floor(5 + r() * 40));
      const eventType = weighted(r, [
        ['order.created', 80],
        ['order.updated', 15],
        ['order.shipped', 3],
        ['order.cancelled', 2],
      ] as const);
      const eu = r() < 0.12 ? undefined : pick(r, STATEMENTS);
      const order: OrderEvent['order'] = {
        orderId: `${prefix}-PO-${n}`,
        direction: r() < 0.5 ? 'sale' : 'purchase',
        orderDate,
        shipDate,
        seller,
        buyer,
        shipFrom,
        shipTo,
        lines,
      };
      if (consignee) order.consignee = consignee;
      if (endUser) order.endUser = endUser;
      if (r() < 0.3) order.freightForwarder = pick(r, FORWARDERS);
      if (eu) order.endUse = { ...eu };
      if (r() < 0.08) order.transit = [pick(r, ['SG', 'KR', 'TW', 'TH', 'MY', 'VN', 'AE'])];
      if (r() < 0.03) order.consigneeInFreeTradeZone = true;
      return {
        schemaVersion: 1,
        eventId: `${prefix}-evt-${n}`,
        eventType,
        occurredAt: `${orderDate}T${String(Math.floor(r() * 24)).padStart(2, '0')}:${String(Math.floor(r() * 60)).padStart(2, '0')}:00Z`,
        source: 'order-generator',
        order,
      };
    },
  };
}

/** `n` orders from `seed`: the same arguments always give the same orders. */
export function generateOrders(n: number, seed = 1, opts: OrderGeneratorOptions = {}): OrderEvent[] {
  const g = createOrderGenerator(seed, opts);
  const out: OrderEvent[] = [];
  for (let i = 0; i < n; i++) out.push(g.next());
  return out;
}
