import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { OrderEvent } from '@dualwatch/contracts';
import { InMemoryChunkBroker, KafkaChunkTransport } from '@dualwatch/messaging';
import type { Logger } from '@dualwatch/observability';
import { loadBundledRefData } from '@dualwatch/refdata';
import { assess, createLocalView, loadBundledPolicy } from '@dualwatch/scoring';
import { buildAlert } from '@dualwatch/alerting';
import { ApiRuntime } from '../runtime';
import { loadApiSettings } from '../settings';
import { API_SETTINGS, CACHE_REDIS, KAFKA, LOGGER, STATE_REDIS } from '../tokens';
import { AlertFeed, AlertFeedConsumer } from './alert-feed.service';
import { AlertStore } from './alert-store';
import { transition } from './lifecycle';

/*
 * The api's alert store filled through KafkaChunkTransport's replay delivery (AlertFeedConsumer →
 * AlertFeed → AlertStore) in a Nest TestingModule with the transport's in-memory broker: no broker, no
 * Redis. The integration suite proves the same on the real broker (api.int-spec.ts).
 */

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
const EXAMPLES = path.join(__dirname, '../../../../libs/contracts/schemas/examples');
const example = (name: string) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, name), 'utf8')) as OrderEvent;

/** Just enough of kafkajs for the api's start: a producer, and an admin that says both topics are empty. */
const kafkaStandIn = {
  producer: () => ({ connect: async () => undefined, disconnect: async () => undefined }),
  admin: () => ({ connect: async () => undefined, disconnect: async () => undefined, fetchTopicOffsets: async () => [] }),
};
const redisStandIn = { connect: async () => undefined, quit: async () => 'OK', disconnect: () => undefined };

describe('AlertFeedConsumer in a TestingModule (no broker, no Redis)', () => {
  const settings = loadApiSettings({ DW_TOPIC_PREFIX: 'unit.', API_PROVISION_TOPICS: 'false' });
  const policy = loadBundledPolicy();
  const view = createLocalView(loadBundledRefData(), policy);
  let app: INestMicroservice;
  let broker: InMemoryChunkBroker;

  beforeEach(async () => {
    broker = new InMemoryChunkBroker();
    const moduleRef = await Test.createTestingModule({
      controllers: [AlertFeedConsumer],
      providers: [
        { provide: API_SETTINGS, useValue: settings },
        { provide: LOGGER, useValue: quiet },
        { provide: KAFKA, useValue: kafkaStandIn },
        { provide: STATE_REDIS, useValue: redisStandIn },
        { provide: CACHE_REDIS, useValue: redisStandIn },
        ApiRuntime,
        { provide: AlertStore, useFactory: () => new AlertStore() },
        AlertFeed,
      ],
    }).compile();
    const feed = moduleRef.get(AlertFeed);
    app = moduleRef.createNestMicroservice({
      strategy: new KafkaChunkTransport({ logger: quiet, driver: broker.driver, bind: (pattern, extras) => feed.bind(pattern, extras) }),
    });
    app.useLogger(false);
    await app.listen();
  });
  afterEach(() => app.close());

  it('binds both alert topics as replay readers in a group of the instance, and fills the store from them', async () => {
    expect(broker.bindings().map((b) => [b.topic, b.delivery])).toEqual([
      ['unit.risk.alerts.v1', 'replay'],
      ['unit.alerts.lifecycle.v1', 'replay'],
    ]);
    const feed = app.get(AlertFeed);
    await feed.waitCaughtUp(); // both topics were empty at start
    expect(feed.ready).toBe(true);

    const event = example('prohibited-dysprosium-to-atla.json');
    const alert = buildAlert('raised', assess(event, view, policy), event, null, '2026-12-07T00:00:00Z');
    broker.produce('unit.risk.alerts.v1', 0, [{ key: event.order.orderId, value: JSON.stringify(alert) }, { value: 'not json' }]);
    const record = transition(undefined, alert.alertId, 'acknowledge', 'analyst@example.com', '2026-12-07T01:00:00Z', 'looking');
    broker.produce('unit.alerts.lifecycle.v1', 0, [{ key: alert.alertId, value: JSON.stringify(record) }]);
    expect(await broker.drain()).toEqual({ committed: 2, failed: undefined });

    expect(feed.store.size).toBe(1);
    const detail = feed.store.get(alert.alertId)!;
    expect(detail.view.orderId).toBe(event.order.orderId);
    expect(detail.lifecycle.status).toBe('acknowledged');
    expect(broker.outputs).toEqual([]); // a replay reader produces nothing
  });
});
