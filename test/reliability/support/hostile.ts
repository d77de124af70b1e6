import { createHash } from 'node:crypto';
import type { OrderEvent, Party } from '@dualwatch/contracts';
import { prng } from '@dualwatch/scoring/testing/order-generator';

/**
 * A seeded generator of hostile order messages for the reliability suite (hostile-input.rel-spec.ts).
 * The same seed always gives the same messages. Each message says what the system must do with it:
 * go to the DLQ with one of the named error codes, or be scored (exactly one assessment for its
 * eventId) because it is a valid order event whose strings are hostile.
 */

export type DlqCode = 'INVALID_JSON' | 'INVALID_ENCODING' | 'SCHEMA_VIOLATION' | 'TOO_LARGE';

export const HOSTILE_KINDS = [
  'malformed-json',
  'wrong-types',
  'huge-10mb',
  'broker-limit',
  'limit-batch',
  'deep-nesting',
  'proto-keys',
  'proto-strings',
  'control-chars',
  'lookalike',
  'markup',
  'null-value',
  'null-key',
  'empty',
] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

export type Expectation = { dlq: DlqCode[] } | { scored: true };

export interface HostileMessage {
  index: number;
  kind: HostileKind;
  /** which variant of the kind, for failure messages */
  variant: string;
  key: string | null;
  /** the message value; built on demand (a 10 MiB value is not kept around) */
  build(): Buffer | null;
  /** length of the value in bytes (0 for null) */
  bytes: number;
  /** SHA-256 (hex) of the value, null for a null value */
  sha256: string | null;
  expect: Expectation;
  /** scored messages: the event as the engine will read it */
  event?: OrderEvent;
  /** lookalike messages: the same event with the genuine listed name (what it should be screened as) */
  genuine?: OrderEvent;
  /** the hostile strings a scored message carries (for the dashboard) */
  strings?: string[];
  /** messages with the same tag are produced in one request (one record batch) */
  together?: string;
}

/** Strings that would run as script or alter a page if a page put them in as HTML. */
export const MARKUP = [
  '<script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=1">',
  '"><svg onload=window.__pwned=1>',
  "'><iframe src=javascript:window.__pwned=1></iframe>",
  '<a href="javascript:window.__pwned=1">click me</a>',
  '</td></tr><tr><td><img src=x onerror=window.__pwned=1>',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1>',
  '<style>body{display:none}</style>',
  '{{constructor.constructor("window.__pwned=1")()}}',
  '${window.__pwned=1}',
  "'; DROP TABLE orders; --",
  '<details open ontoggle=window.__pwned=1>',
  '<input autofocus onfocus=window.__pwned=1>',
] as const;

/** Control characters, bidi overrides, zero-width marks, lone surrogates, combining floods, emoji. */
export const CONTROL = [
  'nul\u0000byte',
  'bell\u0007and\u0008backspace',
  'ansi \u001b[31mred\u001b[0m',
  'line\nbreak\r\nand\ttab',
  'separators\u2028and\u2029',
  'bidi \u202egnirts desrever\u202c',
  'zero\u200bwidth\u200c\u200djoiners\ufeff',
  'lone \ud800 surrogate \udfff',
  'Z\u0337\u0334a\u0335\u0336l\u0337g\u0334o\u0335 \u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307',
  'emoji 😀👩‍👩‍👧 🇯🇵',
  'del\u007fand\u0085nel',
] as const;

/** Keys and strings that break code using plain objects as maps. */
export const PROTO_STRINGS = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  '__defineGetter__',
  'toJSON',
] as const;

/** Listed Japanese entities (parties.json) as an order writes them, for look-alike spellings. */
export const LISTED_NAMES = [
  'TDK Corporation',
  'SUBARU CORPORATION',
  'Mitsubishi Materials Corp.',
  'Nitto Denko Corporation',
  'IHI Aerospace Co., Ltd.',
  'Terra Drone Corporation',
  'Japan Marine United Corporation',
  'Acquisition, Technology & Logistics Agency',
] as const;

