import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { OrderEvent } from '@dualwatch/contracts';
import { kafkaFor, uniqueName } from '@dualwatch/testing';
import { runCli } from '../../apps/cli/src/testing';
import { filesWithWatchListEntry, NEW_ENTITY, replayOrder } from '../../libs/scoring/src/replay/testing-refdata';

/** `dualwatch replay --topic`: a range of a real orders topic (KAFKA_BROKERS), by offset and by time. */
const cli = (...args: string[]) => runCli(args);

const event = (orderId: string, buyer: string): OrderEvent => replayOrder(orderId, buyer);

describe('dualwatch replay --topic', () => {
  const topic = uniqueName('orders');
  let dir: string;
  let between = 0;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-replay-topic-'));
    for (const [file, content] of Object.entries(filesWithWatchListEntry({ names: { en: NEW_ENTITY } })))
      fs.writeFileSync(path.join(dir, file), JSON.stringify(content));
    const kafka = kafkaFor('replay-topic');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'PO-1', value: JSON.stringify(event('PO-1', NEW_ENTITY)) },
        { key: 'x', value: 'not json' },
      ],
    });
    await new Promise((r) => setTimeout(r, 50));
    between = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await producer.send({
      topic,
      messages: [
        { key: 'PO-2', value: JSON.stringify(event('PO-2', NEW_ENTITY)) },
        { key: 'PO-3', value: JSON.stringify(event('PO-3', 'Hamamatsu Example Motors K.K.')) },
      ],
    });
    await producer.disconnect();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the whole topic, reports the record that is not an order event, and diffs the rest', async () => {
    const r = await cli('replay', '--topic', topic, '--refdata', dir, '--format', 'json');
    expect(r.code).toBe(1); // one invalid record
    expect(r.err).toMatch(/"offset":"1"/);
    const d = JSON.parse(r.out);
    expect(d.events).toBe(3);
    expect(d.newlyExposed.map((o: { orderId: string }) => o.orderId)).toEqual(['PO-1', 'PO-2']);
  });

  it('reads from an offset, and from a time', async () => {
    const byOffset = JSON.parse((await cli('replay', '--topic', topic, '--from-offset', '2', '--refdata', dir, '--format', 'json')).out);
    expect(byOffset.newlyExposed.map((o: { orderId: string }) => o.orderId)).toEqual(['PO-2']);
    const byTime = await cli(
      'replay',
      '--topic',
      topic,
      '--from-time',
      new Date(between).toISOString(),
      '--refdata',
      dir,
      '--format',
      'json',
    );
    expect(byTime.code).toBe(0);
    expect(JSON.parse(byTime.out).events).toBe(2);
  });
});
