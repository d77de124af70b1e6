import type { Kafka } from 'kafkajs';
import { TOPICS, topicName, type TopicKey } from '@dualwatch/contracts';

/**
 * Creates the registry's topics that do not exist yet (never changes existing ones) and waits until
 * every one of them has a leader for every partition. Safe to call from every app at every start.
 */
export async function provisionTopics(
  kafka: Kafka,
  keys: readonly TopicKey[] = Object.keys(TOPICS) as TopicKey[],
  prefix = process.env.DW_TOPIC_PREFIX ?? '',
  overrides: { partitions?: number } = {},
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = keys.map((k) => ({ key: k, name: topicName(k, prefix) }));
    const missing = wanted.filter((w) => !existing.has(w.name));
    if (missing.length) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map(({ key, name }) => ({
            topic: name,
            numPartitions: overrides.partitions ?? TOPICS[key].partitions,
            replicationFactor: -1, // the broker's default.replication.factor
            configEntries: Object.entries(TOPICS[key].config).map(([name, value]) => ({ name, value })),
          })),
        });
      } catch (err) {
        // another instance created them at the same moment: fine, as long as they exist now
        if (!/already exists/i.test(String((err as Error).message)) && (err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err;
      }
    }
    await admin.fetchTopicMetadata({ topics: wanted.map((w) => w.name) });
    return missing.map((m) => m.name);
  } finally {
    await admin.disconnect();
  }
}
