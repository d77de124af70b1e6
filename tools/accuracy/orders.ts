import type { OrderEvent, OrderLine, Party } from '@dualwatch/contracts';
import type { RefData } from '@dualwatch/refdata';
import type { NegativeName, OrderLabel, PositiveVariant } from './corpus';
import {
  labelOrder,
  type EndUseKind,
  type ItemKind,
  type ListKind,
  type OrderCase,
  type OriginKind,
  type PartyTruth,
  type Role,
} from './label';
import { mulberry32, pick, sample, type Rng } from './prng';

/**
 * Labelled orders: parties × items × origins × routes × dates × end uses, each built from a case whose
 * attributes the labeller (label.ts) reads. The scorer is never consulted.
 */

interface Item {
  key: string;
  kind: ItemKind;
  line: Omit<OrderLine, 'lineId' | 'quantity' | 'originCountry' | 'chinaContentPct'>;
}

export const ITEMS: Item[] = [
  {
    key: 'dy-metal-cc',
    kind: 'strong',
    line: { description: 'Dysprosium metal ingot 99.9%', controlCode: '1C905.a', hsCode: '2805301200', unit: 'kg' },
  },
  { key: 'tb-oxide-hs10', kind: 'strong', line: { description: 'Terbium oxide Tb4O7 99.99%', hsCode: '2846901993', unit: 'kg' } },
  { key: 'ga-metal-hs10', kind: 'strong', line: { description: 'Gallium metal 99.9999% (6N)', hsCode: '8112929010', unit: 'kg' } },
  { key: 'ge-ingot-hs10', kind: 'strong', line: { description: 'Zone-refined germanium ingot', hsCode: '8112921010', unit: 'kg' } },
  { key: 'graphite-hs10', kind: 'strong', line: { description: 'High-purity isostatic graphite block', hsCode: '3801909010', unit: 'kg' } },
  { key: 'sb-ingot-hs10', kind: 'strong', line: { description: 'Antimony ingot 99.65%', hsCode: '8110101000', unit: 'kg' } },
  {
    key: 'w-alloy-cc',
    kind: 'strong',
    line: { description: 'Tungsten heavy alloy W-Ni-Fe rod', controlCode: '1C004', hsCode: '8101991001', unit: 'kg' },
  },
  { key: 'czt-cc', kind: 'strong', line: { description: 'Cadmium zinc telluride wafer', controlCode: '6C002.b', unit: 'pcs' } },
  { key: 'bi-metal-hs10', kind: 'strong', line: { description: 'Bismuth metal 99.99%', hsCode: '8106101091', unit: 'kg' } },
  { key: 'inp-cc', kind: 'strong', line: { description: 'Indium phosphide wafer, 3 inch', controlCode: '3C004.a', unit: 'pcs' } },
  {
    key: 'mo-powder-cc',
    kind: 'strong',
    line: { description: 'Molybdenum powder 99.9%, 10 um', controlCode: '1C117.b', hsCode: '8102100001', unit: 'kg' },
  },
  {
    key: 'dy-ndfeb-cc',
    kind: 'strong',
    line: { description: 'Sintered NdFeB magnet, Dy-diffused, grade 48SH', controlCode: '1C905.a.4', hsCode: '850511', unit: 'pcs' },
  },
  { key: 'smco-hs6', kind: 'strong', line: { description: 'Samarium-cobalt magnet Sm2Co17', hsCode: '850511', unit: 'pcs' } },

  { key: 'uav-ir-hs10', kind: 'strong', line: { description: 'UAV infrared imaging payload', hsCode: '8525891110', unit: 'pcs' } },
  { key: 'ga-broad-hs6', kind: 'weak', line: { description: 'Gallium metal ingot', hsCode: '811292', unit: 'kg' } },
  { key: 'geo2-hs6weak', kind: 'weak', line: { description: 'Germanium dioxide powder', hsCode: '282560', unit: 'kg' } },
  { key: 'basket-382499', kind: 'weak', line: { description: 'Chemical preparation, mixed', hsCode: '382499', unit: 'kg' } },
  { key: 'ga-keyword', kind: 'weak', line: { description: 'Gallium metal 99.99%', unit: 'kg' } },
  { key: 'dy-keyword-ja', kind: 'weak', line: { description: 'ジスプロシウム合金', unit: 'kg' } },
  { key: 'tb-keyword-zh', kind: 'weak', line: { description: '氧化铽 99.99%', unit: 'kg' } },
  { key: 'wc-keyword', kind: 'weak', line: { description: 'Tungsten carbide inserts', unit: 'pcs' } },
  { key: 'parts', kind: 'unidentified', line: { description: 'parts', unit: 'lot' } },
  { key: 'materials', kind: 'unidentified', line: { description: 'materials', unit: 'lot' } },
  { key: 'spare-parts', kind: 'unidentified', line: { description: 'Spare parts, assorted', unit: 'lot' } },
  { key: 'assorted-magnets', kind: 'generic', line: { description: 'assorted magnets', unit: 'lot' } },
  { key: 'rare-earth', kind: 'generic', line: { description: 'rare earth', unit: 'kg' } },
  { key: 'office-paper', kind: 'not_dual_use', line: { description: 'Office copy paper A4 80gsm', hsCode: '480256', unit: 'box' } },
  { key: 'catering', kind: 'not_dual_use', line: { description: 'Catering: boxed lunches', hsCode: '210690', unit: 'pcs' } },
  { key: 'copper-sheet', kind: 'not_dual_use', line: { description: 'Copper sheet 2mm', hsCode: '740921', unit: 'kg' } },
  {
    key: 'ndfeb-no-dy',
    kind: 'capped',
    line: { description: 'Sintered NdFeB magnet N42, Dy-free, Tb-free', hsCode: '850511', unit: 'pcs' },
  },
  { key: 'la-oxide', kind: 'capped', line: { description: 'Lanthanum oxide La2O3 99.99%', hsCode: '284690', unit: 'kg' } },
  { key: 'ce-oxide', kind: 'capped', line: { description: 'Cerium oxide polishing powder CeO2', hsCode: '284690', unit: 'kg' } },
  { key: 'ho-oxide-cc', kind: 'oct2025', line: { description: 'Holmium oxide Ho2O3 99.9%', controlCode: '1C909', unit: 'kg' } },
  { key: 'er-metal-cc', kind: 'oct2025', line: { description: 'Erbium metal 99.9%', controlCode: '1C910', unit: 'kg' } },
];
const STRONG = ITEMS.filter((i) => i.kind === 'strong');
const item = (key: string): Item => ITEMS.find((i) => i.key === key)!;

