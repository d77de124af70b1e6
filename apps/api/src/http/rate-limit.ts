import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/**
 * Token buckets per client: `burst` requests at once, refilled at `perSecond`. In process: each
 * instance limits what it serves (behind a load balancer the whole limit is instances × rate).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when the request may go ahead, else the seconds to wait before the next one would. */
  take(client: string): number {
    const t = this.now();
    const b = this.buckets.get(client) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
    b.at = t;
    this.buckets.set(client, b);
    if (this.buckets.size > 100_000) this.sweep(t);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.perSecond);
  }

  /** Drops buckets that are full again (they hold nothing a new bucket would not). */
  private sweep(t: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + ((t - b.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(k);
  }
}

/**
 * Express middleware: the client is its API key (hashed, never kept in clear) when `isKnownKey` says the
 * key is one of the configured keys, or else its address. (A wrong key counts against the address: a
 * flood that sends a new made-up key with every request is limited like one without a key.)
 */
export function rateLimitMiddleware(limiter: RateLimiter, keyHeader: string, isKnownKey: (key: string) => boolean = () => true) {
  return (req: Request, res: Response, next: NextFunction) => {
    const key = req.header(keyHeader);
    const client =
      key && isKnownKey(key)
        ? `k:${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`
        : `a:${req.socket.remoteAddress ?? '?'}`;
    const wait = limiter.take(client);
    if (wait === 0) return next();
    res.setHeader('Retry-After', String(wait));
    res.status(429).json({ statusCode: 429, error: 'RATE_LIMITED', message: `too many requests: retry after ${wait} s` });
  };
}
