import { connectionChecks, httpSettings, kafkaSettings, loadSettings, redisSettings, setting, type Settings } from '@dualwatch/config';

/** Every variable the risk-engine reads, with its default and meaning (the README table is made from this). */
export const engineSettingsSpec = {
  ...kafkaSettings,
  ...redisSettings,
  ...httpSettings,
  groupId: setting.string('ENGINE_GROUP_ID', {
    description: 'Consumer group of the risk-engine instances',
    default: 'dualwatch-risk-engine',
  }),
  transactionalIdPrefix: setting.string('ENGINE_TRANSACTIONAL_ID_PREFIX', {
    description: 'Prefix of the per-partition transactional ids (must be the same on every instance of the group)',
    default: 'dualwatch-risk-engine',
  }),
  maxChunkMessages: setting.int('ENGINE_MAX_CHUNK_MESSAGES', {
    description: 'Order messages per Kafka transaction',
    default: 500,
    min: 1,
    max: 10000,
  }),
  partitionsConcurrently: setting.int('ENGINE_PARTITIONS_CONCURRENTLY', {
    description: 'Partitions processed at once (6 = every partition of orders.v1: one wave of transactions per fetch, lower latency)',
    default: 6,
    min: 1,
    max: 64,
  }),
  maxEventBytes: setting.int('ENGINE_MAX_EVENT_BYTES', {
    description: 'Larger order messages go to the DLQ unread',
    default: 1048576,
    min: 1024,
  }),
  minAlertVerdict: setting.oneOf('ENGINE_MIN_ALERT_VERDICT', ['policy', 'clear', 'review', 'license_required', 'prohibited'] as const, {
    description: 'Lowest verdict that raises an alert ("policy": the policy file decides)',
    default: 'policy',
  }),
  sessionTimeoutMs: setting.int('ENGINE_SESSION_TIMEOUT_MS', {
    description: 'Consumer session timeout: how soon the group reassigns the partitions of an instance that died',
    default: 30000,
    min: 6000,
    max: 300000,
  }),
  refdataPollMs: setting.int('ENGINE_REFDATA_POLL_MS', {
    description: 'How often to check Redis for a new reference-data version',
    default: 5000,
    min: 100,
  }),
  upcomingScanMs: setting.int('ENGINE_UPCOMING_SCAN_MS', {
    description: 'How often the look-ahead scan looks at the open-order book (one instance of the group scans: the lease holder)',
    default: 60000,
    min: 100,
  }),
  upcomingLeaseMs: setting.int('ENGINE_UPCOMING_LEASE_MS', {
    description:
      'How long the look-ahead lease outlives its holder (at least twice ENGINE_UPCOMING_SCAN_MS): another instance takes the scan over after this',
    default: 150000,
    min: 1000,
  }),
  lruSize: setting.int('ENGINE_LRU_SIZE', { description: 'Party screenings kept in the in-process LRU', default: 50000, min: 0 }),
  provisionTopics: setting.bool('ENGINE_PROVISION_TOPICS', { description: 'Create missing topics at start', default: true }),
  policyFile: setting.string('ENGINE_POLICY_FILE', { description: 'Policy file (default: the bundled policy)', default: '' }),
};

export type EngineSettings = Settings<typeof engineSettingsSpec>;
export const loadEngineSettings = (env: NodeJS.ProcessEnv = process.env): EngineSettings =>
  loadSettings(engineSettingsSpec, env, connectionChecks);
