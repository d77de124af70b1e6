import * as fs from 'node:fs';
import type { Kafka, Producer } from 'kafkajs';
import type { Page } from 'playwright-core';
import type { Alert } from '@dualwatch/contracts';
import { alertFixture, type AlertFixture } from '@dualwatch/notify/testing/alert-fixtures';
import { kafkaFor, uniqueName } from '@dualwatch/testing';
import { ApiDeployment, KEYS } from '../e2e/api-deployment';
import { launchChromium, SCREENSHOTS } from '../e2e/browser';

/**
 * An analyst's day on the dashboard (issue 18), in real headless Chromiums against a real api, projector,
 * broker and PostgreSQL: a realistic set of alerts (one order raised then given a look-ahead, one withdrawn
 * while the queue is open), searched, bulk-acknowledged, a prohibited case closed with a second person's
 * approval, assigned and found under My alerts, a saved view, both CSV exports, a stale-version conflict
 * between two browsers. Anna (analyst) works in one Chromium, Adam (admin) in another. Screenshots go to
 * docs/screenshots/ (casework-*.png).
 */
let kafka: Kafka;
let producer: Producer;
let api: ApiDeployment;
let anna: Awaited<ReturnType<typeof launchChromium>>;
let adam: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let other: Page;

const start = Date.now() - 3 * 3_600_000;
const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const LOOK_AHEAD = '2027-01-15';

function order(n: number, f: AlertFixture, minutes: number, extra: Partial<Alert> = {}): Alert {
  return { ...alertFixture({ orderId: `PO-2026-${n}`, ...f }), raisedAt: at(minutes), ...extra };
}
/** The day's alerts: ten orders from the risk-engine, as it would have raised them this morning. */
const ALERTS: Alert[] = [
  order(
    1001,
    {
      verdict: 'prohibited',
      seller: 'Ganzhou Rare Metals Trading Co., Ltd.',
      itemFamilies: ['Medium and heavy rare earths'],
      amount: 41000,
    },
    1,
  ),
  order(
    1002,
    {
      verdict: 'license_required',
      seller: 'Example Magnetics Korea Co., Ltd.',
      buyer: 'TDK Corporation',
      itemFamilies: ['Rare-earth permanent magnets'],
      amount: 6200,
    },
    2,
  ),
  order(
    1003,
    {
      verdict: 'review',
      seller: 'Yunnan Germanium Co.',
      buyer: 'Sumitomo Trading',
      endUser: 'Kawasaki Works',
      itemFamilies: ['Germanium items'],
      amount: 12800,
    },
    3,
  ),
  order(
    1004,
    { verdict: 'review', seller: 'Hunan Antimony Industry', buyer: 'Mitsui Metals', itemFamilies: ['Antimony items'], amount: 3300 },
    4,
  ),
  order(
    1005,
    { verdict: 'review', seller: 'Guangxi Gallium Co.', buyer: 'Hitachi Metals', itemFamilies: ['Gallium items'], amount: 7000 },
    5,
  ),
  order(
    1006,
    {
      verdict: 'license_required',
      seller: 'Baotou Rare Earth Hi-Tech',
      buyer: 'Shin-Etsu Chemical',
      itemFamilies: ['Light rare earths'],
      amount: 9100,
    },
    6,
  ),
  order(
    1007,
    {
      verdict: 'prohibited',
      seller: 'Jiangxi Tungsten Co.',
      buyer: 'Mitsubishi Heavy Industries',
      itemFamilies: ['Tungsten items'],
      amount: 52000,
    },
    7,
  ),
  order(
    1008,
    { verdict: 'review', seller: 'Zhuzhou Cemented Carbide', buyer: 'Kyocera', itemFamilies: ['Tungsten items'], amount: 2100 },
    8,
  ),
  order(
    1010,
    { verdict: 'review', seller: 'Chenguang Graphite', buyer: 'Nippon Carbon', itemFamilies: ['Graphite items'], amount: 4400 },
    10,
  ),
  // the same order, looked ahead: a listing takes effect on LOOK_AHEAD and makes it prohibited from then
  order(
    1010,
    {
      verdict: 'prohibited',
      kind: 'upcoming',
      seller: 'Chenguang Graphite',
      buyer: 'Nippon Carbon',
      itemFamilies: ['Graphite items'],
      amount: 4400,
    },
    11,
    {
      kind: 'upcoming',
      alertId: 'alr-up-PO-2026-1010',
      effectiveOn: LOOK_AHEAD,
      previousVerdict: 'review',
    },
  ),
  order(
    1011,
    { verdict: 'license_required', seller: 'Xiamen Tungsten', buyer: 'Toyota Tsusho', itemFamilies: ['Tungsten items'], amount: 8800 },
    12,
  ),
];
/** The withdrawal of order 1011 (its order cancelled), published while Anna's queue is open. */
const WITHDRAWN = order(
  1011,
  { verdict: 'clear', seller: 'Xiamen Tungsten', buyer: 'Toyota Tsusho', itemFamilies: ['Tungsten items'] },
  60,
  {
    kind: 'withdrawn',
    alertId: 'alr-wd-PO-2026-1011',
  },
);

