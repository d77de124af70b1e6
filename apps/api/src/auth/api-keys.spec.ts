import { hashApiKey } from '@dualwatch/notify';
import { authenticate, parseApiKeys, roleAtLeast } from './api-keys';
import { RateLimiter } from '../http/rate-limit';

describe('API keys', () => {
  const keys = parseApiKeys([`vera:viewer:${hashApiKey('k1')}`, `adam:admin:${hashApiKey('k2')}`]);

  it('finds the user and role of a key by its hash only', () => {
    expect(authenticate('k1', keys)).toEqual({ user: 'vera', role: 'viewer' });
    expect(authenticate('k2', keys)).toEqual({ user: 'adam', role: 'admin' });
    expect(authenticate('k3', keys)).toBeNull();
    expect(authenticate(undefined, keys)).toBeNull();
  });

  it('orders roles viewer < analyst < admin', () => {
    expect(roleAtLeast('admin', 'analyst')).toBe(true);
    expect(roleAtLeast('viewer', 'analyst')).toBe(false);
  });

  it('refuses a key configured twice', () => {
    expect(() => parseApiKeys([`a:viewer:${hashApiKey('k')}`, `b:admin:${hashApiKey('k')}`])).toThrow(/twice/);
  });
});

describe('RateLimiter', () => {
  it('lets a burst through, then the sustained rate, per client', () => {
    let now = 0;
    const rl = new RateLimiter(2, 3, () => now);
    expect([rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([0, 0, 0]);
    expect(rl.take('a')).toBe(1);
    expect(rl.take('b')).toBe(0);
    now = 500; // half a second at 2/s: one more
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBeGreaterThan(0);
  });
});
