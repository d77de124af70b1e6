import {
  connectionChecks,
  databaseSettings,
  httpSettings,
  kafkaSettings,
  loadSettings,
  redisSettings,
  setting,
  SettingsError,
  type Settings,
} from '@dualwatch/config';
import { parseApiKeys, type ApiKeyEntry } from './auth/api-keys';

/** Every variable the api reads, with its default and meaning (docs/api.md lists them). */
export const apiSettingsSpec = {
  ...kafkaSettings,
  ...redisSettings,
  ...httpSettings,
  ...databaseSettings,
  apiKeys: setting.list('API_KEYS', {
    description:
      'Who may call the api: comma-separated `user:role:sha256hex` entries (role viewer, analyst or admin; the hash of the key, never the key)',
    default: [],
    item: /^[A-Za-z0-9._@-]{1,64}:(viewer|analyst|admin):[0-9a-f]{64}$/,
    expects: 'user:role:sha256hex[,...] (`printf %s "$KEY" | sha256sum`)',
  }),
  maxBodyBytes: setting.int('API_MAX_BODY_BYTES', { description: 'Largest JSON request body (larger: 413)', default: 1048576, min: 1024 }),
  maxCsvBytes: setting.int('API_MAX_CSV_BYTES', { description: 'Largest CSV upload (larger: 413)', default: 10485760, min: 1024 }),
  maxCsvOrders: setting.int('API_MAX_CSV_ORDERS', { description: 'Most orders in one CSV upload', default: 5000, min: 1 }),
  rateLimitPerSecond: setting.int('API_RATE_LIMIT_PER_SECOND', {
    description: 'Sustained requests per second per API key (per address without a key or with a wrong one); above it: 429',
    default: 20,
    min: 1,
  }),
  rateLimitBurst: setting.int('API_RATE_LIMIT_BURST', {
    description: 'Requests a client may send at once before the rate applies',
    default: 100,
    min: 1,
  }),
  secretKey: setting.string('NOTIFIER_SECRET_KEY', {
    description: "The notifier's key sealing webhook secrets and Slack URLs (the same value; empty: /subscriptions is off)",
    default: '',
    pattern: /^[A-Za-z0-9+/]{43}=$/,
    expects: '32 bytes in base64 (44 characters)',
    secret: true,
  }),
  targetAllowList: setting.list('NOTIFIER_TARGET_ALLOW_LIST', {
    description: "The notifier's private targets allowed despite the SSRF guard (the same value)",
    default: [],
    item: /^[A-Za-z0-9.:[\]-]+(\/\d{1,3})?$/,
    expects: 'comma-separated hosts, IPs or CIDRs',
  }),
  refdataPollMs: setting.int('API_REFDATA_POLL_MS', {
    description: 'How often what-if checks Redis for a new reference-data version',
    default: 5000,
    min: 100,
  }),
  policyFile: setting.string('API_POLICY_FILE', {
    description: 'Policy file for what-if (default: the bundled policy, as the engine)',
    default: '',
  }),
  provisionTopics: setting.bool('API_PROVISION_TOPICS', { description: 'Create missing topics at start', default: true }),
};

export type ApiSettings = Settings<typeof apiSettingsSpec> & { readonly keys: readonly ApiKeyEntry[] };

export function loadApiSettings(env: NodeJS.ProcessEnv = process.env): ApiSettings {
  const s = loadSettings(apiSettingsSpec, env, connectionChecks);
  let keys: ApiKeyEntry[];
  try {
    keys = parseApiKeys(s.apiKeys);
  } catch (err) {
    throw new SettingsError([`API_KEYS is invalid: ${(err as Error).message}`]);
  }
  return Object.freeze({ ...s, keys });
}
