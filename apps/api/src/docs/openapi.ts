import type { TSchema } from '@sinclair/typebox';
import { AlertSchema, AssessmentSchema, OrderEventSchema } from '@dualwatch/contracts';
import { SubscriptionInputSchema } from '@dualwatch/notify';
import { FILTER_PARAMS, PAGE_PARAMS } from '@dualwatch/casework';
import {
  AlertDetailSchema,
  AlertPageSchema,
  AlertSummarySchema,
  AlertViewSchema,
  BulkRequestSchema,
  BulkResultSchema,
  LifecycleRecordV2Schema,
  LifecycleRequestSchema,
  SavedViewInputSchema,
  SavedViewSchema,
} from '../alerts/alert-views';
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
        200: json(ref('AlertDetail'), 'the case after the change'),
        400: error('no note, or a field that is not allowed'),
        404: error('no such alert or order'),
        409: error(
          `TRANSITION_REFUSED: the status does not allow ${action}; STALE_VERSION: the case changed since the version sent (the current state is in \`current\`); SAME_PERSON: the approver asked for the change; DISPOSITION_NEEDED`,
        ),
        503: error('the casework database cannot be reached'),
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
        LifecycleRecord: plain(LifecycleRecordV2Schema),
        BulkRequest: plain(BulkRequestSchema),
        BulkResult: plain(BulkResultSchema),
        SavedView: plain(SavedViewSchema),
        SavedViewInput: plain(SavedViewInputSchema),
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
          summary: 'Alerts (one case per order), newest first',
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
          description:
            'Events: `ready` once, then `alert` with `{alert: AlertView}` for each new or changed case (new alert messages and triage alike).',
          tags: ['alerts'],
          parameters: query(FILTER_PARAMS),
          responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } },
        }),
      },
      '/alerts/export.csv': {
        get: secured('viewer', {
          summary: 'The filtered list as CSV (every matching case, newest first)',
          tags: ['alerts'],
          parameters: query(FILTER_PARAMS),
          responses: { 200: { description: 'text/csv (UTF-8 with BOM)', content: { 'text/csv': { schema: { type: 'string' } } } } },
        }),
      },
      '/alerts/bulk/{action}': {
        post: secured('analyst', {
          summary: 'The same change to several cases (acknowledge, resolve, false-positive, reopen, approve, reject, assign)',
          tags: ['alerts'],
          parameters: [{ name: 'action', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('BulkRequest') } } },
          responses: { 200: json(ref('BulkResult'), 'per case: 200, 404 or 409'), 400: error('not a bulk change') },
        }),
      },
      '/audit/export.csv': {
        get: secured('analyst', {
          summary: 'The audit trail of a period as CSV: who changed what, when, why',
          tags: ['alerts'],
          parameters: query([
            { name: 'from', description: 'first day, YYYY-MM-DD' },
            { name: 'to', description: 'last day, YYYY-MM-DD (whole day)' },
          ]),
          responses: {
            200: { description: 'text/csv', content: { 'text/csv': { schema: { type: 'string' } } } },
            400: error('bad period'),
          },
        }),
      },
      '/views': {
        get: secured('viewer', {
          summary: 'My saved views',
          tags: ['alerts'],
          responses: { 200: json({ type: 'array', items: ref('SavedView') }) },
        }),
        post: secured('viewer', {
          summary: 'Save a view (a name and the query of a filter; the same name replaces it)',
          tags: ['alerts'],
          requestBody: { required: true, content: { 'application/json': { schema: ref('SavedViewInput') } } },
          responses: { 201: json(ref('SavedView')), 400: error('not a view') },
        }),
      },
      '/views/{id}': {
        delete: secured('viewer', {
          summary: 'Delete one of my saved views',
          tags: ['alerts'],
          parameters: [idParam],
          responses: { 204: { description: 'deleted' }, 404: error('no such view of yours') },
        }),
      },
      '/alerts/{id}': {
        get: secured('viewer', {
          summary: 'One case (by order id or any of its alert ids) with every reason, its messages and its triage history',
          tags: ['alerts'],
          parameters: [idParam],
          responses: { 200: json(ref('AlertDetail')), 404: error('no such alert') },
        }),
      },
      '/alerts/{id}/acknowledge': { post: lifecycleOp('acknowledge', 'Acknowledge (open → acknowledged)') },
      '/alerts/{id}/resolve': {
        post: lifecycleOp(
          'resolve',
          'Resolve with a disposition (open or acknowledged → resolved; a prohibited order → awaiting_approval)',
        ),
      },
      '/alerts/{id}/false-positive': {
        post: lifecycleOp('false positive', 'Mark a false positive with a disposition (a prohibited order → awaiting_approval)'),
      },
      '/alerts/{id}/reopen': { post: lifecycleOp('reopen', 'Reopen (resolved, false_positive or withdrawn → open)') },
      '/alerts/{id}/approve': {
        post: lifecycleOp('approve', 'Approve a close another person asked for (awaiting_approval → resolved or false_positive)'),
      },
      '/alerts/{id}/reject': { post: lifecycleOp('reject', 'Reject a close (awaiting_approval → where it was)') },
      '/alerts/{id}/assign': { post: lifecycleOp('assign', 'Assign to a person with a due date (assignee, dueOn; null clears)') },
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
