import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { alertValidator, assessmentValidator, contractSchemaPath, firstInvalidUtf8, orderEventValidator, parseOrderEvent } from './index';

/**
 * The published JSON Schemas are the contract; the code validates with its TypeBox copy for speed.
 * These tests prove the two accept and reject exactly the same documents, and that the repository's
 * copy of the schemas has not drifted from ../shared/contracts.
 */
function jsonSchemaValidators() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const read = (f: string) => JSON.parse(fs.readFileSync(contractSchemaPath(f), 'utf8'));
  ajv.addSchema(read('assessment.v1.schema.json'));
  ajv.addSchema(read('alert.v1.schema.json'));
  ajv.addSchema(read('order-event.v1.schema.json'));
  return {
    order: ajv.getSchema('order-event.v1.schema.json')!,
    assessment: ajv.getSchema('assessment.v1.schema.json')!,
    alert: ajv.getSchema('alert.v1.schema.json')!,
  };
}

const examplesDir = contractSchemaPath('examples');
const examples = fs.readdirSync(examplesDir).filter((f) => f.endsWith('.json'));
const readExample = (f: string) => JSON.parse(fs.readFileSync(path.join(examplesDir, f), 'utf8'));

type Doc = Record<string, any>;
const clone = (d: Doc): Doc => JSON.parse(JSON.stringify(d));
const base = () => clone(readExample('prohibited-dysprosium-to-atla.json'));

/** Each mutation breaks exactly one rule of order-event.v1. */
const invalidOrderEvents: [string, (d: Doc) => void][] = [
  ['schemaVersion is not 1', (d) => (d.schemaVersion = 2)],
  ['schemaVersion missing', (d) => delete d.schemaVersion],
  ['eventId empty', (d) => (d.eventId = '')],
  ['eventId over 128 characters', (d) => (d.eventId = 'e'.repeat(129))],
  ['eventType unknown', (d) => (d.eventType = 'order.deleted')],
  ['occurredAt not a date-time', (d) => (d.occurredAt = '2026-03-02')],
  ['occurredAt without a time zone', (d) => (d.occurredAt = '2026-03-02T09:15:00')],
  ['occurredAt impossible date', (d) => (d.occurredAt = '2026-02-30T09:15:00Z')],
  ['unknown top-level property', (d) => (d.extra = true)],
  ['source over 64 characters', (d) => (d.source = 's'.repeat(65))],
  ['order missing', (d) => delete d.order],
  ['orderId missing', (d) => delete d.order.orderId],
  ['orderId a number', (d) => (d.order.orderId = 42)],
  ['direction unknown', (d) => (d.order.direction = 'transfer')],
  ['orderDate impossible', (d) => (d.order.orderDate = '2026-13-01')],
  ['shipDate not a date', (d) => (d.order.shipDate = 'soon')],
  ['seller missing', (d) => delete d.order.seller],
  ['buyer name empty', (d) => (d.order.buyer.name = '')],
  ['buyer name over 300 characters', (d) => (d.order.buyer.name = 'n'.repeat(301))],
  ['party country lower case', (d) => (d.order.buyer.country = 'jp')],
  ['party country three letters', (d) => (d.order.buyer.country = 'JPN')],
  ['party role unknown', (d) => (d.order.buyer.role = 'army')],
  ['unknown party property', (d) => (d.order.seller.email = 'x@example.com')],
  ['corporate number 12 digits', (d) => (d.order.buyer.identifiers = { jpCorporateNumber: '123456789012' })],
  ['LEI lower case', (d) => (d.order.buyer.identifiers = { lei: 'abcdefghij0123456789' })],
  ['unknown identifier', (d) => (d.order.buyer.identifiers = { vat: 'X' })],
  ['endUse category unknown', (d) => (d.order.endUse = { category: 'peaceful' })],
  ['endUse statement too long', (d) => (d.order.endUse = { statement: 'x'.repeat(2001) })],
  ['shipTo missing', (d) => delete d.order.shipTo],
  ['transit over 10 countries', (d) => (d.order.transit = Array(11).fill('SG'))],
  ['transit with a bad code', (d) => (d.order.transit = ['Singapore'])],
  ['consigneeInFreeTradeZone a string', (d) => (d.order.consigneeInFreeTradeZone = 'yes')],
  ['paymentTerms unknown', (d) => (d.order.paymentTerms = 'barter')],
  ['no lines', (d) => (d.order.lines = [])],
  ['over 500 lines', (d) => (d.order.lines = Array(501).fill(d.order.lines[0]))],
  ['line without lineId', (d) => delete d.order.lines[0].lineId],
  ['line description empty', (d) => (d.order.lines[0].description = '')],
  ['hsCode with letters', (d) => (d.order.lines[0].hsCode = '28AB30')],
  ['hsCode 3 digits', (d) => (d.order.lines[0].hsCode = '280')],
  ['hsCode 12 digits', (d) => (d.order.lines[0].hsCode = '280530120011')],
  ['controlCode malformed', (d) => (d.order.lines[0].controlCode = '1X902')],
  ['controlCode upper-case suffix', (d) => (d.order.lines[0].controlCode = '1C902.A')],
  ['chinaContentPct over 100', (d) => (d.order.lines[0].chinaContentPct = 101)],
  ['chinaContentPct negative', (d) => (d.order.lines[0].chinaContentPct = -1)],
  ['quantity zero', (d) => (d.order.lines[0].quantity = 0)],
  ['quantity a string', (d) => (d.order.lines[0].quantity = '50')],
  ['unitPrice negative', (d) => (d.order.lines[0].unitPrice = -0.01)],
  ['currency lower case', (d) => (d.order.lines[0].currency = 'usd')],
  ['unknown line property', (d) => (d.order.lines[0].weight = 5)],
  ['__proto__ key on the order', (d) => Object.defineProperty(d.order, '__proto__', { value: { polluted: true }, enumerable: true })],
];

