import * as fs from 'node:fs';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { contractSchemaPath, topicName, type Alert, type Assessment, type OrderEvent } from '@dualwatch/contracts';
import { alertFixture } from '@dualwatch/notify/testing/alert-fixtures';
import { expectEventually, kafkaFor, uniqueName } from '@dualwatch/testing';
import { encodeShiftJis } from '@dualwatch/testing/encodings';
import { engineEnv, parseValue, readCommitted } from '@dualwatch/testing/engine';
import { bootstrap as bootstrapEngine } from '../../apps/risk-engine/src/main';
import { ApiDeployment, KEYS } from '../e2e/api-deployment';

/**
 * The api against the real broker and Redis: auth and roles, the alert store (filters, pagination,
 * summaries, live stream), the lifecycle and its rebuild after a restart, ingest (JSON and CSV, with
 * limits), and what-if against the real risk-engine.
 */
let kafka: Kafka;
let producer: Producer;
let api: ApiDeployment;
const others: { stop(): Promise<void> }[] = [];

const at = (iso: string, a: Alert): Alert => ({ ...a, raisedAt: iso });
const ids = (r: { json: { items: { orderId: string }[] } }) => r.json.items.map((i) => i.orderId).sort();

const A = {
  atla: at(
    '2026-03-02T09:00:00Z',
    alertFixture({
      orderId: 'PO-ATLA-1',
      verdict: 'prohibited',
      seller: 'Ganzhou Rare Metals',
      buyer: 'Acquisition, Technology & Logistics Agency',
      shipTo: 'JP',
      itemFamilies: ['Medium and heavy rare earths (Sm, Gd, Tb, Dy, Lu, Sc, Y)'],
      amount: 19000,
    }),
  ),
  tdk: at(
    '2026-03-05T10:00:00Z',
    alertFixture({
      orderId: 'SO-TDK-2',
      verdict: 'license_required',
      seller: 'Example Magnetics Korea',
      buyer: 'TDK Corporation',
      shipTo: 'JP',
      itemFamilies: ['Rare-earth permanent magnets (SmCo, Tb- and Dy-containing NdFeB)'],
      amount: 6200,
    }),
  ),
  ga: at(
    '2026-03-10T11:00:00Z',
    alertFixture({
      orderId: 'PO-GA-3',
      verdict: 'review',
      seller: 'Ganzhou Rare Metals',
      buyer: 'Sumitomo Trading',
      endUser: 'Unknown Works',
      shipTo: 'SG',
      itemFamilies: ['Gallium items'],
      amount: 1000,
    }),
  ),
};

beforeAll(async () => {
  kafka = kafkaFor('api');
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  api = await ApiDeployment.create(kafka, producer);
  await api.publishAlerts(A.atla, A.tdk, A.ga);
  await expectEventually(async () => expect((await api.call('GET', '/alerts', { key: KEYS.viewer })).json.total).toBe(3));
});
afterAll(async () => {
  await api?.stop();
  for (const o of others) await o.stop();
  await producer?.disconnect();
});

