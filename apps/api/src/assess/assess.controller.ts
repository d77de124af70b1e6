import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { describeIssues, orderEventValidator } from '@dualwatch/contracts';
import { NeedsRole } from '../auth/auth.guard';
import { invalid } from '../http/errors';
import { WhatIfService } from './what-if.service';

/**
 * What-if: scores an order with the engine's core, reference data and policy, and publishes nothing.
 * The body is an order event, or a bare order (then wrapped as an order.created event of now).
 */
@Controller('assess')
export class AssessController {
  constructor(private readonly whatIf: WhatIfService) {}

  @Post()
  @HttpCode(200)
  @NeedsRole('viewer')
  async assess(@Body() body: unknown, @Query('asOf') asOf?: string) {
    if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw invalid('asOf: expects YYYY-MM-DD');
    const b = body as Record<string, unknown> | undefined;
    const doc =
      b && typeof b === 'object' && !('order' in b) && 'orderId' in b
        ? { schemaVersion: 1, eventId: `what-if-${Date.now()}`, eventType: 'order.created', occurredAt: new Date().toISOString(), order: b }
        : body;
    const r = orderEventValidator.validate(doc);
    if (!r.ok) throw invalid(`not a valid order: ${describeIssues(r.issues)}`, r.issues);
    return { assessment: await this.whatIf.assess(r.value, asOf), published: false };
  }
}
