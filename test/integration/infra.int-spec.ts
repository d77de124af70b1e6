/**
 * The test infrastructure itself: the broker/Redis from the global setup serve real clients, a
 * second broker can run beside them, and the servers can be crashed and restarted.
 */
import * as fs from 'node:fs';
import Redis from 'ioredis';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { isPidAlive, KafkaBroker, RedisServer } from '@dualwatch/infra';
import { closeRedis, createTopics, expectEventually, kafkaFor, redisFor, testRedisUrl, uniqueName } from '@dualwatch/testing';

interface Collector {
  values: string[];
  consumer: Consumer;
}

/** Starts a consumer (new group, from the beginning) that collects message values. */
async function collect(kafka: Kafka, topic: string, readUncommitted = false): Promise<Collector> {
  const consumer = kafka.consumer({ groupId: uniqueName('infra-g'), readUncommitted, maxWaitTimeInMs: 100 });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? '');
    },
  });
  return { values, consumer };
}

async function redisPing(url: string): Promise<string> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.ping();
  } finally {
    await closeRedis(client);
  }
}

describe('global Kafka broker (KAFKA_BROKERS)', () => {
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = kafkaFor('infra-int');
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.disconnect();
  });

  it('produces and consumes messages', async () => {
    const topic = uniqueName('infra-plain');
    await createTopics(admin, [topic], 3);
    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
    await producer.send({ topic, messages: sent.map((value, i) => ({ key: `k${i % 5}`, value })) });
    const c = await collect(kafka, topic);
    try {
      await expectEventually(() => expect([...c.values].sort()).toEqual([...sent].sort()));
    } finally {
      await Promise.all([c.consumer.disconnect(), producer.disconnect()]);
    }
  });

  it('runs transactions: a read_committed consumer sees only committed messages', async () => {
    const topic = uniqueName('infra-tx');
    await createTopics(admin, [topic], 1); // one partition: order (and the "c4 last" check) is guaranteed
    const producer = kafka.producer({
      transactionalId: uniqueName('infra-txid'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const tx1 = await producer.transaction();
      await tx1.send({ topic, messages: [{ value: 'c1' }, { value: 'c2' }, { value: 'c3' }] });
      await tx1.commit();
      const tx2 = await producer.transaction();
      await tx2.send({ topic, messages: [{ value: 'a1' }, { value: 'a2' }] });
      await tx2.abort();
      const tx3 = await producer.transaction();
      await tx3.send({ topic, messages: [{ value: 'c4' }] });
      await tx3.commit();
    } finally {
      await producer.disconnect();
    }

    const committed = await collect(kafka, topic, false);
    const uncommitted = await collect(kafka, topic, true);
    try {
      // c4 comes after the aborted batch, so once it is in, the aborted ones have been skipped.
      await expectEventually(() => expect(committed.values).toContain('c4'));
      expect(committed.values).toEqual(['c1', 'c2', 'c3', 'c4']);
      // read_uncommitted does get the aborted records: they really were written.
      await expectEventually(() => expect(uncommitted.values).toEqual(['c1', 'c2', 'c3', 'a1', 'a2', 'c4']));
    } finally {
      await Promise.all([committed.consumer.disconnect(), uncommitted.consumer.disconnect()]);
    }
  });

  it('accepts messages above 10 MB and rejects those above 12 MiB', async () => {
    const topic = uniqueName('infra-big');
    await createTopics(admin, [topic], 1);
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ value: Buffer.alloc(11 * 1024 * 1024, 'x') }] });
      const [p0] = await admin.fetchTopicOffsets(topic);
      expect(p0.high).toBe('1');
      await expect(producer.send({ topic, messages: [{ value: Buffer.alloc(13 * 1024 * 1024, 'y') }] })).rejects.toThrow(
        /too large|larger than/i,
      );
    } finally {
      await producer.disconnect();
    }
  });
});

