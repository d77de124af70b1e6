import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { generateClusterId } from './kafka';
import { freePort, isPidAlive, repoRoot, waitFor } from './util';

describe('tools/infra helpers', () => {
  it('repoRoot() finds the folder whose package.json is named "dualwatch"', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { name: string };
    expect(pkg.name).toBe('dualwatch');
  });

  it('freePort() returns distinct ports that can be bound on 127.0.0.1', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    expect(new Set(ports).size).toBe(3);
    const srv = net.createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(ports[0], '127.0.0.1', resolve);
    });
    await new Promise((r) => srv.close(r));
  });

  it('waitFor() resolves when the predicate holds and names what it waited for on timeout', async () => {
    let n = 0;
    await waitFor(() => ++n >= 3, { intervalMs: 1, timeoutMs: 1_000 });
    expect(n).toBe(3);
    await expect(
      waitFor(
        () => {
          throw new Error('boom');
        },
        { timeoutMs: 50, intervalMs: 10, what: 'the thing' },
      ),
    ).rejects.toThrow(/waiting for the thing: last error: boom/);
  });

  it('generateClusterId() gives 22 base64url chars (16 bytes) never starting with "-"', () => {
    for (let i = 0; i < 200; i++) {
      const id = generateClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });

  it('isPidAlive() knows this process and rejects nonsense pids', () => {
    expect(isPidAlive(process.pid)).toBe(true);
    expect(isPidAlive(0)).toBe(false);
    expect(isPidAlive(-1)).toBe(false);
    expect(isPidAlive(2 ** 30)).toBe(false);
  });
});