describe('authentication and roles', () => {
  it('answers 401 without a key and with a wrong one', async () => {
    expect((await api.call('GET', '/alerts', { key: null })).status).toBe(401);
    expect((await api.call('GET', '/alerts', { key: 'dw_not-a-key' })).status).toBe(401);
  });

  it('answers 403 where the role is too low: a viewer triaging or sending orders, an analyst managing subscriptions', async () => {
    const id = A.atla.alertId;
    expect((await api.call('POST', `/alerts/${id}/acknowledge`, { key: KEYS.viewer, body: { note: 'x' } })).status).toBe(403);
    expect((await api.call('POST', '/orders', { key: KEYS.viewer, body: {} })).status).toBe(403);
    expect((await api.call('GET', '/subscriptions', { key: KEYS.analyst })).status).toBe(403);
    expect((await api.call('GET', '/session', { key: KEYS.analyst })).json).toEqual({ user: 'anna', role: 'analyst' });
  });

  it('serves health, the OpenAPI document and its page without a key', async () => {
    expect((await api.call('GET', '/health', { key: null })).status).toBe(200);
    const doc = await api.call('GET', '/docs/openapi.json', { key: null });
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining(['/orders', '/orders/csv', '/alerts', '/alerts/{id}', '/alerts/stream', '/assess', '/subscriptions']),
    );
    const page = await fetch(`${api.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('GET /alerts: filters and pagination', () => {
  const list = async (q: string) => api.call('GET', `/alerts?${q}`, { key: KEYS.viewer });

  it.each([
    ['verdict=prohibited', ['PO-ATLA-1']],
    ['verdict=prohibited,license_required', ['PO-ATLA-1', 'SO-TDK-2']],
    ['severity=medium', ['PO-GA-3']],
    ['supplier=ganzhou', ['PO-ATLA-1', 'PO-GA-3']],
    ['buyer=tdk', ['SO-TDK-2']],
    ['buyer=unknown%20works', ['PO-GA-3']],
    ['country=sg', ['PO-GA-3']],
    ['itemFamily=magnets', ['SO-TDK-2']],
    ['from=2026-03-05&to=2026-03-09', ['SO-TDK-2']],
    ['to=2026-03-05', ['PO-ATLA-1', 'SO-TDK-2']],
    ['supplier=ganzhou&verdict=review', ['PO-GA-3']],
    ['q=atla', ['PO-ATLA-1']],
  ])('%s', async (q, expected) => {
    const r = await list(q);
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual(expected);
  });

  it('pages newest first with a total', async () => {
    const p1 = await list('limit=2');
    expect(p1.json).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(p1.json.items.map((i: any) => i.orderId)).toEqual(['PO-GA-3', 'SO-TDK-2']);
    const p2 = await list('limit=2&offset=2');
    expect(p2.json.items.map((i: any) => i.orderId)).toEqual(['PO-ATLA-1']);
  });

  it('refuses a bad filter with 400 naming it', async () => {
    for (const q of ['verdict=blocked', 'limit=0', 'from=yesterday', 'country=Japan']) {
      const r = await list(q);
      expect(r.status).toBe(400);
      expect(r.json.message).toMatch(/^(verdict|limit|from|country):/);
    }
  });

  it('GET /alerts/:id gives every reason with its legal basis; an unknown id is 404', async () => {
    const r = await api.call('GET', `/alerts/${A.atla.alertId}`, { key: KEYS.viewer });
    expect(r.json.alert.assessment.reasons).toEqual(A.atla.assessment.reasons);
    expect(r.json.lifecycle).toMatchObject({ status: 'open', allowedActions: ['acknowledge', 'resolve', 'false_positive', 'assign'] });
    expect(r.json.view).toMatchObject({ orderId: 'PO-ATLA-1', asOf: '2026-03-02', version: 0 });
    expect((await api.call('GET', '/alerts/alr-none', { key: KEYS.viewer })).status).toBe(404);
  });

  it('summarises exposure by verdict, supplier, item family, day and value', async () => {
    const r = await api.call('GET', '/alerts/summary', { key: KEYS.viewer });
    expect(r.json.total).toBe(3);
    expect(r.json.byVerdict).toEqual({ prohibited: 1, license_required: 1, review: 1 });
    expect(r.json.exposedValue).toEqual([{ currency: 'USD', amount: 26200, alerts: 3 }]);
    expect(r.json.bySupplier[0]).toEqual({
      supplier: 'Ganzhou Rare Metals',
      alerts: 2,
      exposedValue: [{ currency: 'USD', amount: 20000 }],
    });
    expect(r.json.byItemFamily).toHaveLength(3);
    expect(r.json.overTime.map((d: any) => d.date)).toEqual(['2026-03-02', '2026-03-05', '2026-03-10']);
    const jp = await api.call('GET', '/alerts/summary?country=JP', { key: KEYS.viewer });
    expect(jp.json.total).toBe(2);
  });
});

describe('the lifecycle', () => {
  const act = (id: string, action: string, body: Record<string, unknown> | null = { note: 'checked' }, key = KEYS.analyst) =>
    api.call('POST', `/alerts/${id}/${action}`, { key, body: body ?? {} });

  it('goes open → acknowledged → resolved with user, time, note and disposition, and refuses what the status does not allow', async () => {
    const id = A.tdk.alertId;
    expect((await act(id, 'acknowledge', null)).status).toBe(400); // a note is needed
    const noDisposition = await act(id, 'resolve', { note: 'done' });
    expect(noDisposition.status).toBe(409);
    expect(noDisposition.json.error).toBe('DISPOSITION_NEEDED');
    const ack = await act(id, 'acknowledge', { note: 'asked TDK for the end-use statement' });
    expect(ack.status).toBe(200);
    expect(ack.json.lifecycle).toMatchObject({
      status: 'acknowledged',
      version: 1,
      allowedActions: ['resolve', 'false_positive', 'assign'],
    });
    expect((await act(id, 'acknowledge')).status).toBe(409);
    const done = await act(id, 'resolve', { note: 'licence application filed', disposition: 'licence_obtained', version: 1 });
    expect(done.json.lifecycle.status).toBe('resolved');
    expect(done.json.view).toMatchObject({ orderId: 'SO-TDK-2', status: 'resolved', disposition: 'licence_obtained', version: 2 });
    expect(done.json.lifecycle.history).toEqual([
      expect.objectContaining({
        action: 'acknowledge',
        from: 'open',
        to: 'acknowledged',
        user: 'anna',
        note: 'asked TDK for the end-use statement',
      }),
      expect.objectContaining({ action: 'resolve', from: 'acknowledged', to: 'resolved', user: 'anna', disposition: 'licence_obtained' }),
    ]);
    const refused = await act(id, 'false-positive', { note: 'x', disposition: 'false_match' });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toBe('TRANSITION_REFUSED');
    expect((await act(id, 'archive')).status).toBe(404);
    expect((await act('alr-none', 'acknowledge')).status).toBe(404);
    expect((await act(id, 'reopen', { note: 'x', colour: 'red' })).status).toBe(400);
  });

  it('refuses a change made on a stale version with 409 and the current state', async () => {
    const stale = await act(A.tdk.orderId, 'reopen', { note: 'from an old tab', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ error: 'STALE_VERSION', current: { view: { status: 'resolved', version: 2 } } });
  });

  it('marks a false positive straight from open, and reopens it', async () => {
    const id = A.ga.alertId;
    const fp = await act(id, 'false-positive', { note: 'Sumitomo Trading is not the listed entity', disposition: 'false_match' });
    expect(fp.json.lifecycle.status).toBe('false_positive');
    expect((await api.call('GET', '/alerts?status=false_positive', { key: KEYS.viewer })).json.items.map((i: any) => i.alertId)).toEqual([
      id,
    ]);
    expect((await act(id, 'reopen', { note: 'new information' })).json.lifecycle.status).toBe('open');
  });

  it("closes a prohibited order only with a second person's approval", async () => {
    const id = A.atla.orderId;
    const asked = await act(id, 'resolve', { note: 'shipment stopped at Ganzhou', disposition: 'shipment_held' });
    expect(asked.json.view).toMatchObject({ status: 'awaiting_approval', pending: { requestedBy: 'anna', action: 'resolve' } });
    expect((await api.call('GET', '/alerts?status=queue', { key: KEYS.viewer })).json.items.map((i: any) => i.orderId)).toContain(id);
    const self = await act(id, 'approve', { note: 'fine' });
    expect(self.status).toBe(409);
    expect(self.json.error).toBe('SAME_PERSON');
    const approved = await act(id, 'approve', { note: 'hold notice seen' }, KEYS.admin);
    expect(approved.json.view).toMatchObject({ status: 'resolved', disposition: 'shipment_held' });
    expect(approved.json.lifecycle.history.map((h: any) => [h.action, h.user])).toEqual([
      ['resolve', 'anna'],
      ['approve', 'adam'],
    ]);
    expect((await act(id, 'reopen', { note: 'reopened for the bulk test' }, KEYS.admin)).status).toBe(200);
  });

  it('publishes each change on alerts.lifecycle.v1, keyed by orderId, with the whole history (from the outbox)', async () => {
    const msgs = await readCommitted(
      kafka,
      topicName('alertLifecycle', api.prefix),
      (m) => m.filter((x) => x.key?.toString() === A.tdk.orderId).length >= 2,
    );
    const last = parseValue<any>(msgs.filter((x) => x.key?.toString() === A.tdk.orderId).pop()!);
    expect(last).toMatchObject({ schemaVersion: 2, orderId: A.tdk.orderId, alertId: A.tdk.alertId, status: 'resolved', version: 2 });
    expect(last.history).toHaveLength(2);
  });

  it('is the same after a restart: PostgreSQL is the record', async () => {
    await api.restart();
    const r = await api.call('GET', `/alerts/${A.tdk.alertId}`, { key: KEYS.viewer });
    expect(r.json.lifecycle).toMatchObject({ status: 'resolved', version: 2 });
    expect((await api.call('GET', '/alerts', { key: KEYS.viewer })).json.total).toBe(3);
    expect((await api.call('GET', `/alerts/${A.ga.alertId}`, { key: KEYS.viewer })).json.lifecycle.history).toHaveLength(2);
  });
});

describe('casework', () => {
  it('assigns with a due date; "my alerts" and overdue find it', async () => {
    const r = await api.call('POST', `/alerts/${A.ga.orderId}/assign`, {
      key: KEYS.analyst,
      body: { note: 'yours', assignee: 'anna', dueOn: '2026-01-02' },
    });
    expect(r.json.view).toMatchObject({ assignee: 'anna', dueOn: '2026-01-02' });
    expect(ids(await api.call('GET', '/alerts?assignee=me', { key: KEYS.analyst }))).toEqual([A.ga.orderId]);
    expect(ids(await api.call('GET', '/alerts?assignee=me', { key: KEYS.viewer }))).toEqual([]);
    expect(ids(await api.call('GET', '/alerts?overdue=true', { key: KEYS.viewer }))).toEqual([A.ga.orderId]);
  });

  it('triages several cases at once and says per case what happened', async () => {
    const list = (await api.call('GET', '/alerts?status=open', { key: KEYS.viewer })).json.items as { orderId: string; version: number }[];
    const items = [
      ...list.map((i) => ({ id: i.orderId, version: i.version })),
      { id: 'PO-NONE', version: 0 },
      { id: A.tdk.orderId, version: 2 },
    ];
    const r = await api.call('POST', '/alerts/bulk/acknowledge', { key: KEYS.analyst, body: { items, note: 'morning sweep' } });
    expect(r.status).toBe(200);
    const by = Object.fromEntries(r.json.results.map((x: any) => [x.id, x.status]));
    for (const i of list) expect(by[i.orderId]).toBe(200);
    expect(by['PO-NONE']).toBe(404);
    expect(by[A.tdk.orderId]).toBe(409); // resolved: cannot be acknowledged
    expect((await api.call('POST', '/alerts/bulk/acknowledge', { key: KEYS.viewer, body: { items, note: 'x' } })).status).toBe(403);
  });

  it('exports the filtered list and the audit trail of a period as CSV', async () => {
    const csv = await fetch(`${api.url}/alerts/export.csv?supplier=ganzhou`, { headers: { 'x-api-key': KEYS.viewer } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0].split(',').slice(0, 4)).toEqual(['orderId', 'alertId', 'status', 'verdict']);
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual(['PO-ATLA-1', 'PO-GA-3']);
    const today = new Date().toISOString().slice(0, 10);
    const audit = await fetch(`${api.url}/audit/export.csv?from=${today}&to=${today}`, { headers: { 'x-api-key': KEYS.analyst } });
    const rows = (await audit.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(rows[0]).toBe('at,user,orderId,alertId,version,action,from,to,disposition,assignee,dueOn,note');
    expect(rows.some((l) => l.includes(',adam,PO-ATLA-1,') && l.includes(',approve,'))).toBe(true);
    expect((await api.call('GET', `/audit/export.csv?from=${today}`, { key: KEYS.analyst })).status).toBe(400);
    expect((await api.call('GET', `/audit/export.csv?from=${today}&to=${today}`, { key: KEYS.viewer })).status).toBe(403);
  });

  it('keeps saved views per user', async () => {
    const saved = await api.call('POST', '/views', {
      key: KEYS.analyst,
      body: { name: 'JP prohibited', query: { verdict: 'prohibited', country: 'JP' } },
    });
    expect(saved.status).toBe(201);
    expect((await api.call('GET', '/views', { key: KEYS.analyst })).json).toEqual([expect.objectContaining({ name: 'JP prohibited' })]);
    expect((await api.call('GET', '/views', { key: KEYS.viewer })).json).toEqual([]);
    expect((await api.call('POST', '/views', { key: KEYS.analyst, body: { name: 'bad', query: { verdict: 'maybe' } } })).status).toBe(400);
    expect((await api.call('DELETE', `/views/${saved.json.id}`, { key: KEYS.viewer })).status).toBe(404);
    expect((await api.call('DELETE', `/views/${saved.json.id}`, { key: KEYS.analyst })).status).toBe(204);
  });
});

describe('the live stream', () => {
  it('sends new alerts and triage changes that pass its filters, and nothing else', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${api.url}/alerts/stream?verdict=prohibited`, { headers: { 'x-api-key': KEYS.viewer }, signal: ctl.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events: any[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event) events.push({ event, data: data ? JSON.parse(data) : undefined });
          }
        }
      } catch {
        /* aborted */
      }
    })();
    await expectEventually(() => expect(events[0]?.event).toBe('ready'));
    const kr = alertFixture({ orderId: `SO-${uniqueName('live')}`, verdict: 'license_required', shipTo: 'KR' });
    const jp = alertFixture({ orderId: `PO-${uniqueName('live')}`, verdict: 'prohibited', shipTo: 'JP' });
    await api.publishAlerts(kr, jp);
    await expectEventually(() => expect(events.filter((e) => e.event === 'alert').map((e) => e.data.alert.orderId)).toEqual([jp.orderId]));
    await api.call('POST', `/alerts/${jp.alertId}/acknowledge`, { key: KEYS.analyst, body: { note: 'on it' } });
    await expectEventually(() =>
      expect(events.filter((e) => e.event === 'alert').pop().data).toMatchObject({
        alert: { orderId: jp.orderId, status: 'acknowledged' },
      }),
    );
    ctl.abort();
    await reading;
  });
});

