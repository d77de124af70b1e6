import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { createLogger } from '@dualwatch/observability';
import { loggablePath, requestLog } from './request-log';

describe('request log', () => {
  it('masks secret-looking query values and keeps the rest', () => {
    expect(loggablePath('/alerts')).toBe('/alerts');
    expect(loggablePath('/alerts?verdict=prohibited&apiKey=abc&token=t&x-api-key=k&limit=5')).toBe(
      '/alerts?verdict=prohibited&apiKey=***&token=***&x-api-key=***&limit=5',
    );
    expect(loggablePath('/a?Secret=1&password=2&sig=3&q=key')).toBe('/a?Secret=***&password=***&sig=***&q=key');
  });

  it('writes method, path, status, ms and user, and no header', async () => {
    const lines: string[] = [];
    const logger = createLogger(
      'api',
      'info',
      new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    const req = {
      method: 'GET',
      originalUrl: '/alerts?apiKey=dw_secret',
      path: '/alerts',
      headers: { 'x-api-key': 'dw_secret' },
      principal: { user: 'anna', role: 'analyst' },
    } as unknown as Request;
    const res = Object.assign(new EventEmitter(), { statusCode: 200, headersSent: true }) as unknown as Response;
    const next = jest.fn() as NextFunction;
    requestLog(logger)(req, res, next);
    expect(next).toHaveBeenCalled();
    res.emit('finish');
    res.emit('close');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ msg: 'http request', method: 'GET', path: '/alerts?apiKey=***', status: 200, user: 'anna' });
    expect(typeof line.ms).toBe('number');
    expect(lines[0]).not.toContain('dw_secret');
  });
});
