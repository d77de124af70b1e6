import { kafkaSettings, loadSettings, redisSettings, setting, type Settings } from '@dualwatch/config';

/** The naive engine's variables: the same Kafka/Redis/prefix variables as the risk-engine, its own group. */
export const naiveSettingsSpec = {
  ...kafkaSettings,
  ...redisSettings,
  groupId: setting.string('NAIVE_GROUP_ID', { description: 'Consumer group of the naive engine', default: 'dualwatch-naive-engine' }),
  awaitEmit: setting.bool('NAIVE_AWAIT_EMIT', {
    description: 'Wait for each ClientKafka.emit to be acknowledged before the handler returns (at-least-once); false: fire and forget',
    default: true,
  }),
  logLevel: setting.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, {
    description: 'Log level',
    default: 'info',
  }),
};

export type NaiveSettings = Settings<typeof naiveSettingsSpec>;
export const loadNaiveSettings = (env: NodeJS.ProcessEnv = process.env): NaiveSettings => loadSettings(naiveSettingsSpec, env);
