import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRedis, redisOptions } from './redis';

describe('the Redis client factory', () => {
  it('makes cache clients fail fast: no offline queue, one retry, a command timeout', () => {
    expect(redisOptions({ redisUrl: 'redis://h:6379' }, 'cache')).toMatchObject({
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
    });
  });

  it('makes state clients wait for a reconnect: offline queue on, a few retries, no command timeout', () => {
    const o = redisOptions({ redisUrl: 'redis://h:6379' }, 'state');
    expect(o).toMatchObject({ lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: 3 });
    expect(o.commandTimeout).toBeUndefined();
  });

  it('trusts the CA of REDIS_TLS_CA_FILE for rediss:// and keeps certificate verification on', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-redis-ca-'));
    const ca = path.join(dir, 'ca.pem');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    try {
      const o = redisOptions({ redisUrl: 'rediss://dw:pw@redis.internal:6380', redisTlsCaFile: ca }, 'state');
      expect(String((o.tls as { ca: Buffer }).ca)).toContain('BEGIN CERTIFICATE');
      expect((o.tls as { rejectUnauthorized?: boolean }).rejectUnauthorized).toBeUndefined();
      expect(redisOptions({ redisUrl: 'redis://h:6379', redisTlsCaFile: ca }, 'cache').tls).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads user, password and TLS from a rediss:// URL (ACL users work)', () => {
    const client = createRedis({ redisUrl: 'rediss://dw-engine:s3cret@redis.internal:6380/2' }, 'cache');
    expect(client.options).toMatchObject({ username: 'dw-engine', password: 's3cret', host: 'redis.internal', port: 6380, db: 2 });
    expect(client.options.tls).toBeTruthy();
    expect(client.status).toBe('wait'); // lazy: nothing connects before the app starts
    client.disconnect();
  });
});