const END_USES: Record<string, { kind: EndUseKind; value?: OrderEvent['order']['endUse'] }> = {
  civil: { kind: 'civil', value: { category: 'civil', statement: 'motors for factory automation' } },
  civil2: { kind: 'civil', value: { category: 'civil', statement: 'consumer electronics assembly' } },
  military_cat: { kind: 'military', value: { category: 'military' } },
  mil_en_missile: { kind: 'military', value: { category: 'dual', statement: 'guidance sections for missile production' } },
  mil_en_warship: { kind: 'military', value: { category: 'dual', statement: 'hull coatings for a warship programme' } },
  mil_en_sdf: { kind: 'military', value: { category: 'research', statement: 'test articles for the Self-Defense Forces' } },
  mil_en_fighter: { kind: 'military', value: { category: 'dual', statement: 'components for fighter jet engines' } },
  mil_zh_missile: { kind: 'military', value: { category: 'dual', statement: '用于导弹制导系统' } },
  mil_zh_warship: { kind: 'military', value: { category: 'dual', statement: '用于军舰建造' } },
  mil_ja_missile: { kind: 'military', value: { category: 'dual', statement: 'ミサイル用部品の製造' } },
  mil_ja_sdf: { kind: 'military', value: { category: 'dual', statement: '自衛隊向け装備品の製造' } },
  mil_ja_escort: { kind: 'military', value: { category: 'dual', statement: '護衛艦の建造用' } },
  neg_en: { kind: 'negated', value: { category: 'civil', statement: 'not for military use; EV traction motors' } },
  neg_en2: { kind: 'negated', value: { category: 'civil', statement: 'will never be used in weapons; LED lighting' } },
  neg_zh: { kind: 'negated', value: { category: 'civil', statement: '不用于军事用途，用于家电电机' } },
  neg_ja: { kind: 'negated', value: { category: 'civil', statement: '軍事用途には使用しません。家電用モーター' } },
  missing: { kind: 'missing' },
  unknown: { kind: 'unknown', value: { category: 'unknown' } },
};

