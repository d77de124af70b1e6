import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { topicName } from '@dualwatch/contracts';
import { provisionTopics } from '@dualwatch/messaging';
import { hashApiKey, newSecretKey, verify } from '@dualwatch/notify';
import { alertFixture } from '@dualwatch/notify/testing/alert-fixtures';
import { WebhookReceiver } from '@dualwatch/notify/testing/webhook-receiver';
import { expectEventually, kafkaFor, uniqueName } from '@dualwatch/testing';

/**
 * The built notifier (dist/) in its own OS process, SIGKILLed while retries are pending: after a
 * restart it delivers them, and sends nothing twice to a receiver that had answered 2xx. Its whole
 * log output, at debug level, is captured and holds no secret.
 */
const NOTIFIER_MAIN = path.resolve(__dirname, '../../dist/apps/notifier/src/main.js');

class NotifierProcess {
  readonly exited: Promise<void>;
  constructor(
    readonly child: ChildProcess,
    output: string[],
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stdout!.on('data', (b: Buffer) => output.push(b.toString()));
    child.stderr!.on('data', (b: Buffer) => output.push(b.toString()));
  }
  static start(env: Record<string, string>, output: string[]): NotifierProcess {
    if (!fs.existsSync(NOTIFIER_MAIN)) throw new Error(`${NOTIFIER_MAIN} missing: run \`npm run build\` first (scripts/test.sh does)`);
    return new NotifierProcess(
      spawn(process.execPath, [NOTIFIER_MAIN], { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }),
      output,
    );
  }
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

let kafka: Kafka;
let producer: Producer;
const receivers: WebhookReceiver[] = [];
const processes: NotifierProcess[] = [];
let seedFile = '';

beforeAll(async () => {
  kafka = kafkaFor('notifier-restart');
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});
afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill('SIGKILL')));
  await Promise.all(receivers.map((r) => r.close()));
  await producer.disconnect();
  if (seedFile) fs.rmSync(path.dirname(seedFile), { recursive: true, force: true });
});

