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
        if (!/already exists/i.test(String((err as Error).message)) && (err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS')
          throw err;
      }
    }
    // under KRaft a topic just created can still answer "does not host this topic-partition" for a
    // moment: wait until every partition has a leader that answers for it
    const deadline = Date.now() + 30000;
    for (;;) {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: wanted.map((w) => w.name) });
        if (topics.some((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)))
          throw new Error('partitions without a leader');
        for (const w of wanted) await admin.fetchTopicOffsets(w.name);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`topics not usable after 30 s: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return missing.map((m) => m.name);
  } finally {
    await admin.disconnect();
  }
}
