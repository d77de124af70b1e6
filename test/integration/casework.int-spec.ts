import type { Kafka } from 'kafkajs';
import type { Alert } from '@dualwatch/contracts';
import {
  applyRetention,
  CaseProjector,
  CaseRepository,
  createCaseworkDb,
  migrateToLatest,
  StaleVersion,
  TriageRefused,
  OutboxRelay,
  type CaseEvent,
  type CaseworkDb,
} from '@dualwatch/casework';
import { alertFixture } from '@dualwatch/notify/testing/alert-fixtures';
import { createLogger } from '@dualwatch/observability';
import { kafkaFor, testDatabase, uniqueName } from '@dualwatch/testing';

/**
 * Casework on a real PostgreSQL (the test server of global-setup, a database of this file's own): the
 * projector's exactly-once writes, one case per order, triage with optimistic concurrency and approvals,
 * the audit trail and the outbox relayed to a real Kafka topic, queries and retention.
 */
let dbh: { url: string; drop: () => Promise<void> };
let db: CaseworkDb;
let repo: CaseRepository;
let projector: CaseProjector;
const TOPIC = 'risk.alerts.v1';
let offset = 0;
const LIFECYCLE = uniqueName('lifecycle');
let kafka: Kafka;

const msg = (a: Alert, o = offset++) => ({ offset: String(o), value: Buffer.from(JSON.stringify(a)) });
const at = (iso: string, a: Alert): Alert => ({ ...a, raisedAt: iso });

beforeAll(async () => {
  dbh = await testDatabase('casework');
  ({ db } = createCaseworkDb(dbh.url));
  expect(await migrateToLatest(db)).toEqual(['001-casework', '002-rollups']);
  expect(await migrateToLatest(db)).toEqual([]);
  repo = new CaseRepository(db, LIFECYCLE);
  kafka = kafkaFor('casework');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: LIFECYCLE, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  projector = new CaseProjector(repo);
});

afterAll(async () => {
  await db?.destroy();
  await dbh?.drop();
});