const PLAIN_BUYERS: Party[] = [
  { name: 'Example Kitchenware Osaka K.K.', country: 'JP' },
  { name: 'Sample Cookware Sendai K.K.', country: 'JP' },
  { name: 'Example Garden Tools Kobe K.K.', country: 'JP' },
  { name: 'サンプル調理器具株式会社', country: 'JP' },
];
const CN_SELLER: Party = { name: 'Example Metals (Ganzhou) Co., Ltd.', country: 'CN', role: 'manufacturer' };
const HUB_SELLERS: Record<string, Party> = {
  SG: { name: 'Example Metals Singapore Pte. Ltd.', country: 'SG', role: 'distributor' },
  KR: { name: 'Example Magnetics Korea Co., Ltd.', country: 'KR', role: 'distributor' },
  TH: { name: 'Example Materials (Thailand) Co., Ltd.', country: 'TH', role: 'distributor' },
  HK: { name: 'Example Metals Hong Kong Limited', country: 'HK', role: 'distributor' },
  MO: { name: 'Example Metals Macau Limited', country: 'MO', role: 'distributor' },
};

/** Entries the research names as central-procurement top contractors (domain-research 4.2) that were later listed: defence nexus from 2026-01-06, before their listing. */
const TOP_CONTRACTOR_LATER_LISTED = ['WL-12-01', 'WL-12-03', 'WL-12-05', 'CL-11-12'];

interface Spec {
  group: string;
  attrs: Record<string, string>;
  parties: { role: Role; party: Party; truth: Omit<PartyTruth, 'role' | 'country'> }[];
  item: Item;
  origin: OriginKind;
  endUse: string;
  shipFrom?: string;
  shipTo?: string;
  transit?: string[];
  shipDate?: string;
  orderDate?: string;
  occurredAt?: string;
  ftz?: boolean;
  eventType?: OrderEvent['eventType'];
  note?: string;
}

export interface GeneratedOrders {
  events: OrderEvent[];
  labels: Record<string, OrderLabel>;
}

