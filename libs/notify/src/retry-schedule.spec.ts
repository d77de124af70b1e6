import { parseRetryAfter } from './http-sender';
import { DEFAULT_RETRY_SCHEDULE, MAX_RETRY_AFTER_MS, nextDelayMs, parseDuration } from './retry-schedule';

describe('retry schedule', () => {
  const schedule = DEFAULT_RETRY_SCHEDULE.map(parseDuration);

  it('reads the default as immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect(schedule).toEqual([0, 5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000]);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
  });

  it('waits the scheduled time plus up to the jitter share, and gives up after the last attempt', () => {
    expect(nextDelayMs(schedule, 1, { jitter: 0.2, random: () => 0 })).toBe(5000);
    expect(nextDelayMs(schedule, 1, { jitter: 0.2, random: () => 0.999999 })).toBe(6000);
    expect(nextDelayMs(schedule, 7, { jitter: 0, random: () => 0.5 })).toBe(36000000);
    expect(nextDelayMs(schedule, 8, { jitter: 0 })).toBeNull();
  });

  it('honours a longer Retry-After, capped at a day', () => {
    expect(nextDelayMs(schedule, 1, { jitter: 0, retryAfterMs: 60000 })).toBe(60000);
    expect(nextDelayMs(schedule, 2, { jitter: 0, retryAfterMs: 1000 })).toBe(300000);
    expect(nextDelayMs(schedule, 1, { jitter: 0, retryAfterMs: 10 * MAX_RETRY_AFTER_MS })).toBe(MAX_RETRY_AFTER_MS);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-03-02T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120000);
    expect(parseRetryAfter('Mon, 02 Mar 2026 10:01:00 GMT', now)).toBe(60000);
    expect(parseRetryAfter('whenever', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