describe('projector', () => {
  it('writes one case per order and its messages, and nothing twice when a chunk or a message comes again', async () => {
    const raised = at('2026-03-02T09:00:00.000Z', alertFixture({ orderId: 'P-1', verdict: 'review', amount: 100 }));
    const updated = {
      ...at('2026-03-03T09:00:00.000Z', alertFixture({ orderId: 'P-1', verdict: 'prohibited', amount: 100 })),
      kind: 'updated' as const,
    };
    const other = at('2026-03-02T10:00:00.000Z', alertFixture({ orderId: 'P-2', verdict: 'license_required', amount: 50 }));
    const chunk = [msg(raised, 0), msg(updated, 1), msg(other, 2)];
    const first = await projector.applyChunk(TOPIC, 0, chunk);
    expect(first).toMatchObject({ applied: 3, skipped: 0, cases: 2 });
    // the same chunk handed over again (a crash before Kafka's commit): below the stored offset
    expect(await projector.applyChunk(TOPIC, 0, chunk)).toMatchObject({ applied: 0, skipped: 3 });
    // the same messages at new offsets (a producer retry, a replayed topic): already present
    expect(await projector.applyChunk(TOPIC, 0, [msg(raised, 3), msg(other, 4)])).toMatchObject({ applied: 0, skipped: 2 });
    expect((await projector.positions(TOPIC)).get(0)).toBe('5');

    const p1 = (await repo.get('P-1'))!;
    expect(p1.view).toMatchObject({
      orderId: 'P-1',
      verdict: 'prohibited',
      kind: 'updated',
      status: 'open',
      raisedAt: '2026-03-02T09:00:00.000Z',
    });
    expect(p1.messages.map((m) => m.kind)).toEqual(['raised', 'updated']);
    // the alert id finds the same case
    expect((await repo.get(raised.alertId))!.view.orderId).toBe('P-1');
    const s = await repo.summary({ q: 'p-' });
    expect(s.total).toBe(2);
    expect(s.exposedValue).toEqual([{ currency: 'USD', amount: 150, alerts: 2 }]);
  });

  it('takes a withdrawn order out of the open queue by itself, and back when it is exposed again', async () => {
    const raised = at('2026-04-01T09:00:00.000Z', alertFixture({ orderId: 'W-1', verdict: 'review' }));
    await projector.applyChunk(TOPIC, 1, [msg(raised)]);
    const withdrawn = { ...at('2026-04-02T09:00:00.000Z', alertFixture({ orderId: 'W-1', verdict: 'clear' })), kind: 'withdrawn' as const };
    await projector.applyChunk(TOPIC, 1, [msg(withdrawn)]);
    let c = (await repo.get('W-1'))!;
    expect(c.view.status).toBe('withdrawn');
    expect(c.lifecycle.history).toEqual([
      expect.objectContaining({ action: 'withdraw', from: 'open', to: 'withdrawn', user: 'system', disposition: 'order_cancelled' }),
    ]);
    expect((await repo.list({ statuses: ['open', 'acknowledged', 'awaiting_approval'], q: 'w-1' }, { limit: 10, offset: 0 })).total).toBe(
      0,
    );
    const again = { ...at('2026-04-03T09:00:00.000Z', alertFixture({ orderId: 'W-1', verdict: 'prohibited' })), kind: 'raised' as const };
    await projector.applyChunk(TOPIC, 1, [msg(again)]);
    c = (await repo.get('W-1'))!;
    expect(c.view).toMatchObject({ status: 'open', verdict: 'prohibited', version: 2 });
  });

  it('keeps a look-ahead beside the current verdict, "from" its date, until a later message supersedes it', async () => {
    const now = at('2026-05-01T09:00:00.000Z', alertFixture({ orderId: 'U-1', verdict: 'review' }));
    const ahead = {
      ...at('2026-05-01T10:00:00.000Z', alertFixture({ orderId: 'U-1', verdict: 'prohibited' })),
      kind: 'upcoming' as const,
      effectiveOn: '2026-06-01',
      alertId: 'alr-up-U-1',
    };
    await projector.applyChunk(TOPIC, 2, [msg(now), msg(ahead)]);
    let v = (await repo.get('U-1'))!.view;
    expect(v).toMatchObject({
      verdict: 'review',
      kind: 'raised',
      effectiveOn: '2026-06-01',
      upcomingVerdict: 'prohibited',
      asOf: '2026-03-02',
    });
    const later = { ...at('2026-06-01T00:05:00.000Z', alertFixture({ orderId: 'U-1', verdict: 'prohibited' })), kind: 'updated' as const };
    await projector.applyChunk(TOPIC, 2, [msg(later)]);
    v = (await repo.get('U-1'))!.view;
    expect(v.verdict).toBe('prohibited');
    expect(v.effectiveOn).toBeUndefined();
    expect((await repo.summary({ q: 'u-1' })).total).toBe(1);
  });

  it('reports a message that is not an alert (or not UTF-8) and goes on', async () => {
    const good = at('2026-05-02T09:00:00.000Z', alertFixture({ orderId: 'B-1' }));
    const r = await projector.applyChunk(TOPIC, 3, [
      { offset: '0', value: Buffer.from('{"not":"an alert"}') },
      { offset: '1', value: Buffer.from([0x7b, 0xff, 0x7d]) },
      msg(good, 2),
    ]);
    expect(r.invalid.map((i) => i.offset)).toEqual(['0', '1']);
    expect(r.invalid[1].error).toMatch(/not UTF-8/);
    expect(r.applied).toBe(1);
  });
});

