import type { KafkaMessage } from 'kafkajs';
import type { OutputMessage } from './transactional-pipeline';

export interface DeadLetter {
  /** Stable code of what went wrong: INVALID_JSON, SCHEMA_VIOLATION, TOO_LARGE, SCORING_FAILED... */
  code: string;
  error: string;
  source: { topic: string; partition: number; offset: string; timestamp: string; key: string | null };
}

/**
 * A dead letter keeps the original bytes untouched as the message value (so it can be replayed as is)
 * and says what went wrong and where it came from in headers.
 */
export function deadLetter(dlqTopic: string, msg: KafkaMessage, from: { topic: string; partition: number }, code: string, error: string): OutputMessage {
  const headers: Record<string, string> = {
    'dw-error-code': code,
    'dw-error': error.slice(0, 2000),
    'dw-source-topic': from.topic,
    'dw-source-partition': String(from.partition),
    'dw-source-offset': msg.offset,
    'dw-source-timestamp': msg.timestamp,
  };
  return { topic: dlqTopic, key: msg.key ? msg.key.toString('utf8') : null, value: msg.value, headers };
}

export function readDeadLetter(msg: KafkaMessage): DeadLetter & { value: Buffer | null } {
  const h = (name: string) => msg.headers?.[name]?.toString() ?? '';
  return {
    code: h('dw-error-code'),
    error: h('dw-error'),
    source: {
      topic: h('dw-source-topic'),
      partition: Number(h('dw-source-partition')),
      offset: h('dw-source-offset'),
      timestamp: h('dw-source-timestamp'),
      key: msg.key ? msg.key.toString('utf8') : null,
    },
    value: msg.value,
  };
}
