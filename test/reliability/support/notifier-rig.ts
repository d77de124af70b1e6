import * as fs from 'node:fs';
import * as http from 'node:http';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import type { Alert, OrderEvent } from '@dualwatch/contracts';
import { verify } from '@dualwatch/notify';
import { AppProcess, appMain } from '@dualwatch/testing/engine';
import { freePort } from '../../../tools/infra';

/**
 * Helpers of the notifier fault scenarios (test/reliability/notifier-faults.rel-spec.ts): a webhook
 * receiver that can go down and come back on the same port, a tap on a topic that knows when it has
 * read everything committed, the built apps as processes with their whole output, and the count of
 * deliveries per alert and per webhook-id.
 */

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function kafkaClient(brokers: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2_000 },
  });
}

/** One request a receiver got: its webhook-id, body, arrival, what it answered, and whether the signature verified. */
export interface HookRequest {
  id: string;
  body: string;
  at: number;
  status: number;
  verified: boolean;
}

/** Ports below the kernel's ephemeral range: nothing else is handed one while a receiver is down. */
function portBelowEphemeral(): number {
  let low = 32768;
  try {
    low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    /* not Linux: the default */
  }
  const from = Math.max(1024, Math.min(20000, low - 2000));
  return from + Math.floor(Math.random() * Math.max(1, low - from - 1));
}

/**
 * A signed-webhook receiver on loopback that verifies each delivery with its subscription's secret
 * (401 when it does not verify), answers 503 while `failing`, and can go down (its port closed:
 * connections refused) and come back on the same port, as a receiver's host restarting would.
 */
export class HookReceiver {
  readonly requests: HookRequest[] = [];
  /** Answer 503 Service Unavailable to every delivery while true. */
  failing = false;
  /** Accept requests and never answer them while true (a host that hangs: the sender times out). */
  private hanging = false;
  private readonly held = new Set<http.ServerResponse>();
  private server?: http.Server;

  private constructor(
    readonly secret: string,
    readonly port: number,
  ) {}

  static async start(secret: string): Promise<HookReceiver> {
    for (let i = 0; i < 50; i++) {
      const r = new HookReceiver(secret, portBelowEphemeral());
      try {
        await r.listen();
        return r;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      }
    }
    throw new Error('HookReceiver: no free port found below the ephemeral range');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  get isUp(): boolean {
    return this.server?.listening ?? false;
  }

  private listen(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const verified = verify(this.secret, req.headers, body);
        if (this.hanging) {
          // recorded as unanswered (status 0); the connection is cut when the receiver recovers
          this.requests.push({ id: String(req.headers['webhook-id']), body, at: Date.now(), status: 0, verified });
          this.held.add(res);
          res.on('close', () => this.held.delete(res));
          return;
        }
        const status = !verified ? 401 : this.failing ? 503 : 200;
        this.requests.push({ id: String(req.headers['webhook-id']), body, at: Date.now(), status, verified });
        res.writeHead(status).end();
      });
    });
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.port, host: '127.0.0.1' }, () => {
        server.off('error', reject);
        this.server = server;
        resolve();
      });
    });
  }

  /** The receiver goes away: its port is closed, open connections are cut. */
  async down(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.held.clear();
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Listening again but answering nothing: every request hangs until `up()`. */
  async hang(): Promise<void> {
    this.hanging = true;
    if (!this.isUp) await this.relisten();
  }

  /** Back on the same port (retrying a moment if the port is still held), answering again; hanging requests are cut. */
  async up(): Promise<void> {
    if (this.hanging) {
      this.hanging = false;
      for (const res of this.held) res.destroy();
      this.held.clear();
    }
    if (!this.isUp) await this.relisten();
  }

  private async relisten(): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        return await this.listen();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || i >= 50) throw err;
        await sleep(100);
      }
    }
  }

  async close(): Promise<void> {
    await this.down();
  }
}

