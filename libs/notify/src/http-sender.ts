import * as http from 'node:http';
import * as https from 'node:https';
import { TargetRefused, type TargetGuard } from './target-guard';

/** What one delivery attempt came to. `error` is safe to log: it never contains the URL. */
export interface AttemptResult {
  outcome: 'delivered' | 'failed' | 'gone' | 'refused';
  status?: number;
  /** From a Retry-After header (seconds or an HTTP date), in ms. */
  retryAfterMs?: number;
  error?: string;
  ms: number;
}

/** Retry-After: delta-seconds or an HTTP date; anything else is ignored. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * POSTs a JSON body: 2xx is delivered, 410 is gone, anything else (other statuses, redirects, which
 * are not followed, timeouts, network errors) failed; a target the guard refuses is refused.
 */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  o: { timeoutMs: number; guard: TargetGuard; userAgent?: string },
): Promise<AttemptResult> {
  const started = Date.now();
  const done = (r: Omit<AttemptResult, 'ms'>): AttemptResult => ({ ...r, ms: Date.now() - started });
  let target: URL;
  try {
    target = o.guard.checkUrl(url);
  } catch (err) {
    return Promise.resolve(done({ outcome: 'refused', error: (err as Error).message }));
  }
  const lib = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Omit<AttemptResult, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(r));
    };
    const req = lib.request(
      target,
      {
        method: 'POST',
        lookup: o.guard.lookup,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': o.userAgent ?? 'dualwatch-notifier',
          ...headers,
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume(); // the body is not needed; drain it so the socket is freed
        res.on('error', () => undefined);
        const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
        if (status >= 200 && status < 300) finish({ outcome: 'delivered', status });
        else if (status === 410) finish({ outcome: 'gone', status });
        else
          finish({
            outcome: 'failed',
            status,
            retryAfterMs,
            error: status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`,
          });
      },
    );
    // one deadline for the whole exchange (connect, headers), not an idle timeout
    const timer = setTimeout(() => {
      finish({ outcome: 'failed', error: `no answer in ${o.timeoutMs} ms` });
      req.destroy();
    }, o.timeoutMs);
    req.on('error', (err) => {
      if (err instanceof TargetRefused) finish({ outcome: 'refused', error: err.message });
      else
        finish({
          outcome: 'failed',
          error: `${(err as NodeJS.ErrnoException).code ?? 'network error'}: ${err.message.replace(/https?:\/\/\S+/g, '(url)')}`,
        });
    });
    req.end(body);
  });
}