describe('hostile alerts', () => {
  it('stores U+0000 (which PostgreSQL cannot hold) as the visible U+2400, and passes over a message the database refuses without blocking the partition', async () => {
    const nul = at('2026-05-03T09:00:00.000Z', alertFixture({ orderId: 'N\u0000UL-1', seller: 'Evil\u0000Corp', verdict: 'review' }));
    // a lone surrogate escape: JSON and the alert schema take it, PostgreSQL's text and JSON do not
    const badText = at('2026-05-03T09:00:00.000Z', alertFixture({ orderId: 'BAD-TEXT', seller: 'Lone \ud800 Surrogate' }));
    const fine = at('2026-05-03T09:00:00.000Z', alertFixture({ orderId: 'FINE-1' }));
    const r = await projector.applyChunk(TOPIC, 7, [msg(nul, 0), msg(badText, 1), msg(fine, 2)]);
    expect(r.invalid.map((i) => i.offset)).toEqual(['1']);
    expect(r.invalid[0].error).toMatch(/refused by PostgreSQL/);
    expect(r.applied).toBe(2);
    expect((await projector.positions(TOPIC)).get(7)).toBe('3');
    const c = (await repo.get('N\u0000UL-1'))!;
    expect(c.view).toMatchObject({ orderId: 'N\u2400UL-1', seller: 'Evil\u2400Corp' });
    expect(c.alert.summary?.seller).toBe('Evil\u2400Corp'); // in the stored alert too: PostgreSQL holds no U+0000 anywhere
    expect(await repo.get('FINE-1')).toBeDefined();
  });
});

describe('triage', () => {
  beforeAll(async () => {
    await projector.applyChunk(TOPIC, 4, [
      msg(at('2026-06-01T09:00:00.000Z', alertFixture({ orderId: 'T-1', verdict: 'review' }))),
      msg(at('2026-06-01T09:00:00.000Z', alertFixture({ orderId: 'T-2', verdict: 'prohibited' }))),
    ]);
  });

  it('lets one of two changes made on the same version win; the other gets the current state', async () => {
    const v0 = (await repo.get('T-1'))!.view.version;
    const results = await Promise.allSettled([
      repo.triage('T-1', { action: 'acknowledge', user: 'anna', note: 'looking' }, v0),
      repo.triage('T-1', { action: 'false_positive', user: 'bob', note: 'not ours', disposition: 'false_match' }, v0),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const stale = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(stale).toHaveLength(1);
    expect(stale[0].reason).toBeInstanceOf(StaleVersion);
    expect((stale[0].reason as StaleVersion).current.view.version).toBe(v0 + 1);
    const c = (await repo.get('T-1'))!;
    expect(c.lifecycle.history).toHaveLength(1);
  });

  it('needs a disposition to close, and a second person to close a prohibited order', async () => {
    await expect(repo.triage('T-2', { action: 'resolve', user: 'anna', note: 'done' })).rejects.toMatchObject({
      code: 'DISPOSITION_NEEDED',
    });
    let c = await repo.triage('T-2', { action: 'resolve', user: 'anna', note: 'held at port', disposition: 'shipment_held' });
    expect(c.view).toMatchObject({
      status: 'awaiting_approval',
      pending: expect.objectContaining({ requestedBy: 'anna', action: 'resolve' }),
    });
    await expect(repo.triage('T-2', { action: 'approve', user: 'anna', note: 'me again' })).rejects.toBeInstanceOf(TriageRefused);
    c = await repo.triage('T-2', { action: 'approve', user: 'otto', note: 'checked the hold notice' });
    expect(c.view).toMatchObject({ status: 'resolved', disposition: 'shipment_held' });
    expect(c.view.pending).toBeUndefined();
    expect(c.lifecycle.history.map((h) => [h.action, h.user, h.to])).toEqual([
      ['resolve', 'anna', 'awaiting_approval'],
      ['approve', 'otto', 'resolved'],
    ]);
  });

  it('assigns with a due date, and "my alerts" and overdue find it', async () => {
    await repo.triage('T-1', { action: 'assign', user: 'anna', note: 'yours', assignee: 'bob', dueOn: '2026-01-01' });
    expect((await repo.list({ assignee: 'bob' }, { limit: 10, offset: 0 })).items.map((i) => i.orderId)).toEqual(['T-1']);
    const overdue = (await repo.list({ overdue: true }, { limit: 10, offset: 0 })).items.map((i) => i.orderId);
    expect(overdue.includes('T-1')).toBe((await repo.get('T-1'))!.view.status !== 'false_positive');
  });

  it('exports the audit trail of a period, oldest first', async () => {
    const events: CaseEvent[] = [];
    for await (const page of repo.events(new Date(Date.now() - 3_600_000), new Date(Date.now() + 1000))) events.push(...page);
    expect(events.map((e) => e.orderId)).toEqual(expect.arrayContaining(['T-1', 'T-2']));
    expect(events.every((e, i) => i === 0 || e.at >= events[i - 1].at)).toBe(true);
  });
});

describe('outbox', () => {
  it('publishes each committed change to alerts.lifecycle.v1 once, in order, and marks it', async () => {
    const topic = LIFECYCLE;
    const admin = kafka.admin();
    await admin.connect();
    await projector.applyChunk(TOPIC, 5, [msg(at('2026-07-01T09:00:00.000Z', alertFixture({ orderId: 'O-1', verdict: 'review' })))]);
    await repo.triage('O-1', { action: 'acknowledge', user: 'anna', note: 'a' });
    await repo.triage('O-1', { action: 'resolve', user: 'anna', note: 'b', disposition: 'end_use_verified' });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const relay = new OutboxRelay(db, producer, createLogger('test', 'silent'));
    expect(await relay.drain()).toBeGreaterThanOrEqual(2);
    expect(await relay.backlog()).toBe(0);
    expect(await relay.drain()).toBe(0);
    const offsets = await admin.fetchTopicOffsets(topic);
    const records: { orderId: string; version: number; status: string }[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('outbox-read') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          records.push(JSON.parse(message.value!.toString()));
          if (BigInt(message.offset) >= BigInt(offsets[0].high) - 1n) resolve();
        },
      });
    });
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
    expect(records.filter((r) => r.orderId === 'O-1').map((r) => [r.version, r.status])).toEqual([
      [1, 'acknowledged'],
      [2, 'resolved'],
    ]);
  });
});