/** Latin letters and the Cyrillic / Greek letters that look the same. */
const LOOKALIKE: Record<string, string[]> = {
  A: ['\u0410', '\u0391'],
  B: ['\u0412', '\u0392'],
  C: ['\u0421'],
  E: ['\u0415', '\u0395'],
  H: ['\u041d', '\u0397'],
  I: ['\u0406', '\u0399'],
  K: ['\u041a', '\u039a'],
  M: ['\u041c', '\u039c'],
  N: ['\u039d'],
  O: ['\u041e', '\u039f'],
  P: ['\u0420', '\u03a1'],
  S: ['\u0405'],
  T: ['\u0422', '\u03a4'],
  X: ['\u0425', '\u03a7'],
  Y: ['\u04ae', '\u03a5'],
  a: ['\u0430'],
  c: ['\u0441'],
  e: ['\u0435'],
  i: ['\u0456'],
  o: ['\u043e', '\u03bf'],
  p: ['\u0440'],
  s: ['\u0455'],
  x: ['\u0445'],
  y: ['\u0443'],
};

/** The marker a prototype-pollution payload tries to plant; it must never show up in any output. */
export const POLLUTION_CANARY = 'dwPollutionCanary';
const CANARY_PAYLOAD = {
  [POLLUTION_CANARY]: 'polluted',
  endUser: { name: `${POLLUTION_CANARY} Kabushiki Kaisha`, country: 'JP' },
  consigneeInFreeTradeZone: true,
  degraded: true,
  isAdmin: true,
};

/** A 10 MiB message: over the engine's 1 MiB limit, under the broker's and the topics' 12 MiB. */
export const HUGE_BYTES = 10 * 1024 * 1024;

const sha = (b: Buffer | null) => (b === null ? null : createHash('sha256').update(b).digest('hex'));

export interface HostileOptions {
  /** how many 10 MiB messages among them (default 3) */
  huge?: number;
  /** value size of the one message at the broker's limit (0: none); found by the caller with the broker */
  brokerLimitBytes?: number;
  /** prefix of keys, event and order ids */
  idPrefix?: string;
  /** key of the message at the broker's limit (the size found for it depends on the key's length) */
  limitKey?: string;
  /**
   * A record batch as large as the broker takes, of `count` messages over the engine's limit with one
   * key (so one partition), produced together: their dead letters together would not fit one batch.
   */
  limitBatch?: { count: number; bytesEach: number };
}

/**
 * `n` hostile messages (huge ones included in n). The valid-but-hostile ones are order events built
 * on an alertable template (a CN seller of dysprosium, a listed Japanese end user), with the hostile
 * strings in names, descriptions, statements and ids.
 */
export function generateHostile(n: number, seed: number, opts: HostileOptions = {}): HostileMessage[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const prefix = opts.idPrefix ?? 'hostile';
  const out: HostileMessage[] = [];
  const huge = Math.min(opts.huge ?? 3, n);
  const limit = opts.brokerLimitBytes ? 1 : 0;
  // weights of the small kinds
  const weights: [HostileKind, number][] = [
    ['malformed-json', 12],
    ['wrong-types', 12],
    ['deep-nesting', 3],
    ['proto-keys', 10],
    ['proto-strings', 8],
    ['control-chars', 12],
    ['lookalike', 8],
    ['markup', 12],
    ['null-value', 4],
    ['null-key', 6],
    ['empty', 4],
  ];
  const total = weights.reduce((s, [, w]) => s + w, 0);
  const hugeAt = new Set<number>();
  // spread the big ones over the stream, not all at the start
  for (let k = 0; k < huge + limit; k++) hugeAt.add(Math.floor(((k + 0.5) * n) / (huge + limit)));
  let hugeMade = 0;

  for (let i = 0; i < n; i++) {
    const id = `${prefix}-${i}`;
    if (hugeAt.has(i)) {
      if (hugeMade < huge) out.push(hugeMessage(i, id, hugeMade++));
      else out.push(brokerLimitMessage(i, opts.limitKey ?? `${prefix}-limit`, opts.brokerLimitBytes!));
      continue;
    }
    let x = r() * total;
    let kind: HostileKind = weights[weights.length - 1]![0];
    for (const [k, w] of weights) {
      x -= w;
      if (x < 0) {
        kind = k;
        break;
      }
    }
    out.push(smallMessage(i, id, kind, r, pick));
  }
  if (opts.limitBatch && opts.limitBatch.count < n / 4) {
    // in place of small ones, two thirds into the stream
    const at = Math.floor((n * 2) / 3);
    for (let k = 0; k < opts.limitBatch.count; k++) {
      const i = at + k;
      const value = Buffer.concat([
        Buffer.from(`${prefix}-${i}:`),
        Buffer.alloc(opts.limitBatch.bytesEach - `${prefix}-${i}:`.length, 'B'),
      ]);
      out[i] = {
        ...fixed(
          i,
          'limit-batch',
          `${opts.limitBatch.count}x${opts.limitBatch.bytesEach}`,
          `${prefix}-limit-batch`,
          null,
          dlq('TOO_LARGE'),
        ),
        build: () => value,
        bytes: value.length,
        sha256: sha(value),
        together: 'limit-batch',
      };
    }
  }
  return out;
}

