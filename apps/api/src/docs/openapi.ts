import type { TSchema } from '@sinclair/typebox';
import { AlertSchema, AssessmentSchema, OrderEventSchema } from '@dualwatch/contracts';
import { SubscriptionInputSchema } from '@dualwatch/notify';
import { FILTER_PARAMS, PAGE_PARAMS } from '@dualwatch/casework';
import { AlertDetailSchema, AlertPageSchema, AlertSummarySchema, AlertViewSchema } from '../alerts/alert-views';
import { LifecycleRecordSchema, LifecycleRequestSchema } from '../alerts/lifecycle';
import { CSV_COLUMNS } from '../orders/csv-orders';

/**
 * The OpenAPI 3.1 document, made from the same TypeBox schemas the code validates with (OpenAPI 3.1
 * schemas are JSON Schema 2020-12), so the documentation cannot drift from what the api accepts.
 */
const plain = (s: TSchema): Record<string, unknown> =>
  JSON.parse(JSON.stringify(s), (k, v) => (k === '$id' ? undefined : v)) as Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('Error'), description);
const secured = (role: string, op: Record<string, any>) => ({
  ...op,
  description: `${op.description ?? ''}\n\nRole: ${role} or above.`.trim(),
  security: [{ apiKey: [] }],
  responses: {
    ...op.responses,
    401: error('no or wrong API key'),
    403: error(`the key's role is below ${role}`),
    429: error('rate limit: see Retry-After'),
  },
});
const query = (ps: { name: string; description: string }[]) =>
  ps.map((p) => ({ name: p.name, in: 'query', required: false, description: p.description, schema: { type: 'string' } }));
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

