/**
 * Every Kafka topic Dualwatch uses, in one place: name, partitions and configuration.
 * Provisioning (libs/messaging) creates them idempotently at start. A deployment may put a prefix in
 * front of every name (DW_TOPIC_PREFIX), which is how tests share one broker without meeting.
 */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Kafka topic configs (retention.ms, cleanup.policy, ...). */
  config: Record<string, string>;
  description: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const TOPICS = {
  orders: {
    name: 'orders.v1',
    partitions: 6,
    config: { 'retention.ms': String(30 * DAY_MS), 'max.message.bytes': String(12 * 1024 * 1024) },
    description: 'Order events from ERPs, the api and CSV uploads (key: orderId)',
  },
  assessments: {
    name: 'risk.assessments.v1',
    partitions: 6,
    config: { 'retention.ms': String(365 * DAY_MS) },
    description: 'One assessment per order event, written transactionally with the consumed offsets (key: orderId)',
  },
  alerts: {
    name: 'risk.alerts.v1',
    partitions: 6,
    config: { 'retention.ms': String(365 * DAY_MS) },
    description: 'Alerts (raised, updated, withdrawn, upcoming) for assessments at or above the alert level (key: orderId)',
  },
  ordersDlq: {
    name: 'orders.dlq.v1',
    partitions: 1,
    config: { 'retention.ms': String(90 * DAY_MS), 'max.message.bytes': String(12 * 1024 * 1024) },
    description: 'Order messages that cannot be processed, with the original bytes, the error and the source offset',
  },
  refdataChanges: {
    name: 'refdata.changes.v1',
    partitions: 1,
    config: { 'retention.ms': String(3650 * DAY_MS) },
    description: 'Reference-data and policy version switches; the risk-engine re-screens open orders on each',
  },
  book: {
    name: 'engine.book.v1',
    partitions: 6,
    config: { 'cleanup.policy': 'compact', 'max.message.bytes': String(2 * 1024 * 1024) },
    description:
      "The risk-engine's open-order book, state of record (key: orderId): written in the transaction of the chunk that changed it; Redis caches it",
  },
  rescreen: {
    name: 'engine.rescreen.v1',
    partitions: 6,
    config: { 'retention.ms': String(7 * DAY_MS) },
    description:
      "The risk-engine's own work list: one record per open order to re-screen after a reference-data change (key: orderId), done in bounded transactions",
  },
  alertLifecycle: {
    name: 'alerts.lifecycle.v1',
    partitions: 3,
    config: { 'cleanup.policy': 'compact' },
    description: 'Alert triage state (acknowledged, resolved, false positive) with user, time and note (key: alertId)',
  },
  notificationsDlq: {
    name: 'notifications.dlq.v1',
    partitions: 1,
    config: { 'retention.ms': String(90 * DAY_MS) },
    description: 'Notifications whose every delivery attempt failed, for replay',
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;

/** The topic name as deployed: the configured prefix plus the registry name. */
export function topicName(key: TopicKey, prefix = process.env.DW_TOPIC_PREFIX ?? ''): string {
  return `${prefix}${TOPICS[key].name}`;
}
