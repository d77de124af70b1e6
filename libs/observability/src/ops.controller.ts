import { Controller, Get, Header, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Registry } from 'prom-client';
import { runHealthChecks, type HealthIndicator } from './health';

export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** /health (liveness: the process answers), /ready (readiness: every dependency answers), /metrics. */
@Controller()
export class OpsController {
  constructor(
    @Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicator[],
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() res: Response) {
    const report = await runHealthChecks(this.indicators);
    res.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(report);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics() {
    return this.registry.metrics();
  }
}
