import 'reflect-metadata';
import type { INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Alert, OrderEvent } from '@dualwatch/contracts';
import { InMemoryChunkBroker, KafkaChunkTransport } from '@dualwatch/messaging';
import type { Logger } from '@dualwatch/observability';
import { loadBundledRefData, ReferenceService, type RefData } from '@dualwatch/refdata';
import { assess, createLocalView, loadBundledPolicy } from '@dualwatch/scoring';
import { NEW_ENTITY, replayOrder, withWatchListEntry } from '@dualwatch/scoring/replay/testing-refdata';
import { DurableOrderBook, serializeBookEntry } from '@dualwatch/alerting';
import { CACHE_REDIS, engineProviders } from './providers';
import { RescreenConsumer } from './rescreen.consumer';
import { RescreenService } from './rescreen.service';
import { loadEngineSettings } from './settings';
import { MemoryBook } from './testing';

/*
 * Re-screening (RescreenConsumer → RescreenService) in a Nest TestingModule with the transport's
 * in-memory broker, a book in a Map and reference data that switches version like ReferenceService:
 * a change fans out into one task per open order, the tasks are done a bounded chunk per transaction,
 * and a chunk whose book write fails is aborted and done again without doubling an alert.
 */

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
const policy = loadBundledPolicy();

/** An open order as the orders path leaves it in the book, scored under `refdata`. */
function place(book: MemoryBook, e: OrderEvent, refdata: RefData): void {
  const a = assess(e, createLocalView(refdata, policy), policy);
  const state = {
    event: e,
    verdict: a.verdict,
    severity: a.severity,
    score: a.score,
    reasonCodes: a.reasons.map((r) => r.code),
    alertId: null,
    alertOpen: false,
    policyVersion: a.policyVersion,
    refdataVersion: a.refdataVersion,
  };
  book.entries.set(e.order.orderId, serializeBookEntry({ state, prior: null, lastOffset: '0', source: 'orders' }).toString());
}

/** ReferenceService's surface: the current version and a view over it. */
class SwitchingReference {
  constructor(public refdata: RefData) {}
  async refresh() {
    return false;
  }
  async viewFor() {
    return createLocalView(this.refdata, policy);
  }
}

describe('RescreenConsumer in a TestingModule (no broker, no Redis)', () => {
  const settings = loadEngineSettings({ DW_TOPIC_PREFIX: 'unit.', ENGINE_MAX_CHUNK_MESSAGES: '2' });
  const before = loadBundledRefData();
  const after = withWatchListEntry({ names: { en: NEW_ENTITY } });
  let app: INestMicroservice;
  let broker: InMemoryChunkBroker;
  let book: MemoryBook;
  let reference: SwitchingReference;

  beforeEach(async () => {
    broker = new InMemoryChunkBroker();
    book = new MemoryBook();
    reference = new SwitchingReference(before);
    const moduleRef = await Test.createTestingModule({
      controllers: [RescreenConsumer],
      providers: [...engineProviders(settings, quiet), RescreenService],
    })
      .overrideProvider(CACHE_REDIS)
      .useValue({})
      .overrideProvider(ReferenceService)
      .useValue(reference)
      .overrideProvider(DurableOrderBook)
      .useValue(book)
      .compile();
    const topics: Record<string, string> = { refdataChanges: 'unit.refdata.changes.v1', rescreen: 'unit.engine.rescreen.v1' };
    app = moduleRef.createNestMicroservice({
      strategy: new KafkaChunkTransport({
        logger: quiet,
        driver: broker.driver,
        bind: (pattern, extras) => ({
          topic: topics[pattern],
          groupId: `g-${pattern}`,
          transactionalIdPrefix: 'tx',
          maxChunkMessages: pattern === 'rescreen' ? settings.maxChunkMessages : extras.maxChunkMessages,
        }),
      }),
    });
    app.useLogger(false);
    await app.listen();
  });
  afterEach(() => app.close());

  /** The tasks the fan-out committed, moved to the task topic's partition 0 (as the broker would route them). */
  function deliverTasks() {
    const tasks = broker.outputsTo('unit.engine.rescreen.v1');
    broker.produce(
      'unit.engine.rescreen.v1',
      0,
      tasks.map((t) => ({ key: t.key, value: t.value })),
    );
    broker.outputs.length = 0;
    return tasks;
  }

  it('fans a change out into one task per open order, then alerts the newly exposed ones a bounded chunk at a time', async () => {
    const orders = [
      replayOrder('PO-1', NEW_ENTITY),
      replayOrder('PO-2', 'Osaka Motors K.K.'),
      replayOrder('PO-3', NEW_ENTITY),
      replayOrder('PO-4', 'Kobe Ceramics K.K.'),
      replayOrder('PO-5', NEW_ENTITY),
    ];
    for (const o of orders) place(book, o, before);
    reference.refdata = after; // the loader switched the version, then announced it
    broker.produce('unit.refdata.changes.v1', 0, [{ value: JSON.stringify({ version: after.version }) }]);
    expect(await broker.drain()).toEqual({ committed: 1, failed: undefined });
    const tasks = deliverTasks();
    expect(tasks.map((t) => t.key).sort()).toEqual(['PO-1', 'PO-2', 'PO-3', 'PO-4', 'PO-5']);
    expect(JSON.parse(String(tasks[0].value))).toEqual({ version: after.version, change: '0' });

    expect(await broker.drain()).toEqual({ committed: 3, failed: undefined }); // 5 tasks, 2 per transaction
    const alerts = broker.outputsTo('unit.risk.alerts.v1').map((o) => JSON.parse(String(o.value)) as Alert);
    expect(alerts.map((a) => [a.orderId, a.kind]).sort()).toEqual([
      ['PO-1', 'raised'],
      ['PO-3', 'raised'],
      ['PO-5', 'raised'],
    ]);
    expect(alerts.every((a) => a.assessment.refdataVersion === after.version)).toBe(true);
  });

  it('aborts a chunk whose book write fails and does it again: every alert once', async () => {
    const orders = ['PO-A', 'PO-B', 'PO-C'].map((id) => replayOrder(id, NEW_ENTITY));
    for (const o of orders) place(book, o, before);
    reference.refdata = after;
    broker.produce('unit.refdata.changes.v1', 0, [{ value: JSON.stringify({ version: after.version }) }]);
    await broker.drain();
    deliverTasks();
    book.failNextWrite = true;
    const first = await broker.drain();
    expect(first.failed?.message).toMatch(/Command timed out/);
    expect(broker.outputsTo('unit.risk.alerts.v1')).toEqual([]); // the aborted chunk left nothing
    expect(await broker.drain()).toMatchObject({ failed: undefined });
    const kinds = broker.outputsTo('unit.risk.alerts.v1').map((o) => (JSON.parse(String(o.value)) as Alert).orderId);
    expect(kinds.sort()).toEqual(['PO-A', 'PO-B', 'PO-C']);
  });

  it('does nothing for a change that a later one superseded, and skips tasks of a superseded version', async () => {
    place(book, replayOrder('PO-X', NEW_ENTITY), before);
    reference.refdata = after;
    broker.produce('unit.refdata.changes.v1', 0, [{ value: JSON.stringify({ version: 'an-older-version' }) }]);
    await broker.drain();
    expect(broker.outputs).toEqual([]);
    broker.produce('unit.engine.rescreen.v1', 0, [{ key: 'PO-X', value: JSON.stringify({ version: 'an-older-version', change: '0' }) }]);
    expect(await broker.drain()).toEqual({ committed: 1, failed: undefined });
    expect(broker.outputs).toEqual([]);
  });
});
