import type { NextFunction, Request, Response } from 'express';
import { RateLimiter, rateLimitMiddleware } from './rate-limit';

/** Runs the middleware for one request; the status it answered (200 when it let the request through). */
function call(mw: ReturnType<typeof rateLimitMiddleware>, key: string | undefined, address = '10.0.0.1'): number {
  let status = 200;
  const req = {
    header: (name: string) => (name === 'x-api-key' ? key : undefined),
    socket: { remoteAddress: address },
  } as unknown as Request;
  const res = { setHeader: () => res, status: (s: number) => ((status = s), res), json: () => res } as unknown as Response;
  mw(req, res, (() => undefined) as NextFunction);
  return status;
}

describe('rateLimitMiddleware', () => {
  const now = () => 1_000_000; // no refill within the test

  it('gives each known key its own bucket', () => {
    const mw = rateLimitMiddleware(new RateLimiter(1, 3, now), 'x-api-key', (k) => k.startsWith('good'));
    expect([1, 2, 3, 4].map(() => call(mw, 'good-a'))).toEqual([200, 200, 200, 429]);
    expect(call(mw, 'good-b')).toBe(200);
  });

  it('counts made-up keys against the address: a new wrong key per request does not escape the limit', () => {
    const mw = rateLimitMiddleware(new RateLimiter(1, 3, now), 'x-api-key', (k) => k.startsWith('good'));
    expect([1, 2, 3, 4, 5].map((i) => call(mw, `wrong-${i}`))).toEqual([200, 200, 200, 429, 429]);
    expect(call(mw, undefined)).toBe(429); // the same address without a key
    expect(call(mw, undefined, '10.0.0.2')).toBe(200); // another address
    expect(call(mw, 'good-a')).toBe(200); // a real key has its own bucket
  });
});
