import { Client } from 'pg';
import type { Logger } from '@dualwatch/observability';

/**
 * LISTEN on PostgreSQL channels over a connection of its own, reconnecting with back-off when the
 * server goes away (a restart): after a reconnect `onReconnect` runs, so a reader can catch up on what
 * it may have missed.
 */
export class PgListener {
  private client?: Client;
  private stopped = false;
  private retryMs = 250;
  private timer?: NodeJS.Timeout;
  connected = false;

  constructor(
    private readonly url: string,
    private readonly channels: string[],
    private readonly onNotify: (channel: string, payload: string) => void,
    private readonly logger: Logger,
    private readonly onReconnect: () => void = () => undefined,
  ) {}

  /** Connects; when the server is not there, throws, or (`keepTrying`) goes on trying in the background. */
  async start(keepTrying = false): Promise<void> {
    await this.connect(keepTrying);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private async connect(again: boolean): Promise<void> {
    const c = new Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
    c.on('notification', (n) => this.onNotify(n.channel, n.payload ?? ''));
    c.on('error', () => this.lost(c));
    c.on('end', () => this.lost(c));
    try {
      await c.connect();
      for (const ch of this.channels) await c.query(`LISTEN ${ch}`);
    } catch (err) {
      await c.end().catch(() => undefined);
      if (!again) throw err;
      this.schedule();
      return;
    }
    this.client = c;
    this.connected = true;
    this.retryMs = 250;
    if (again) {
      this.logger.info({ channels: this.channels }, 'listening to PostgreSQL again');
      this.onReconnect();
    }
  }

  private lost(c: Client): void {
    if (this.client !== c || this.stopped) return;
    this.client = undefined;
    this.connected = false;
    this.logger.warn({ channels: this.channels }, 'PostgreSQL listener connection lost: reconnecting');
    void c.end().catch(() => undefined);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(true), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
  }
}