export function generateOrders(
  refdata: RefData,
  positives: PositiveVariant[],
  negatives: NegativeName[],
  seed = 20260224,
): GeneratedOrders {
  const rng = mulberry32(seed);
  const entry = (id: string) => refdata.parties.find((p) => p.id === id)!;
  const statusesOf = (ids: string[]): PartyTruth['statuses'] => {
    const out: PartyTruth['statuses'] = [];
    for (const id of ids) {
      const e = entry(id);
      out.push({ list: e.list as ListKind, from: e.effectiveFrom, id });
      if (TOP_CONTRACTOR_LATER_LISTED.includes(id) || e.related?.some((r) => r.relation === 'contractor'))
        out.push({ list: 'defence_nexus', from: '2026-01-06', id: `${id} (MoD contractor before its listing)` });
      else if (refdata.parties.some((p) => p.list === 'defence_nexus' && p.related?.some((r) => r.id === id && r.relation === 'parent')))
        out.push({
          list: 'defence_nexus',
          from: '2026-01-06',
          id: `${id} (group company of a defence-nexus parent before its listing)`,
          ambiguous: true,
        });
    }
    return out;
  };
  const listed = (v: PositiveVariant) => ({
    party: { name: v.text, country: v.country } as Party,
    truth: { statuses: statusesOf(v.accept) },
  });
  const plain = (p: Party) => ({ party: p, truth: { statuses: [] } });
  const byList = (list: PositiveVariant['list']) => positives.filter((p) => p.list === list);
  const pickVariant = (r: Rng, pred: (v: PositiveVariant) => boolean) => pick(r, positives.filter(pred));

  const specs: Spec[] = [];
  const base = (s: Partial<Spec> & Pick<Spec, 'group' | 'parties' | 'item'>): Spec => ({
    origin: 'declared',
    endUse: 'civil',
    attrs: {},
    ...s,
  });

  // A. every list kind × role: the positive variant screened in each party role, strong PRC line, after all listings
  const roles: Role[] = ['buyer', 'consignee', 'endUser', 'freightForwarder', 'seller'];
  for (const list of ['control_list', 'watch_list', 'military_user'] as const) {
    const vs = sample(
      rng,
      byList(list).filter((v) => v.country === 'JP'),
      40,
    );
    vs.forEach((v, i) => {
      const role = roles[i % roles.length];
      const it = STRONG[i % STRONG.length];
      const parties: Spec['parties'] = [];
      if (role === 'seller') {
        parties.push({ role: 'seller', ...listed(v) }, { role: 'buyer', ...plain(PLAIN_BUYERS[i % PLAIN_BUYERS.length]) });
      } else {
        parties.push({ role: 'seller', ...plain(CN_SELLER) });
        if (role !== 'buyer') parties.push({ role: 'buyer', ...plain(PLAIN_BUYERS[i % PLAIN_BUYERS.length]) });
        parties.push({ role, ...listed(v) });
      }
      specs.push(
        base({
          group: 'A-list-role',
          attrs: { list, role, variant: v.id, kinds: v.kinds.join('+') },
          parties,
          item: it,
          shipFrom: role === 'seller' ? 'JP' : 'CN',
          note:
            role === 'seller' ? 'listed party as seller: "a screened party is on the list" read literally (seller is screened)' : undefined,
        }),
      );
    });
  }
  // A2. wherever it sits: overseas offices as buyer, goods shipped there
  for (const v of sample(
    rng,
    positives.filter((p) => p.kinds.includes('overseas')),
    24,
  )) {
    specs.push(
      base({
        group: 'A2-overseas',
        attrs: { list: v.list, role: 'buyer', variant: v.id, country: v.country },
        parties: [
          { role: 'seller', ...plain(CN_SELLER) },
          { role: 'buyer', ...listed(v) },
        ],
        item: pick(rng, STRONG),
        shipTo: v.country === 'CN' ? 'CN' : v.country,
      }),
    );
  }
  // A3. defence-nexus groups (not listed): review with a Japan nexus; clear before the ban
  const dns = refdata.parties.filter((p) => p.list === 'defence_nexus');
  dns.forEach((e, i) => {
    const name = i % 3 === 0 && e.names.ja ? e.names.ja : i % 3 === 1 && e.aliases[0] ? e.aliases[0] : e.names.en;
    const truth = { statuses: [{ list: 'defence_nexus' as ListKind, from: e.effectiveFrom, id: e.id }] };
    specs.push(
      base({
        group: 'A3-defence-nexus',
        attrs: { list: 'defence_nexus', entry: e.id },
        parties: [
          { role: 'seller', ...plain(CN_SELLER) },
          { role: 'buyer', party: { name, country: 'JP' }, truth },
        ],
        item: STRONG[i % STRONG.length],
      }),
    );
    if (i % 4 === 0)
      specs.push(
        base({
          group: 'A3-defence-nexus',
          attrs: { list: 'defence_nexus', entry: e.id, date: 'pre-ban' },
          parties: [
            { role: 'seller', ...plain(CN_SELLER) },
            { role: 'buyer', party: { name, country: 'JP' }, truth },
          ],
          item: STRONG[i % STRONG.length],
          shipDate: '2025-12-15',
        }),
      );
  });
  // B. items × party kinds (plain civil buyer, military user, control list, watch list)
  const mu = () => listed(pickVariant(rng, (v) => v.list === 'military_user' && v.country === 'JP' && v.kinds.includes('as_written')));
  const clp = () =>
    listed(
      pickVariant(
        rng,
        (v) =>
          v.list === 'control_list' && v.country === 'JP' && v.kinds.includes('as_written') && !v.accept.some((a) => a.startsWith('MU-')),
      ),
    );
  const wlp = () => listed(pickVariant(rng, (v) => v.list === 'watch_list' && v.country === 'JP' && v.kinds.includes('as_written')));
  for (const it of ITEMS.filter((i) => i.kind !== 'oct2025')) {
    for (const who of ['plain', 'military_user', 'control_list', 'watch_list'] as const) {
      if (who === 'watch_list' && it.kind === 'unidentified') continue; // not covered by the "unidentified" rule: left out
      const b = who === 'plain' ? plain(pick(rng, PLAIN_BUYERS)) : who === 'military_user' ? mu() : who === 'control_list' ? clp() : wlp();
      specs.push(
        base({
          group: 'B-items',
          attrs: { item: it.key, itemKind: it.kind, buyer: who },
          parties: [
            { role: 'seller', ...plain(CN_SELLER) },
            { role: 'buyer', ...b },
          ],
          item: it,
          endUse: who === 'plain' ? 'civil' : 'civil2',
        }),
      );
    }
  }
  // C. origins × {plain buyer, end use missing} and {military user}
  const origins: { o: OriginKind; key: string; seller: Party; shipFrom: string; originCountry?: string; content?: number }[] = [
    { o: 'declared', key: 'declared-cn', seller: CN_SELLER, shipFrom: 'CN', originCountry: 'CN' },
    { o: 'inferred', key: 'inferred-seller-cn', seller: CN_SELLER, shipFrom: 'JP' },
    { o: 'inferred', key: 'inferred-shipfrom-cn', seller: { name: 'Example Alloys Japan K.K.', country: 'JP' }, shipFrom: 'CN' },
    { o: 'possible', key: 'possible-hk', seller: HUB_SELLERS.HK, shipFrom: 'HK' },
    { o: 'possible', key: 'possible-mo', seller: HUB_SELLERS.MO, shipFrom: 'MO' },
    {
      o: 'content',
      key: 'content-de-30pct',
      seller: { name: 'Beispiel Magnettechnik GmbH', country: 'DE' },
      shipFrom: 'DE',
      originCountry: 'DE',
      content: 30,
    },
    { o: 'content', key: 'content-kr-0.5pct', seller: HUB_SELLERS.KR, shipFrom: 'KR', originCountry: 'KR', content: 0.5 },
    {
      o: 'non_prc',
      key: 'non-prc-au',
      seller: { name: 'Example Rare Metals Australia Pty Ltd', country: 'AU' },
      shipFrom: 'AU',
      originCountry: 'AU',
    },
    { o: 'non_prc', key: 'non-prc-us', seller: { name: 'Example Materials Inc.', country: 'US' }, shipFrom: 'US', originCountry: 'US' },
    { o: 'unknown', key: 'unknown-jp', seller: { name: 'Example Alloys Japan K.K.', country: 'JP' }, shipFrom: 'JP' },
  ];
  for (const og of origins) {
    for (const who of ['plain-missing', 'plain-civil', 'military_user'] as const) {
      if (who === 'military_user' && og.o === 'unknown') continue; // origin unknown to a military user: the rules do not settle it; left out
      for (const it of [STRONG[0], pick(rng, STRONG.slice(1))]) {
        const b = who === 'military_user' ? mu() : plain(pick(rng, PLAIN_BUYERS));
        specs.push(
          base({
            group: 'C-origin',
            attrs: { origin: og.key, buyer: who, item: it.key },
            parties: [
              { role: 'seller', ...plain(og.seller) },
              { role: 'buyer', ...b },
            ],
            item: {
              ...it,
              line: {
                ...it.line,
                ...(og.originCountry ? { originCountry: og.originCountry } : {}),
                ...(og.content !== undefined ? { chinaContentPct: og.content } : {}),
              } as Item['line'],
            },
            origin: og.o,
            shipFrom: og.shipFrom,
            endUse: who === 'plain-missing' ? 'missing' : 'civil',
            ...(og.shipFrom === 'HK' || og.shipFrom === 'KR'
              ? { attrs: { origin: og.key, buyer: who, item: it.key, redFlag: 'stock-in-hub' } }
              : {}),
          }),
        );
      }
    }
  }
  // D. routes: transit via hubs, shipped from stock in a hub
  for (const r of [
    { key: 'transit-SG', transit: ['SG'], shipFrom: 'CN', seller: CN_SELLER },
    { key: 'transit-KR', transit: ['KR'], shipFrom: 'CN', seller: CN_SELLER },
    { key: 'transit-TW', transit: ['TW'], shipFrom: 'CN', seller: CN_SELLER },
    { key: 'transit-MY-VN', transit: ['MY', 'VN'], shipFrom: 'CN', seller: CN_SELLER },
    { key: 'stock-SG', shipFrom: 'SG', seller: HUB_SELLERS.SG },
    { key: 'stock-KR', shipFrom: 'KR', seller: HUB_SELLERS.KR },
    { key: 'stock-TH', shipFrom: 'TH', seller: HUB_SELLERS.TH },
    { key: 'direct', shipFrom: 'CN', seller: CN_SELLER },
  ]) {
    for (const it of [STRONG[11], pick(rng, STRONG)]) {
      specs.push(
        base({
          group: 'D-route',
          attrs: { route: r.key, item: it.key },
          parties: [
            { role: 'seller', ...plain(r.seller) },
            { role: 'buyer', ...plain(pick(rng, PLAIN_BUYERS)) },
          ],
          item: it,
          shipFrom: r.shipFrom,
          transit: r.transit,
        }),
      );
    }
  }
  // E. dates
  const cl11 = positives.filter(
    (v) =>
      v.expected.startsWith('CL-11') &&
      v.kinds.includes('as_written') &&
      v.baseField === 'en' &&
      !TOP_CONTRACTOR_LATER_LISTED.includes(v.expected) &&
      !v.accept.some((a) => a.startsWith('MU-')),
  );
  const cl27 = positives.filter(
    (v) =>
      v.expected.startsWith('CL-27') &&
      v.kinds.includes('as_written') &&
      v.baseField === 'en' &&
      !v.accept.some((a) => a.startsWith('MU-')),
  );
  const wl28 = positives.filter((v) => v.expected.startsWith('WL-28') && v.kinds.includes('as_written') && v.baseField === 'en');
  const muAs = positives.filter((v) => v.list === 'military_user' && v.kinds.includes('as_written') && v.baseField === 'en');
  const dated: { key: string; v: PositiveVariant; when: Partial<Spec>; endUse?: string }[] = [];
  for (const v of sample(rng, muAs, 4)) {
    dated.push({ key: 'mu-pre-ban', v, when: { shipDate: '2025-12-20' } });
    dated.push({ key: 'mu-pre-ban-military', v, when: { shipDate: '2026-01-05' }, endUse: 'military_cat' });
    dated.push({ key: 'mu-ban-day', v, when: { shipDate: '2026-01-06' } });
    dated.push({ key: 'mu-occurred-cst-next-day', v, when: { occurredAt: '2026-01-05T16:30:00Z' } });
    dated.push({ key: 'mu-occurred-cst-same-day', v, when: { occurredAt: '2026-01-05T15:30:00Z' } });
  }
  for (const v of sample(rng, cl11, 6)) {
    dated.push({ key: 'cl11-before-listing', v, when: { shipDate: '2026-02-23' } });
    dated.push({ key: 'cl11-listing-day', v, when: { shipDate: '2026-02-24' } });
    dated.push({ key: 'cl11-before-listing-military', v, when: { shipDate: '2026-02-10' }, endUse: 'mil_en_missile' });
    dated.push({ key: 'cl11-occurred-cst-listing-day', v, when: { occurredAt: '2026-02-23T17:45:00Z' } });
    dated.push({ key: 'cl11-occurred-cst-day-before', v, when: { occurredAt: '2026-02-23T15:10:00Z' } });
    dated.push({ key: 'cl11-shipdate-before-orderdate-after', v, when: { orderDate: '2026-03-01', shipDate: '2026-02-20' } });
    dated.push({ key: 'cl11-orderdate-after-no-shipdate', v, when: { orderDate: '2026-02-25', occurredAt: '2026-02-22T01:00:00Z' } });
  }
  for (const v of sample(rng, [...cl27, ...wl28], 8)) {
    dated.push({ key: 'wave2-before-listing-missing-enduse', v, when: { shipDate: '2026-06-28' }, endUse: 'missing' });
    dated.push({ key: 'wave2-listing-day', v, when: { shipDate: '2026-06-29' } });
    dated.push({ key: 'wave2-occurred-cst-listing-day', v, when: { occurredAt: '2026-06-28T16:00:00Z' } });
  }
  for (const id of TOP_CONTRACTOR_LATER_LISTED) {
    const v = positives.find((p) => p.expected === id && p.kinds.includes('as_written') && p.baseField === 'en')!;
    dated.push({ key: 'top-contractor-before-listing', v, when: { shipDate: '2026-02-01' } });
    dated.push({ key: 'top-contractor-pre-ban', v, when: { shipDate: '2025-12-01' } });
  }
  const nda = positives.find((p) => p.expected === 'CL-11-19' && p.kinds.includes('as_written') && p.baseField === 'ja')!;
  dated.push({ key: 'nda-military-user-before-listing', v: nda, when: { shipDate: '2026-02-01' } });
  for (const d of dated) {
    specs.push(
      base({
        group: 'E-dates',
        attrs: { date: d.key, variant: d.v.id, entry: d.v.expected },
        parties: [
          { role: 'seller', ...plain(CN_SELLER) },
          { role: 'buyer', ...listed(d.v) },
        ],
        item: pick(rng, STRONG),
        endUse: d.endUse ?? 'civil',
        ...d.when,
      }),
    );
  }
  // E2. suspension windows of the Oct-2025 rare earths (Ann. 57/2025, Ann. 70/2025)
  const susDates = [
    ['suspended', '2026-06-01'],
    ['last-suspended-day-inclusive', '2026-11-10'],
    ['uncertain-window-first-day', '2026-11-11'],
    ['uncertain-window', '2026-12-15'],
    ['uncertain-window-last-day', '2027-01-10'],
    ['controlled-again', '2027-01-11'],
  ];
  for (const [key, date] of susDates) {
    for (const who of ['military_user', 'control_list', 'plain'] as const) {
      const b = who === 'military_user' ? mu() : who === 'control_list' ? clp() : plain(pick(rng, PLAIN_BUYERS));
      specs.push(
        base({
          group: 'E2-suspension',
          attrs: { window: key, buyer: who },
          parties: [
            { role: 'seller', ...plain(CN_SELLER) },
            { role: 'buyer', ...b },
          ],
          item: item(rng() < 0.5 ? 'ho-oxide-cc' : 'er-metal-cc'),
          shipDate: date,
          endUse: 'civil',
        }),
      );
    }
    specs.push(
      base({
        group: 'E2-suspension',
        attrs: { window: key, buyer: 'watch_list', only: 'controlled-again' },
        parties: [
          { role: 'seller', ...plain(CN_SELLER) },
          { role: 'buyer', ...wlp() },
        ],
        item: item('ho-oxide-cc'),
        shipDate: '2027-02-01',
      }),
    );
  }
  // F. end uses (plain JP buyer), and no Japan nexus
  for (const [key] of Object.entries(END_USES)) {
    for (const it of [STRONG[0], pick(rng, STRONG)]) {
      specs.push(
        base({
          group: 'F-end-use',
          attrs: { endUse: key, item: it.key },
          parties: [
            { role: 'seller', ...plain(CN_SELLER) },
            { role: 'buyer', ...plain(pick(rng, PLAIN_BUYERS)) },
          ],
          item: it,
          endUse: key,
        }),
      );
    }
  }
  for (const key of ['military_cat', 'mil_en_missile', 'missing']) {
    specs.push(
      base({
        group: 'F-no-japan-nexus',
        attrs: { endUse: key },
        parties: [
          { role: 'seller', ...plain(CN_SELLER) },
          { role: 'buyer', ...plain({ name: 'Beispiel Antriebe GmbH', country: 'DE' }) },
        ],
        item: STRONG[0],
        endUse: key,
        shipTo: 'DE',
      }),
    );
  }
  // G. red flags
  const g = (key: string, s: Partial<Spec>) =>
    specs.push(
      base({
        group: 'G-red-flags',
        attrs: { flag: key },
        parties: [
          { role: 'seller', ...plain(CN_SELLER) },
          { role: 'buyer', ...plain(PLAIN_BUYERS[0]) },
        ],
        item: STRONG[0],
        ...s,
      }),
    );
  g('forwarder-as-end-user', {
    parties: [
      { role: 'seller', ...plain(CN_SELLER) },
      { role: 'buyer', ...plain(PLAIN_BUYERS[1]) },
      {
        role: 'endUser',
        party: { name: 'Example Forwarding Japan K.K.', country: 'JP', role: 'freight_forwarder' },
        truth: { statuses: [], intermediary: true },
      },
    ],
  });
  g('trading-house-as-end-user', {
    parties: [
      { role: 'seller', ...plain(CN_SELLER) },
      { role: 'buyer', ...plain(PLAIN_BUYERS[2]) },
      {
        role: 'endUser',
        party: { name: 'Example Shoji K.K.', country: 'JP', role: 'trading_company' },
        truth: { statuses: [], intermediary: true },
      },
    ],
  });
  g('ftz-consignee', {
    ftz: true,
    parties: [
      { role: 'seller', ...plain(CN_SELLER) },
      { role: 'buyer', ...plain(PLAIN_BUYERS[0]) },
      { role: 'consignee', party: { name: 'Example Bonded Warehouse Yokohama K.K.', country: 'JP' }, truth: { statuses: [] } },
    ],
  });
  g('consignee-change', {
    eventType: 'order.updated',
    parties: [
      { role: 'seller', ...plain(CN_SELLER) },
      { role: 'buyer', ...plain(PLAIN_BUYERS[0]) },
      { role: 'consignee', party: { name: 'Sample Cookware Sendai K.K.', country: 'JP' }, truth: { statuses: [] } },
    ],
    note: 'an update naming a consignee other than the buyer, read as a last-minute consignee change (stricter reading)',
  });
  // H. negatives as buyers (near-miss names of unrelated companies): clear
  const negs = negatives.filter(
    (n) => n.country === 'JP' && !/trading|shoji|商事|bank|銀行|logistic|物流|express|forward|kisen|yusen|shipping|海運/i.test(n.name),
  );
  for (const n of sample(rng, negs, 50)) {
    specs.push(
      base({
        group: 'H-negatives',
        attrs: { negative: n.name, shares: n.shares },
        parties: [
          { role: 'seller', ...plain(CN_SELLER) },
          { role: 'buyer', party: { name: n.name, country: n.country }, truth: { statuses: [] } },
        ],
        item: pick(rng, STRONG),
      }),
    );
  }

  const events: OrderEvent[] = [];
  const labels: Record<string, OrderLabel> = {};
  specs.forEach((s, i) => {
    const n = String(i + 1).padStart(4, '0');
    const eventId = `acc-${n}`;
    const seller = s.parties.find((p) => p.role === 'seller')!.party;
    const shipFrom = s.shipFrom ?? (seller.country === 'JP' ? 'JP' : seller.country);
    const shipTo = s.shipTo ?? 'JP';
    const eu = END_USES[s.endUse];
    const line: OrderLine = { lineId: '1', ...s.item.line, quantity: 10 + Math.floor(rng() * 90) } as OrderLine;
    if (s.origin === 'declared' && !line.originCountry) line.originCountry = 'CN';
    const order: OrderEvent['order'] = {
      orderId: `ACC-${n}`,
      direction: 'sale',
      ...(s.orderDate ? { orderDate: s.orderDate } : {}),
      ...(s.shipDate ? { shipDate: s.shipDate } : !s.occurredAt && !s.orderDate ? { shipDate: '2026-07-15' } : {}),
      seller,
      buyer: s.parties.find((p) => p.role === 'buyer')?.party ?? PLAIN_BUYERS[0],
      ...Object.fromEntries(s.parties.filter((p) => !['seller', 'buyer'].includes(p.role)).map((p) => [p.role, p.party])),
      ...(eu.value ? { endUse: eu.value } : {}),
      shipFrom,
      shipTo,
      ...(s.transit ? { transit: s.transit } : {}),
      ...(s.ftz ? { consigneeInFreeTradeZone: true } : {}),
      lines: [line],
    };
    const occurredAt = s.occurredAt ?? `${order.shipDate ?? order.orderDate ?? '2026-07-15'}T03:00:00Z`;
    const event: OrderEvent = {
      schemaVersion: 1,
      eventId,
      eventType: s.eventType ?? 'order.created',
      occurredAt,
      source: 'accuracy-corpus',
      order,
    };
    const hubs = new Set(refdata.countries.filter((c) => c.transshipmentHub).map((c) => c.code));
    const redFlags: string[] = [];
    if ((s.transit ?? []).some((c) => hubs.has(c))) redFlags.push('RED_FLAG_TRANSSHIPMENT_HUB');
    if (hubs.has(shipFrom) && shipFrom !== 'CN') redFlags.push('RED_FLAG_SHIPPED_FROM_HUB_STOCK');
    if (s.ftz) redFlags.push('RED_FLAG_FREE_TRADE_ZONE');
    if (s.eventType === 'order.updated' && order.consignee && order.consignee.name !== order.buyer.name)
      redFlags.push('RED_FLAG_CONSIGNEE_CHANGE');
    const c: OrderCase = {
      shipDate: order.shipDate,
      orderDate: order.orderDate,
      occurredAt,
      shipTo,
      parties: s.parties.map((p) => ({ role: p.role, country: p.party.country, ...p.truth })),
      item: s.item.kind,
      origin: s.origin,
      endUse: eu.kind,
      redFlags,
    };
    const l = labelOrder(c);
    events.push(event);
    labels[eventId] = {
      ...l,
      attrs: {
        group: s.group,
        ...s.attrs,
        item: s.item.key,
        origin: s.origin,
        endUse: s.endUse,
        ...(redFlags.length ? { redFlags: redFlags.join('+') } : {}),
      },
      ...(s.note || l.note ? { note: [l.note, s.note].filter(Boolean).join('; ') } : {}),
    };
  });
  return { events, labels };
}
