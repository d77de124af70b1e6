import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The notifier's Prometheus metrics, on their own registry (tests run several notifiers in one process). */
export class NotifyMetrics {
  readonly registry = new Registry();
  readonly alertsIn = new Counter({
    name: 'dw_notifier_alerts_in_total',
    help: 'Alert messages consumed, by result (routed, invalid)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly scheduled = new Counter({
    name: 'dw_notifier_scheduled_total',
    help: 'Deliveries scheduled, by mode (direct, digest)',
    labelNames: ['mode'],
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: 'dw_notifier_deliveries_total',
    help: 'Delivery attempts by outcome (delivered, retry, gone, dead, refused, dropped) and target type',
    labelNames: ['outcome', 'target'],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'dw_notifier_delivery_duration_seconds',
    help: 'Duration of one delivery attempt (request to response or timeout)',
    labelNames: ['target'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [this.registry],
  });
  readonly endToEnd = new Histogram({
    name: 'dw_notifier_alert_to_delivery_seconds',
    help: 'From the alert being raised to its successful delivery (retries included)',
    buckets: [0.1, 0.5, 1, 5, 30, 120, 600, 3600, 36000],
    registers: [this.registry],
  });
  readonly dlq = new Counter({
    name: 'dw_notifier_dlq_total',
    help: 'Deliveries given up and sent to notifications.dlq.v1',
    registers: [this.registry],
  });
  readonly retriesPending: Gauge;
  readonly deliveriesDue: Gauge;

  constructor(counts?: () => Promise<{ due: number; retrying: number }>) {
    const registers = [this.registry];
    this.retriesPending = new Gauge({
      name: 'dw_notifier_retries_pending',
      help: 'Deliveries waiting for a retry after a failed attempt',
      registers,
      async collect() {
        if (counts) this.set((await counts().catch(() => ({ retrying: NaN }))).retrying);
      },
    });
    this.deliveriesDue = new Gauge({
      name: 'dw_notifier_deliveries_queued',
      help: 'Deliveries in the queue (first attempts, retries and digests not yet sent)',
      registers,
      async collect() {
        if (counts) this.set((await counts().catch(() => ({ due: NaN }))).due);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'dw_notifier_' });
  }
}