describe('ingest', () => {
  const example = (f: string): OrderEvent => JSON.parse(fs.readFileSync(contractSchemaPath('examples', f), 'utf8'));

  it('POST /orders validates, publishes to orders.v1 keyed by orderId, and answers 202 with the eventId', async () => {
    const e = { ...example('prohibited-dysprosium-to-atla.json'), eventId: uniqueName('evt') };
    const r = await api.call('POST', '/orders', { key: KEYS.analyst, body: e });
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ eventId: e.eventId, orderId: e.order.orderId });
    const msgs = await readCommitted(kafka, topicName('orders', api.prefix), (m) =>
      m.some((x) => parseValue<OrderEvent>(x).eventId === e.eventId),
    );
    const m = msgs.find((x) => parseValue<OrderEvent>(x).eventId === e.eventId)!;
    expect(m.key?.toString()).toBe(e.order.orderId);
  });

  it('refuses an invalid event with 400 naming the field', async () => {
    const e = example('prohibited-dysprosium-to-atla.json');
    (e.order.lines[0] as any).quantity = 0;
    const r = await api.call('POST', '/orders', { key: KEYS.analyst, body: e });
    expect(r.status).toBe(400);
    expect(r.json.issues[0].path).toBe('/order/lines/0/quantity');
  });

  it('answers 413 to a body over the limit', async () => {
    const e = example('prohibited-dysprosium-to-atla.json');
    (e as any).padding = 'x'.repeat(1_100_000);
    const r = await api.call('POST', '/orders', { key: KEYS.analyst, body: e });
    expect(r.status).toBe(413);
    expect(r.json.error).toBe('PAYLOAD_TOO_LARGE');
  });

  const header =
    'orderId,eventType,shipDate,sellerName,sellerCountry,buyerName,buyerCountry,endUseCategory,shipFrom,shipTo,lineId,description,hsCode,originCountry,quantity,unit,unitPrice,currency';
  it('takes a CSV of order lines grouped by orderId, sends the valid orders and names every bad row', async () => {
    const good = uniqueName('CSV-OK');
    const bad = uniqueName('CSV-BAD');
    const csv = [
      header,
      `${good},order.created,2026-03-20,"Ganzhou Rare Metals Trading Co., Ltd.",CN,Acquisition Technology & Logistics Agency,JP,military,CN,JP,1,Dysprosium metal,2805301200,CN,50,kg,380,USD`,
      `${good},,,,,,,,,,2,"Terbium oxide, 99.99%",2846901500,CN,10,kg,900,USD`,
      `${bad},order.created,2026-03-20,Example Co,CN,TDK Corporation,Japan,civil,CN,JP,1,Gallium ingot,8112923000,CN,0,kg,1,USD`,
      `${bad},order.created,2026-03-21,Example Co,CN,TDK Corporation,Japan,civil,CN,JP,2,Gallium ingot,8112923000,CN,5,kg,1,USD`,
      `,order.created,,,,,,,,,1,x,,,1,,,`,
    ].join('\r\n');
    const r = await api.call('POST', '/orders/csv', { key: KEYS.analyst, body: csv, type: 'text/csv' });
    expect(r.status).toBe(202);
    expect(r.json.accepted).toEqual([expect.objectContaining({ orderId: good, rows: [2, 3] })]);
    const rejected = r.json.rejected.find((x: any) => x.orderId === bad);
    expect(rejected.rows).toEqual([4, 5]);
    expect(rejected.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 4, column: 'quantity' }),
        expect.objectContaining({ row: 4, column: 'buyerCountry' }),
        expect.objectContaining({ row: 5, column: 'shipDate' }),
      ]),
    );
    expect(r.json.rejected.find((x: any) => x.orderId === '').errors).toEqual([expect.objectContaining({ row: 6, column: 'orderId' })]);
    const msgs = await readCommitted(kafka, topicName('orders', api.prefix), (m) =>
      m.some((x) => parseValue<OrderEvent>(x).order.orderId === good),
    );
    const sent = parseValue<OrderEvent>(msgs.find((x) => parseValue<OrderEvent>(x).order.orderId === good)!);
    expect(sent.order.lines.map((l) => l.description)).toEqual(['Dysprosium metal', 'Terbium oxide, 99.99%']);
    expect(sent.order.seller.name).toBe('Ganzhou Rare Metals Trading Co., Ltd.');
    expect(msgs.some((x) => parseValue<OrderEvent>(x).order.orderId === bad)).toBe(false);
  });

  it('reads a CSV saved in Shift-JIS (CP932) or UTF-8 with a BOM, and says which; refuses bytes in neither, and an unknown encoding', async () => {
    const id = uniqueName('CSV-SJIS');
    // the buyer is a listed entity written in Japanese: read as U+FFFD, it would not match
    const row = `${id},order.created,2026-03-20,Ganzhou Rare Metals Trading Co.,CN,三菱重工業株式会社,JP,civil,CN,JP,1,Dysprosium metal,2805301200,CN,50,kg,380,USD`;
    const text = `${header}\r\n${row}\r\n`;
    const sjis = encodeShiftJis(text);
    expect(sjis.equals(Buffer.from(text))).toBe(false);
    const r = await api.call('POST', '/orders/csv', { key: KEYS.analyst, body: sjis, type: 'text/csv' });
    expect(r.status).toBe(202);
    expect(r.json.encoding).toEqual({ name: 'shift_jis', how: 'detected' });
    const chosen = await api.call('POST', `/orders/csv?encoding=cp932`, { key: KEYS.analyst, body: sjis, type: 'text/csv' });
    expect(chosen.json.encoding).toEqual({ name: 'shift_jis', how: 'chosen' });
    const charset = await api.call('POST', '/orders/csv', { key: KEYS.analyst, body: sjis, type: 'text/csv; charset=Shift_JIS' });
    expect(charset.json.encoding).toEqual({ name: 'shift_jis', how: 'chosen' });
    const bom = await api.call('POST', '/orders/csv', {
      key: KEYS.analyst,
      body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.replace(id, `${id}-bom`))]),
      type: 'text/csv',
    });
    expect(bom.status).toBe(202);
    expect(bom.json.encoding).toEqual({ name: 'utf-8', how: 'bom' });
    const msgs = await readCommitted(kafka, topicName('orders', api.prefix), (m) =>
      m.some((x) => parseValue<OrderEvent>(x).order.orderId === id),
    );
    const sent = parseValue<OrderEvent>(msgs.find((x) => parseValue<OrderEvent>(x).order.orderId === id)!);
    expect(sent.order.buyer.name).toBe('三菱重工業株式会社');

    const neither = await api.call('POST', '/orders/csv', {
      key: KEYS.analyst,
      body: Buffer.from([0x41, 0x2c, 0x81, 0x20, 0xff]),
      type: 'text/csv',
    });
    expect(neither.status).toBe(400);
    expect(neither.json).toMatchObject({ error: 'INVALID_ENCODING', message: expect.stringMatching(/neither UTF-8 nor Shift-JIS/) });
    const asUtf8 = await api.call('POST', '/orders/csv?encoding=utf-8', { key: KEYS.analyst, body: sjis, type: 'text/csv' });
    expect(asUtf8.status).toBe(400);
    expect(asUtf8.json.message).toMatch(/not UTF-8: the bytes at offset \d+/);
    const unknown = await api.call('POST', '/orders/csv?encoding=ebcdic', { key: KEYS.analyst, body: sjis, type: 'text/csv' });
    expect(unknown.status).toBe(415);
    expect(unknown.json.error).toBe('UNSUPPORTED_ENCODING');
  });

  it('answers 400 naming the problem for a JSON body that is not UTF-8, on POST /orders and POST /assess alike', async () => {
    const e = example('prohibited-dysprosium-to-atla.json');
    const body = Buffer.from(JSON.stringify({ ...e, order: { ...e.order, buyer: { ...e.order.buyer, name: 'XX' } } }));
    const at = body.indexOf('XX');
    body[at] = 0x93; // 日 in Shift-JIS, where the buyer's name was: not UTF-8
    body[at + 1] = 0xfa;
    for (const p of ['/orders', '/assess']) {
      const r = await api.call('POST', p, { key: KEYS.analyst, body, type: 'application/json' });
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ error: 'INVALID_ENCODING', message: expect.stringContaining(`the bytes at offset ${at} (0x93)`) });
    }
  });

  it('answers 422 when no order in the file is valid, 400 for unknown columns, 415 for a body that is not CSV', async () => {
    const none = await api.call('POST', '/orders/csv', {
      key: KEYS.analyst,
      type: 'text/csv',
      body: `${header}\nX,order.created,,S,CN,B,JP,civil,CN,JP,1,d,,CN,-1,,,`,
    });
    expect(none.status).toBe(422);
    expect(none.json.rejected[0].errors[0]).toMatchObject({ row: 2, column: 'quantity' });
    const unknown = await api.call('POST', '/orders/csv', { key: KEYS.analyst, type: 'text/csv', body: 'orderId,colour\nX,red' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.message).toMatch(/unknown columns: colour/);
    expect((await api.call('POST', '/orders/csv', { key: KEYS.analyst, body: { a: 1 } })).status).toBe(415);
  });
});

