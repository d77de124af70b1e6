import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { KafkaMessage } from 'kafkajs';
import { ChunkErrorFilter, type ChunkContext, type ChunkHandlerExtras, type OutputMessage } from '@dualwatch/messaging';
import { ProjectorService } from './projector.service';

/**
 * risk.alerts.v1 → PostgreSQL, a chunk per database transaction (KafkaChunkTransport, at least once:
 * the offsets in PostgreSQL make each message count once). The topic and group come from
 * ProjectorService.bind at listen time.
 */
@Controller()
@UseFilters(ChunkErrorFilter)
export class ProjectorConsumer {
  constructor(private readonly projector: ProjectorService) {}

  @EventPattern('alerts', { delivery: 'at-least-once' } satisfies ChunkHandlerExtras)
  async alerts(@Payload() messages: KafkaMessage[], @Ctx() ctx: ChunkContext): Promise<OutputMessage[]> {
    await this.projector.applyChunk(messages, ctx);
    return [];
  }
}
