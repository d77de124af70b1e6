import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { KafkaMessage } from 'kafkajs';
import { ChunkErrorFilter, type ChunkContext, type ChunkHandlerExtras, type OutputMessage } from '@dualwatch/messaging';
import { OrderProcessor } from './order-processor';

/**
 * orders.v1 → assessments, alerts and dead letters, a chunk of one partition at a time, committed with
 * the consumed offsets in one Kafka transaction (KafkaChunkTransport). The topic, group and chunk size
 * come from the settings at listen time (EngineService.bind).
 */
@Controller()
@UseFilters(ChunkErrorFilter)
export class OrdersConsumer {
  constructor(private readonly processor: OrderProcessor) {}

  @EventPattern('orders', { delivery: 'exactly-once' } satisfies ChunkHandlerExtras)
  process(@Payload() messages: KafkaMessage[], @Ctx() ctx: ChunkContext): Promise<OutputMessage[]> {
    return this.processor.process(messages, ctx);
  }
}
