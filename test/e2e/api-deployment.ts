import * as net from 'node:net';
import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { topicName, type Alert } from '@dualwatch/contracts';
import { hashApiKey, newSecretKey } from '@dualwatch/notify';
import { testDatabase, uniqueName } from '@dualwatch/testing';
import { bootstrap } from '../../apps/api/src/main';
import { bootstrap as bootstrapProjector } from '../../apps/projector/src/main';

/** One key per role, as API_KEYS configures them (only their hashes reach the api). */
export const KEYS = { viewer: `dw_v_${newSecretKey()}`, analyst: `dw_a_${newSecretKey()}`, admin: `dw_ad_${newSecretKey()}` };
export const apiKeysSetting = () =>
  `vera:viewer:${hashApiKey(KEYS.viewer)},anna:analyst:${hashApiKey(KEYS.analyst)},adam:admin:${hashApiKey(KEYS.admin)}`;

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface ApiCall {
  status: number;
  json: any;
  headers: Headers;
}

/**
 * An api deployment on the test broker, Redis and PostgreSQL: its own topic prefix, keys and casework
 * database, the api and the projector (which writes the alerts topic into that database) started in
 * this process with their bootstrap(), restartable on the same port (the browser keeps its page).
 */
export class ApiDeployment {
  app?: INestApplication;
  projector?: INestApplication;
  url = '';
  readonly logs: string[] = [];
  private dropDatabase?: () => Promise<void>;

  constructor(
    readonly kafka: Kafka,
    readonly producer: Producer,
    readonly env: Record<string, string>,
  ) {}

  get prefix(): string {
    return this.env.DW_TOPIC_PREFIX;
  }

  static async create(
    kafka: Kafka,
    producer: Producer,
    extra: Record<string, string> = {},
    prefix = uniqueName('api'),
  ): Promise<ApiDeployment> {
    const database = extra.DATABASE_URL ? undefined : await testDatabase('api');
    const env: Record<string, string> = {
      DATABASE_URL: database?.url ?? extra.DATABASE_URL,
      PROJECTOR_GROUP_ID_PREFIX: `${prefix}-projector`,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
      REDIS_URL: process.env.REDIS_URL!,
      DW_TOPIC_PREFIX: prefix,
      REDIS_KEY_PREFIX: `${prefix}:`,
      API_KEYS: apiKeysSetting(),
      API_RATE_LIMIT_PER_SECOND: '1000',
      API_RATE_LIMIT_BURST: '1000',
      NOTIFIER_SECRET_KEY: newSecretKey(),
      NOTIFIER_TARGET_ALLOW_LIST: '127.0.0.1',
      HTTP_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
      ...extra,
    };
    const d = new ApiDeployment(kafka, producer, env);
    d.dropDatabase = database?.drop;
    await d.start();
    return d;
  }

  async start(): Promise<void> {
    const logDestination = new Writable({
      write: (chunk, _enc, cb) => {
        this.logs.push(chunk.toString());
        cb();
      },
    });
    this.app = await bootstrap({ ...process.env, ...this.env }, { logDestination });
    this.url = `http://127.0.0.1:${this.env.HTTP_PORT}`;
    if (this.env.DW_TEST_NO_PROJECTOR !== '1')
      this.projector = await bootstrapProjector({ ...process.env, ...this.env, HTTP_PORT: '0' }, { logDestination });
  }

  async stop(): Promise<void> {
    await this.projector?.close();
    this.projector = undefined;
    await this.app?.close();
    this.app = undefined;
  }

  /** Stops both apps and removes the deployment's database. */
  async destroy(): Promise<void> {
    await this.stop();
    await this.dropDatabase?.();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async call(method: string, path: string, o: { body?: unknown; key?: string | null; type?: string } = {}): Promise<ApiCall> {
    // bytes are sent as they are (a Shift-JIS file, broken UTF-8); strings as UTF-8; anything else as JSON
    const key = o.key === undefined ? KEYS.admin : o.key;
    const res = await fetch(this.url + path, {
      method,
      headers: { ...(o.body !== undefined ? { 'content-type': o.type ?? 'application/json' } : {}), ...(key ? { 'x-api-key': key } : {}) },
      body:
        o.body === undefined
          ? undefined
          : typeof o.body === 'string' || Buffer.isBuffer(o.body)
            ? (o.body as string | Buffer)
            : JSON.stringify(o.body),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, json, headers: res.headers };
  }

  async publishAlerts(...alerts: Alert[]): Promise<void> {
    await this.producer.send({
      topic: topicName('alerts', this.prefix),
      messages: alerts.map((a) => ({ key: a.orderId, value: JSON.stringify(a) })),
    });
  }
}
