import { BadRequestException, Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { AdminKeyGuard } from './admin.guard';
import { DeliveryQueue, type Delivery } from '@dualwatch/notify';

/** A dead delivery as listed: what, for whom, why; the alert body stays in Redis. */
export const deadSummary = (d: Delivery) => ({
  id: d.id,
  subscriptionId: d.subscriptionId,
  kind: d.kind,
  alertId: d.alert?.alertId,
  orderId: d.alert?.orderId,
  attempts: d.attempts,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  deadAt: d.doneAt,
});

@Controller('deliveries')
@UseGuards(AdminKeyGuard)
export class DeliveriesController {
  constructor(private readonly queue: DeliveryQueue) {}

  @Get('dead')
  async dead(@Query('limit') limit?: string) {
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 10000)
      throw new BadRequestException({ error: 'INVALID', message: 'limit must be an integer 1..10000' });
    return (await this.queue.dead(n)).map(deadSummary);
  }

  /** Body `{ "ids": [...] }` replays those dead deliveries; `{}` replays all of them. */
  @Post('dead/replay')
  @HttpCode(200)
  async replay(@Body() body: unknown) {
    const ids = (body as { ids?: unknown } | undefined)?.ids;
    if (ids !== undefined && !(Array.isArray(ids) && ids.every((i) => typeof i === 'string'))) {
      throw new BadRequestException({ error: 'INVALID', message: 'ids must be an array of delivery ids' });
    }
    const replayed = await this.queue.replay(ids as string[] | undefined);
    return { replayed };
  }
}
