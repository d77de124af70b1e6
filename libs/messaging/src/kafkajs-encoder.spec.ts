import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * kafkajs's produce request (v3, which v4 to v7 reuse) and request frame are the size-first ones of
 * patches/kafkajs+<version>.patch (issue 19), applied to node_modules by patch-package at `npm ci` /
 * `npm install`: one Buffer of the exact size, each record written once. They must give the same bytes
 * as kafkajs's own code, kept verbatim in ./testing/kafkajs-original (see its README.md), for every input.
 */
const ROOT = path.resolve(__dirname, '../../..');
const KAFKAJS_VERSION: string = require('kafkajs/package.json').version;
const PATCH = path.join(ROOT, 'patches', `kafkajs+${KAFKAJS_VERSION}.patch`);
const PRODUCE_FILE = require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js');
const FRAME_FILE = require.resolve('kafkajs/src/protocol/request.js');
const ORIGINAL = path.join(__dirname, 'testing', 'kafkajs-original', 'src', 'protocol');

type ProduceRequest = (args: any) => { apiKey: number; apiVersion: number; encode: () => Promise<any> };
type CreateRequest = (args: { correlationId: number; clientId: any; request: any }) => Promise<any>;

const patchedProduce = require(PRODUCE_FILE) as ProduceRequest;
const patchedFrame = require(FRAME_FILE) as CreateRequest;
const patchedProduceV7 = require('kafkajs/src/protocol/requests/produce/v7/request.js') as ProduceRequest;
const originalProduce = require(path.join(ORIGINAL, 'requests', 'produce', 'v3', 'request.js')) as ProduceRequest;
const originalFrame = require(path.join(ORIGINAL, 'request.js')) as CreateRequest;
const Long = require('kafkajs/src/utils/long');

const NOW = 1767225600123;

/** Seeded PRNG (mulberry32): the same inputs on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

// ASCII, 2-, 3- and 4-byte UTF-8, and a lone surrogate (written as EF BF BD)
const CHARS = ['a', 'Z', '0', ' ', '"', '{', 'é', 'ß', '日', '本', '€', '😀', '\ud800', '\udfff'];
const text = (r: Rng, n: number) => Array.from({ length: n }, () => r.pick(CHARS)).join('');
const bytes = (r: Rng, n: number) => Buffer.from(Array.from({ length: n }, () => r.int(256)));

/** A key or value: null, undefined, a string or a Buffer, of sizes around the varint boundaries. */
function payload(r: Rng): string | Buffer | null | undefined {
  const size = r.next() < 0.05 ? r.pick([1800, 8191, 8192]) : r.pick([0, 1, 5, 40, 63, 64, 65, 127, 128, 300, r.int(500)]);
  switch (r.int(6)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
    case 3:
      return text(r, size);
    default:
      return bytes(r, size);
  }
}

function headers(r: Rng): Record<string, string | Buffer | (string | Buffer)[]> {
  const out: Record<string, string | Buffer | (string | Buffer)[]> = {};
  const n = r.int(4);
  for (let i = 0; i < n; i++) {
    const key = r.pick(['traceparent', 'x', '', 'ヘッダー', text(r, 1 + r.int(10))]);
    out[key] = r.pick([() => text(r, r.int(30)), () => bytes(r, r.int(30)), () => [text(r, 3), bytes(r, 2), ''], () => [] as string[]])();
  }
  return out;
}

function message(r: Rng, base: number): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  if (r.next() < 0.9) m.key = payload(r);
  if (r.next() < 0.95) m.value = payload(r);
  if (r.next() < 0.6)
    m.timestamp = r.pick([
      () => String(base + r.int(100000) - 50000),
      () => base + r.int(100000),
      () => String(base + r.int(2 ** 40)), // deltas beyond 32 bits
      () => String(base - r.int(2 ** 36)),
      () => undefined,
      () => null,
    ])();
  if (r.next() < 0.5) m.headers = headers(r);
  else if (r.next() < 0.3) m.headers = undefined;
  return m;
}

function produceInput(r: Rng, compression?: number) {
  const base = NOW - r.int(1e9);
  const idempotent = r.next() < 0.6;
  const topicData = Array.from({ length: 1 + r.int(3) }, () => ({
    topic: r.pick(['engine.assessments.v1', 'engine.alerts.v1', 't', text(r, 1 + r.int(12))]),
    partitions: Array.from({ length: 1 + r.int(3) }, () => ({
      partition: r.int(64),
      firstSequence: idempotent ? r.pick([0, r.int(1000), 2 ** 31 - 1]) : undefined,
      messages: Array.from({ length: r.pick([0, 1, 2, r.int(10), r.int(10), 65]) }, () => message(r, base)),
    })),
  }));
  return {
    acks: r.pick([-1, 0, 1]),
    timeout: r.int(60000),
    transactionalId: r.pick([undefined, null, '', 'risk-engine-0', `tx-${text(r, 6)}`]),
    producerId: idempotent
      ? r.pick([Long.fromInt(r.int(2 ** 31 - 1)), Long.fromNumber(2 ** 40 + r.int(1e6)), Long.fromValue('42')])
      : undefined,
    producerEpoch: idempotent ? r.pick([0, 1, r.int(32767)]) : undefined,
    compression,
    topicData,
  };
}