describe('a second KafkaBroker beside the global one', () => {
  it('serves at the same time, survives kill + restart with its data, and stops cleanly', async () => {
    const t0 = Date.now();
    const second = await KafkaBroker.start({ name: 'infra-second', heapMb: 384 });
    const startedIn = Date.now() - t0;
    const { pid, dataDir } = second;
    try {
      expect(second.brokers).not.toBe(process.env.KAFKA_BROKERS);
      expect(process.env.KAFKA_BROKERS).not.toContain(`:${second.controllerPort}`);
      expect(isPidAlive(pid)).toBe(true);

      const kafka2 = new Kafka({ clientId: 'infra-second', brokers: [second.brokers], logLevel: logLevel.NOTHING });
      const admin2 = kafka2.admin();
      await admin2.connect();
      const topic = uniqueName('infra-second');
      try {
        await createTopics(admin2, [topic], 2);
        const producer = kafka2.producer();
        await producer.connect();
        await producer.send({ topic, messages: [{ value: 'one' }, { value: 'two' }, { value: 'three' }] });
        await producer.disconnect();

        // the global broker knows nothing about it: two separate clusters
        const globalAdmin = kafkaFor('infra-global-check').admin();
        await globalAdmin.connect();
        expect(await globalAdmin.listTopics()).not.toContain(topic);
        await globalAdmin.disconnect();
      } finally {
        await admin2.disconnect();
      }

      // crash it, restart on the same ports and data dir: the messages are still there
      await second.kill();
      expect(isPidAlive(pid)).toBe(false);
      const t1 = Date.now();
      await second.restart();
      const restartedIn = Date.now() - t1;
      expect(second.pid).not.toBe(pid);
      expect(isPidAlive(second.pid)).toBe(true);
      const c = await collect(kafka2, topic);
      try {
        await expectEventually(() => expect([...c.values].sort()).toEqual(['one', 'three', 'two']), {
          timeoutMs: 30_000,
        });
      } finally {
        await c.consumer.disconnect();
      }
      process.stdout.write(`[dw-test] second broker ${second.brokers}: start ${startedIn} ms, restart after SIGKILL ${restartedIn} ms\n`);
    } finally {
      const restartedPid = second.pid;
      await second.stop();
      expect(isPidAlive(restartedPid)).toBe(false);
      expect(isPidAlive(pid)).toBe(false);
      expect(fs.existsSync(dataDir)).toBe(false); // temp data dir removed on stop()
    }
  });
});

describe('Redis', () => {
  it('the global Redis (REDIS_URL) answers', async () => {
    expect(testRedisUrl()).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(testRedisUrl()).not.toBe('redis://127.0.0.1:6379');
    expect(await redisPing(testRedisUrl())).toBe('PONG');
    const client = redisFor();
    try {
      const key = uniqueName('infra-key');
      await client.set(key, 'v', 'EX', 60);
      expect(await client.get(key)).toBe('v');
    } finally {
      await closeRedis(client);
    }
  });

  it('a RedisServer can be killed and restarted on the same port', async () => {
    const redis = await RedisServer.start();
    const firstPid = redis.pid;
    try {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
      client.on('error', () => undefined);
      await client.connect();
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
      await closeRedis(client);

      await redis.kill();
      expect(isPidAlive(firstPid)).toBe(false);
      await expect(redisPing(redis.url)).rejects.toThrow();

      await redis.restart();
      expect(redis.port).toBe(Number(new URL(redis.url).port));
      expect(redis.pid).not.toBe(firstPid);
      expect(await redisPing(redis.url)).toBe('PONG');
      const after = new Redis(redis.url, { maxRetriesPerRequest: 0, lazyConnect: true });
      await after.connect();
      expect(await after.get('k')).toBeNull(); // no persistence: a fresh, empty server
      await closeRedis(after);
    } finally {
      const pid = redis.pid;
      await redis.stop();
      expect(isPidAlive(pid)).toBe(false);
    }
  });
});