export function openApiDocument(): Record<string, unknown> {
  const lifecycleOp = (action: string, what: string) =>
    secured('analyst', {
      summary: what,
      tags: ['alerts'],
      parameters: [idParam],
      requestBody: { required: true, content: { 'application/json': { schema: ref('LifecycleRequest') } } },
      responses: {
        200: json(ref('AlertDetail'), 'the alert after the change'),
        400: error('no note'),
        404: error('no such alert'),
        409: error(`the alert's status does not allow ${action}`),
      },
    });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Dualwatch api',
      version: '1',
      description:
        "Ingest orders, read and triage the alerts of the risk-engine, ask what-if, and manage the notifier's subscriptions. " +
        'Authenticate with the `x-api-key` header. Roles: viewer (read, what-if), analyst (also triage and send orders), admin (also subscriptions).',
    },
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
      schemas: {
        OrderEvent: plain(OrderEventSchema),
        Assessment: plain(AssessmentSchema),
        Alert: plain(AlertSchema),
        AlertView: plain(AlertViewSchema),
        AlertPage: plain(AlertPageSchema),
        AlertDetail: plain(AlertDetailSchema),
        AlertSummary: plain(AlertSummarySchema),
        LifecycleRequest: plain(LifecycleRequestSchema),
        LifecycleRecord: plain(LifecycleRecordSchema),
        SubscriptionInput: plain(SubscriptionInputSchema),
        ReplayCandidate: {
          description: 'A stored reference-data version, or a reference-data directory as one JSON object of its files',
          oneOf: [
            { type: 'object', required: ['version'], properties: { version: { type: 'string' } } },
            {
              type: 'object',
              required: ['files'],
              properties: { files: { type: 'object', description: '{"manifest.json": {...}, "parties.json": [...], ...}' } },
            },
          ],
        },
        Error: {
          type: 'object',
          properties: {
            statusCode: { type: 'integer' },
            error: { type: 'string' },
            message: { type: 'string' },
            issues: { type: 'array' },
          },
        },
      },
    },
    paths: {
      '/orders': {
        post: secured('analyst', {
          summary: 'Send one order event to orders.v1',
          tags: ['orders'],
          requestBody: { required: true, content: { 'application/json': { schema: ref('OrderEvent') } } },
          responses: {
            202: json({ type: 'object', properties: { eventId: { type: 'string' }, orderId: { type: 'string' } } }, 'on orders.v1'),
            400: error('not a valid order event'),
            413: error('body over API_MAX_BODY_BYTES'),
          },
        }),
      },
      '/orders/csv': {
        post: secured('analyst', {
          summary: 'Send orders as CSV: one row per order line, grouped by orderId',
          description: `Columns (header row, any order): ${CSV_COLUMNS.map((c) => `\`${c.name}\` (${c.description})`).join('; ')}.`,
          tags: ['orders'],
          parameters: [
            {
              name: 'encoding',
              in: 'query',
              required: false,
              description:
                'utf-8 or shift_jis (also: cp932, sjis, windows-31j); else the charset of the Content-Type; else detected (a UTF-8 BOM, valid UTF-8, then Shift-JIS)',
              schema: { type: 'string' },
            },
          ],
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string', format: 'binary' } } } },
          responses: {
            202: json(
              {
                type: 'object',
                properties: {
                  encoding: { type: 'object', properties: { name: { type: 'string' }, how: { type: 'string' } } },
                  accepted: { type: 'array' },
                  rejected: { type: 'array' },
                },
              },
              'valid orders sent; refused ones with their rows and errors; the encoding the file was read in',
            ),
            400: error('not a usable CSV file (syntax, unknown or missing columns, bytes that are not in its encoding)'),
            413: error('file over API_MAX_CSV_BYTES'),
            415: error('not text/csv, or an unknown encoding'),
            422: error('no order in the file is valid (the body lists every error)'),
          },
        }),
      },
      '/orders/csv/columns': { get: { summary: 'The CSV columns', tags: ['orders'], responses: { 200: json({ type: 'array' }) } } },
      '/assess': {
        post: secured('viewer', {
          summary: 'What-if: score an order (or an order event) without publishing it',
          tags: ['what-if'],
          parameters: [
            {
              name: 'asOf',
              in: 'query',
              required: false,
              description: 'YYYY-MM-DD (default: ship date, order date or today)',
              schema: { type: 'string' },
            },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { anyOf: [ref('OrderEvent'), { type: 'object', description: 'a bare order' }] } } },
          },
          responses: {
            200: json({ type: 'object', properties: { assessment: ref('Assessment'), published: { const: false } } }),
            400: error('not a valid order'),
          },
        }),
      },
      '/alerts': {
        get: secured('viewer', {
          summary: 'Alerts, newest first',
          tags: ['alerts'],
          parameters: query([...FILTER_PARAMS, ...PAGE_PARAMS]),
          responses: { 200: json(ref('AlertPage')), 400: error('bad filter') },
        }),
      },
      '/alerts/summary': {
        get: secured('viewer', {
          summary: 'Exposure summaries of the filtered alerts',
          tags: ['alerts'],
          parameters: query(FILTER_PARAMS),
          responses: { 200: json(ref('AlertSummary')) },
        }),
      },
      '/alerts/stream': {
        get: secured('viewer', {
          summary: 'Live stream (Server-Sent Events) of new and changed alerts that pass the filters',
          description: 'Events: `ready` once, then `alert` with `{cause: "alert"|"lifecycle", alert: AlertView}`.',
          tags: ['alerts'],
          parameters: query(FILTER_PARAMS),
          responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } },
        }),
      },
      '/alerts/{id}': {
        get: secured('viewer', {
          summary: 'One alert with every reason, its messages and its triage history',
          tags: ['alerts'],
          parameters: [idParam],
          responses: { 200: json(ref('AlertDetail')), 404: error('no such alert') },
        }),
      },
      '/alerts/{id}/acknowledge': { post: lifecycleOp('acknowledge', 'Acknowledge (open → acknowledged)') },
      '/alerts/{id}/resolve': { post: lifecycleOp('resolve', 'Resolve (acknowledged → resolved)') },
      '/alerts/{id}/false-positive': {
        post: lifecycleOp('false positive', 'Mark a false positive (open or acknowledged → false_positive)'),
      },
      '/alerts/{id}/reopen': { post: lifecycleOp('reopen', 'Reopen (resolved or false_positive → open)') },
      '/subscriptions': {
        get: secured('admin', {
          summary: "The notifier's subscriptions (no secrets)",
          tags: ['subscriptions'],
          responses: { 200: json({ type: 'array' }) },
        }),
        post: secured('admin', {
          summary: 'Create a subscription',
          tags: ['subscriptions'],
          requestBody: { required: true, content: { 'application/json': { schema: ref('SubscriptionInput') } } },
          responses: { 201: json({ type: 'object' }), 400: error('invalid'), 409: error('id taken'), 422: error('target refused') },
        }),
      },
      '/subscriptions/{id}': {
        get: secured('admin', {
          summary: 'One subscription',
          tags: ['subscriptions'],
          parameters: [idParam],
          responses: { 200: json({ type: 'object' }), 404: error('unknown') },
        }),
        put: secured('admin', {
          summary: 'Replace name, filter, enabled (and the target when given)',
          tags: ['subscriptions'],
          parameters: [idParam],
          requestBody: { required: true, content: { 'application/json': { schema: ref('SubscriptionInput') } } },
          responses: { 200: json({ type: 'object' }), 404: error('unknown') },
        }),
        delete: secured('admin', {
          summary: 'Delete a subscription',
          tags: ['subscriptions'],
          parameters: [idParam],
          responses: { 204: { description: 'deleted' }, 404: error('unknown') },
        }),
      },
      '/replay/upcoming': {
        get: secured('viewer', {
          summary: 'Open orders whose verdict changes on a known future date (a suspension ending, a listing taking effect)',
          tags: ['replay'],
          parameters: [
            { name: 'today', in: 'query', required: false, description: 'YYYY-MM-DD (default: today)', schema: { type: 'string' } },
            {
              name: 'horizonDays',
              in: 'query',
              required: false,
              description: 'how far ahead, 1 to 3650 days',
              schema: { type: 'integer', minimum: 1, maximum: 3650 },
            },
          ],
          responses: {
            200: json({ type: 'object', properties: { today: { type: 'string' }, orders: { type: 'array' } } }),
            400: error('bad today or horizonDays'),
          },
        }),
      },
      '/replay/versions': {
        get: secured('admin', {
          summary: 'Reference-data versions stored in Redis, and the current one',
          tags: ['replay'],
          responses: { 200: json({ type: 'object' }) },
        }),
      },
      '/replay/preview': {
        post: secured('admin', {
          summary: 'The replay diff of a candidate reference-data version against the current one over the open orders',
          description: 'Newly exposed, no longer exposed and verdict changed. Nothing is published or stored.',
          tags: ['replay'],
          parameters: [{ name: 'asOf', in: 'query', required: false, description: 'YYYY-MM-DD', schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('ReplayCandidate') } } },
          responses: { 200: json({ type: 'object' }, 'the diff'), 400: error('not a usable candidate version') },
        }),
      },
      '/replay/switch': {
        post: secured('admin', {
          summary: 'Store (if new) and switch to a reference-data version, and announce it on refdata.changes.v1',
          description: 'The risk-engine then re-screens the open orders and publishes what changed as alerts.',
          tags: ['replay'],
          requestBody: { required: true, content: { 'application/json': { schema: ref('ReplayCandidate') } } },
          responses: { 200: json({ type: 'object' }, 'switched'), 400: error('not a usable candidate version, or not loaded') },
        }),
      },
      '/session': {
        get: secured('viewer', {
          summary: "Who the API key belongs to, and the key's role",
          tags: ['ops'],
          responses: { 200: json({ type: 'object', properties: { user: { type: 'string' }, role: { type: 'string' } } }) },
        }),
      },
      '/health': { get: { summary: 'Liveness', tags: ['ops'], responses: { 200: json({ type: 'object' }) } } },
      '/ready': {
        get: {
          summary: 'Readiness: Kafka, Redis, and the alert store rebuilt',
          tags: ['ops'],
          responses: { 200: json({ type: 'object' }), 503: json({ type: 'object' }, 'not ready') },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics', tags: ['ops'], responses: { 200: { description: 'text/plain' } } } },
    },
  };
}