/** Waits until the api has a case as `ok` says. */
async function until(id: string, ok: (d: any) => boolean = () => true): Promise<any> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await api.call('GET', `/alerts/${id}`);
    if (r.status === 200 && ok(r.json)) return r.json;
    if (Date.now() > deadline) throw new Error(`case ${id} never got there: ${JSON.stringify(r.json?.view)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Signed in with `key` (kept in this tab's sessionStorage), on `path`. */
async function open(p: Page, path: string, key: string): Promise<void> {
  if (!p.url().startsWith(api.url)) await p.goto(`${api.url}/dashboard/`);
  await p.evaluate((k) => (globalThis as any).sessionStorage.setItem('dualwatch.apiKey', k), key);
  await p.goto(`${api.url}${path}`);
}
const orderIds = (p: Page) => p.$$eval('#feed-rows tr', (rows) => rows.map((r) => (r as any).dataset.orderId as string));
/** The order ids listed once the list settles on `expected` (a live redraw may come first). */
async function listed(p: Page, expected: string[]): Promise<void> {
  await p
    .waitForFunction(
      (e) =>
        JSON.stringify([...(globalThis as any).document.querySelectorAll('#feed-rows tr')].map((r: any) => r.dataset.orderId).sort()) ===
        JSON.stringify([...e].sort()),
      expected,
      { timeout: 5000 },
    )
    .catch(() => undefined);
  expect((await orderIds(p)).sort()).toEqual([...expected].sort());
}
async function search(p: Page, q: string): Promise<void> {
  await p.fill('form[name=filters] input[name=q]', q);
  await p.press('form[name=filters] input[name=q]', 'Enter');
  await p.waitForURL((u) => u.searchParams.get('q') === q);
  await p.waitForSelector('#list-filter');
}
async function downloaded(p: Page, click: () => Promise<unknown>): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([p.waitForEvent('download'), click()]);
  return { name: dl.suggestedFilename(), text: fs.readFileSync((await dl.path())!, 'utf8') };
}

beforeAll(async () => {
  kafka = kafkaFor('casework-ui');
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  api = await ApiDeployment.create(kafka, producer, {}, uniqueName('cwui'));
  await api.publishAlerts(...ALERTS);
  for (const a of ALERTS) await until(a.orderId);
  await until('PO-2026-1010', (d) => d.view.effectiveOn === LOOK_AHEAD);
  anna = await launchChromium();
  adam = await launchChromium();
  page = await anna.context.newPage();
  other = await adam.context.newPage();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await anna?.close();
  await adam?.close();
  await api?.destroy();
  await producer?.disconnect();
});

it('opens on the open queue and finds a case by order id, by party and by item', async () => {
  await open(page, '/dashboard/', KEYS.analyst);
  await page.waitForSelector('#feed-rows tr');
  await page.waitForSelector('#live.on', { timeout: 20_000 });
  expect(await page.textContent('#list-filter')).toBe('Open queue');
  expect(await page.getAttribute('a[data-quick=queue]', 'class')).toContain('active');
  // one row per order: 1010 has two alert messages
  await listed(page, [...new Set(ALERTS.map((a) => a.orderId))]);

  await search(page, 'PO-2026-1003');
  await listed(page, ['PO-2026-1003']);
  await search(page, 'kawasaki'); // the end user, any case
  await listed(page, ['PO-2026-1003']);
  await search(page, 'Mitsubishi Heavy');
  await listed(page, ['PO-2026-1007']);
  await search(page, 'tungsten'); // item family (and the sellers' names)
  await listed(page, ['PO-2026-1007', 'PO-2026-1008', 'PO-2026-1011']);
  // the look-ahead's alert id finds its order
  await search(page, 'alr-up-PO-2026-1010');
  await listed(page, ['PO-2026-1010']);
});

it('says the same verdict of an order on the list, its case page and Exposure: as of the ship date, and from a date ahead', async () => {
  await open(page, '/dashboard/?q=PO-2026-1010', KEYS.analyst);
  await listed(page, ['PO-2026-1010']);
  const row = (await page.textContent('#feed-rows tr td.verdict'))!;
  expect(row).toContain('Review');
  expect(row).toContain('as of the ship date 2026-03-02');
  expect(row).toContain(`from ${LOOK_AHEAD}: Prohibited`);

  await page.click('#feed-rows tr a.order');
  await page.waitForSelector('.alert-head');
  const head = (await page.textContent('.verdict-head'))!;
  expect(head).toContain('Review');
  expect(head).toContain('as of the ship date 2026-03-02');
  expect(head).toContain(`from ${LOOK_AHEAD}: Prohibited`);
  expect(await page.textContent('.lookahead-panel h2')).toContain(`from ${LOOK_AHEAD}`);
  // one timeline: the raised message and the look-ahead
  const timeline = await page.$$eval('.timeline li', (els) => els.map((e) => (e as any).innerText as string));
  expect(timeline[0]).toMatch(/Raised: Review as of the ship date 2026-03-02/);
  expect(timeline[1]).toMatch(new RegExp(`Look-ahead: from ${LOOK_AHEAD}: Prohibited`));
  await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
  await page.screenshot({ path: `${SCREENSHOTS}/casework-look-ahead.png`, fullPage: true });

  // Exposure counts it once, with the verdict the list and the case page show
  await open(page, '/dashboard/exposure?q=PO-2026-1010', KEYS.analyst);
  await page.waitForSelector('#verdict-note');
  const bars = await page.$$eval('.bars .bar-head', (els) => els.map((e) => (e as any).innerText.replace(/\s+/g, ' ') as string));
  expect(bars).toContain('Review 1');
  expect(bars).toContain('Prohibited 0');
});

it('acknowledges several cases at once and says which one changed since it was loaded', async () => {
  await open(page, '/dashboard/?verdict=review', KEYS.analyst);
  const review = ['PO-2026-1003', 'PO-2026-1004', 'PO-2026-1005', 'PO-2026-1008', 'PO-2026-1010'];
  await listed(page, review);
  await page.check('#select-all');
  await page.waitForSelector('.bulk:not([hidden])');
  expect(await page.textContent('.bulk b')).toBe('5');
  // meanwhile Adam assigns one of them to himself: the version Anna selected is stale
  const v = (await api.call('GET', '/alerts/PO-2026-1005')).json.view.version;
  expect((await api.call('POST', '/alerts/PO-2026-1005/assign', { body: { note: 'mine', version: v, assignee: 'adam' } })).status).toBe(
    200,
  );
  await page.waitForSelector('#feed-rows tr[data-order-id="PO-2026-1005"] .assignee');

  await page.click('.bulk button[data-bulk=acknowledge]');
  expect(await page.textContent('.bulk-result')).toContain('Write a note first');
  await page.fill('input[name=bulkNote]', 'Morning review: checked end-user statements with sales.');
  await page.click('.bulk button[data-bulk=acknowledge]');
  await page.waitForSelector('#bulk-summary');
  expect(await page.textContent('#bulk-summary')).toBe('4 acknowledged, 1 changed since you loaded it.');
  expect(await page.textContent('.bulk-failures li[data-order="PO-2026-1005"]')).toContain('changed by someone else since you loaded it');
  // the four are acknowledged in place (still in the queue); the stale one is still selected to try again
  await page.waitForFunction(
    () => [...(globalThis as any).document.querySelectorAll('#feed-rows tr[data-status=acknowledged]')].length === 4,
    undefined,
    { timeout: 5000 },
  );
  expect(await page.isChecked('#feed-rows tr[data-order-id="PO-2026-1005"] input.pick')).toBe(true);
  expect(await page.textContent('.bulk b')).toBe('1');
  await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
  await page.screenshot({ path: `${SCREENSHOTS}/casework-bulk.png`, fullPage: true });
  await page.click('.bulk button[data-bulk=acknowledge]');
  expect(await page.textContent('.bulk-result')).toContain('Write a note first');
  await page.fill('input[name=bulkNote]', 'Adam agrees.');
  await page.click('.bulk button[data-bulk=acknowledge]');
  await page.waitForSelector('#bulk-summary:has-text("1 acknowledged.")');
});

it('closes a prohibited case only with a second person: Anna asks, cannot approve it herself, Adam approves', async () => {
  await open(page, '/dashboard/alerts/PO-2026-1001', KEYS.analyst);
  await page.waitForSelector('button[data-action=resolve]');
  await page.fill('textarea[name=note]', 'Shipment held at Ningbo; customer informed; no licence is possible.');
  await page.click('button[data-action=resolve]');
  expect(await page.textContent('#case-msg')).toContain('Choose a disposition');
  await page.selectOption('select[name=disposition]', 'shipment_held');
  await page.click('button[data-action=resolve]');
  await page.waitForSelector('#pending');
  expect(await page.textContent('.alert-head')).toContain('Awaiting approval');
  expect(await page.textContent('#pending')).toContain("Waiting for a second person's approval: requested by anna");
  expect(await page.textContent('#pending')).toContain('someone else must approve it');
  expect(await page.isDisabled('button[data-action=approve]')).toBe(true);
  // the api refuses her approval too
  const d = (await api.call('GET', '/alerts/PO-2026-1001', { key: KEYS.analyst })).json;
  const self = await api.call('POST', '/alerts/PO-2026-1001/approve', {
    key: KEYS.analyst,
    body: { note: 'ok', version: d.lifecycle.version },
  });
  expect(self.status).toBe(409);
  expect(self.json.error).toBe('SAME_PERSON');
  await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
  await page.screenshot({ path: `${SCREENSHOTS}/casework-approval.png`, fullPage: true });

  // Adam, in his own browser, finds it under Awaiting approval and approves it
  await open(other, '/dashboard/', KEYS.admin);
  await other.click('a[data-quick=approval]');
  await listed(other, ['PO-2026-1001']);
  await other.click('#feed-rows tr a.order');
  await other.waitForSelector('#pending');
  expect(await other.textContent('#pending')).toContain('requested by anna');
  expect(await other.isDisabled('button[data-action=approve]')).toBe(false);
  await other.fill('textarea[name=note]', 'Approved: held, nothing ships.');
  await other.click('button[data-action=approve]');
  await other.waitForSelector('.alert-head :text("Resolved")');
  const timeline = (await other.textContent('.timeline'))!;
  expect(timeline).toContain('anna resolved: Open → Awaiting approval · Shipment held');
  expect(timeline).toContain('adam approved: Awaiting approval → Resolved · Shipment held');
  // Anna's page follows: resolved, and out of her queue
  await page.waitForSelector('.alert-head :text("Resolved")', { timeout: 5000 });
  await open(page, '/dashboard/', KEYS.analyst);
  await page.waitForSelector('#feed-rows tr');
  expect(await orderIds(page)).not.toContain('PO-2026-1001');
});

it('assigns a case with a due date and finds it under My alerts and Overdue', async () => {
  await open(page, '/dashboard/alerts/PO-2026-1002', KEYS.analyst);
  await page.waitForSelector('.assignment button[data-action=assign]');
  await page.fill('textarea[name=note]', 'Taking this one: licence application with METI pending.');
  await page.click('.assignment button:text-is("Me")');
  await page.fill('input[name=dueOn]', yesterday);
  await page.click('button[data-action=assign]');
  await page.waitForSelector(`#assigned:has-text("Assigned to anna")`);
  expect(await page.textContent('#assigned')).toContain(`due ${yesterday} (overdue)`);
  expect(await page.textContent('.timeline')).toContain(`anna assigned: to anna, due ${yesterday}`);

  await page.click('a[data-nav=alerts]');
  await page.click('a[data-quick=mine]');
  await page.waitForURL((u) => u.searchParams.get('assignee') === 'me');
  await listed(page, ['PO-2026-1002']);
  expect(await page.textContent('#list-filter')).toBe('Open queue · assigned to me');
  expect(await page.textContent('#feed-rows tr .overdue')).toContain(`overdue since ${yesterday}`);
  await page.screenshot({ path: `${SCREENSHOTS}/casework-my-alerts.png` });
  await page.click('a[data-quick=overdue]');
  await page.waitForURL((u) => u.searchParams.get('overdue') === 'true');
  await listed(page, ['PO-2026-1002']);
});

