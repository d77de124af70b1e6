import { isUtf8 } from 'node:buffer';
import type { Alert } from './alert';
import { alertValidator, describeIssues, orderEventValidator, type ValidationIssue } from './validate';
import type { OrderEvent } from './order-event';

/** Why a message could not become an order event; the code is stable, for the DLQ and metrics. */
export type ParseFailure =
  | { ok: false; code: 'TOO_LARGE'; error: string }
  | { ok: false; code: 'INVALID_ENCODING'; error: string }
  | { ok: false; code: 'INVALID_JSON'; error: string }
  | { ok: false; code: 'SCHEMA_VIOLATION'; error: string; issues: ValidationIssue[] };

export type ParseResult = { ok: true; event: OrderEvent } | ParseFailure;

/** Largest accepted order event: 500 lines of 1,000-character descriptions fit well below it. */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

/**
 * Bytes (or text) → a valid OrderEvent, or the reason it is not one. Never throws: a deeply nested
 * document that exhausts the parser's stack is reported as invalid JSON.
 */
export function parseOrderEvent(input: Buffer | string | null, maxBytes = DEFAULT_MAX_EVENT_BYTES): ParseResult {
  if (input === null) return { ok: false, code: 'INVALID_JSON', error: 'empty message (null value)' };
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > maxBytes) return { ok: false, code: 'TOO_LARGE', error: `message of ${size} bytes exceeds the limit of ${maxBytes}` };
  let doc: unknown;
  try {
    if (typeof input !== 'string' && !isUtf8(input)) {
      const at = firstInvalidUtf8(input);
      return {
        ok: false,
        code: 'INVALID_ENCODING',
        error:
          `not UTF-8: the bytes at offset ${at} (${hexAround(input, at)}) are not a UTF-8 sequence. Order messages are UTF-8 JSON; ` +
          'text from Shift-JIS / CP932 or Latin-1 systems must be converted first (the CSV upload and the CLI do it)',
      };
    }
    doc = JSON.parse(typeof input === 'string' ? input : input.toString('utf8'));
  } catch (err) {
    return { ok: false, code: 'INVALID_JSON', error: `not JSON: ${(err as Error).message}` };
  }
  const result = orderEventValidator.validate(doc);
  if (!result.ok) return { ok: false, code: 'SCHEMA_VIOLATION', error: describeIssues(result.issues), issues: result.issues };
  return { ok: true, event: result.value };
}

/**
 * The offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629:
 * no overlongs, no surrogates, nothing above U+10FFFF), or -1 when every byte does.
 */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

/** Up to 4 bytes from `at`, in hex ("0x93 0xfa 0x96 0x7b"), to show in an error. */
function hexAround(b: Uint8Array, at: number): string {
  return [...b.subarray(at, at + 4)].map((x) => `0x${x.toString(16).padStart(2, '0')}`).join(' ');
}

export const MAX_ALERT_BYTES = 1024 * 1024;

export type AlertParse = { ok: true; alert: Alert; text: string } | { ok: false; error: string };

/** Bytes of an alert message → a valid alert, or why not (strict UTF-8: nothing is decoded lossily). Never throws. */
export function parseAlert(value: Buffer | null): AlertParse {
  if (!value) return { ok: false, error: 'empty message (null value)' };
  if (value.length > MAX_ALERT_BYTES) return { ok: false, error: `message of ${value.length} bytes exceeds ${MAX_ALERT_BYTES}` };
  if (!isUtf8(value)) return { ok: false, error: `not UTF-8 at byte ${firstInvalidUtf8(value)}` };
  let doc: unknown;
  const text = value.toString('utf8');
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  const r = alertValidator.validate(doc);
  return r.ok ? { ok: true, alert: r.value, text } : { ok: false, error: `not an alert.v1: ${describeIssues(r.issues)}` };
}