function fixed(
  index: number,
  kind: HostileKind,
  variant: string,
  key: string | null,
  value: Buffer | null,
  expect: Expectation,
): HostileMessage {
  return { index, kind, variant, key, build: () => value, bytes: value?.length ?? 0, sha256: sha(value), expect };
}

function scored(
  index: number,
  kind: HostileKind,
  variant: string,
  key: string | null,
  event: OrderEvent,
  strings: string[],
  genuine?: OrderEvent,
): HostileMessage {
  const value = Buffer.from(JSON.stringify(event));
  return { ...fixed(index, kind, variant, key, value, { scored: true }), event, strings, genuine };
}

const dlq = (...codes: DlqCode[]): Expectation => ({ dlq: codes });

/** An alertable order event: dysprosium from China to Japan, end user a listed entity. */
export function template(id: string): OrderEvent {
  return {
    schemaVersion: 1,
    eventId: `evt-${id}`,
    eventType: 'order.created',
    occurredAt: '2026-03-02T09:00:00Z',
    source: 'hostile-input',
    order: {
      orderId: `PO-${id}`,
      direction: 'purchase',
      orderDate: '2026-03-01',
      shipDate: '2026-04-15',
      seller: { name: 'Ganzhou Example Rare Earth Co., Ltd.', country: 'CN', role: 'manufacturer' },
      buyer: { name: 'Hamamatsu Example Motors K.K.', country: 'JP', role: 'manufacturer' },
      endUser: { name: 'Acquisition, Technology & Logistics Agency', country: 'JP', role: 'government' },
      endUse: { category: 'unknown', statement: 'motors' },
      shipFrom: 'CN',
      shipTo: 'JP',
      lines: [
        {
          lineId: '1',
          description: 'Dysprosium metal ingot 99.9%',
          hsCode: '2805301200',
          originCountry: 'CN',
          quantity: 40,
          unit: 'kg',
          unitPrice: 380,
          currency: 'USD',
        },
      ],
    },
  };
}

/** Cuts a string to at most `max` UTF-16 units (the schema's maxLength) without splitting a surrogate pair. */
function clipToLength(s: string, max: number): string {
  if (s.length <= max) return s;
  let t = s.slice(0, max);
  if (/[\ud800-\udbff]$/.test(t)) t = t.slice(0, -1);
  return t;
}

/** Puts hostile strings into an order's free-text fields (names, descriptions, statement, sku, address, orderId). */
function withStrings(e: OrderEvent, strings: string[], pick: <T>(xs: readonly T[]) => T, id: string): OrderEvent {
  const [a, b, c, d] = [strings[0]!, strings[1] ?? strings[0]!, strings[2] ?? strings[0]!, strings[3] ?? strings[0]!];
  const o = e.order;
  o.seller = { ...o.seller, name: clipToLength(`${a} Rare Earth Co., Ltd.`, 300), address: clipToLength(`${b} Ganzhou`, 500) };
  o.buyer = { ...o.buyer, name: clipToLength(`${c} Motors K.K.`, 300) };
  o.endUse = { category: 'unknown', statement: clipToLength(`${d} statement`, 2000) };
  o.lines[0] = { ...o.lines[0]!, description: clipToLength(`${b} Dysprosium metal ingot 99.9%`, 1000), sku: clipToLength(a, 64) };
  // a hostile order id now and then (ids end up in URLs and element ids on the dashboard)
  if (pick([true, false, false])) o.orderId = clipToLength(`${c}#${id}`, 128);
  return e;
}

