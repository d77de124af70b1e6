import { describeIssues, orderEventValidator, type ValidationIssue } from './validate';
import type { OrderEvent } from './order-event';

/** Why a message could not become an order event; the code is stable, for the DLQ and metrics. */
export type ParseFailure =
  | { ok: false; code: 'TOO_LARGE'; error: string }
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
    doc = JSON.parse(typeof input === 'string' ? input : input.toString('utf8'));
  } catch (err) {
    return { ok: false, code: 'INVALID_JSON', error: `not JSON: ${(err as Error).message}` };
  }
  const result = orderEventValidator.validate(doc);
  if (!result.ok) return { ok: false, code: 'SCHEMA_VIOLATION', error: describeIssues(result.issues), issues: result.issues };
  return { ok: true, event: result.value };
}
