/**
 * What KafkaChunkTransport's Nest dispatch costs per chunk, alone: the risk-engine's own OrdersConsumer
 * (@UseFilters(ChunkErrorFilter), @EventPattern('orders', exactly-once), @Payload, @Ctx) in a Nest
 * microservice on KafkaChunkTransport, with a driver that only captures the handler the transport
 * builds, and an OrderProcessor stand-in that returns a ready array of outputs. Each call is awaited, as
 * TransactionalPipeline awaits its handler per chunk; the same calls go to the stand-in directly (the
 * handler of bench/engine-direct.js), in alternating blocks. Used by `bench/run.js --only transport`.
 *
 *   node dist/bench/dispatch.js [--chunk 500] [--calls 20000] [--blocks 10]
 *   → one JSON line: { chunk, calls, blocks, nestUs, directUs, overheadUs, overheadCpuUs }
 *     (median over the blocks of µs per call; overheadCpuUs from process.cpuUsage)
 */
import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { KafkaMessage } from 'kafkajs';
import { KafkaChunkTransport, type ChunkContext, type ChunkHandler, type OutputMessage } from '@dualwatch/messaging';
import type { Logger } from '@dualwatch/observability';
import { OrderProcessor } from '../apps/risk-engine/src/order-processor';
import { OrdersConsumer } from '../apps/risk-engine/src/orders.consumer';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  const n = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number`);
  return Math.floor(n);
};
const chunk = arg('--chunk', 500);
const calls = arg('--calls', 20_000);
const blocks = arg('--blocks', 10);

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;

@Module({})
class DispatchModule {}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const messages: KafkaMessage[] = Array.from({ length: chunk }, (_, i) => ({
    key: Buffer.from(`o-${i}`),
    value: Buffer.from('{}'),
    timestamp: String(Date.now()),
    attributes: 0,
    offset: String(i),
    headers: {},
  }));
  const outputs: OutputMessage[] = messages.map((_, i) => ({ topic: 'dev.assessments.v1', key: `o-${i}`, value: '{}' }));
  const ctx: ChunkContext = { topic: 'dev.orders.v1', partition: 0, highWatermark: String(chunk) };
  const processor = { process: async (_m: KafkaMessage[], _c: ChunkContext): Promise<OutputMessage[]> => outputs };

  let viaNest: ChunkHandler | undefined;
  const module: DynamicModule = {
    module: DispatchModule,
    controllers: [OrdersConsumer],
    providers: [{ provide: OrderProcessor, useValue: processor }],
  };
  const app = await NestFactory.createMicroservice(module, {
    logger: false,
    strategy: new KafkaChunkTransport({
      logger: quiet,
      bind: (pattern) => ({ topic: `dev.${pattern}.v1`, groupId: 'g', transactionalIdPrefix: 'tx' }),
      driver: (_binding, handler) => {
        viaNest = handler;
        return { start: async () => undefined, stop: async () => undefined };
      },
    }),
  });
  await app.listen();
  const nest = viaNest!;
  const direct: ChunkHandler = (m, c) => processor.process(m, c);
  if ((await nest(messages, ctx)).length !== chunk) throw new Error('the Nest handler did not return the outputs');

  const time = async (handler: ChunkHandler, n: number) => {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await handler(messages, ctx);
    const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
    const c = process.cpuUsage(cpu0);
    return { us, cpuUs: (c.user + c.system) / n };
  };
  // warm-up (JIT) of both paths, then alternating blocks
  await time(nest, calls);
  await time(direct, calls);
  const nestUs: number[] = [];
  const directUs: number[] = [];
  const nestCpu: number[] = [];
  const directCpu: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const first = b % 2 === 0 ? nest : direct;
    const second = first === nest ? direct : nest;
    const r1 = await time(first, calls);
    const r2 = await time(second, calls);
    const [rn, rd] = first === nest ? [r1, r2] : [r2, r1];
    nestUs.push(rn.us);
    directUs.push(rd.us);
    nestCpu.push(rn.cpuUs);
    directCpu.push(rd.cpuUs);
  }
  await app.close();
  const result = {
    chunk,
    calls,
    blocks,
    nestUs: median(nestUs),
    directUs: median(directUs),
    overheadUs: median(nestUs) - median(directUs),
    overheadCpuUs: median(nestCpu) - median(directCpu),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`dispatch failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