function smallMessage(i: number, id: string, kind: HostileKind, r: () => number, pick: <T>(xs: readonly T[]) => T): HostileMessage {
  const base = template(id);
  const json = JSON.stringify(base);
  switch (kind) {
    case 'malformed-json': {
      const variants: [string, () => string][] = [
        ['truncated', () => json.slice(0, 1 + Math.floor(r() * (json.length - 2)))],
        ['trailing-garbage', () => `${json}}}garbage`],
        ['single-quotes', () => json.replace(/"/g, "'")],
        ['unquoted-keys', () => json.replace(/"([A-Za-z]+)":/g, '$1:')],
        ['trailing-comma', () => json.replace(/}$/, ',}')],
        ['nan', () => json.replace('"quantity":40', '"quantity":NaN')],
        ['bom', () => `\ufeff${json}`],
        ['comment', () => `/* order */${json}`],
        ['two-documents', () => `${json}\n${json}`],
        ['binary', () => `{${Buffer.from(Array.from({ length: 64 }, () => Math.floor(r() * 256))).toString('latin1')}`],
        ['xml', () => '<?xml version="1.0"?><order><id>1</id></order>'],
      ];
      const [variant, make] = pick(variants);
      // random bytes are seldom UTF-8: refused as such, or else as JSON
      const codes: DlqCode[] = variant === 'binary' ? ['INVALID_JSON', 'INVALID_ENCODING'] : ['INVALID_JSON'];
      return fixed(i, kind, variant, id, Buffer.from(make(), variant === 'binary' ? 'latin1' : 'utf8'), dlq(...codes));
    }
    case 'wrong-types': {
      const mutations: [string, (e: any) => unknown][] = [
        ['schemaVersion-string', (e) => (e.schemaVersion = '1')],
        ['schemaVersion-2', (e) => (e.schemaVersion = 2)],
        ['quantity-string', (e) => (e.order.lines[0].quantity = '40')],
        ['quantity-negative', (e) => (e.order.lines[0].quantity = -40)],
        ['quantity-null', (e) => (e.order.lines[0].quantity = null)],
        ['order-array', (e) => (e.order = [e.order])],
        ['order-string', (e) => (e.order = 'PO-1')],
        ['lines-object', (e) => (e.order.lines = { 0: e.order.lines[0] })],
        ['lines-empty', (e) => (e.order.lines = [])],
        ['name-number', (e) => (e.order.buyer.name = 12345)],
        ['name-too-long', (e) => (e.order.buyer.name = 'K'.repeat(301))],
        ['country-lowercase', (e) => (e.order.buyer.country = 'jp')],
        ['eventType-unknown', (e) => (e.eventType = 'order.deleted')],
        ['occurredAt-prose', (e) => (e.occurredAt = 'yesterday')],
        ['eventId-empty', (e) => (e.eventId = '')],
        ['extra-field', (e) => (e.extra = { admin: true })],
        ['missing-order', (e) => delete e.order],
        ['lines-501', (e) => (e.order.lines = Array.from({ length: 501 }, (_, k) => ({ ...e.order.lines[0], lineId: String(k) })))],
      ];
      const texts: [string, string][] = [
        ['top-null', 'null'],
        ['top-number', '42'],
        ['top-string', '"order"'],
        ['top-array', '[]'],
        ['top-true', 'true'],
        ['top-empty-object', '{}'],
        ['quantity-infinity', json.replace('"quantity":40', '"quantity":1e999')],
      ];
      if (r() < texts.length / (texts.length + mutations.length)) {
        const [variant, text] = pick(texts);
        return fixed(i, kind, variant, id, Buffer.from(text), dlq('SCHEMA_VIOLATION'));
      }
      const [variant, mutate] = pick(mutations);
      const e = structuredClone(base) as any;
      mutate(e);
      return fixed(i, kind, variant, id, Buffer.from(JSON.stringify(e)), dlq('SCHEMA_VIOLATION'));
    }
    case 'deep-nesting': {
      const variants: [string, () => string, DlqCode][] = [
        ['array-top-100k', () => '['.repeat(100_000) + ']'.repeat(100_000), 'SCHEMA_VIOLATION'],
        [
          'object-in-buyer-30k',
          () => json.replace(/"buyer":\{[^}]*\}/, `"buyer":${'{"a":'.repeat(30_000)}1${'}'.repeat(30_000)}`),
          'SCHEMA_VIOLATION',
        ],
        [
          'array-in-lines-100k',
          () => json.replace(/"lines":\[.*\]\}\}$/, `"lines":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`),
          'SCHEMA_VIOLATION',
        ],
        ['array-top-600k', () => '['.repeat(600_000) + ']'.repeat(600_000), 'TOO_LARGE'],
        ['unclosed-1m', () => '['.repeat(1_000_000), 'INVALID_JSON'],
      ];
      const [variant, make, code] = pick(variants);
      // 1,000,000 bytes is under the 1 MiB limit: the parser sees it and fails
      return fixed(i, kind, variant, id, Buffer.from(make()), dlq(code));
    }
    case 'proto-keys': {
      const where = pick(['top', 'order', 'buyer', 'line', 'endUse'] as const);
      const key = pick(['__proto__', 'constructor', 'prototype'] as const);
      const payload = key === 'constructor' ? { prototype: CANARY_PAYLOAD } : CANARY_PAYLOAD;
      const e = structuredClone(base) as any;
      const target =
        where === 'top'
          ? e
          : where === 'order'
            ? e.order
            : where === 'buyer'
              ? e.order.buyer
              : where === 'line'
                ? e.order.lines[0]
                : e.order.endUse;
      target.PROTO_KEY_PLACEHOLDER = payload;
      const text = JSON.stringify(e).replace('"PROTO_KEY_PLACEHOLDER"', JSON.stringify(key));
      return fixed(i, kind, `${key}-in-${where}`, id, Buffer.from(text), dlq('SCHEMA_VIOLATION'));
    }
    case 'proto-strings': {
      const s = pick(PROTO_STRINGS);
      const e = structuredClone(base);
      e.order.orderId = pick([s, `${s}-${id}`]);
      e.order.seller.name = s;
      e.order.buyer.name = pick(PROTO_STRINGS);
      e.order.lines[0]!.lineId = s;
      e.order.lines[0]!.sku = s;
      e.order.lines[0]!.description = `${s} Dysprosium metal ingot 99.9%`;
      e.order.lines[0]!.unit = clipToLength(s, 16);
      e.source = s;
      return scored(i, kind, s, pick([e.order.orderId, s]), e, [s]);
    }
    case 'control-chars': {
      if (r() < 0.15) {
        // a raw control character inside a JSON string is not JSON
        const text = json.replace('Hamamatsu', 'Hama\u0001matsu');
        return fixed(i, kind, 'raw-control-in-json', id, Buffer.from(text), dlq('INVALID_JSON'));
      }
      if (r() < 0.15) {
        // invalid UTF-8 inside a string: not decoded lossily (U+FFFD would hide a listed name), dead-lettered
        const [head, tail] = json.split('Hamamatsu');
        const bytes = Buffer.concat([Buffer.from(head!), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(`Hamamatsu${tail}`)]);
        return fixed(i, kind, 'invalid-utf8', id, bytes, dlq('INVALID_ENCODING'));
      }
      const strings = [pick(CONTROL), pick(CONTROL), pick(CONTROL), pick(CONTROL)];
      return scored(i, kind, 'escaped', id, withStrings(structuredClone(base), strings, pick, id), strings);
    }
    case 'lookalike': {
      const genuineName = pick(LISTED_NAMES);
      const look = lookalike(genuineName, r);
      const e = structuredClone(base);
      delete e.order.endUser;
      e.order.buyer = { name: look, country: 'JP', role: 'manufacturer' } satisfies Party;
      const genuine = structuredClone(e);
      genuine.order.buyer.name = genuineName;
      return scored(i, kind, genuineName, id, e, [look], genuine);
    }
    case 'markup': {
      const strings = [pick(MARKUP), pick(MARKUP), pick(MARKUP), pick(MARKUP)];
      return scored(i, kind, 'markup', id, withStrings(structuredClone(base), strings, pick, id), strings);
    }
    case 'null-value':
      return fixed(i, kind, 'tombstone', id, null, dlq('INVALID_JSON'));
    case 'null-key': {
      if (r() < 0.5) return fixed(i, kind, 'null-key-garbage', null, Buffer.from(`not json ${id}`), dlq('INVALID_JSON'));
      return scored(i, kind, 'null-key-valid', null, base, []);
    }
    case 'empty': {
      const [variant, text] = pick([
        ['zero-bytes', ''],
        ['whitespace', ' \n\t '],
        ['nul-bytes', '\u0000\u0000\u0000'],
      ] as const);
      return fixed(i, kind, variant, id, Buffer.from(text), dlq('INVALID_JSON'));
    }
    default:
      throw new Error(`no small message of kind ${kind}`);
  }
}

