import * as net from 'node:net';
import { loopAwareTimeout } from './loop-aware-timeout';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function blockFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* busy: the event loop cannot run */
  }
}

/** A loopback TCP pair: what is written to `server` is readable on `client`. */
async function socketPair(): Promise<{ client: net.Socket; server: net.Socket; close: () => void }> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => srv.once('connection', r));
  const client = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((r) => client.once('connect', r));
  const server = await accepted;
  return { client, server, close: () => (client.destroy(), server.destroy(), srv.close()) };
}

/**
 * Races a reply on a socket against a timeout, while the loop is blocked for longer than the timeout
 * and the reply arrives during the block: which settles first?
 */
async function raceDuringBlock(timeout: (ms: number, onExpire: () => void) => () => void): Promise<'reply' | 'timeout'> {
  const { client, server, close } = await socketPair();
  try {
    return await new Promise<'reply' | 'timeout'>((resolve) => {
      let settled = false;
      const settle = (winner: 'reply' | 'timeout') => {
        if (settled) return;
        settled = true;
        resolve(winner);
      };
      const cancel = timeout(200, () => settle('timeout'));
      client.once('data', () => {
        cancel();
        settle('reply');
      });
      server.write('+PONG\r\n'); // in the kernel's buffer before the block ends
      blockFor(600);
    });
  } finally {
    close();
  }
}

describe('loopAwareTimeout', () => {
  it('expires after its budget when the loop is free, and not much later', async () => {
    const t0 = Date.now();
    const expired = await new Promise<number>((r) => loopAwareTimeout(150, () => r(Date.now() - t0)));
    expect(expired).toBeGreaterThanOrEqual(145);
    expect(expired).toBeLessThan(1_000);
  });

  it('does not expire once cancelled', async () => {
    let expired = false;
    const cancel = loopAwareTimeout(50, () => (expired = true));
    cancel();
    await sleep(150);
    expect(expired).toBe(false);
  });

  it('lets a reply that arrived while the loop was blocked win, where a wall-clock timer loses it', async () => {
    // the failure it prevents, shown with a plain setTimeout: the timer fires before the socket is read
    const wallClock = (ms: number, onExpire: () => void) => {
      const t = setTimeout(onExpire, ms);
      return () => clearTimeout(t);
    };
    expect(await raceDuringBlock(wallClock)).toBe('timeout');
    expect(await raceDuringBlock(loopAwareTimeout)).toBe('reply');
  });

  it('still expires when the loop is blocked again and again but no reply comes', async () => {
    let expired = false;
    loopAwareTimeout(300, () => (expired = true));
    for (let i = 0; i < 4 && !expired; i++) {
      blockFor(400);
      await sleep(120);
    }
    await sleep(400);
    expect(expired).toBe(true);
  });
});