interface Tapped<T> {
  value: T;
  at: number;
}

/**
 * Reads a topic from the beginning with read_committed, as a downstream consumer does, for as long as
 * it runs; knows when it has read everything committed so far (its position on every partition has
 * reached the partition's end).
 */
export class TopicTap<T = unknown> {
  readonly messages: Tapped<T>[] = [];
  private readonly position = new Map<number, number>();

  private constructor(
    readonly topic: string,
    private readonly consumer: Consumer,
    private readonly admin: Admin,
  ) {}

  static async start<T>(kafka: Kafka, admin: Admin, topic: string, parse: (value: Buffer) => T): Promise<TopicTap<T>> {
    const consumer = kafka.consumer({
      groupId: `tap-${topic}-${Date.now()}-${Math.random()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 200,
    });
    const tap = new TopicTap<T>(topic, consumer, admin);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    // after every batch, including those that held only transaction markers (then eachBatch is not called)
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const next = Number(payload.lastOffset) + 1;
      if (next > (tap.position.get(payload.partition) ?? 0)) tap.position.set(payload.partition, next);
    });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const at = Date.now();
        for (const m of batch.messages) if (m.value) tap.messages.push({ value: parse(m.value), at });
      },
    });
    return tap;
  }

  get values(): T[] {
    return this.messages.map((m) => m.value);
  }

  /** True once everything committed on the topic has been read. */
  async caughtUp(): Promise<boolean> {
    const offsets = await this.admin.fetchTopicOffsets(this.topic);
    return offsets.every((o) => Number(o.high) === 0 || (this.position.get(o.partition) ?? 0) >= Number(o.high));
  }

  async waitCaughtUp(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.caughtUp())) {
      if (Date.now() > deadline) throw new Error(`tap on ${this.topic} has not read everything committed after ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
  }
}

/** A built app (dist/) in its own process with its whole output kept, its HTTP port known. */
export interface RunningApp {
  proc: AppProcess;
  url: string;
  /** Everything the process wrote (stdout and stderr), for the no-secret check. */
  output: string[];
}

/** Starts dist/apps/<app>/src/main.js with `env` on a free HTTP port and waits for /ready. */
export async function startApp(app: 'risk-engine' | 'notifier', env: Record<string, string>, readyTimeoutMs = 90_000): Promise<RunningApp> {
  const port = await freePort();
  const proc = AppProcess.start(appMain(app), { ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' });
  const output: string[] = [];
  proc.child.stdout?.on('data', (b: Buffer) => output.push(b.toString()));
  proc.child.stderr?.on('data', (b: Buffer) => output.push(b.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (!proc.running) throw new Error(`${app} (pid ${proc.pid}) exited before it was ready:\n${proc.tail()}`);
    try {
      if ((await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) })).status === 200) return { proc, url, output };
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await proc.kill('SIGKILL');
      throw new Error(`${app} (pid ${proc.pid}) not ready after ${readyTimeoutMs} ms:\n${proc.tail()}`);
    }
    await sleep(250);
  }
}

/** A counter or gauge from an app's /metrics (0 when absent). */
export async function metric(appUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${appUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

export async function produceOrders(producer: Producer, topic: string, orders: OrderEvent[]): Promise<void> {
  for (let i = 0; i < orders.length; i += 500) {
    await producer.send({
      topic,
      messages: orders.slice(i, i + 500).map((o) => ({ key: o.order.orderId, value: JSON.stringify(o) })),
    });
  }
}

/** What one alert message is, for counting: the notifier's webhook-id is made of the same parts. */
export const alertKey = (a: Alert): string => `${a.alertId}|${a.kind}|${a.assessment.assessmentId}`;

/** The alerts a delivery carries: one, or a digest's. */
function alertsIn(body: string): Alert[] {
  const doc = JSON.parse(body) as { type: string; data: Alert | { alerts: Alert[] } };
  return doc.type === 'alert.digest' ? (doc.data as { alerts: Alert[] }).alerts : [doc.data as Alert];
}

export interface Tally {
  /** alert messages that match the subscription */
  expected: number;
  /** of those, delivered (2xx) at least once */
  delivered: number;
  lost: string[];
  /** 2xx deliveries beyond the first that are not allowed at-least-once resends (see `allowResend`) */
  doubled: number;
  /** resends after a 2xx the notifier had not recorded when it was killed (at least once, same webhook-id) */
  atLeastOnceResends: number;
  /** delivered alerts that do not match the subscription */
  unexpected: string[];
  /** requests whose signature did not verify */
  badSignatures: number;
  /** requests in all, and those answered 2xx */
  requests: number;
  ok: number;
  /** distinct webhook-ids answered 2xx, and how many of them were digests */
  webhookIds: number;
  digests: number;
  /** when the last 2xx was answered (0: none) */
  lastOkAt: number;
}

/**
 * Counts what a receiver got against what it should have got. Per webhook-id: every 2xx after the
 * first is doubled, unless `allowResend(id, firstOkAt)` says the notifier had not recorded that first
 * 2xx (a crash between the receiver's answer and the notifier's record: at least once). Per alert:
 * carried by 2xx deliveries of more than one webhook-id (e.g. once alone and once in a digest) is
 * doubled as well.
 */
export function tally(
  r: HookReceiver,
  expected: Set<string>,
  allowResend: (id: string, firstOkAt: number) => boolean = () => false,
): Tally {
  const okById = new Map<string, HookRequest[]>();
  for (const q of r.requests) if (q.status >= 200 && q.status < 300) okById.set(q.id, [...(okById.get(q.id) ?? []), q]);
  let doubled = 0;
  let atLeastOnceResends = 0;
  let digests = 0;
  const idsPerAlert = new Map<string, Set<string>>();
  for (const [id, oks] of okById) {
    if (oks.length > 1) {
      if (allowResend(id, oks[0].at)) {
        atLeastOnceResends += 1;
        doubled += oks.length - 2;
      } else {
        doubled += oks.length - 1;
      }
    }
    const carried = alertsIn(oks[0].body);
    if (JSON.parse(oks[0].body).type === 'alert.digest') digests += 1;
    for (const a of carried) idsPerAlert.set(alertKey(a), (idsPerAlert.get(alertKey(a)) ?? new Set()).add(id));
  }
  for (const ids of idsPerAlert.values()) doubled += ids.size - 1;
  const lost = [...expected].filter((k) => !idsPerAlert.has(k));
  const unexpected = [...idsPerAlert.keys()].filter((k) => !expected.has(k));
  const oks = [...okById.values()].flat();
  return {
    expected: expected.size,
    delivered: expected.size - lost.length,
    lost,
    doubled,
    atLeastOnceResends,
    unexpected,
    badSignatures: r.requests.filter((q) => !q.verified).length,
    requests: r.requests.length,
    ok: oks.length,
    webhookIds: okById.size,
    digests,
    lastOkAt: Math.max(0, ...oks.map((q) => q.at)),
  };
}

/** The first 2xx of each webhook-id at this receiver. */
export function firstOkAt(r: HookReceiver): Map<string, number> {
  const out = new Map<string, number>();
  for (const q of r.requests) if (q.status >= 200 && q.status < 300 && !out.has(q.id)) out.set(q.id, q.at);
  return out;
}

/** Appends the processes' output tails to a failure, so that it explains itself. */
export function withTails(err: unknown, apps: { name: string; app?: RunningApp }[]): unknown {
  if (!(err instanceof Error)) return err;
  const tails = apps
    .filter((a) => a.app)
    .map((a) => `\n--- ${a.name} (pid ${a.app!.proc.pid}) output tail ---\n${a.app!.proc.tail(3000)}`)
    .join('');
  err.message += tails;
  return err;
}
