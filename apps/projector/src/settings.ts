import { connectionChecks, databaseSettings, httpSettings, kafkaSettings, loadSettings, setting, type Settings } from '@dualwatch/config';

/** Every variable the projector reads, with its default and meaning (docs/casework.md lists them). */
export const projectorSettingsSpec = {
  ...kafkaSettings,
  ...httpSettings,
  ...databaseSettings,
  groupIdPrefix: setting.string('PROJECTOR_GROUP_ID_PREFIX', {
    description:
      "Consumer group prefix of the projector instances (the database's projection id is appended: a new database is filled from the start)",
    default: 'dualwatch-projector',
  }),
  maxChunkMessages: setting.int('PROJECTOR_MAX_CHUNK_MESSAGES', {
    description: 'Alert messages written per database transaction',
    default: 500,
    min: 1,
    max: 5000,
  }),
  partitionsConcurrently: setting.int('PROJECTOR_PARTITIONS_CONCURRENTLY', {
    description: 'Partitions projected at once per instance (each its own transaction)',
    default: 3,
    min: 1,
    max: 64,
  }),
  sessionTimeoutMs: setting.int('PROJECTOR_SESSION_TIMEOUT_MS', {
    description: 'Consumer session timeout: how soon the group reassigns the partitions of an instance that died',
    default: 10000,
    min: 6000,
    max: 300000,
  }),
  outboxPollMs: setting.int('PROJECTOR_OUTBOX_POLL_MS', {
    description: 'How often the outbox is checked besides the NOTIFY that wakes it (lifecycle changes to Kafka)',
    default: 1000,
    min: 50,
    max: 60000,
  }),
  outboxKeepDays: setting.int('CASEWORK_OUTBOX_KEEP_DAYS', {
    description: 'Published outbox records are deleted after this many days (the audit trail keeps every change)',
    default: 7,
    min: 1,
  }),
  archiveAfterDays: setting.int('CASEWORK_ARCHIVE_AFTER_DAYS', {
    description: 'Closed cases (resolved, false positive, withdrawn) untouched for this many days move to the archive tables (0: never)',
    default: 365,
    min: 0,
  }),
  purgeArchiveAfterDays: setting.int('CASEWORK_PURGE_ARCHIVE_AFTER_DAYS', {
    description: 'Archived cases are deleted this many days after archiving (0: kept forever)',
    default: 0,
    min: 0,
  }),
  retentionIntervalMs: setting.int('CASEWORK_RETENTION_INTERVAL_MS', {
    description: 'How often retention runs',
    default: 3_600_000,
    min: 1000,
  }),
  provisionTopics: setting.bool('PROJECTOR_PROVISION_TOPICS', { description: 'Create missing topics at start', default: true }),
};

export type ProjectorSettings = Settings<typeof projectorSettingsSpec>;

export function loadProjectorSettings(env: NodeJS.ProcessEnv = process.env): ProjectorSettings {
  return loadSettings(projectorSettingsSpec, env, connectionChecks);
}
