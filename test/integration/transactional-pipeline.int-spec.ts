import pino from 'pino';
import { TransactionalPipeline, type OutputMessage } from '@dualwatch/messaging';
import { createTopics, expectEventually, kafkaFor, uniqueName } from '@dualwatch/testing';
import { readCommitted } from '@dualwatch/testing/engine';

/** The exactly-once pipeline on its own, with a trivial handler, against the real broker. */
describe('TransactionalPipeline', () => {
  const kafka = kafkaFor('pipeline');
  const logger = pino({ level: 'silent' });

  async function topics(names: string[], partitions: number) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await createTopics(admin, names, partitions);
    } finally {
      await admin.disconnect();
    }
  }

  it('commits outputs with offsets: a chunk that fails is retried and its outputs appear exactly once', async () => {
    const input = uniqueName('in');
    const output = uniqueName('out');
    await topics([input, output], 3);
    const producer = kafka.producer();
    await producer.connect();
    const n = 600;
    await producer.send({ topic: input, messages: Array.from({ length: n }, (_, i) => ({ key: `k${i % 17}`, value: `m${i}` })) });

    let failures = 0;
    let retries = 0;
    const pipeline = new TransactionalPipeline({
      kafka,
      groupId: uniqueName('g'),
      inputTopic: input,
      transactionalIdPrefix: uniqueName('tx'),
      maxChunkMessages: 50,
      retryBackoffMs: 50,
      logger,
      hooks: { retrying: () => retries++ },
      handler: async (messages) => {
        // the third chunk seen fails once, after its outputs were computed: nothing of it may leak
        if (++failures === 3) throw new Error('injected failure');
        return messages.map((m): OutputMessage => ({ topic: output, key: m.key!.toString(), value: m.value!.toString().toUpperCase() }));
      },
    });
    await pipeline.start();
    try {
      const out = await readCommitted(kafka, output, (m) => m.length >= n);
      await expectEventually(() => expect(retries).toBe(1));
      const again = await readCommitted(kafka, output, (m) => m.length > n, 3000);
      expect(again.length).toBe(n);
      expect(new Set(out.map((m) => m.value!.toString()))).toEqual(new Set(Array.from({ length: n }, (_, i) => `M${i}`)));
    } finally {
      await pipeline.stop();
      await producer.disconnect();
    }
  });

  it('a graceful stop commits what it finished, and a new pipeline in the group goes on from there', async () => {
    const input = uniqueName('in');
    const output = uniqueName('out');
    const groupId = uniqueName('g');
    const tx = uniqueName('tx');
    await topics([input, output], 1);
    const producer = kafka.producer();
    await producer.connect();
    const n = 400;
    await producer.send({ topic: input, messages: Array.from({ length: n }, (_, i) => ({ value: `m${i}` })) });
    const make = () =>
      new TransactionalPipeline({
        kafka,
        groupId,
        inputTopic: input,
        transactionalIdPrefix: tx,
        maxChunkMessages: 20,
        logger,
        handler: async (messages) => {
          await new Promise((r) => setTimeout(r, 20));
          return messages.map((m) => ({ topic: output, key: null, value: m.value }));
        },
      });
    const first = make();
    await first.start();
    await expectEventually(async () => expect((await readCommitted(kafka, output, () => false, 500)).length).toBeGreaterThan(40));
    await first.stop();
    const second = make();
    await second.start();
    try {
      const out = await readCommitted(kafka, output, (m) => m.length >= n);
      const again = await readCommitted(kafka, output, (m) => m.length > n, 3000);
      expect(again.length).toBe(n);
      expect(out.map((m) => m.value!.toString())).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
    } finally {
      await second.stop();
      await producer.disconnect();
    }
  });
});
