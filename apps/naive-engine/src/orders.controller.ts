import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { topicName } from '@dualwatch/contracts';
import { NaiveEngineService } from './naive-engine.service';

/** Decorators are evaluated at import: the topic comes from DW_TOPIC_PREFIX in the environment. */
export const ORDERS_TOPIC = topicName('orders', process.env.DW_TOPIC_PREFIX ?? '');

@Controller()
export class OrdersController {
  constructor(private readonly engine: NaiveEngineService) {}

  /** One call per Kafka message (the transport's eachMessage), the value already JSON-parsed. */
  @EventPattern(ORDERS_TOPIC)
  async onOrder(@Payload() data: unknown, @Ctx() ctx: KafkaContext): Promise<void> {
    await this.engine.handle(data, ctx);
  }
}
