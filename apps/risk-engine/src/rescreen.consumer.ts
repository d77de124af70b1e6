import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { KafkaMessage } from 'kafkajs';
import { ChunkErrorFilter, type ChunkContext, type ChunkHandlerExtras, type OutputMessage } from '@dualwatch/messaging';
import { RescreenService } from './rescreen.service';

/**
 * Re-screening on KafkaChunkTransport, exactly once in two steps (RescreenService): a reference-data
 * change becomes one task per open order, and the tasks are re-screened a bounded chunk per
 * transaction. Topics, groups and chunk sizes come from the settings at listen time (EngineService.bind).
 */
@Controller()
@UseFilters(ChunkErrorFilter)
export class RescreenConsumer {
  constructor(private readonly rescreen: RescreenService) {}

  @EventPattern('refdataChanges', { delivery: 'exactly-once', maxChunkMessages: 1 } satisfies ChunkHandlerExtras)
  changes(@Payload() messages: KafkaMessage[], @Ctx() ctx: ChunkContext): Promise<OutputMessage[]> {
    return this.rescreen.fanOut(messages, ctx);
  }

  @EventPattern('rescreen', { delivery: 'exactly-once' } satisfies ChunkHandlerExtras)
  tasks(@Payload() messages: KafkaMessage[], @Ctx() ctx: ChunkContext): Promise<OutputMessage[]> {
    return this.rescreen.rescreen(messages, ctx);
  }
}
