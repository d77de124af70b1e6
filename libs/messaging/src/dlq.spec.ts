import { createHash } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { TOPICS } from '@dualwatch/contracts';
import { deadLetter, DLQ_MAX_VALUE_BYTES, DLQ_SAMPLE_BYTES, printable, readDeadLetter } from './dlq';
import { outputBytes, SEND_BUDGET_BYTES, splitByBytes, type OutputMessage } from './transactional-pipeline';

const message = (value: Buffer | null, key = 'k-1'): KafkaMessage =>
  ({ key: Buffer.from(key), value, offset: '42', timestamp: '1767225600000', attributes: 0, headers: {} }) as KafkaMessage;
const from = { topic: 'orders.v1', partition: 3 };
const asRead = (o: OutputMessage): KafkaMessage =>
  ({
    key: o.key === null ? null : Buffer.isBuffer(o.key) ? o.key : Buffer.from(o.key),
    value: o.value as Buffer | null,
    headers: Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
    offset: '0',
    timestamp: '0',
    attributes: 0,
  }) as KafkaMessage;

describe('deadLetter', () => {
  it('keeps the original bytes whole, with the reason and the source in headers', () => {
    const value = Buffer.alloc(10 * 1024 * 1024, 'x'); // a 10 MiB message fits the DLQ topic whole
    const l = readDeadLetter(asRead(deadLetter('orders.dlq.v1', message(value), from, 'TOO_LARGE', 'too big')));
    expect(l.value!.equals(value)).toBe(true);
    expect(l.truncated).toBeUndefined();
    expect(l).toMatchObject({
      code: 'TOO_LARGE',
      error: 'too big',
      source: { topic: 'orders.v1', partition: 3, offset: '42', key: 'k-1' },
    });
  });

  it('cuts a value the DLQ topic could not take with the headers, and says so with its size and digest', () => {
    // the broker takes up to max.message.bytes into orders.v1; the same bytes plus headers would not fit the DLQ
    const limit = Number(TOPICS.ordersDlq.config['max.message.bytes']);
    expect(DLQ_MAX_VALUE_BYTES).toBeLessThan(limit - 2000 - 1024);
    const value = Buffer.alloc(limit - 100, 'L');
    const out = deadLetter('orders.dlq.v1', message(value), from, 'TOO_LARGE', 'e'.repeat(5000));
    expect(outputBytes(out)).toBeLessThan(limit - 32 * 1024);
    const l = readDeadLetter(asRead(out));
    expect(l.value!.length).toBe(DLQ_SAMPLE_BYTES);
    expect(l.value!.equals(value.subarray(0, DLQ_SAMPLE_BYTES))).toBe(true);
    expect(l.truncated).toEqual({ bytes: value.length, sha256: createHash('sha256').update(value).digest('hex') });
    expect(l.error).toHaveLength(2000);
  });

  it("keeps the key's bytes exactly, also when they are not UTF-8", () => {
    const key = Buffer.from([0x93, 0xfa, 0x96, 0x7b, 0x00, 0xff]); // Shift-JIS 日本, a NUL, a stray byte
    const msg = { ...message(Buffer.from('{}')), key } as KafkaMessage;
    const out = deadLetter('orders.dlq.v1', msg, from, 'INVALID_ENCODING', 'not UTF-8');
    expect(Buffer.isBuffer(out.key) && out.key.equals(key)).toBe(true);
    expect(readDeadLetter(asRead(out)).keyBytes!.equals(key)).toBe(true);
  });

  it('writes error headers printable and bounded: control characters, lone surrogates and U+FFFD escaped', () => {
    const error = `not JSON: Unexpected token \u0000 in "ab\u0000\u001b[31m\ud800\ufffd\u0085" 日本 😀`;
    const out = deadLetter('orders.dlq.v1', message(Buffer.from('x')), from, 'INVALID_JSON', error);
    const header = out.headers!['dw-error'];
    expect(header).toBe('not JSON: Unexpected token \\u0000 in "ab\\u0000\\u001b[31m\\ud800\\ufffd\\u0085" 日本 😀');
    expect(header).not.toMatch(/[\u0000-\u001f\u007f-\u009f\ufffd]/);
    const long = deadLetter('d', message(null), from, 'X', '\u0000'.repeat(5000)).headers!['dw-error'];
    expect(long.length).toBeLessThanOrEqual(2000);
    expect(long.endsWith('…')).toBe(true);
    expect(printable('a😀b', 3)).toBe('a…'); // never half a surrogate pair
  });

  it('keeps a null value (a tombstone) as null', () => {
    expect(deadLetter('d', message(null), from, 'INVALID_JSON', 'empty').value).toBeNull();
  });
});

describe('splitByBytes', () => {
  const out = (bytes: number, topic = 't'): OutputMessage => ({ topic, key: null, value: Buffer.alloc(bytes) });

  it('keeps small outputs in one request', () => {
    const outputs = Array.from({ length: 500 }, () => out(1500));
    expect(splitByBytes(outputs, SEND_BUDGET_BYTES)).toEqual([outputs]);
  });

  it('cuts large outputs into requests under the budget, a message over the budget alone, in order', () => {
    const outputs = [out(600_000), out(600_000), out(3_000_000), out(100), out(100), out(12_000_000), out(10)];
    const groups = splitByBytes(outputs, SEND_BUDGET_BYTES);
    expect(groups.map((g) => g.map((o) => (o.value as Buffer).length))).toEqual([
      [600_000],
      [600_000],
      [3_000_000],
      [100, 100],
      [12_000_000],
      [10],
    ]);
    expect(groups.flat()).toEqual(outputs);
    for (const g of groups) if (g.length > 1) expect(g.reduce((s, o) => s + outputBytes(o), 0)).toBeLessThanOrEqual(SEND_BUDGET_BYTES);
  });

  it('gives nothing for no outputs', () => {
    expect(splitByBytes([], SEND_BUDGET_BYTES)).toEqual([]);
  });
});
