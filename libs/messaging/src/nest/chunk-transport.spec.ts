import 'reflect-metadata';
import { Controller, Inject, Injectable, UseFilters, type INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from '@dualwatch/observability';
import type { ChunkContext, OutputMessage } from '../transactional-pipeline';
import { ChunkErrorFilter, KafkaChunkTransport, type ChunkBinding, type ChunkHandlerExtras } from './chunk-transport';
import { InMemoryChunkBroker } from './in-memory-broker';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;

/** A collaborator the handler gets by DI: a test replaces it with a stand-in. */
const UPPER = Symbol('UPPER');
interface Upper {
  upper(s: string): string;
  failNext?: boolean;
}

@Injectable()
class RealUpper implements Upper {
  upper(s: string) {
    return s.toUpperCase();
  }
}

@Controller()
@UseFilters(ChunkErrorFilter)
class EchoConsumer {
  readonly chunks: { size: number; ctx: ChunkContext }[] = [];
  constructor(@Inject(UPPER) private readonly upper: Upper) {}

  @EventPattern('words', { delivery: 'exactly-once', maxChunkMessages: 3 } satisfies ChunkHandlerExtras)
  async process(@Payload() messages: KafkaMessage[], @Ctx() ctx: ChunkContext): Promise<OutputMessage[]> {
    if (this.upper.failNext) {
      this.upper.failNext = false;
      throw new Error('the store is away');
    }
    this.chunks.push({ size: messages.length, ctx });
    return messages.map((m) => ({ topic: 'shouts', key: m.key?.toString() ?? null, value: this.upper.upper(m.value!.toString()) }));
  }
}

async function start(controllers: unknown[], binding: Partial<ChunkBinding> = {}, upper: Upper = new RealUpper()) {
  const broker = new InMemoryChunkBroker();
  const bound: { pattern: string; extras: ChunkHandlerExtras }[] = [];
  const moduleRef = await Test.createTestingModule({
    controllers: controllers as never[],
    providers: [{ provide: UPPER, useValue: upper }],
  }).compile();
  const app: INestMicroservice = moduleRef.createNestMicroservice({
    strategy: new KafkaChunkTransport({
      logger: quiet,
      driver: broker.driver,
      bind: (pattern, extras) => {
        bound.push({ pattern, extras });
        return { topic: `dev.${pattern}.v1`, groupId: 'g', transactionalIdPrefix: 'tx', ...binding };
      },
    }),
  });
  app.useLogger(false);
  await app.listen();
  const consumer = controllers.includes(EchoConsumer) ? app.get(EchoConsumer) : undefined;
  return { app, broker, bound, consumer };
}

describe('KafkaChunkTransport', () => {
  it('binds each @EventPattern handler at listen time, from the pattern and its extras', async () => {
    const { app, broker, bound } = await start([EchoConsumer]);
    expect(bound).toEqual([{ pattern: 'words', extras: { delivery: 'exactly-once', maxChunkMessages: 3 } }]);
    expect(broker.bindings()).toEqual([
      expect.objectContaining({ topic: 'dev.words.v1', groupId: 'g', maxChunkMessages: 3, delivery: 'exactly-once' }),
    ]);
    await app.close();
  });

  it('hands a handler chunks of one partition and commits what it returns', async () => {
    const { app, broker, consumer } = await start([EchoConsumer]);
    broker.produce(
      'dev.words.v1',
      0,
      ['a', 'b', 'c', 'd', 'e'].map((v) => ({ key: `k-${v}`, value: v })),
    );
    broker.produce('dev.words.v1', 1, [{ key: 'k-z', value: 'z' }]);
    expect(await broker.drain()).toEqual({ committed: 3, failed: undefined });
    expect(consumer!.chunks.map((c) => [c.ctx.partition, c.size])).toEqual([
      [0, 3],
      [0, 2],
      [1, 1],
    ]);
    expect(broker.outputsTo('shouts').map((o) => `${o.key}=${o.value}`)).toEqual(['k-a=A', 'k-b=B', 'k-c=C', 'k-d=D', 'k-e=E', 'k-z=Z']);
    // nothing is handed over twice once committed
    expect(await broker.drain()).toEqual({ committed: 0, failed: undefined });
    await app.close();
  });

  it('takes the chunk size from the settings over the decorator', async () => {
    const { app, broker, consumer } = await start([EchoConsumer], { maxChunkMessages: 2 });
    broker.produce(
      'dev.words.v1',
      0,
      ['a', 'b', 'c'].map((v) => ({ value: v })),
    );
    await broker.drain();
    expect(consumer!.chunks.map((c) => c.size)).toEqual([2, 1]);
    await app.close();
  });

  it('aborts the chunk when the handler throws: nothing of it is committed, and it is handed over again', async () => {
    const upper: Upper = new RealUpper();
    const { app, broker, consumer } = await start([EchoConsumer], {}, upper);
    broker.produce(
      'dev.words.v1',
      0,
      ['a', 'b'].map((v) => ({ value: v })),
    );
    upper.failNext = true;
    const first = await broker.drain();
    expect(first.committed).toBe(0);
    expect(first.failed).toBeInstanceOf(Error);
    expect(first.failed!.message).toContain('the store is away');
    expect(broker.outputs).toEqual([]);
    expect(await broker.drain()).toEqual({ committed: 1, failed: undefined });
    expect(broker.outputsTo('shouts').map((o) => o.value)).toEqual(['A', 'B']);
    expect(consumer!.chunks).toHaveLength(1);
    await app.close();
  });

  it('injects the handler collaborators: a stand-in replaces the real one', async () => {
    const { app, broker } = await start([EchoConsumer], {}, { upper: (s) => `<${s}>` });
    broker.produce('dev.words.v1', 0, [{ value: 'x' }]);
    await broker.drain();
    expect(broker.outputsTo('shouts').map((o) => o.value)).toEqual(['<x>']);
    await app.close();
  });

  it('binds an at-least-once handler without transactional ids, and commits after it', async () => {
    @Controller()
    @UseFilters(ChunkErrorFilter)
    class CountConsumer {
      seen = 0;
      @EventPattern('alerts', { delivery: 'at-least-once' } satisfies ChunkHandlerExtras)
      route(@Payload() messages: KafkaMessage[]) {
        this.seen += messages.length;
        return [];
      }
    }
    const { app, broker } = await start([CountConsumer], { transactionalIdPrefix: undefined, maxWaitTimeInMs: 500 });
    expect(broker.bindings()).toEqual([{ topic: 'dev.alerts.v1', groupId: 'g', delivery: 'at-least-once', maxWaitTimeInMs: 500 }]);
    broker.produce('dev.alerts.v1', 0, [{ value: 'a' }, { value: 'b' }]);
    expect(await broker.drain()).toEqual({ committed: 1, failed: undefined });
    expect(app.get(CountConsumer).seen).toBe(2);
    await app.close();
  });

  it('runs what a handler registered with afterCommit once its chunk committed, and never for an aborted chunk', async () => {
    const done: string[] = [];
    let fail = true;
    @Controller()
    @UseFilters(ChunkErrorFilter)
    class CacheConsumer {
      @EventPattern('words', { delivery: 'exactly-once' } satisfies ChunkHandlerExtras)
      process(@Payload() messages: KafkaMessage[], @Ctx() ctx: ChunkContext): OutputMessage[] {
        const words = messages.map((m) => m.value!.toString());
        ctx.afterCommit?.(() => done.push(...words));
        if (fail) throw new Error('aborted');
        return [];
      }
    }
    const { app, broker } = await start([CacheConsumer]);
    broker.produce('dev.words.v1', 0, [{ value: 'a' }]);
    expect((await broker.drain()).failed?.message).toBe('aborted');
    expect(done).toEqual([]);
    fail = false;
    expect(await broker.drain()).toEqual({ committed: 1, failed: undefined });
    expect(done).toEqual(['a']);
    await app.close();
  });

  it('binds a replay handler: it reads the topic and may not produce', async () => {
    @Controller()
    @UseFilters(ChunkErrorFilter)
    class ViewConsumer {
      readonly view: string[] = [];
      leak = false;
      @EventPattern('alerts', { delivery: 'replay' } satisfies ChunkHandlerExtras)
      apply(@Payload() messages: KafkaMessage[]) {
        this.view.push(...messages.map((m) => m.value!.toString()));
        return this.leak ? [{ topic: 'elsewhere', key: null, value: 'x' }] : [];
      }
    }
    const { app, broker } = await start([ViewConsumer], { transactionalIdPrefix: undefined });
    expect(broker.bindings()).toEqual([{ topic: 'dev.alerts.v1', groupId: 'g', delivery: 'replay' }]);
    broker.produce('dev.alerts.v1', 0, [{ value: 'a' }, { value: 'b' }]);
    expect(await broker.drain()).toEqual({ committed: 1, failed: undefined });
    expect(app.get(ViewConsumer).view).toEqual(['a', 'b']);
    app.get(ViewConsumer).leak = true;
    broker.produce('dev.alerts.v1', 0, [{ value: 'c' }]);
    const { failed } = await broker.drain();
    expect(failed?.message).toMatch(/a replay handler produces nothing/);
    expect(broker.outputs).toEqual([]);
    await app.close();
  });

  it('refuses a @MessagePattern handler and a handler that does not say its delivery, naming the pattern', async () => {
    @Controller()
    class AskConsumer {
      @MessagePattern('questions')
      answer() {
        return 42;
      }
    }
    @Controller()
    class VagueConsumer {
      @EventPattern('words')
      process() {
        return [];
      }
    }
    await expect(start([AskConsumer])).rejects.toThrow(/"questions": chunk handlers are event handlers/);
    await expect(start([VagueConsumer])).rejects.toThrow(/"words": @EventPattern extras must say the delivery/);
    await expect(start([EchoConsumer], { transactionalIdPrefix: undefined })).rejects.toThrow(
      /"words": an exactly-once binding needs a transactionalIdPrefix/,
    );
  });
});