describe('notifier process (built, SIGKILLed and restarted)', () => {
  it('delivers the retries pending at a SIGKILL after a restart, sends nothing twice to a receiver that answered 2xx, and logs no secret', async () => {
    const prefix = uniqueName('ntfk');
    const [ok, flaky, slack] = await Promise.all([WebhookReceiver.start(), WebhookReceiver.start(), WebhookReceiver.start()]);
    receivers.push(ok, flaky, slack);
    let flakyUp = false;
    flaky.answer = () => ({ status: flakyUp ? 200 : 500 });

    const secrets = {
      ok: 'whsec_' + newSecretKey(),
      flaky: 'whsec_' + newSecretKey(),
      slackToken: `T00/B00/${newSecretKey().replace(/[+/=]/g, 'x')}`,
    };
    const adminKey = `adm-${newSecretKey()}`;
    // subscriptions seeded from a file (outside the repository)
    seedFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dw-notifier-')), 'subscriptions.json');
    fs.writeFileSync(
      seedFile,
      JSON.stringify([
        { id: 'ok', name: 'ok', target: { type: 'webhook', url: ok.url, secrets: [secrets.ok] } },
        {
          id: 'flaky',
          name: 'flaky',
          filter: { minSeverity: 'high' },
          target: { type: 'webhook', url: flaky.url, secrets: [secrets.flaky] },
        },
        { id: 'slack', name: 'slack', target: { type: 'slack', url: `${slack.url}/services/${secrets.slackToken}` } },
      ]),
    );
    const env: Record<string, string> = {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
      REDIS_URL: process.env.REDIS_URL!,
      DW_TOPIC_PREFIX: prefix,
      REDIS_KEY_PREFIX: `${prefix}:`,
      NOTIFIER_GROUP_ID: `${prefix}-notifier`,
      NOTIFIER_FROM_BEGINNING: 'true',
      NOTIFIER_SECRET_KEY: newSecretKey(),
      NOTIFIER_ADMIN_API_KEY_HASH: hashApiKey(adminKey),
      NOTIFIER_SUBSCRIPTIONS_FILE: seedFile,
      NOTIFIER_TARGET_ALLOW_LIST: '127.0.0.1',
      NOTIFIER_RETRY_SCHEDULE: '0s,4s,4s,4s',
      NOTIFIER_RETRY_JITTER_PERCENT: '0',
      NOTIFIER_HTTP_TIMEOUT_MS: '1000',
      NOTIFIER_LEASE_MS: '2000',
      NOTIFIER_POLL_MS: '100',
      HTTP_PORT: '0',
      LOG_LEVEL: 'debug',
    };
    await provisionTopics(kafka, ['alerts', 'notificationsDlq'], prefix);
    const output: string[] = [];
    const first = NotifierProcess.start(env, output);
    processes.push(first);

    const alerts = Array.from({ length: 5 }, (_, i) =>
      alertFixture({ orderId: `PO-${prefix}-${i}`, verdict: i % 2 ? 'license_required' : 'prohibited' }),
    );
    await producer.send({
      topic: topicName('alerts', prefix),
      messages: alerts.map((a) => ({ key: a.orderId, value: JSON.stringify(a) })),
    });

    // every first attempt made: ok and slack answered 2xx, flaky 500 (its retries are 4 s away)
    await expectEventually(
      () => {
        expect(ok.delivered()).toHaveLength(5);
        expect(slack.delivered()).toHaveLength(5);
        expect(flaky.requests).toHaveLength(5);
      },
      { timeoutMs: 60000 },
    );
    // ...and recorded: a kill between a receiver's 2xx and the notifier writing it down would resend that
    // delivery after the restart (at least once, with the same webhook-id for the receiver to drop);
    // what is asserted below is that nothing recorded as delivered is ever sent again
    await expectEventually(() => expect(output.join('').match(/"msg":"delivered"/g)?.length ?? 0).toBeGreaterThanOrEqual(10), {
      timeoutMs: 30000,
    });
    await first.kill('SIGKILL');
    flakyUp = true;

    // the restarted instance also re-reads every alert (a new group from the beginning, as if its
    // offsets were lost): the idempotent schedule must not send any of them again
    const second = NotifierProcess.start({ ...env, NOTIFIER_GROUP_ID: `${prefix}-notifier-2` }, output);
    processes.push(second);
    await expectEventually(() => expect(flaky.delivered()).toHaveLength(5), { timeoutMs: 60000 });
    await expectEventually(() => expect(output.join('')).toMatch(/alert scheduled/), { timeoutMs: 30000 });
    // the re-read alerts are scheduled; give a doubled delivery the time it would need to show up
    await expectEventually(() => expect(output.join('').match(/"msg":"alert scheduled"/g)?.length).toBeGreaterThanOrEqual(10), {
      timeoutMs: 30000,
    });
    await new Promise((r) => setTimeout(r, 1500));

    for (const r of [ok, slack]) {
      expect(r.requests).toHaveLength(5);
      expect(new Set(r.ids()).size).toBe(5);
    }
    // flaky: one failed first attempt and one successful retry per alert, with the same webhook-id
    const byId = new Map<string, number[]>();
    for (const q of flaky.requests)
      byId.set(String(q.headers['webhook-id']), [...(byId.get(String(q.headers['webhook-id'])) ?? []), q.answered]);
    expect([...byId.values()]).toEqual(Array(5).fill([500, 200]));
    for (const q of flaky.requests) expect(verify(secrets.flaky, q.headers, q.body)).toBe(true);

    await second.kill('SIGTERM');
    const logs = output.join('');
    expect(logs).toMatch(/subscriptions seeded/);
    expect(logs).toMatch(/delivery failed; will retry/);
    for (const secret of [
      secrets.ok,
      secrets.flaky,
      secrets.ok.slice(6),
      secrets.flaky.slice(6),
      secrets.slackToken,
      adminKey,
      env.NOTIFIER_SECRET_KEY,
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});
