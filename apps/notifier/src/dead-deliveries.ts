import { Inject, Injectable } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { topicName } from '@dualwatch/contracts';
import { DeliveryQueue, type Delivery } from '@dualwatch/notify';
import { KAFKA, NOTIFIER_SETTINGS } from './tokens';
import type { NotifierSettings } from './settings';

/** Deliveries given up after every attempt, published to notifications.dlq.v1 for replay. */
@Injectable()
export class DeadDeliveries {
  private readonly producer: Producer;

  constructor(
    @Inject(NOTIFIER_SETTINGS) private readonly s: NotifierSettings,
    @Inject(KAFKA) kafka: Kafka,
    private readonly queue: DeliveryQueue,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }

  async publish(d: Delivery, subscriptionName: string | undefined): Promise<void> {
    const alerts = d.kind === 'digest' ? await this.queue.digestAlerts(d.id) : d.alert ? [d.alert] : [];
    await this.producer.send({
      topic: topicName('notificationsDlq', this.s.topicPrefix),
      messages: [
        {
          key: d.id,
          value: JSON.stringify({
            deliveryId: d.id,
            subscriptionId: d.subscriptionId,
            subscriptionName,
            kind: d.kind,
            alertIds: alerts.map((a) => a.alertId),
            orderIds: alerts.map((a) => a.orderId),
            attempts: d.attempts,
            lastStatus: d.lastStatus,
            lastError: d.lastError,
            deadAt: d.doneAt,
          }),
          headers: { 'dw-error-code': 'DELIVERY_FAILED', 'dw-error': (d.lastError ?? '').slice(0, 2000) },
        },
      ],
    });
  }
}