describe("subscriptions, through the notifier's store", () => {
  it('lets an admin create, list, read and delete a subscription, and never shows its secret', async () => {
    const secret = 'whsec_' + Buffer.from('x'.repeat(32)).toString('base64');
    const body = {
      id: 'ops-webhook',
      name: 'Ops',
      filter: { minSeverity: 'high' },
      target: { type: 'webhook', url: 'http://127.0.0.1:9/hook', secrets: [secret] },
    };
    const created = await api.call('POST', '/subscriptions', { key: KEYS.admin, body });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.json)).not.toContain(secret);
    expect((await api.call('POST', '/subscriptions', { key: KEYS.admin, body })).status).toBe(409);
    expect((await api.call('POST', '/subscriptions', { key: KEYS.admin, body: { name: '' } })).status).toBe(400);
    expect((await api.call('GET', '/subscriptions', { key: KEYS.admin })).json.map((s: any) => s.id)).toEqual(['ops-webhook']);
    expect((await api.call('GET', '/subscriptions/ops-webhook', { key: KEYS.admin })).json.target).toEqual({
      type: 'webhook',
      url: 'http://127.0.0.1:9/hook',
      secrets: 1,
    });
    expect((await api.call('DELETE', '/subscriptions/ops-webhook', { key: KEYS.admin })).status).toBe(204);
    expect((await api.call('DELETE', '/subscriptions/ops-webhook', { key: KEYS.admin })).status).toBe(404);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After to a flood from one key', async () => {
    const small = await ApiDeployment.create(kafka, producer, { API_RATE_LIMIT_PER_SECOND: '1', API_RATE_LIMIT_BURST: '5' });
    others.push(small);
    const answers = await Promise.all(Array.from({ length: 20 }, () => small.call('GET', '/alerts', { key: KEYS.viewer })));
    const codes = answers.map((a) => a.status);
    expect(codes.filter((c) => c === 200)).toHaveLength(5);
    expect(codes.filter((c) => c === 429)).toHaveLength(15);
    expect(Number(answers.find((a) => a.status === 429)!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // another client is not held back by the flood
    expect((await small.call('GET', '/alerts', { key: KEYS.analyst })).status).toBe(200);
  });
});

