import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Logger } from '@dualwatch/observability';

export interface KafkaConnection {
  kafkaBrokers: string[];
  kafkaClientId: string;
  kafkaSsl: boolean;
  kafkaSaslMechanism: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
  kafkaSaslUsername: string;
  kafkaSaslPassword: string;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/*
 * kafkajs logs every error response of a broker at error level, including the ones it handles itself by
 * retrying or rejoining: "not the leader" while a topic's leader is elected at start-up, "the coordinator
 * is not aware of this member" when a group rebalances. Those are logged at info, marked transient, so
 * error level means something an operator must look at. The table is kafkajs's own (its retriable
 * errors), plus the group-membership errors a consumer answers by rejoining.
 */
// kafkajs does not export its error table from the package root
const { errorCodes } = require('kafkajs/src/protocol/error') as { errorCodes: { type: string; message: string; retriable: boolean }[] };
const REJOINED = new Set(['UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION']);
const TRANSIENT = new Map(
  errorCodes.filter((e) => (e.retriable && e.type !== 'CORRUPT_MESSAGE') || REJOINED.has(e.type)).map((e) => [e.message, e.type]),
);

/** The level and extra fields of one kafkajs log entry, as we log it. */
export function kafkaLogLevel(
  level: number,
  message: string,
  error: unknown,
): { level: 'error' | 'warn' | 'info' | 'debug'; transient?: string } {
  const ours = LEVELS[level] ?? 'info';
  if (ours === 'error' || ours === 'warn') {
    const transient = typeof error === 'string' ? TRANSIENT.get(error) : undefined;
    if (transient) return { level: 'info', transient };
    // bounded retries are deliberate where a caller is waiting (the api answers 503 rather than hang):
    // a send that fails after them is reported to the caller, nothing is lost silently
    if (message.startsWith('Limiting retries for the idempotent producer')) return { level: 'debug' };
    // every producer uses kafkajs 2's default partitioner (Java-compatible murmur2) on purpose: its notice
    // that the default changed in 2.0.0 says nothing about this deployment
    if (message.startsWith('KafkaJS v2.0.0 switched default partitioner')) return { level: 'debug' };
  }
  return { level: ours };
}

/** A kafkajs client for any cluster: plaintext locally, TLS and SASL in production; logs go to our logger. */
export function createKafka(conn: KafkaConnection, clientSuffix: string, logger?: Logger): Kafka {
  const sasl: SASLOptions | undefined =
    conn.kafkaSaslMechanism === 'none'
      ? undefined
      : ({ mechanism: conn.kafkaSaslMechanism, username: conn.kafkaSaslUsername, password: conn.kafkaSaslPassword } as SASLOptions);
  const config: KafkaConfig = {
    clientId: `${conn.kafkaClientId}-${clientSuffix}`,
    brokers: conn.kafkaBrokers,
    ssl: conn.kafkaSsl || undefined,
    sasl,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    // back-off 200 ms doubling, capped at 5 s (kafkajs' default cap is 30 s: after a broker outage the
    // clients would wait up to that long before noticing it is back)
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: () => (entry: LogEntry) => {
      if (!logger) return;
      const { message, ...extra } = entry.log;
      const { level, transient } = kafkaLogLevel(entry.level, message, extra.error);
      logger[level]({ kafka: { namespace: entry.namespace, ...extra }, ...(transient ? { transient } : {}) }, message);
    },
  };
  return new Kafka(config);
}
