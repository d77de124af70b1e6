import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The risk-engine's Prometheus metrics, on its own registry (tests run several engines in one process). */
export class EngineMetrics {
  readonly registry = new Registry();
  readonly eventsIn = new Counter({ name: 'dw_engine_events_in_total', help: 'Order messages consumed', registers: [this.registry] });
  readonly assessmentsOut = new Counter({
    name: 'dw_engine_assessments_total',
    help: 'Assessments published, by verdict',
    labelNames: ['verdict'],
    registers: [this.registry],
  });
  readonly alerts = new Counter({
    name: 'dw_engine_alerts_total',
    help: 'Alerts published, by severity and kind',
    labelNames: ['severity', 'kind'],
    registers: [this.registry],
  });
  readonly dlq = new Counter({
    name: 'dw_engine_dlq_total',
    help: 'Messages sent to the DLQ, by error code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly degraded = new Counter({
    name: 'dw_engine_degraded_assessments_total',
    help: 'Assessments made with fallback reference data',
    registers: [this.registry],
  });
  readonly batchSeconds = new Histogram({
    name: 'dw_engine_batch_duration_seconds',
    help: 'Time to process and commit one chunk',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'dw_engine_consumer_lag',
    help: 'Messages behind the high watermark, by partition',
    labelNames: ['partition'],
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'dw_engine_chunk_retries_total',
    help: 'Chunks retried after a failure',
    registers: [this.registry],
  });
  readonly cacheHitRatio = new Gauge({
    name: 'dw_engine_screening_cache_hit_ratio',
    help: 'Party screenings answered from the LRU or Redis',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'dw_engine_' });
  }
}
