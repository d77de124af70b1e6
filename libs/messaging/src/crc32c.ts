/**
 * CRC-32C (Castagnoli), slicing-by-8: the checksum of every Kafka record batch the engine produces.
 *
 * kafkajs computes it in JavaScript one byte at a time; in the engine's CPU profile that was 6% of all
 * its work (docs/benchmarks.md). This computes the same function eight bytes per step.
 * `useFastCrc32cInKafkajs()` makes kafkajs use it: it must run before kafkajs is first loaded, which
 * importing @dualwatch/messaging does (its index imports this module first).
 */
import { Module } from 'node:module';
import * as path from 'node:path';

const POLY = 0x82f63b78; // reflected Castagnoli polynomial

const TABLES: Int32Array[] = (() => {
  const t = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[0][n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[0][n];
    for (let k = 1; k < 8; k++) {
      c = t[0][c & 0xff] ^ (c >>> 8);
      t[k][n] = c;
    }
  }
  return t;
})();

/** CRC-32C of the bytes, as an unsigned 32-bit number. */
export function crc32c(buf: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let crc = -1;
  let i = 0;
  const end8 = buf.length - (buf.length % 8);
  for (; i < end8; i += 8) {
    const a = crc ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
    crc =
      t7[a & 0xff] ^
      t6[(a >>> 8) & 0xff] ^
      t5[(a >>> 16) & 0xff] ^
      t4[a >>> 24] ^
      t3[buf[i + 4]] ^
      t2[buf[i + 5]] ^
      t1[buf[i + 6]] ^
      t0[buf[i + 7]];
  }
  for (; i < buf.length; i++) crc = t0[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** kafkajs's own module that computes the record-batch checksum (kafkajs 2.x, pinned by the lockfile). */
export const KAFKAJS_CRC32C_MODULE = path.join(
  path.dirname(require.resolve('kafkajs/package.json')),
  'src/protocol/recordBatch/crc32C/crc32C.js',
);

/**
 * Puts crc32c() in kafkajs's place for its record-batch checksum, by entering it in the module cache
 * under kafkajs's module path before kafkajs requires it. Returns false (and changes nothing) when
 * kafkajs has loaded that module already, in which case kafkajs keeps its own, equally correct one.
 */
export function useFastCrc32cInKafkajs(): boolean {
  const existing = require.cache[KAFKAJS_CRC32C_MODULE];
  if (existing) return existing.exports === crc32c;
  const m = new Module(KAFKAJS_CRC32C_MODULE, module);
  m.filename = KAFKAJS_CRC32C_MODULE;
  m.loaded = true;
  m.exports = crc32c;
  require.cache[KAFKAJS_CRC32C_MODULE] = m;
  return true;
}

useFastCrc32cInKafkajs();
