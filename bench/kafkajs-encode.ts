/**
 * kafkajs's produce request encoding alone (issue 19): `node dist/bench/kafkajs-encode.js [--records N]
 * [--bytes B] [--rounds R]` (after `npm run build`). Encodes and frames one produce request (v7, as the
 * engine's producers send them: transactional, idempotent) of N records of about B bytes (a 12-byte
 * string key, a JSON string value, or the same value as a Buffer) with three encoders loaded in this
 * one process, in turn, R rounds: kafkajs 2.2.4 as published (libs/messaging/src/testing/kafkajs-original),
 * the same with this repository's slicing-by-8 CRC-32C (the state before issue 19), and the installed,
 * patched kafkajs (patches/kafkajs+2.2.4.patch: size-first, one Buffer, each record written once).
 * Prints µs per record (median and best round, wall clock; one thread).
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

type ProduceRequest = (args: any) => { apiKey: number; apiVersion: number; encode: () => Promise<any> };
type CreateRequest = (args: { correlationId: number; clientId: string; request: any }) => Promise<any>;
interface Variant {
  name: string;
  produce: ProduceRequest;
  frame: CreateRequest;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return Math.floor(v);
}

// the repository's root from bench/ (ts) or dist/bench/ (built)
const ROOT = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');
const ORIGINAL = path.join(ROOT, 'libs/messaging/src/testing/kafkajs-original/src/protocol');

function loadOriginal(name: string, crc?: (b: Buffer) => number): Variant {
  for (const key of Object.keys(require.cache)) if (key.startsWith(ORIGINAL)) delete require.cache[key];
  if (crc) {
    const crcIndex = require.resolve(path.join(ORIGINAL, 'recordBatch/crc32C/index.js'));
    require(crcIndex);
    require.cache[crcIndex]!.exports = crc;
  }
  const produce = require(path.join(ORIGINAL, 'requests/produce/v3/request.js')) as ProduceRequest;
  const frame = require(path.join(ORIGINAL, 'request.js')) as CreateRequest;
  return { name, produce, frame };
}

function input(records: number, bytes: number, asBuffer: boolean) {
  const Long = require('kafkajs/src/utils/long');
  const messages = Array.from({ length: records }, (_, i) => {
    const key = `ord-${String(i).padStart(8, '0')}`;
    const head = JSON.stringify({ orderId: key, verdict: 'REVIEW', score: i % 100, parties: '' });
    const value = head.slice(0, -2) + 'x'.repeat(Math.max(0, bytes - head.length)) + '"}';
    return { key, value: asBuffer ? Buffer.from(value) : value, headers: undefined };
  });
  return {
    acks: -1,
    timeout: 30000,
    transactionalId: 'dualwatch-risk-engine-orders.v1-3',
    producerId: Long.fromInt(4242),
    producerEpoch: 3,
    topicData: [{ topic: 'engine.assessments.v1', partitions: [{ partition: 3, firstSequence: 1000, messages }] }],
  };
}

async function round(v: Variant, request: any, records: number, reps: number): Promise<number> {
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    const produce = Object.assign(v.produce(request), { apiVersion: 7 });
    await v.frame({ correlationId: r, clientId: 'dualwatch-risk-engine', request: produce });
  }
  return ((performance.now() - t0) * 1000) / reps / records;
}

async function main(): Promise<void> {
  const records = arg('records', 500);
  const bytes = arg('bytes', 1800);
  const rounds = arg('rounds', 9);
  const patchedCrc = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;
  const variants: Variant[] = [
    loadOriginal('kafkajs 2.2.4 as published'),
    loadOriginal('kafkajs 2.2.4 + slicing-by-8 CRC (before issue 19)', patchedCrc),
    {
      name: 'patched (size-first, issue 19)',
      produce: require('kafkajs/src/protocol/requests/produce/v3/request.js'),
      frame: require('kafkajs/src/protocol/request.js'),
    },
  ];
  console.log(`${records} records of ~${bytes} B per request, ${rounds} rounds, Node ${process.version}`);
  for (const asBuffer of [false, true]) {
    const request = input(records, bytes, asBuffer);
    const reps = Math.max(1, Math.round(10000 / records));
    const times = variants.map(() => [] as number[]);
    for (let r = 0; r < rounds + 1; r++)
      for (let i = 0; i < variants.length; i++) {
        const us = await round(variants[i], request, records, reps);
        if (r > 0) times[i].push(us); // the first round warms up
      }
    console.log(`values as ${asBuffer ? 'Buffers' : 'strings'}: µs per record (median, best)`);
    variants.forEach((v, i) => {
      const sorted = times[i].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      console.log(`  ${v.name.padEnd(52)} ${median.toFixed(2).padStart(6)} ${sorted[0].toFixed(2).padStart(6)}`);
    });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
