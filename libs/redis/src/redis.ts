import * as fs from 'node:fs';
import Redis, { type Command, type RedisOptions } from 'ioredis';
import { loopAwareTimeout } from './loop-aware-timeout';

/** What a client needs to reach Redis: the URL (user and password may be in it) and the TLS trust. */
export interface RedisConnection {
  /** redis://[user:password@]host:port[/db] or rediss:// for TLS. */
  redisUrl: string;
  /** PEM file of the CA that signed the server's certificate (empty: the system CAs). */
  redisTlsCaFile?: string;
}

/**
 * The two ways Dualwatch uses Redis.
 * - `cache`: reference data and the open-order book. Fails fast (no offline queue, one retry, a short
 *   command timeout) so that callers fall back to the bundled snapshot instead of waiting. The timeout
 *   counts only time the event loop was free (loopAwareTimeout): a busy process is not a dead Redis.
 * - `state`: subscriptions and the delivery queue. Commands wait for a reconnect (offline queue, three
 *   retries) because losing them would lose a notification.
 */
export type RedisMode = 'cache' | 'state';

/** A cache command that Redis has not answered in this much free event-loop time fails (the caller degrades). */
export const CACHE_COMMAND_TIMEOUT_MS = 1000;

const reconnect = (times: number) => Math.min(times * 200, 2000);

/** The ioredis options of a mode; exported so that tests can read them without a connection. */
export function redisOptions(conn: RedisConnection, mode: RedisMode): RedisOptions {
  const common: RedisOptions = { lazyConnect: true, connectTimeout: 5000, retryStrategy: reconnect };
  // rediss:// makes ioredis use TLS; a private CA is added here, never a way to switch verification off
  const tls = conn.redisUrl.startsWith('rediss://') && conn.redisTlsCaFile ? { tls: { ca: fs.readFileSync(conn.redisTlsCaFile) } } : {};
  const byMode: Record<RedisMode, RedisOptions> = {
    cache: { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: CACHE_COMMAND_TIMEOUT_MS, enableAutoPipelining: true },
    state: { enableOfflineQueue: true, maxRetriesPerRequest: 3 },
  };
  return { ...common, ...byMode[mode], ...tls };
}

/**
 * The one Redis client factory of every app. The client is lazy (connect() when the app starts) and
 * its connection errors go to `onError` (default: ignored), since /ready reports Redis being down.
 */
export function createRedis(conn: RedisConnection, mode: RedisMode, o: { onError?: (err: Error) => void } = {}): Redis {
  const { commandTimeout, ...options } = redisOptions(conn, mode);
  const client =
    commandTimeout === undefined ? new Redis(conn.redisUrl, options) : new LoopAwareRedis(conn.redisUrl, options, commandTimeout);
  client.on('error', o.onError ?? (() => undefined));
  return client;
}

/** Closes politely (QUIT), or drops the connection when Redis does not answer. */
export async function closeRedis(client: Redis): Promise<void> {
  await client.quit().catch(() => client.disconnect());
}

/**
 * ioredis with its `commandTimeout` counted on the event loop's free time (loopAwareTimeout) instead of
 * the wall clock: every command, pipelined ones included, goes through sendCommand.
 */
class LoopAwareRedis extends Redis {
  constructor(
    url: string,
    options: RedisOptions,
    private readonly commandBudgetMs: number,
  ) {
    super(url, options);
  }

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    // `this.commandBudgetMs` is not set yet while the base constructor runs (it may send commands)
    const budget = this.commandBudgetMs ?? CACHE_COMMAND_TIMEOUT_MS;
    if (!command.isResolved) {
      const cancel = loopAwareTimeout(budget, () => {
        if (!command.isResolved) command.reject(new Error('Command timed out'));
      });
      command.promise.then(cancel, cancel);
    }
    return super.sendCommand(command, stream);
  }
}
