import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { crc32c } from './crc32c';

// kafkajs's own byte-at-a-time implementation: the reference
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (b: Buffer) => number;

describe('crc32c (slicing-by-8)', () => {
  it('gives the standard check value and agrees with kafkajs on every length and alignment', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    const big = Buffer.from(Array.from({ length: 5000 }, rnd));
    for (let len = 0; len < 70; len++)
      for (const off of [0, 1, 3, 7]) expect(crc32c(big.subarray(off, off + len))).toBe(kafkajsCrc32c(big.subarray(off, off + len)));
    expect(crc32c(big)).toBe(kafkajsCrc32c(big));
  });

  it('is what kafkajs uses once @dualwatch/messaging is loaded first (plain node, the built code)', () => {
    const dist = path.resolve(__dirname, '../../../dist/libs/messaging/src/index.js');
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const m = require(${JSON.stringify(dist)});
         const { Kafka } = require('kafkajs');
         const cached = require.cache[m.KAFKAJS_CRC32C_MODULE];
         const wrapped = require('kafkajs/src/protocol/recordBatch/crc32C');
         process.stdout.write(JSON.stringify({ ours: cached.exports === m.crc32c, check: wrapped(Buffer.from('123456789')), kafka: typeof Kafka }));`,
      ],
      { cwd: path.resolve(__dirname, '../../..') },
    ).toString();
    expect(JSON.parse(out)).toEqual({ ours: true, check: 0xe3069283, kafka: 'function' });
  });
});
