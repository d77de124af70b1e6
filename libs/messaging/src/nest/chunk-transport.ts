import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { lastValueFrom, throwError, type Observable } from 'rxjs';
import type { Logger } from '@dualwatch/observability';
import { AtLeastOncePipeline } from '../at-least-once-pipeline';
import { ReplayPipeline } from '../replay-pipeline';
import {
  TransactionalPipeline,
  type ChunkContext,
  type ChunkHandler,
  type OutputMessage,
  type PipelineHooks,
} from '../transactional-pipeline';

/*
 * A NestJS transport for Kafka that hands a handler a chunk of messages of one partition, not one message,
 * and commits what it returns with the consumed offsets in one Kafka transaction (exactly once inside
 * Kafka). The stock `ServerKafka` binds kafkajs's eachMessage only, commits offsets apart from what the
 * handler produced, and knows no transactions (nestjs/nest#9455, #3736, #12703).
 *
 *   @Controller()
 *   @UseFilters(ChunkErrorFilter)
 *   export class OrdersConsumer {
 *     constructor(private readonly processor: OrderProcessor) {}
 *
 *     @EventPattern('orders', { delivery: 'exactly-once' } satisfies ChunkHandlerExtras)
 *     process(@Payload() messages: KafkaMessage[], @Ctx() ctx: ChunkContext): Promise<OutputMessage[]> {
 *       return this.processor.process(messages, ctx);
 *     }
 *   }
 *
 *   app.connectMicroservice({ strategy: new KafkaChunkTransport({ kafka, logger, bind }) });
 *
 * The pattern is a logical name ("orders"): `bind` turns it into the topic, consumer group and
 * transactional ids at listen time, from the app's validated settings (a decorator's arguments are
 * evaluated when the file is imported, before any setting is read). With `delivery: 'exactly-once'`, what
 * the handler returns (or emits, for an Observable) is produced in the chunk's transaction; an error it
 * throws aborts the transaction, and the partition pauses and retries the chunk (TransactionalPipeline:
 * back-off, fencing, rebalances). With `delivery: 'at-least-once'` the outputs are sent and the offset
 * committed after the handler (AtLeastOncePipeline), for idempotent effects outside Kafka. With
 * `delivery: 'replay'` every instance reads the whole topic in a group of its own and commits nothing
 * (ReplayPipeline), for state rebuilt from a log in each instance.
 */

/** The extras of a chunk handler: `@EventPattern(pattern, extras)`. */
export interface ChunkHandlerExtras {
  /**
   * exactly-once: the outputs and the consumed offsets in one Kafka transaction per chunk.
   * at-least-once: the outputs are sent, then the offset is committed, after each chunk (for handlers
   * whose effect lives outside Kafka and is idempotent: a crash hands the chunk over again).
   * replay: every instance reads the whole topic from the beginning and commits nothing (a state
   * rebuilt from a log in each instance, e.g. the api's alert store); the handler produces nothing.
   */
  delivery: Delivery;
  /** Messages per chunk (one transaction each), unless the binding sets it from the settings. */
  maxChunkMessages?: number;
}

export type Delivery = 'exactly-once' | 'at-least-once' | 'replay';
const DELIVERIES: readonly Delivery[] = ['exactly-once', 'at-least-once', 'replay'];

/** Where a pattern's messages come from, decided at listen time from the settings. */
export interface ChunkBinding {
  topic: string;
  groupId: string;
  /** exactly-once only: transactional.id = `${prefix}-${topic}-${partition}`, one per input partition. */
  transactionalIdPrefix?: string;
  /** at-least-once and replay: how long a fetch waits for data (kafkajs maxWaitTimeInMs). */
  maxWaitTimeInMs?: number;
  /** at-least-once: most bytes a fetch brings per partition (large messages in large chunks). */
  maxBytesPerPartition?: number;
  maxChunkMessages?: number;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  fromBeginning?: boolean;
  hooks?: PipelineHooks;
}

/** What runs one binding: the Kafka pipeline in production, an in-memory driver in unit tests. */
export interface ChunkDriver {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type ChunkDriverFactory = (binding: ChunkBinding & { delivery: Delivery }, handler: ChunkHandler) => ChunkDriver;

export interface KafkaChunkTransportOptions {
  logger: Logger;
  /** Binds a handler's pattern to its topic, group and transactional ids (throw for an unknown pattern). */
  bind(pattern: string, extras: ChunkHandlerExtras): ChunkBinding;
  /** The Kafka client for the default driver (TransactionalPipeline). */
  kafka?: Kafka;
  /** Replaces the Kafka driver (tests: InMemoryChunkDriver). */
  driver?: ChunkDriverFactory;
}

/**
 * Passes a chunk handler's error to the transport as it is (`@UseFilters(ChunkErrorFilter)` on the
 * consumer), so the pipeline's log says what failed: Nest's default RPC filter replaces any error that is
 * not an RpcException by "Internal server error".
 */
@Catch()
export class ChunkErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/** The handler's failure as an Error: Nest's RPC exception handler turns a thrown error into `{ status, message }`. */
function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  const message = err && typeof err === 'object' && 'message' in err ? String((err as { message: unknown }).message) : String(err);
  return new Error(`chunk handler failed: ${message}`);
}

