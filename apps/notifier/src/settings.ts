import {
  connectionChecks,
  httpSettings,
  kafkaSettings,
  loadSettings,
  redisSettings,
  setting,
  SettingsError,
  type Settings,
} from '@dualwatch/config';
import { DEFAULT_RETRY_SCHEDULE, DURATION_PATTERN, parseDuration } from '@dualwatch/notify';

/** Every variable the notifier reads, with its default and meaning (docs/notifier.md lists them). */
export const notifierSettingsSpec = {
  ...kafkaSettings,
  ...redisSettings,
  ...httpSettings,
  groupId: setting.string('NOTIFIER_GROUP_ID', { description: 'Consumer group of the notifier instances', default: 'dualwatch-notifier' }),
  fromBeginning: setting.bool('NOTIFIER_FROM_BEGINNING', {
    description: 'A new consumer group starts at the oldest retained alert (true) or at new alerts only (false)',
    default: false,
  }),
  secretKey: setting.string('NOTIFIER_SECRET_KEY', {
    description: 'AES-256-GCM key sealing webhook secrets and Slack URLs at rest: 32 random bytes, base64 (`openssl rand -base64 32`)',
    pattern: /^[A-Za-z0-9+/]{43}=$/,
    expects: '32 bytes in base64 (44 characters)',
    secret: true,
  }),
  adminApiKeyHash: setting.string('NOTIFIER_ADMIN_API_KEY_HASH', {
    description: 'SHA-256 (hex) of the admin API key for /subscriptions and /deliveries (empty: those endpoints are off)',
    default: '',
    pattern: /^[0-9a-f]{64}$/,
    expects: '64 lowercase hex characters (`printf %s "$KEY" | sha256sum`)',
  }),
  subscriptionsFile: setting.string('NOTIFIER_SUBSCRIPTIONS_FILE', {
    description: 'JSON file of subscriptions seeded at start (empty: none)',
    default: '',
  }),
  dashboardBaseUrl: setting.string('NOTIFIER_DASHBOARD_BASE_URL', {
    description: "The dashboard's URL (the api's /dashboard); Slack messages link to the alert's page, <base>/alerts/<alertId>",
    default: 'http://localhost:3000/dashboard',
    pattern: /^https?:\/\/\S+$/,
  }),
  retrySchedule: setting.list('NOTIFIER_RETRY_SCHEDULE', {
    description: 'Wait before each attempt (the first is usually 0); after the last failed attempt the delivery goes to the DLQ',
    default: DEFAULT_RETRY_SCHEDULE,
    item: DURATION_PATTERN,
    expects: 'comma-separated durations such as 0s,5s,5m,30m,2h',
  }),
  retryJitterPercent: setting.int('NOTIFIER_RETRY_JITTER_PERCENT', {
    description: 'Random extra wait of up to this share of each retry wait',
    default: 20,
    min: 0,
    max: 100,
  }),
  timeoutMs: setting.int('NOTIFIER_HTTP_TIMEOUT_MS', {
    description: 'Deadline of one delivery attempt',
    default: 15000,
    min: 100,
    max: 120000,
  }),
  leaseMs: setting.int('NOTIFIER_LEASE_MS', {
    description:
      'How long an instance reserves a delivery it attempts; after a crash it is attempted again after this (must exceed the timeout)',
    default: 60000,
    min: 200,
  }),
  pollMs: setting.int('NOTIFIER_POLL_MS', {
    description: 'How often the queue is checked for due deliveries',
    default: 500,
    min: 10,
    max: 60000,
  }),
  concurrency: setting.int('NOTIFIER_CONCURRENCY', {
    description: 'Delivery attempts in flight per instance',
    default: 16,
    min: 1,
    max: 512,
  }),
  targetAllowList: setting.list('NOTIFIER_TARGET_ALLOW_LIST', {
    description: 'Hosts, addresses or CIDR ranges in private, loopback or link-local space that targets may nevertheless use',
    default: [],
    item: /^[A-Za-z0-9.:[\]-]+(\/\d{1,3})?$/,
    expects: 'comma-separated hosts, IPs or CIDRs (e.g. 127.0.0.1,10.1.0.0/16,hooks.internal)',
  }),
  digestMaxPerWindow: setting.int('NOTIFIER_DIGEST_MAX_PER_WINDOW', {
    description:
      'Alerts sent one by one per subscription and window; the rest of the window becomes one digest (critical ones are always sent at once)',
    default: 20,
    min: 1,
  }),
  digestWindowMs: setting.int('NOTIFIER_DIGEST_WINDOW_MS', {
    description: 'Length of the flood-control window',
    default: 300000,
    min: 100,
  }),
  doneTtlHours: setting.int('NOTIFIER_DONE_TTL_HOURS', {
    description: 'How long finished deliveries are remembered (re-read alerts are not sent again)',
    default: 168,
    min: 1,
  }),
  sessionTimeoutMs: setting.int('NOTIFIER_SESSION_TIMEOUT_MS', {
    description:
      'Consumer session timeout: how soon the group reassigns the alerts partitions of an instance that died (a restarted one waits for it too)',
    default: 30000,
    min: 6000,
    max: 300000,
  }),
  provisionTopics: setting.bool('NOTIFIER_PROVISION_TOPICS', { description: 'Create missing topics at start', default: true }),
};

export type NotifierSettings = Settings<typeof notifierSettingsSpec> & { readonly retryScheduleMs: number[] };

export function loadNotifierSettings(env: NodeJS.ProcessEnv = process.env): NotifierSettings {
  const s = loadSettings(notifierSettingsSpec, env, connectionChecks);
  if (s.leaseMs <= s.timeoutMs)
    throw new SettingsError([`NOTIFIER_LEASE_MS=${s.leaseMs} is invalid: must exceed NOTIFIER_HTTP_TIMEOUT_MS=${s.timeoutMs}`]);
  return Object.freeze({ ...s, retryScheduleMs: s.retrySchedule.map(parseDuration) });
}