/** Mutations that stay valid: the validators must agree on these too. */
const validVariants: [string, (d: Doc) => void][] = [
  ['hsCode with dots', (d) => (d.order.lines[0].hsCode = '2805.30.12.00')],
  ['4-digit hsCode', (d) => (d.order.lines[0].hsCode = '2805')],
  ['controlCode with sub-items', (d) => (d.order.lines[0].controlCode = '1C902.a.1')],
  ['date-time with offset and fraction', (d) => (d.occurredAt = '2026-03-02T18:15:00.123+09:00')],
  ['leap day', (d) => (d.order.shipDate = '2028-02-29')],
  [
    'all optional parties',
    (d) => {
      d.order.consignee = { name: 'C', country: 'SG' };
      d.order.endUser = { name: 'E', country: 'JP', identifiers: { jpCorporateNumber: '1234567890123' } };
      d.order.freightForwarder = { name: 'F', country: 'HK', role: 'freight_forwarder' };
    },
  ],
  ['transit of 10', (d) => (d.order.transit = Array(10).fill('SG'))],
];

describe('order-event.v1: the JSON Schema and the code agree', () => {
  const js = jsonSchemaValidators();

  it.each(examples)('accepts the published example %s with both', (file) => {
    const doc = readExample(file);
    expect(js.order(doc)).toBe(true);
    expect(orderEventValidator.check(doc)).toBe(true);
  });

  it.each(validVariants)('accepts a valid variant (%s) with both', (_name, mutate) => {
    const doc = base();
    mutate(doc);
    expect(js.order(doc)).toBe(true);
    expect(orderEventValidator.check(doc)).toBe(true);
  });

  it.each(invalidOrderEvents)('rejects an event whose %s with both', (_name, mutate) => {
    const doc = base();
    mutate(doc);
    expect(js.order(doc)).toBe(false);
    expect(orderEventValidator.check(doc)).toBe(false);
  });

  it('names the offending field in the error', () => {
    const doc = base();
    doc.order.lines[0].quantity = 0;
    const result = orderEventValidator.validate(doc);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].path).toBe('/order/lines/0/quantity');
  });
});

