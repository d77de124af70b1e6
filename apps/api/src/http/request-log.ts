import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@dualwatch/observability';
import type { AuthedRequest } from '../auth/auth.guard';

/** Query parameters whose values never reach the log (a key or token pasted into a URL). */
const SECRET_PARAM = /key|token|secret|passw|signature|^sig$|auth|credential|session/i;

/** The path and query, with the value of every secret-looking query parameter replaced by ***. */
export function loggablePath(originalUrl: string): string {
  const q = originalUrl.indexOf('?');
  if (q < 0) return originalUrl;
  const params = originalUrl
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        /* a malformed name is checked as it is */
      }
      return SECRET_PARAM.test(decoded) && eq >= 0 ? `${name}=***` : pair;
    });
  return `${originalUrl.slice(0, q)}?${params.join('&')}`;
}

/** Probes and scrapes, logged at debug (they come every few seconds). */
const QUIET = new Set(['/health', '/ready', '/metrics']);

/**
 * One log line per HTTP request when its answer is sent (or the client goes away, e.g. a live stream):
 * method, path (query secrets masked), status, duration in ms and the user of the API key, if the
 * key was accepted. Never the key itself nor any header.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    let done = false;
    const log = () => {
      if (done) return;
      done = true;
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      const user = (req as AuthedRequest).principal?.user;
      const status = res.headersSent ? res.statusCode : 499; // 499: the client closed the connection first
      const path = loggablePath(req.originalUrl);
      const line = { method: req.method, path, status, ms, ...(user ? { user } : {}) };
      const level = QUIET.has(req.path) ? 'debug' : status >= 500 ? 'warn' : 'info';
      logger[level](line, 'http request');
    };
    res.once('finish', log);
    res.once('close', log);
    next();
  };
}