/** The genuine name with 1 to 4 of its letters swapped for Cyrillic or Greek look-alikes. */
export function lookalike(name: string, r: () => number): string {
  const original = [...name];
  const chars = [...name];
  const swappable = chars.map((c, k) => (LOOKALIKE[c] ? k : -1)).filter((k) => k >= 0);
  const swaps = 1 + Math.floor(r() * Math.min(4, swappable.length));
  for (let s = 0; s < swaps; s++) {
    const k = swappable[Math.floor(r() * swappable.length)]!;
    const options = LOOKALIKE[original[k]!]!;
    chars[k] = options[Math.floor(r() * options.length)]!;
  }
  const out = chars.join('');
  return out === name ? lookalike(name, r) : out;
}

/** Three kinds of 10 MiB message: not JSON, an order with a 10 MiB description, and 10 MiB of '['. */
function hugeMessage(i: number, id: string, n: number): HostileMessage {
  const variant = (['text', 'order', 'brackets'] as const)[n % 3]!;
  const build = (): Buffer => {
    if (variant === 'text') return Buffer.alloc(HUGE_BYTES, `${id} `);
    if (variant === 'brackets') return Buffer.alloc(HUGE_BYTES, '[');
    // a well-formed order event whose one description is 10 MiB long
    const [before, after] = JSON.stringify(template(id)).replace('"Dysprosium metal ingot 99.9%"', '"@@"').split('@@') as [string, string];
    const head = Buffer.from(before);
    const tail = Buffer.from(after);
    return Buffer.concat([head, Buffer.alloc(HUGE_BYTES - head.length - tail.length, 'D'), tail]);
  };
  const sample = build();
  return { index: i, kind: 'huge-10mb', variant, key: id, build, bytes: sample.length, sha256: sha(sample), expect: dlq('TOO_LARGE') };
}

/** One message as large as the broker takes (value of `bytes`). */
function brokerLimitMessage(i: number, key: string, bytes: number): HostileMessage {
  const build = (): Buffer => Buffer.alloc(bytes, 'L');
  return { index: i, kind: 'broker-limit', variant: `${bytes}-bytes`, key, build, bytes, sha256: sha(build()), expect: dlq('TOO_LARGE') };
}

/** How many of each kind, and how many should land in the DLQ vs be scored. */
export function tally(messages: HostileMessage[]): { byKind: Record<string, number>; dlq: number; scored: number } {
  const byKind: Record<string, number> = {};
  let toDlq = 0;
  for (const m of messages) {
    byKind[m.kind] = (byKind[m.kind] ?? 0) + 1;
    if ('dlq' in m.expect) toDlq++;
  }
  return { byKind, dlq: toDlq, scored: messages.length - toDlq };
}
