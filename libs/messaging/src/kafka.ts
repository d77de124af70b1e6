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
      logger[LEVELS[entry.level] ?? 'info']({ kafka: { namespace: entry.namespace, ...extra } }, message);
    },
  };
  return new Kafka(config);
}
