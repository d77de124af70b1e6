import { KafkaBroker, RedisServer } from '../../../tools/infra';

/**
 * A broker and a Redis of the scenario's own, on free ports, so that the scenario can stop, kill and
 * restart them without touching any other test (or the system Redis). Redis keeps its data in an
 * append-only file, as a production Redis holding state does, so a stopped Redis comes back with it.
 */
export class Stack {
  private constructor(
    readonly kafka: KafkaBroker,
    readonly redis: RedisServer,
  ) {}

  static async start(name: string): Promise<Stack> {
    const [k, r] = await Promise.allSettled([KafkaBroker.start({ name: `rel-${name}` }), RedisServer.start({ appendOnly: true })]);
    if (k.status === 'rejected' || r.status === 'rejected') {
      await Promise.allSettled([k.status === 'fulfilled' ? k.value.stop() : undefined, r.status === 'fulfilled' ? r.value.stop() : undefined]);
      throw k.status === 'rejected' ? k.reason : (r as PromiseRejectedResult).reason;
    }
    return new Stack(k.value, r.value);
  }

  get brokers(): string {
    return this.kafka.brokers;
  }

  get redisUrl(): string {
    return this.redis.url;
  }

  /** Stops both (by pid) and removes their data. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.kafka.stop(), this.redis.stop()]);
  }
}
