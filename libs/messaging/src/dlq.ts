import { createHash } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { TOPICS } from '@dualwatch/contracts';
import type { OutputMessage } from './transactional-pipeline';

/**
 * The largest original value a dead letter carries whole: the DLQ topic's max.message.bytes less room
 * for the key, the headers (the error is cut to 2,000 characters) and the record batch overhead. A
 * message the broker took at (or within a few hundred bytes of) its limit would not fit once the
 * headers are added, and the transaction writing it would fail on every retry, blocking the partition.
 */
export const DLQ_MAX_VALUE_BYTES = Number(TOPICS.ordersDlq.config['max.message.bytes']) - 64 * 1024;
/** What a dead letter keeps of a value too large to carry whole: the start, for inspection. */
export const DLQ_SAMPLE_BYTES = 64 * 1024;

export interface DeadLetter {
  /** Stable code of what went wrong: INVALID_JSON, SCHEMA_VIOLATION, TOO_LARGE, SCORING_FAILED... */
  code: string;
  error: string;
  source: { topic: string; partition: number; offset: string; timestamp: string; key: string | null };
}

/**
 * A dead letter keeps the original bytes untouched as the message value (so it can be replayed as is)
 * and says what went wrong and where it came from in headers. Only a value over `maxValueBytes` (which
 * the DLQ topic could not take with the headers) is cut to its first DLQ_SAMPLE_BYTES, with
 * `dw-value-truncated`, `dw-value-bytes` and `dw-value-sha256` saying so; the whole original stays in
 * the source topic at the offset in the headers.
 */
export function deadLetter(
  dlqTopic: string,
  msg: KafkaMessage,
  from: { topic: string; partition: number },
  code: string,
  error: string,
  maxValueBytes = DLQ_MAX_VALUE_BYTES,
): OutputMessage {
  const headers: Record<string, string> = {
    'dw-error-code': code,
    'dw-error': error.slice(0, 2000),
    'dw-source-topic': from.topic,
    'dw-source-partition': String(from.partition),
    'dw-source-offset': msg.offset,
    'dw-source-timestamp': msg.timestamp,
  };
  let value = msg.value;
  if (value && value.length > maxValueBytes) {
    headers['dw-value-truncated'] = 'true';
    headers['dw-value-bytes'] = String(value.length);
    headers['dw-value-sha256'] = createHash('sha256').update(value).digest('hex');
    value = value.subarray(0, Math.min(DLQ_SAMPLE_BYTES, maxValueBytes));
  }
  return { topic: dlqTopic, key: msg.key ? msg.key.toString('utf8') : null, value, headers };
}

export function readDeadLetter(msg: KafkaMessage): DeadLetter & { value: Buffer | null; truncated?: { bytes: number; sha256: string } } {
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
    ...(h('dw-value-truncated') === 'true' ? { truncated: { bytes: Number(h('dw-value-bytes')), sha256: h('dw-value-sha256') } } : {}),
  };
}
