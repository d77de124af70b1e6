import { SettingsError } from '@dualwatch/config';
import { DeliveryQueue } from '@dualwatch/notify';
import { closeRedis, createRedis } from '@dualwatch/redis';
import { deadSummary } from './deliveries.controller';
import { loadNotifierSettings } from './settings';

/**
 * Dead deliveries from the command line, with the notifier's settings (the same environment):
 *   node dist/apps/notifier/src/replay.js --list        lists them (JSON lines)
 *   node dist/apps/notifier/src/replay.js               replays all of them
 *   node dist/apps/notifier/src/replay.js <id> [<id>…]  replays those
 * A running notifier picks the replayed deliveries up at its next poll.
 */
export async function replayCommand(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  const settings = loadNotifierSettings(env);
  const redis = createRedis(settings, 'state');
  try {
    await redis.connect();
    const queue = new DeliveryQueue(redis, settings.redisKeyPrefix);
    if (args.includes('--list')) {
      for (const d of await queue.dead(10000)) out(JSON.stringify(deadSummary(d)));
      return 0;
    }
    const ids = args.filter((a) => !a.startsWith('--'));
    const replayed = await queue.replay(ids.length ? ids : undefined);
    out(JSON.stringify({ replayed }));
    return ids.length && replayed.length < ids.length ? 1 : 0;
  } finally {
    await closeRedis(redis);
  }
}

if (require.main === module) {
  replayCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`replay: ${err instanceof SettingsError ? err.message : (err as Error).message}\n`);
      process.exit(2);
    },
  );
}