describe('parseOrderEvent: bytes to an event, never throwing', () => {
  it('parses a valid event', () => {
    const r = parseOrderEvent(Buffer.from(JSON.stringify(base())));
    expect(r.ok && r.event.order.orderId).toBe('PO-2026-0001');
  });
  it('reports invalid JSON', () => {
    expect(parseOrderEvent('{"schemaVersion":')).toMatchObject({ ok: false, code: 'INVALID_JSON' });
  });
  it('reports a null message', () => {
    expect(parseOrderEvent(null)).toMatchObject({ ok: false, code: 'INVALID_JSON' });
  });
  it('refuses an oversized message before parsing it', () => {
    expect(parseOrderEvent('x'.repeat(2000), 1000)).toMatchObject({ ok: false, code: 'TOO_LARGE' });
  });
  it('survives nesting deep enough to exhaust the parser', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const r = parseOrderEvent(deep, 10_000_000);
    expect(r.ok).toBe(false);
  });
  it('refuses bytes that are not UTF-8 (Shift-JIS, Latin-1, broken sequences), naming the offset, instead of reading U+FFFD', () => {
    const json = JSON.stringify(base());
    const at = json.indexOf('"buyer"');
    const withBytes = (bytes: number[]) => Buffer.concat([Buffer.from(json.slice(0, at)), Buffer.from(bytes), Buffer.from(json.slice(at))]);
    // 日本 in Shift-JIS; é in Latin-1; a UTF-8 lead byte cut short; an overlong '/'; a UTF-16 surrogate in UTF-8
    for (const bytes of [[0x93, 0xfa, 0x96, 0x7b], [0xe9], [0xe6, 0x97], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const r = parseOrderEvent(withBytes(bytes));
      expect(r).toMatchObject({ ok: false, code: 'INVALID_ENCODING' });
      expect(!r.ok && r.error).toContain(`at offset ${at} (0x${bytes[0].toString(16)}`);
    }
    // the same text as UTF-8, BOM-free, is fine
    expect(parseOrderEvent(Buffer.from(json.replace('PO-2026-0001', 'PO-日本-é'))).ok).toBe(true);
  });
  it('finds the first invalid UTF-8 byte as RFC 3629 defines it', () => {
    expect(firstInvalidUtf8(Buffer.from('ascii, 日本語, é, 😀'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xff]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // above U+10FFFF
    expect(firstInvalidUtf8(Buffer.from([0xe0, 0x80, 0x80]))).toBe(0); // overlong
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe6, 0x97, 0xa5, 0xe6]))).toBe(4); // cut short at the end
  });
  it('rejects a __proto__ key instead of polluting prototypes', () => {
    const text = JSON.stringify(base()).replace('"order":{', '"order":{"__proto__":{"polluted":true},');
    const r = parseOrderEvent(text);
    expect(r).toMatchObject({ ok: false, code: 'SCHEMA_VIOLATION' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('assessment.v1 and alert.v1: the JSON Schema and the code agree', () => {
  const js = jsonSchemaValidators();
  const assessment = {
    assessmentId: 'a-1',
    orderId: 'PO-1',
    eventId: 'evt-1',
    asOf: '2026-03-20',
    assessedAt: '2026-03-02T09:15:01Z',
    verdict: 'prohibited',
    severity: 'critical',
    score: 97,
    reasons: [
      { code: 'PARTY_MILITARY_USER', message: 'm', lineId: '1', partyRole: 'buyer', matchScore: 1, evidence: { id: 'x' }, legalBasis: 'b' },
    ],
    exposedValue: { amount: 19000, currency: 'USD' },
    policyVersion: 'p',
    refdataVersion: 'r',
    degraded: false,
  };
  const cases: [string, boolean, unknown][] = [
    ['a full assessment', true, assessment],
    ['an assessment with a score of 101', false, { ...assessment, score: 101 }],
    ['an assessment with a fractional score', false, { ...assessment, score: 50.5 }],
    ['an assessment with an unknown verdict', false, { ...assessment, verdict: 'blocked' }],
    ['an assessment without reasons', false, { ...assessment, reasons: undefined }],
    ['a reason without a code', false, { ...assessment, reasons: [{ message: 'm' }] }],
    ['a reason with an unknown party role', false, { ...assessment, reasons: [{ code: 'c', message: 'm', partyRole: 'agent' }] }],
    ['a reason with a match score over 1', false, { ...assessment, reasons: [{ code: 'c', message: 'm', matchScore: 1.2 }] }],
    ['an asOf that is a date-time', false, { ...assessment, asOf: '2026-03-20T00:00:00Z' }],
  ];
  it.each(cases)('%s: both validators say %s', (_n, expected, doc) => {
    expect(js.assessment(doc)).toBe(expected);
    expect(assessmentValidator.check(doc)).toBe(expected);
  });

  const alert = {
    alertId: 'al-1',
    kind: 'raised',
    orderId: 'PO-1',
    raisedAt: '2026-03-02T09:15:01Z',
    assessment,
    summary: { seller: 's', itemFamilies: ['x'] },
  };
  const alertCases: [string, boolean, unknown][] = [
    ['a raised alert', true, alert],
    ['an upcoming alert with its date', true, { ...alert, kind: 'upcoming', effectiveOn: '2026-11-10', previousVerdict: 'clear' }],
    ['an alert of unknown kind', false, { ...alert, kind: 'closed' }],
    ['an alert whose assessment is invalid', false, { ...alert, assessment: { ...assessment, severity: 'extreme' } }],
    ['an alert without an assessment', false, { ...alert, assessment: undefined }],
  ];
  it.each(alertCases)('%s: both validators say %s', (_n, expected, doc) => {
    expect(js.alert(doc)).toBe(expected);
    expect(alertValidator.check(doc)).toBe(expected);
  });
});

// The repository stands alone; where ../shared is beside it (a developer's machine, CI), its copy of the
// contracts must not have drifted from the published one.
const sharedContracts = path.resolve(__dirname, '../../../../shared/contracts');
if (fs.existsSync(sharedContracts))
  describe('the repository copy of the contracts', () => {
    const shared = sharedContracts;
    it('matches ../shared/contracts file for file', () => {
      const files = (dir: string): string[] =>
        fs
          .readdirSync(dir, { withFileTypes: true })
          .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
      const ours = files(contractSchemaPath()).sort();
      expect(ours).toEqual(files(shared).sort());
      for (const f of ours) expect(fs.readFileSync(contractSchemaPath(f), 'utf8')).toBe(fs.readFileSync(path.join(shared, f), 'utf8'));
    });
  });
