import { describeSettings, loadSettings, setting, SettingsError } from './settings';
import { kafkaSettings, redisSettings } from './common';

describe('settings', () => {
  const spec = {
    ...kafkaSettings,
    ...redisSettings,
    chunk: setting.int('CHUNK', { description: 'chunk size', default: 500, min: 1, max: 10000 }),
    level: setting.oneOf('LEVEL', ['a', 'b'] as const, { description: 'level' }),
  };

  it('reads defaults and parses typed values', () => {
    const s = loadSettings(spec, { LEVEL: 'a', KAFKA_BROKERS: 'h1:9092, h2:9093', KAFKA_SSL: 'true', CHUNK: '42' });
    expect(s.kafkaBrokers).toEqual(['h1:9092', 'h2:9093']);
    expect(s.kafkaSsl).toBe(true);
    expect(s.chunk).toBe(42);
    expect(s.level).toBe('a');
    expect(s.redisUrl).toBe('redis://127.0.0.1:16379');
  });

  it('names every bad or missing variable and what it expects, all at once', () => {
    let error: unknown;
    try {
      loadSettings(spec, { KAFKA_BROKERS: 'no-port', CHUNK: 'many', KAFKA_SSL: 'maybe' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const msg = (error as Error).message;
    expect(msg).toContain('KAFKA_BROKERS="no-port" is invalid');
    expect(msg).toContain('host:port');
    expect(msg).toContain('CHUNK="many" is invalid');
    expect(msg).toContain('KAFKA_SSL="maybe" is invalid');
    expect(msg).toContain('LEVEL is required');
    expect((error as SettingsError).problems).toHaveLength(4);
  });

  it('rejects out-of-range integers', () => {
    expect(() => loadSettings(spec, { LEVEL: 'a', CHUNK: '0' })).toThrow(
      /CHUNK="0" is invalid: 0 is out of range; expects an integer >= 1 <= 10000/,
    );
  });

  it('never prints a secret value, not even a wrong one', () => {
    const secret = 'redis://user:hunter2@host:6379';
    expect(() => loadSettings(spec, { LEVEL: 'a', REDIS_URL: 'hunter2-not-a-url' })).toThrow(/REDIS_URL=\(secret\) is invalid/);
    try {
      loadSettings(spec, { LEVEL: 'a', REDIS_URL: 'hunter2-not-a-url' });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
    expect(JSON.stringify(describeSettings(spec))).not.toContain(secret);
    expect(describeSettings(spec).find((r) => r.env === 'REDIS_URL')?.default).toBe('(secret)');
  });
});
