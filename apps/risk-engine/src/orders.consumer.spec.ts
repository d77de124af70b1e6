import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Alert, Assessment, OrderEvent } from '@dualwatch/contracts';
import { InMemoryChunkBroker, KafkaChunkTransport } from '@dualwatch/messaging';
import type { Logger } from '@dualwatch/observability';
import { loadBundledRefData, type ScreeningView } from '@dualwatch/refdata';
import { assess, createLocalView, loadBundledPolicy } from '@dualwatch/scoring';
import type { ChunkReference } from './order-processor';
import { OrdersConsumer } from './orders.consumer';
import { CACHE_REDIS, engineProviders, ORDER_BOOK, REFERENCE } from './providers';
import { loadEngineSettings } from './settings';
import { MemoryBook } from './testing';

/*
 * The engine's hot path (OrdersConsumer → OrderProcessor → assessments, alerts, dead letters) in a Nest
 * TestingModule, wired by the app's own providers, with the transport's in-memory broker and two
 * stand-ins: reference data from the bundled snapshot, and an open-order book in a Map. No broker, no
 * Redis: the integration and reliability suites prove the same path on both.
 */

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
const EXAMPLES = path.join(__dirname, '../../../libs/contracts/schemas/examples');
const example = (name: string) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, name), 'utf8')) as OrderEvent;

describe('OrdersConsumer in a TestingModule (no broker, no Redis)', () => {
  const settings = loadEngineSettings({ DW_TOPIC_PREFIX: 'unit.' });
  const policy = loadBundledPolicy();
  const view = createLocalView(loadBundledRefData(), policy);
  const reference: ChunkReference = { viewFor: async () => view as unknown as ScreeningView };
  let app: INestMicroservice;
  let broker: InMemoryChunkBroker;
  let book: MemoryBook;

  beforeEach(async () => {
    broker = new InMemoryChunkBroker();
    book = new MemoryBook();
    const moduleRef = await Test.createTestingModule({ controllers: [OrdersConsumer], providers: engineProviders(settings, quiet) })
      .overrideProvider(CACHE_REDIS)
      .useValue({})
      .overrideProvider(REFERENCE)
      .useValue(reference)
      .overrideProvider(ORDER_BOOK)
      .useValue(book)
      .compile();
    app = moduleRef.createNestMicroservice({
      strategy: new KafkaChunkTransport({
        logger: quiet,
        driver: broker.driver,
        bind: () => ({ topic: 'unit.orders.v1', groupId: 'g', transactionalIdPrefix: 'tx', maxChunkMessages: 2 }),
      }),
    });
    app.useLogger(false);
    await app.listen();
  });
  afterEach(() => app.close());

  it('answers every order with one assessment (as the CLI scores it), dead-letters what is not an order, and alerts', async () => {
    const events = ['prohibited-dysprosium-to-atla.json', 'license-required-magnets-via-korea.json', 'clear-copper-to-osaka.json'].map(
      example,
    );
    broker.produce('unit.orders.v1', 0, [
      ...events.map((e) => ({ key: e.order.orderId, value: JSON.stringify(e) })),
      { key: 'bad', value: '{"not": "an order"' },
    ]);
    expect(await broker.drain()).toEqual({ committed: 2, failed: undefined });

    const assessments = broker.outputsTo('unit.risk.assessments.v1').map((o) => JSON.parse(String(o.value)) as Assessment);
    expect(assessments.map((a) => a.eventId)).toEqual(events.map((e) => e.eventId));
    for (const [i, a] of assessments.entries()) {
      const { assessedAt, ...rest } = a;
      expect(typeof assessedAt).toBe('string');
      expect(rest).toEqual(assess(events[i], view, policy)); // field for field what `dualwatch score` gives
    }
    expect(assessments.map((a) => a.verdict)).toEqual(['prohibited', 'license_required', 'clear']);
    const dlq = broker.outputsTo('unit.orders.dlq.v1');
    expect(dlq).toHaveLength(1);
    expect(dlq[0].key).toEqual(Buffer.from('bad')); // the key's bytes as they came
    const alerts = broker.outputsTo('unit.risk.alerts.v1').map((o) => JSON.parse(String(o.value)) as Alert);
    expect(alerts.map((a) => [a.orderId, a.kind])).toEqual([
      [events[0].order.orderId, 'raised'],
      [events[1].order.orderId, 'raised'],
    ]);
    expect([...book.entries.keys()].sort()).toEqual(events.map((e) => e.order.orderId).sort());
    // every book change is in the changelog, committed with the chunk, as the cache holds it
    const changelog = broker.outputsTo('unit.engine.book.v1');
    expect(changelog.map((o) => String(o.key)).sort()).toEqual([...book.entries.keys()].sort());
    for (const o of changelog) expect(String(o.value)).toBe(book.entries.get(String(o.key)));
  });

  it('fails the chunk when the book cannot be read, and does it once the book is back: never decided without its state', async () => {
    const placed = example('prohibited-dysprosium-to-atla.json');
    const getMany = book.getMany.bind(book);
    book.getMany = async () => {
      throw new Error('Command timed out');
    };
    broker.produce('unit.orders.v1', 0, [{ key: placed.order.orderId, value: JSON.stringify(placed) }]);
    expect((await broker.drain()).failed?.message).toMatch(/Command timed out/);
    expect(broker.outputs).toEqual([]);
    book.getMany = getMany;
    expect(await broker.drain()).toEqual({ committed: 1, failed: undefined });
    expect(broker.outputsTo('unit.risk.alerts.v1').map((o) => (JSON.parse(String(o.value)) as Alert).kind)).toEqual(['raised']);
  });

  it('withdraws the alert of an order cancelled later, from the book it kept', async () => {
    const placed = example('prohibited-dysprosium-to-atla.json');
    broker.produce('unit.orders.v1', 0, [{ key: placed.order.orderId, value: JSON.stringify(placed) }]);
    await broker.drain();
    const cancelled: OrderEvent = { ...placed, eventId: `${placed.eventId}-cancel`, eventType: 'order.cancelled' };
    broker.produce('unit.orders.v1', 0, [{ key: placed.order.orderId, value: JSON.stringify(cancelled) }]);
    await broker.drain();
    const alerts = broker.outputsTo('unit.risk.alerts.v1').map((o) => JSON.parse(String(o.value)) as Alert);
    expect(alerts.map((a) => a.kind)).toEqual(['raised', 'withdrawn']);
  });
});
