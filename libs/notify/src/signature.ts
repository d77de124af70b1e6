import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com) signatures: `webhook-signature` is
 * "v1,<base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`>" under the base64-decoded part of a
 * `whsec_` secret; with several secrets (rotation) one signature per secret, space-separated.
 */
export const WEBHOOK_SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

export function secretBytes(secret: string): Buffer {
  if (!WEBHOOK_SECRET_PATTERN.test(secret)) throw new Error('a webhook secret is "whsec_" followed by base64');
  const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64');
  if (bytes.length < 16 || bytes.length > 64) throw new Error('a webhook secret must decode to 16..64 bytes');
  return bytes;
}

export function sign(secret: string, id: string, timestamp: number, body: string): string {
  return 'v1,' + createHmac('sha256', secretBytes(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function signedHeaders(secrets: string[], id: string, timestamp: number, body: string): SignedHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => sign(s, id, timestamp, body)).join(' '),
  };
}

/**
 * What a receiver does: true when one of the signatures in the header was made with `secret` and
 * the timestamp is within `toleranceSeconds` of now.
 */
export function verify(
  secret: string,
  headers: { [name: string]: string | string[] | undefined } | SignedHeaders,
  body: string,
  toleranceSeconds = 300,
  now = Date.now(),
): boolean {
  const h = (n: string) => {
    const v = (headers as Record<string, string | string[] | undefined>)[n];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = h('webhook-id');
  const ts = Number(h('webhook-timestamp'));
  const header = h('webhook-signature');
  if (!id || !Number.isInteger(ts) || !header) return false;
  if (Math.abs(now / 1000 - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, id, ts, body).slice(3), 'base64');
  return header.split(' ').some((part) => {
    const [version, sig] = part.split(',');
    if (version !== 'v1' || !sig) return false;
    const got = Buffer.from(sig, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}