export class KafkaChunkTransport extends Server implements CustomTransportStrategy {
  private readonly drivers: ChunkDriver[] = [];

  constructor(private readonly options: KafkaChunkTransportOptions) {
    super();
  }

  /** Starts one driver per chunk handler; `callback` once every consumer runs, or with the first error. */
  listen(callback: (err?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  private async start(): Promise<void> {
    const factory = this.options.driver ?? this.kafkaDriver();
    for (const [pattern, handler] of this.messageHandlers) {
      const extras = this.extrasOf(pattern, handler);
      const binding = this.options.bind(pattern, extras);
      const run: ChunkHandler = async (messages: KafkaMessage[], ctx: ChunkContext): Promise<OutputMessage[]> => {
        try {
          const out = await lastValueFrom(this.transformToObservable(await handler(messages, ctx)), {
            defaultValue: [] as OutputMessage[],
          });
          return (out ?? []) as OutputMessage[];
        } catch (err) {
          throw asError(err);
        }
      };
      if (extras.delivery === 'exactly-once' && !binding.transactionalIdPrefix)
        throw new Error(`"${pattern}": an exactly-once binding needs a transactionalIdPrefix`);
      const driver = factory(
        { ...binding, delivery: extras.delivery, maxChunkMessages: binding.maxChunkMessages ?? extras.maxChunkMessages },
        run,
      );
      this.drivers.push(driver);
      this.options.logger.info(
        { pattern, topic: binding.topic, groupId: binding.groupId, delivery: extras.delivery },
        'chunk handler bound',
      );
    }
    await Promise.all(this.drivers.map((d) => d.start()));
  }

  /** Graceful: each driver finishes and commits the chunk in hand, then leaves its group. */
  async close(): Promise<void> {
    const drivers = this.drivers.splice(0);
    await Promise.all(drivers.map((d) => d.stop().catch((err: unknown) => this.options.logger.warn({ err }, 'chunk driver stop failed'))));
  }

  on(): never {
    throw new Error('KafkaChunkTransport has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.drivers as T;
  }

  private extrasOf(pattern: string, handler: MessageHandler): ChunkHandlerExtras {
    const extras = handler.extras as Partial<ChunkHandlerExtras> | undefined;
    if (!handler.isEventHandler) throw new Error(`"${pattern}": chunk handlers are event handlers: use @EventPattern, not @MessagePattern`);
    if (!extras?.delivery || !DELIVERIES.includes(extras.delivery))
      throw new Error(
        `"${pattern}": @EventPattern extras must say the delivery: { delivery: 'exactly-once' | 'at-least-once' | 'replay' }`,
      );
    return extras as ChunkHandlerExtras;
  }

  private kafkaDriver(): ChunkDriverFactory {
    const { kafka, logger } = this.options;
    if (!kafka) throw new Error('KafkaChunkTransport needs `kafka` (or a `driver`)');
    return (b, handler) => {
      if (b.delivery === 'replay')
        return new ReplayPipeline({
          kafka,
          groupId: b.groupId,
          inputTopic: b.topic,
          handler,
          maxChunkMessages: b.maxChunkMessages,
          sessionTimeoutMs: b.sessionTimeoutMs,
          maxWaitTimeInMs: b.maxWaitTimeInMs,
          logger,
          hooks: b.hooks,
        });
      return b.delivery === 'exactly-once'
        ? new TransactionalPipeline({
            kafka,
            groupId: b.groupId,
            inputTopic: b.topic,
            transactionalIdPrefix: b.transactionalIdPrefix!,
            handler,
            maxChunkMessages: b.maxChunkMessages,
            partitionsConsumedConcurrently: b.partitionsConsumedConcurrently,
            sessionTimeoutMs: b.sessionTimeoutMs,
            fromBeginning: b.fromBeginning,
            logger,
            hooks: b.hooks,
          })
        : new AtLeastOncePipeline({
            kafka,
            groupId: b.groupId,
            inputTopic: b.topic,
            handler,
            maxChunkMessages: b.maxChunkMessages,
            partitionsConsumedConcurrently: b.partitionsConsumedConcurrently,
            sessionTimeoutMs: b.sessionTimeoutMs,
            fromBeginning: b.fromBeginning,
            maxWaitTimeInMs: b.maxWaitTimeInMs,
            maxBytesPerPartition: b.maxBytesPerPartition,
            logger,
            hooks: b.hooks,
          });
    };
  }
}
