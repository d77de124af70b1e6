import type { Logger } from '@dualwatch/observability';
import { PartitionBackoff } from './partition-backoff';

const quiet = { warn: () => undefined } as unknown as Logger;

describe('PartitionBackoff', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('doubles the pause of a failing partition up to 30 s, resets it on success, and resumes only while running', () => {
    const seen: number[] = [];
    let running = true;
    const b = new PartitionBackoff({ logger: quiet, hooks: { retrying: (i) => seen.push(i.backoffMs) }, running: () => running });
    const resumed: string[] = [];
    const pause = (name: string) => () => () => resumed.push(name);
    for (let i = 0; i < 8; i++) b.failed('t', 0, new Error('x'), pause('p0'));
    expect(seen).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    b.failed('t', 1, new Error('x'), pause('p1')); // another partition has its own
    expect(seen.at(-1)).toBe(500);
    b.succeeded('t', 0);
    b.failed('t', 0, new Error('x'), pause('p0'));
    expect(seen.at(-1)).toBe(500);

    jest.advanceTimersByTime(499);
    expect(resumed).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(resumed).toEqual(['p0', 'p1', 'p0']); // the three 500 ms pauses, in the order they were taken
    running = false;
    jest.advanceTimersByTime(60_000);
    expect(resumed).toHaveLength(3); // a stopped pipeline resumes nothing
  });
});