/** The examples' file names start with the verdict they must get. */
const VERDICT_OF_FILE: Record<string, string> = { clear: 'clear', license: 'license_required', prohibited: 'prohibited' };

describe('what-if', () => {
  it("gives the risk-engine's assessment for each contract example, without publishing", async () => {
    const prefix = uniqueName('api-whatif');
    const engineApp: INestApplication = await bootstrapEngine({ ...process.env, ...engineEnv(prefix) });
    others.push({ stop: () => engineApp.close() });
    const whatIf = await ApiDeployment.create(kafka, producer, {}, prefix);
    others.push(whatIf);
    const files = fs.readdirSync(contractSchemaPath('examples')).filter((f) => f.endsWith('.json'));
    const events = files.map((f) => JSON.parse(fs.readFileSync(contractSchemaPath('examples', f), 'utf8')) as OrderEvent);
    await producer.send({
      topic: topicName('orders', prefix),
      messages: events.map((e) => ({ key: e.order.orderId, value: JSON.stringify(e) })),
    });
    const msgs = await readCommitted(kafka, topicName('assessments', prefix), (m) => m.length >= events.length);
    const byEvent = new Map(msgs.map((m) => parseValue<Assessment>(m)).map((a) => [a.eventId, a]));
    const strip = ({ assessedAt: _a, ...rest }: Assessment) => rest;
    for (const [i, e] of events.entries()) {
      const r = await whatIf.call('POST', '/assess', { key: KEYS.viewer, body: e });
      expect(r.status).toBe(200);
      expect(r.json.published).toBe(false);
      expect(r.json.assessment.verdict).toBe(VERDICT_OF_FILE[path.basename(files[i]).split('-')[0]]);
      expect(strip(r.json.assessment)).toEqual(strip(byEvent.get(e.eventId)!));
    }
    // a bare order is wrapped; nothing reached orders.v1 beyond what the test sent
    const bare = await whatIf.call('POST', '/assess', { key: KEYS.viewer, body: events[0].order });
    expect(bare.json.assessment.orderId).toBe(events[0].order.orderId);
    const orders = await readCommitted(kafka, topicName('orders', prefix), (m) => m.length >= events.length, 3000);
    expect(orders).toHaveLength(events.length);
  });
});
