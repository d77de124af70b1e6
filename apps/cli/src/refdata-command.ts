import type { Command } from 'commander';
import { kafkaSettings, loadSettings, redisSettings } from '@dualwatch/config';
import { topicName } from '@dualwatch/contracts';
import { loadBundledRefData, loadRefDataFromDir, RefDataStore, type VersionSwitch } from '@dualwatch/refdata';
import type { CliIo } from './main';

// ioredis and kafkajs are loaded only when a refdata command runs: `dualwatch score` starts without them
const loadRedis = () => import('@dualwatch/redis');
const loadMessaging = () => import('@dualwatch/messaging');

/**
 * `dualwatch refdata load|versions|switch`: the reference data in Redis, shared by every app. A load
 * writes the new version beside the old ones and switches to it atomically, then announces the switch
 * on refdata.changes.v1, where the risk-engine picks it up and re-screens the open orders.
 * Connection settings come from the same variables as the apps (REDIS_URL, KAFKA_BROKERS, ...).
 */
export function registerRefdataCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const refdata = program
    .command('refdata')
    .description('manage the reference data in Redis (REDIS_URL) and announce changes on Kafka (KAFKA_BROKERS)');

  const withStore = async <T>(fn: (store: RefDataStore) => Promise<T>): Promise<T> => {
    const s = loadSettings(redisSettings);
    const { createRedis, closeRedis } = await loadRedis();
    const redis = createRedis(s, 'state');
    try {
      await redis.connect();
      return await fn(new RefDataStore(redis, s.redisKeyPrefix));
    } finally {
      await closeRedis(redis);
    }
  };

  const announce = async (change: VersionSwitch) => {
    const s = loadSettings(kafkaSettings);
    const { createKafka, provisionTopics } = await loadMessaging();
    const kafka = createKafka(s, 'cli');
    await provisionTopics(kafka, ['refdataChanges'], s.topicPrefix);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await producer.send({
        topic: topicName('refdataChanges', s.topicPrefix),
        messages: [{ key: 'refdata', value: JSON.stringify(change) }],
      });
    } finally {
      await producer.disconnect();
    }
  };

  refdata
    .command('load')
    .description(
      'validate a reference-data directory (default: the bundled one), store it in Redis as a new version, switch to it and announce it',
    )
    .option('--dir <dir>', 'reference-data directory (default: the bundled libs/refdata/data)')
    .option('--no-announce', 'do not publish the change on refdata.changes.v1')
    .action(async (opts: { dir?: string; announce: boolean }) => {
      const data = opts.dir ? loadRefDataFromDir(opts.dir) : loadBundledRefData();
      const change = await withStore((store) => store.publish(data));
      if (!change) {
        io.stdout.write(`reference data ${data.version} is already current\n`);
        return setExit(0);
      }
      if (opts.announce) await announce(change);
      io.stdout.write(
        `reference data ${change.version} is current (was ${change.previous ?? 'none'})${opts.announce ? '; announced on refdata.changes.v1' : ''}\n`,
      );
      setExit(0);
    });

  refdata
    .command('versions')
    .description('list the versions stored in Redis; * marks the current one')
    .action(async () => {
      await withStore(async (store) => {
        const current = await store.currentVersion();
        for (const v of await store.versions()) io.stdout.write(`${v === current ? '*' : ' '} ${v}\n`);
      });
      setExit(0);
    });

  refdata
    .command('switch <version>')
    .description('make a stored version current again (rollback) and announce it')
    .option('--no-announce', 'do not publish the change on refdata.changes.v1')
    .action(async (version: string, opts: { announce: boolean }) => {
      const change = await withStore((store) => store.switchTo(version));
      if (opts.announce) await announce(change);
      io.stdout.write(`reference data ${version} is current (was ${change.previous ?? 'none'})\n`);
      setExit(0);
    });
}