it('saves the filters as a view, opens it again and deletes it', async () => {
  await open(page, '/dashboard/?verdict=license_required&country=JP', KEYS.analyst);
  await page.waitForSelector('#feed-rows tr');
  await page.fill('input[name=viewName]', 'Licences to chase');
  await page.click('#save-view');
  await page.waitForSelector('select[name=savedView] option:has-text("Licences to chase")', { state: 'attached' });
  // elsewhere, then back through the list of views
  await page.click('a[data-quick=queue]');
  await page.waitForURL((u) => !u.search);
  await page.waitForSelector('#list-filter:text-is("Open queue")');
  await page.selectOption('select[name=savedView]', { label: 'Licences to chase' });
  await page.waitForURL((u) => u.searchParams.get('verdict') === 'license_required');
  await listed(page, ['PO-2026-1002', 'PO-2026-1006', 'PO-2026-1011']);
  expect(await page.textContent('#list-filter')).toBe('Open queue · verdict license_required · ship-to JP');
  await page.click('#delete-view');
  await page.waitForSelector('select[name=savedView] option:has-text("No saved views yet")', { state: 'attached' });
  expect((await api.call('GET', '/views', { key: KEYS.analyst })).json).toEqual([]);
});

it('exports the filtered list and the audit trail of the day as CSV', async () => {
  await open(page, '/dashboard/?verdict=review', KEYS.analyst);
  await page.waitForSelector('#feed-rows tr');
  const list = await downloaded(page, () => page.click('#export-csv'));
  expect(list.name).toMatch(/^dualwatch-alerts-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = list.text
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  expect(lines[0]).toMatch(/^orderId,alertId,status,verdict,severity,score,asOf,effectiveOn,upcomingVerdict,/);
  const rows = lines.slice(1).map((l) => l.split(','));
  expect(rows.map((r) => r[0]).sort()).toEqual(['PO-2026-1003', 'PO-2026-1004', 'PO-2026-1005', 'PO-2026-1008', 'PO-2026-1010']);
  for (const r of rows) expect(r.slice(2, 4)).toEqual(['acknowledged', 'review']);
  const ahead = rows.find((r) => r[0] === 'PO-2026-1010')!;
  expect(ahead.slice(6, 9)).toEqual(['2026-03-02', LOOK_AHEAD, 'prohibited']);

  const audit = await downloaded(page, () => page.click('#export-audit'));
  expect(audit.name).toMatch(/^dualwatch-audit-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const trail = audit.text.replace(/^\uFEFF/, '');
  expect(trail.split(/\r?\n/)[0]).toBe('at,user,orderId,alertId,version,action,from,to,disposition,assignee,dueOn,note');
  expect(trail).toMatch(
    /,anna,PO-2026-1003,[^,]+,1,acknowledge,open,acknowledged,,,,Morning review: checked end-user statements with sales\./,
  );
  expect(trail).toMatch(/,adam,PO-2026-1005,[^,]+,1,assign,open,open,,adam,,mine/);
  expect(trail).toMatch(/,anna,PO-2026-1001,[^,]+,\d,resolve,open,awaiting_approval,shipment_held,/);
  expect(trail).toMatch(/,adam,PO-2026-1001,[^,]+,\d,approve,awaiting_approval,resolved,shipment_held,/);
  expect(trail).toContain(`,anna,PO-2026-1002,`);
  expect(trail).toContain(`assign,open,open,,anna,${yesterday},Taking this one`);
});

it('a change made in another browser since the case was opened is refused, and the page shows the current state', async () => {
  await open(page, '/dashboard/alerts/PO-2026-1006', KEYS.analyst);
  await page.waitForSelector('button[data-action=acknowledge]');
  await page.fill('textarea[name=note]', 'Asked Shin-Etsu for the end-use statement.');
  // Adam acknowledges the same case in his browser meanwhile
  await open(other, '/dashboard/alerts/PO-2026-1006', KEYS.admin);
  await other.waitForSelector('button[data-action=acknowledge]');
  await other.fill('textarea[name=note]', 'Licence application filed with MOFCOM.');
  await other.click('button[data-action=acknowledge]');
  await other.waitForSelector('.alert-head :text("Acknowledged")');
  // Anna is writing: her page says it changed instead of redrawing under her hands
  await page.waitForSelector('#changed-live:not([hidden])', { timeout: 5000 });
  expect(await page.textContent('.alert-head')).toContain('Open');

  await page.click('button[data-action=acknowledge]');
  await page.waitForSelector('#case-msg:has-text("changed by someone else since you opened it")');
  expect(await page.textContent('#case-msg')).toContain('adam acknowledged');
  expect(await page.textContent('.alert-head')).toContain('Acknowledged');
  expect(await page.textContent('.timeline')).toContain('Licence application filed with MOFCOM.');
  // her note is kept, and the buttons are those of the current status
  expect(await page.inputValue('textarea[name=note]')).toBe('Asked Shin-Etsu for the end-use statement.');
  expect(await page.$('button[data-action=acknowledge]')).toBeNull();
  await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
  await page.screenshot({ path: `${SCREENSHOTS}/casework-stale.png` });
});

it('a withdrawn order leaves the open queue by itself', async () => {
  await open(page, '/dashboard/', KEYS.analyst);
  await page.waitForSelector('#feed-rows tr[data-order-id="PO-2026-1011"]');
  await page.waitForSelector('#live.on', { timeout: 20_000 });
  await api.publishAlerts(WITHDRAWN);
  await page.waitForSelector('#feed-rows tr[data-order-id="PO-2026-1011"]', { state: 'detached', timeout: 5000 });

  await page.click('a[data-quick=all]');
  await page.waitForSelector('#feed-rows tr[data-order-id="PO-2026-1011"]');
  expect(await page.textContent('#feed-rows tr[data-order-id="PO-2026-1011"] td.status')).toContain('Withdrawn');
  await page.click('#feed-rows tr[data-order-id="PO-2026-1011"] a.order');
  await page.waitForSelector('.alert-head');
  expect(await page.textContent('main')).toContain('The order was cancelled');
  const timeline = (await page.textContent('.timeline'))!;
  expect(timeline).toContain('Withdrawn: ');
  expect(timeline).toContain('system withdrew: Open → Withdrawn · Order cancelled');
});