describe('retention', () => {
  it('moves closed cases untouched for the period to the archive, and keeps open ones', async () => {
    await projector.applyChunk(TOPIC, 6, [
      msg(at('2025-01-01T09:00:00.000Z', alertFixture({ orderId: 'R-OLD', verdict: 'review' }))),
      msg(at('2025-01-01T09:00:00.000Z', alertFixture({ orderId: 'R-OPEN', verdict: 'review' }))),
    ]);
    await db.updateTable('cases').set({ status: 'resolved' }).where('order_id', '=', 'R-OLD').execute();
    const r = await applyRetention(db, { archiveAfterDays: 30, purgeArchiveAfterDays: 0 });
    expect(r.archived).toBeGreaterThanOrEqual(1);
    expect(await repo.get('R-OLD')).toBeUndefined();
    expect(await repo.get('R-OPEN')).toBeDefined();
    const archived = await db.selectFrom('cases_archive').select('order_id').where('order_id', '=', 'R-OLD').execute();
    expect(archived).toHaveLength(1);
  });
});

describe('rollups', () => {
  it('agree with a scan of the cases after inserts, updates, triage and retention', async () => {
    // a filter key the rollups do not know ('' matches everything) sends the same question down the scan path
    const scan = (f: object) => repo.summary({ ...f, supplier: '' });
    for (const f of [
      {},
      { verdicts: ['prohibited' as const] },
      { statuses: ['open' as const, 'resolved' as const] },
      { from: Date.parse('2026-04-01') },
    ]) {
      const [fromRollups, fromScan] = await Promise.all([repo.summary(f), scan(f)]);
      expect(fromRollups).toEqual(fromScan);
      expect(await repo.total(f)).toBe(fromScan.total);
    }
    const s = await repo.summary({});
    expect(s.total).toBe(
      Number(
        (
          await db
            .selectFrom('cases')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    );
  });
});
