import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { KafkaMessage } from 'kafkajs';
import { ChunkErrorFilter, type ChunkContext, type ChunkHandlerExtras, type OutputMessage } from '@dualwatch/messaging';
import { NotifierService } from './notifier.service';

/**
 * risk.alerts.v1 → deliveries scheduled in Redis, a chunk at a time; the offset is committed after the
 * chunk is scheduled (KafkaChunkTransport, at least once: scheduling is idempotent). The topic and group
 * come from the settings at listen time (NotifierService.bind).
 */
@Controller()
@UseFilters(ChunkErrorFilter)
export class AlertsConsumer {
  constructor(private readonly notifier: NotifierService) {}

  @EventPattern('alerts', { delivery: 'at-least-once' } satisfies ChunkHandlerExtras)
  async route(@Payload() messages: KafkaMessage[], @Ctx() ctx: ChunkContext): Promise<OutputMessage[]> {
    await this.notifier.routeChunk(messages, ctx);
    return [];
  }
}
