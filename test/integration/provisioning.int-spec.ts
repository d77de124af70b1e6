import { TOPICS, topicName, type TopicKey } from '@dualwatch/contracts';
import { provisionTopics } from '@dualwatch/messaging';
import { kafkaFor, uniqueName } from '@dualwatch/testing';

/** Every app provisions the registry's topics at start: at once, again and again, and it must not matter. */
describe('provisionTopics', () => {
  const kafka = kafkaFor('provisioning');

  it('creates every registry topic with its partitions and config, idempotently, even when apps race', async () => {
    const prefix = uniqueName('prov');
    const keys = Object.keys(TOPICS) as TopicKey[];
    const [a, b] = await Promise.all([provisionTopics(kafka, keys, prefix), provisionTopics(kafka, keys, prefix)]);
    expect(new Set([...a, ...b])).toEqual(new Set(keys.map((k) => topicName(k, prefix))));
    expect(await provisionTopics(kafka, keys, prefix)).toEqual([]); // nothing left to create

    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: keys.map((k) => topicName(k, prefix)) });
      for (const k of keys) expect(topics.find((t) => t.name === topicName(k, prefix))?.partitions).toHaveLength(TOPICS[k].partitions);
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2 /* TOPIC */, name: topicName('alertLifecycle', prefix), configNames: ['cleanup.policy'] }],
      });
      expect(described.resources).toHaveLength(1);
      for (const r of described.resources)
        expect(r.configEntries.find((c) => c.configName === 'cleanup.policy')?.configValue).toBe('compact');
    } finally {
      await admin.disconnect();
    }
  });
});
