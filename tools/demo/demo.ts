/**
 * Demo traffic: realistic order events (the seeded generator the tests and benchmarks use) produced to
 * orders.v1 at a steady rate, and every alert the risk-engine publishes printed as one line.
 *
 *   node dist/tools/demo/demo.js [--rate 5] [--count 0] [--seed 1]
 */
import { loadSettings } from '@dualwatch/config';
import { kafkaSettings } from '@dualwatch/config';
import { topicName, type Alert } from '@dualwatch/contracts';
import { createKafka, provisionTopics, tailTopic } from '@dualwatch/messaging';
import { generateOrders } from '@dualwatch/scoring/testing/order-generator';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const COLOURS: Record<string, string> = { critical: '\x1b[41;97m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', none: '' };

export function alertLine(a: Alert): string {
  const s = a.assessment;
  const top = s.reasons.find((r) => r.code !== 'SUPPLY_RISK_JAPAN') ?? s.reasons[0];
  const colour = process.stdout.isTTY ? (COLOURS[s.severity] ?? '') : '';
  const reset = colour ? '\x1b[0m' : '';
  return `${colour}[${a.kind.toUpperCase()} ${s.verdict} ${s.severity} ${s.score}]${reset} ${a.orderId}  ${a.summary?.seller ?? '?'} -> ${a.summary?.buyer ?? '?'} (${a.summary?.shipTo ?? '?'})  ${top ? `${top.code}: ${top.message}` : ''}`;
}

async function main() {
  const settings = loadSettings(kafkaSettings);
  const rate = arg('rate', 5);
  const count = arg('count', 0);
  const seed = arg('seed', Date.now() % 100000);
  const kafka = createKafka(settings, 'demo');
  await provisionTopics(kafka, ['orders', 'alerts'], settings.topicPrefix);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const stopTail = await tailTopic(kafka, topicName('alerts', settings.topicPrefix), (message) =>
    console.log(alertLine(JSON.parse(message.value!.toString()) as Alert)),
  );

  let sent = 0;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled([producer.disconnect(), stopTail()]);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(
    `[demo] producing ${rate} orders/s to ${topicName('orders', settings.topicPrefix)}; alerts from ${topicName('alerts', settings.topicPrefix)} print below`,
  );
  let batchNo = 0;
  while (!stopping && (count === 0 || sent < count)) {
    const n = count === 0 ? rate : Math.min(rate, count - sent);
    const orders = generateOrders(n, seed + batchNo++, { idPrefix: `demo-${seed}-${batchNo}` });
    await producer.send({
      topic: topicName('orders', settings.topicPrefix),
      messages: orders.map((o) => ({ key: o.order.orderId, value: JSON.stringify(o) })),
    });
    sent += n;
    if (sent % (rate * 10) < rate) console.log(`[demo] ${sent} orders sent`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  await new Promise((r) => setTimeout(r, 3000));
  await stop();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`[demo] ${(err as Error).stack ?? err}`);
    process.exit(1);
  });
}
