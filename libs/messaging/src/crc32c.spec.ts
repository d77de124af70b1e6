import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * kafkajs's record-batch checksum (CRC-32C) is the slicing-by-8 one of patches/kafkajs+<version>.patch,
 * applied to node_modules by patch-package at `npm ci` / `npm install` (package.json's postinstall).
 */
const ROOT = path.resolve(__dirname, '../../..');
const KAFKAJS_VERSION: string = require('kafkajs/package.json').version;
const PATCH = path.join(ROOT, 'patches', `kafkajs+${KAFKAJS_VERSION}.patch`);
const CRC32C_FILE = require.resolve('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js');
// what kafkajs's record batches call (recordBatch/v0 requires this directory), and the function behind it
const kafkajsChecksum = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;
const kafkajsCrc32c = require(CRC32C_FILE) as (b: Buffer) => number;

/** Reference: CRC-32C one bit at a time (reflected Castagnoli polynomial), no tables. */
function bitwiseCrc32c(buf: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe("kafkajs's record-batch CRC-32C (patched: slicing-by-8)", () => {
  it('is the patched file: the patch for the installed kafkajs exists and node_modules has it applied', () => {
    expect(fs.existsSync(PATCH)).toBe(true);
    expect(fs.readFileSync(PATCH, 'utf8')).toContain('src/protocol/recordBatch/crc32C/crc32C.js');
    const source = fs.readFileSync(CRC32C_FILE, 'utf8');
    expect(source).toContain('Dualwatch patch');
    expect(source).toContain('slicing-by-8');
    expect(source).toMatch(/const \[T0, T1, T2, T3, T4, T5, T6, T7\] = TABLES/);
    expect(source).toMatch(/for \(; i < end8; i \+= 8\)/);
  });

  it('gives the standard check values (RFC 3720 B.4, "123456789")', () => {
    const vectors: [Buffer, number][] = [
      [Buffer.from('123456789'), 0xe3069283],
      [Buffer.alloc(0), 0],
      [Buffer.alloc(32, 0x00), 0x8a9136aa],
      [Buffer.alloc(32, 0xff), 0x62a8ab43],
      [Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
      [Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
    ];
    for (const [bytes, want] of vectors) {
      expect(bitwiseCrc32c(bytes)).toBe(want);
      expect(kafkajsCrc32c(bytes)).toBe(want);
      expect(kafkajsChecksum(bytes)).toBe(want);
    }
  });

  it('agrees with the bitwise reference on every length and alignment', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    const big = Buffer.from(Array.from({ length: 5000 }, rnd));
    for (let len = 0; len < 70; len++)
      for (const off of [0, 1, 3, 7]) {
        const b = big.subarray(off, off + len);
        expect(kafkajsCrc32c(b)).toBe(bitwiseCrc32c(b));
      }
    expect(kafkajsChecksum(big)).toBe(bitwiseCrc32c(big));
  });
});
