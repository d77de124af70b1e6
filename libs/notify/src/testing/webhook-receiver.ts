import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got, and what it answered (-1: not yet, 0: the client went away first). */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  answered: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Answer after this long (a timeout, seen from the notifier). */
  delayMs?: number;
}

/**
 * A real HTTP receiver on loopback for tests: records every request and answers what `answer`
 * says (200 by default), e.g. 500 for the first attempts of each webhook-id.
 */
export class WebhookReceiver {
  readonly requests: Received[] = [];
  answer: (req: { headers: http.IncomingHttpHeaders; body: string }, previousForId: number) => Answer = () => ({ status: 200 });
  private readonly server: http.Server;

  private constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const id = req.headers['webhook-id'];
        const previous = this.requests.filter((r) => r.headers['webhook-id'] === id).length;
        // recorded on arrival; `answered` is filled in when the answer goes out (0: the client gave up first)
        const record: Received = { headers: req.headers, body, at: Date.now(), answered: -1 };
        this.requests.push(record);
        const a = this.answer({ headers: req.headers, body }, previous);
        res.on('close', () => {
          if (!res.writableFinished) record.answered = 0;
        });
        const send = () => {
          if (res.destroyed || record.answered === 0) return;
          record.answered = a.status;
          res.writeHead(a.status, a.headers).end();
        };
        if (a.delayMs) setTimeout(send, a.delayMs);
        else send();
      });
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const r = new WebhookReceiver();
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Parsed bodies of the requests answered 2xx. */
  delivered<T = unknown>(): T[] {
    return this.requests.filter((r) => r.answered >= 200 && r.answered < 300).map((r) => JSON.parse(r.body) as T);
  }

  ids(): string[] {
    return this.requests.map((r) => String(r.headers['webhook-id']));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
