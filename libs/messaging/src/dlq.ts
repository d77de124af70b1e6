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

/** Most characters of the `dw-error` header. */
export const DLQ_ERROR_CHARS = 2000;

/**
 * Text for a header: control characters (C0, DEL, C1), lone surrogates and U+FFFD written as \uXXXX
 * escapes, so that an error quoting raw input (a NUL, an escape sequence, half a surrogate pair) stays
 * printable, and cut to `max` characters without splitting an escape or a surrogate pair.
 */
export function printable(text: string, max: number): string {
  const pieces: string[] = [];
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let piece: string;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff) {
      piece = text.slice(i, i + 2);
      i++;
    } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff) || c === 0xfffd)
      piece = `\\u${c.toString(16).padStart(4, '0')}`;
    else piece = text[i];
    if (length + piece.length > max) {
      // room for the ellipsis, whole pieces only
      while (pieces.length && length + 1 > max) length -= pieces.pop()!.length;
      return pieces.join('') + '…';
    }
    pieces.push(piece);
    length += piece.length;
  }
  return pieces.join('');
}

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
    'dw-error-code': printable(code, 100),
    'dw-error': printable(error, DLQ_ERROR_CHARS),
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
  // the key's bytes as they came (not decoded and re-encoded: a key that is not UTF-8 stays what it was)
  return { topic: dlqTopic, key: msg.key ?? null, value, headers };
}

export function readDeadLetter(
  msg: KafkaMessage,
): DeadLetter & { value: Buffer | null; keyBytes: Buffer | null; truncated?: { bytes: number; sha256: string } } {
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
    keyBytes: msg.key ?? null,
    ...(h('dw-value-truncated') === 'true' ? { truncated: { bytes: Number(h('dw-value-bytes')), sha256: h('dw-value-sha256') } } : {}),
  };
}