/** Bytes of a request encoded by each, or the error each threw. */
async function encodeBoth(input: any) {
  const run = async (produce: ProduceRequest) => {
    try {
      const encoder = await produce(input).encode();
      return { bytes: Buffer.from(encoder.buffer), exact: encoder.buf.length === encoder.size() };
    } catch (e) {
      return { error: String(e) };
    }
  };
  return { patched: await run(patchedProduce), original: await run(originalProduce) };
}

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

describe("kafkajs's produce request encoder (patched: size-first, issue 19)", () => {
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
  afterEach(() => jest.restoreAllMocks());

  it('is the patched code: the patch for the installed kafkajs exists and node_modules has it applied', async () => {
    expect(fs.existsSync(PATCH)).toBe(true);
    const patch = fs.readFileSync(PATCH, 'utf8');
    expect(patch).toContain('src/protocol/requests/produce/v3/request.js');
    expect(patch).toContain('src/protocol/request.js');
    const produce = fs.readFileSync(PRODUCE_FILE, 'utf8');
    expect(produce).toContain('Dualwatch patch');
    expect(produce).toContain('issue 19');
    expect(produce).toMatch(/const encodeUncompressed = /);
    expect(produce).toMatch(/if \(compression === Types\.None\) \{\s+const encoded = encodeUncompressed\(/);
    const frame = fs.readFileSync(FRAME_FILE, 'utf8');
    expect(frame).toContain('Dualwatch patch');
    expect(frame).toContain('issue 19');

    // and behaves as the patched code: one Buffer of exactly the request's size, where kafkajs's own
    // Encoder grows by powers of two
    const input = produceInput(prng(1));
    input.compression = undefined;
    const encoded = await patchedProduce(input).encode();
    expect(encoded.buf.length).toBe(encoded.size());
    expect(isPowerOfTwo(encoded.size())).toBe(false);
    const original = await originalProduce(input).encode();
    expect(isPowerOfTwo(original.buf.length)).toBe(true);
    const frame1 = await patchedFrame({ correlationId: 7, clientId: 'c', request: patchedProduce(input) });
    expect(frame1.buf.length).toBe(frame1.size());
  });

  it('encodes 500 seeded random requests byte for byte as kafkajs 2.2.4 does, each on the fast path', async () => {
    const r = prng(19);
    let records = 0;
    for (let i = 0; i < 500; i++) {
      const input = produceInput(r);
      records += input.topicData.reduce((n, t) => n + t.partitions.reduce((m, p) => m + p.messages.length, 0), 0);
      const { patched, original } = await encodeBoth(input);
      expect(original.error).toBeUndefined();
      expect(patched.error).toBeUndefined();
      expect(patched.exact).toBe(true); // the size-first encoder, not the fallback
      expect(patched.bytes!.equals(original.bytes!)).toBe(true);
    }
    expect(records).toBeGreaterThan(20000);
  });

  it('frames requests (size, api key and version, correlation id, client id) byte for byte as kafkajs does', async () => {
    const r = prng(20);
    for (let i = 0; i < 100; i++) {
      const input = produceInput(r);
      const correlationId = r.pick([0, 1, r.int(2 ** 31 - 1)]);
      const clientId = r.pick([null, undefined, '', 'risk-engine', text(r, 1 + r.int(20))]);
      const produce = r.next() < 0.5 ? patchedProduce : patchedProduceV7;
      const patched = await patchedFrame({ correlationId, clientId, request: produce(input) });
      const original = await originalFrame({
        correlationId,
        clientId,
        request: { ...originalProduce(input), apiVersion: produce(input).apiVersion },
      });
      expect(patched.buf.length).toBe(patched.size());
      expect(Buffer.from(patched.buffer).equals(original.buffer)).toBe(true);
    }
    // a request that is not a produce request, and a client id kafkajs cannot write (the same error)
    const other = { apiKey: 18, apiVersion: 2, encode: async () => new (require('kafkajs/src/protocol/encoder'))().writeInt32(5) };
    const a = await patchedFrame({ correlationId: 3, clientId: 'x', request: other });
    const b = await originalFrame({ correlationId: 3, clientId: 'x', request: other });
    expect(Buffer.from(a.buffer).equals(b.buffer)).toBe(true);
    await expect(patchedFrame({ correlationId: 3, clientId: 5, request: other })).rejects.toThrow(
      (await originalFrame({ correlationId: 3, clientId: 5, request: other }).catch((e) => e)).message,
    );
  });

  it('gives the same bytes on the edge cases: nulls, encodings, headers, timestamps, varint boundaries, idempotence, transactions', async () => {
    const m = (o: Record<string, unknown>) => o;
    const cases: any[] = [
      { acks: 1, timeout: 1000, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [] }] }] },
      { acks: -1, timeout: 1000, topicData: [] },
      {
        acks: -1,
        timeout: 30000,
        transactionalId: 'tx',
        producerId: Long.fromInt(12345),
        producerEpoch: 7,
        topicData: [
          {
            topic: 'a',
            partitions: [
              {
                partition: 0,
                firstSequence: 2 ** 31 - 1,
                messages: [
                  m({ key: null, value: null }),
                  m({ key: undefined, value: undefined }),
                  m({}),
                  m({ key: '', value: '' }),
                  m({ key: Buffer.alloc(0), value: Buffer.alloc(0) }),
                  m({ key: 'k', value: 'v', headers: {} }),
                  m({ key: 'k', value: 'v', headers: { a: [] } }),
                  m({ key: 'k', value: 'v', headers: { a: ['1', Buffer.from('2')], b: '', c: Buffer.alloc(0) } }),
                  m({ key: '\ud800\udc00\ud800', value: '日本語😀', headers: { ü: 'ä' } }),
                  m({ key: Buffer.from([0, 255]), value: 'x'.repeat(8190) }),
                ],
              },
              { partition: 1, firstSequence: 0, messages: [m({ key: 'k', value: 'v' })] },
            ],
          },
          { topic: 'b', partitions: [{ partition: 2147483647, messages: [m({ value: 'x'.repeat(2 ** 14) })] }] },
        ],
      },
      // timestamps: strings sorted as strings ('1000' < '999'), numbers, missing ones (Date.now), negative deltas
      {
        acks: 1,
        timeout: 1,
        topicData: [
          {
            topic: 't',
            partitions: [
              {
                partition: 0,
                messages: [
                  m({ value: 'a', timestamp: '999' }),
                  m({ value: 'b', timestamp: '1000' }),
                  m({ value: 'c', timestamp: 5 }),
                  m({ value: 'd' }),
                  m({ value: 'e', timestamp: String(NOW + 2 ** 45) }),
                  m({ value: 'f', timestamp: 0 }),
                ],
              },
            ],
          },
        ],
      },
      // offset deltas and record lengths across varint boundaries
      {
        acks: -1,
        timeout: 1,
        transactionalId: '',
        topicData: [
          {
            topic: 't',
            partitions: [
              {
                partition: 0,
                messages: Array.from({ length: 300 }, (_, i) =>
                  m({ key: String(i), value: 'v'.repeat(i % 140), timestamp: NOW + i * 1e6 }),
                ),
              },
            ],
          },
        ],
      },
    ];
    for (const input of cases) {
      const { patched, original } = await encodeBoth(input);
      expect(original.error).toBeUndefined();
      expect(patched.exact).toBe(true);
      expect(patched.bytes!.equals(original.bytes!)).toBe(true);
    }
  });

  it('leaves a codec, and inputs it does not handle, to kafkajs: the same bytes, or the same error', async () => {
    class Msg {
      constructor(
        public key: string,
        public value: string,
      ) {}
    }
    const inherited = Object.create({ key: 'inherited', value: 'inherited' });
    inherited.value = 'own';
    const sparse: string[] = ['a'];
    sparse[3] = 'b';
    const one = (messages: unknown[], extra: Record<string, unknown> = {}) => ({
      acks: -1,
      timeout: 1,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages }] }],
      ...extra,
    });
    const cases: any[] = [
      one([{ key: 'k', value: 'v' }], { compression: 1 }), // GZIP
      ...Array.from({ length: 20 }, (_, i) => produceInput(prng(100 + i), 1)),
      one([{ key: 'k', value: 'v' }], { compression: 2 }), // Snappy: kafkajs's error
      one([{ key: 5, value: 'v' }]),
      one([{ key: 'k', value: 5 }]),
      one([{ key: 'k', value: new Uint8Array([1, 2, 3]) }]),
      one([{ key: 'k', value: 'v', headers: { h: null } }]),
      one([{ key: 'k', value: 'v', headers: { h: undefined } }]),
      one([{ key: 'k', value: 'v', headers: { h: 5 } }]),
      one([{ key: 'k', value: 'v', headers: 'ab' }]),
      one([{ key: 'k', value: 'v', headers: null }]),
      one([{ key: 'k', value: 'v', headers: { h: sparse } }]),
      one([new Msg('k', 'v')]),
      one([inherited]),
      one([
        { value: 'v', timestamp: '1.5' },
        { value: 'w', timestamp: '2' },
      ]),
      one([{ value: 'v', timestamp: 'abc' }]),
      one([
        { value: 'v', timestamp: 10n },
        { value: 'w', timestamp: 11n },
      ]),
      one([
        { value: 'v', timestamp: 2 ** 60 },
        { value: 'w', timestamp: 1 },
      ]),
      one([null]),
      one([{ value: 'v' }], { producerId: null }),
      one([{ value: 'v' }], { producerEpoch: 70000 }),
      one([{ value: 'v' }], { transactionalId: 5 }),
      { acks: -1, timeout: 1, topicData: [{ topic: null, partitions: [] }] },
      { acks: -1, timeout: 1, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: 'x' }] }] },
    ];
    for (const input of cases) {
      const { patched, original } = await encodeBoth(input);
      if ('error' in original) expect(patched).toEqual(original);
      else expect(patched.bytes!.equals(original.bytes!)).toBe(true);
    }
  });
});
