import Redis from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import type { Page } from 'playwright-core';
import type { OrderEvent } from '@dualwatch/contracts';
import { kafkaFor, uniqueName } from '@dualwatch/testing';
import { filesWithWatchListEntry, NEW_ENTITY, replayOrder } from '../../libs/scoring/src/replay/testing-refdata';
import { ApiDeployment, KEYS } from '../e2e/api-deployment';
import { launchChromium } from '../e2e/browser';

/**
 * The dashboard's Changes page in a real headless Chromium: an admin pastes a new reference-data version,
 * sees its replay diff over the open orders (the one order of the newly listed entity, licence required),
 * and switches to it. A viewer sees the upcoming changes but no loader.
 */
const order = (orderId: string, buyer: string): OrderEvent => replayOrder(orderId, buyer);

let kafka: Kafka;
let producer: Producer;
let api: ApiDeployment;
let redis: Redis;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const prefix = uniqueName('replaydash');

beforeAll(async () => {
  kafka = kafkaFor('replay-dashboard');
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  redis = new Redis(process.env.REDIS_URL!);
  for (const e of [order('PO-A', NEW_ENTITY), order('PO-B', 'Hamamatsu Example Motors K.K.')])
    await redis.set(
      `${prefix}:book:${e.order.orderId}`,
      JSON.stringify({ state: { event: e, verdict: 'clear' }, prior: null, lastOffset: '0', source: 'orders' }),
    );
  api = await ApiDeployment.create(kafka, producer, {}, prefix);
  chromium = await launchChromium();
  page = await chromium.context.newPage();
});
afterAll(async () => {
  await chromium?.close();
  await api?.stop();
  await producer?.disconnect();
  redis?.disconnect();
});

async function signIn(key: string) {
  await page.goto(`${api.url}/dashboard/`);
  await page.fill('input[name=apiKey]', key);
  await page.click('button[type=submit]');
  await page.waitForSelector('#nav:not([hidden])');
  await page.click('a[data-nav=changes]');
  await page.waitForSelector('#upcoming');
}

it('an admin replays the open orders under a pasted version, sees only the newly listed order, and switches', async () => {
  await signIn(KEYS.admin);
  const files = filesWithWatchListEntry({ names: { en: NEW_ENTITY } });
  await page.fill('textarea[name=files]', JSON.stringify(files));
  await page.click('#replay-preview');
  await page.waitForSelector('#replay-diff tr[data-order="PO-A"]', { timeout: 20000 });
  expect(await page.$$eval('#replay-diff tbody tr', (rows) => rows.map((r) => r.getAttribute('data-order')))).toEqual(['PO-A']);
  expect(await page.textContent('#replay-diff')).toContain('Licence required');
  page.once('dialog', (d) => void d.accept());
  await page.click('#replay-switch');
  await page.waitForSelector('#replay-result :text("announced on refdata.changes.v1")');
});

it('a viewer sees the upcoming changes, and no loader', async () => {
  await page.click('#signout');
  await signIn(KEYS.viewer);
  expect(await page.$('#replay-preview')).toBeNull();
});
