import { setting, type SettingsCheck } from './settings';

/** Settings every Kafka-connected app shares; each app spreads these into its own spec. */
export const kafkaSettings = {
  kafkaBrokers: setting.list('KAFKA_BROKERS', {
    description: 'Kafka bootstrap servers',
    default: ['127.0.0.1:19092'],
    item: /^[^\s:]+:\d{1,5}$/,
    expects: 'host:port[,host:port...]',
  }),
  kafkaClientId: setting.string('KAFKA_CLIENT_ID', { description: 'Kafka client id prefix', default: 'dualwatch' }),
  kafkaSsl: setting.bool('KAFKA_SSL', { description: 'Use TLS to the brokers', default: false }),
  kafkaSaslMechanism: setting.oneOf('KAFKA_SASL_MECHANISM', ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const, {
    description: 'SASL mechanism for production clusters',
    default: 'none',
  }),
  kafkaSaslUsername: setting.string('KAFKA_SASL_USERNAME', { description: 'SASL user name', default: '' }),
  kafkaSaslPassword: setting.string('KAFKA_SASL_PASSWORD', { description: 'SASL password', default: '', secret: true }),
  // a private CA for Kafka's TLS: NODE_EXTRA_CA_CERTS=/path/ca.pem (Node.js adds it to every TLS connection)
  topicPrefix: setting.string('DW_TOPIC_PREFIX', {
    description: 'Prefix in front of every topic name (isolates environments sharing a cluster)',
    default: '',
    pattern: /^[A-Za-z0-9._-]{1,100}$/,
  }),
};

export const redisSettings = {
  redisUrl: setting.string('REDIS_URL', {
    description: 'Redis URL (redis:// or rediss:// for TLS; user and password may be in it)',
    default: 'redis://127.0.0.1:16379',
    pattern: /^rediss?:\/\/\S+$/,
    secret: true,
  }),
  redisTlsCaFile: setting.file('REDIS_TLS_CA_FILE', {
    description: 'PEM file of the CA that signed the Redis server certificate, for a rediss:// URL (empty: the system CAs)',
    default: '',
  }),
  redisKeyPrefix: setting.string('REDIS_KEY_PREFIX', { description: 'Prefix of every Redis key', default: 'dw:' }),
};

/** Rules across the Kafka and Redis settings; every app passes them to loadSettings. */
export const connectionChecks: SettingsCheck[] = [
  (s) =>
    s.kafkaSaslMechanism !== undefined && s.kafkaSaslMechanism !== 'none' && (!s.kafkaSaslUsername || !s.kafkaSaslPassword)
      ? `KAFKA_SASL_MECHANISM=${String(s.kafkaSaslMechanism)} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`
      : undefined,
  (s) =>
    s.redisTlsCaFile && !String(s.redisUrl).startsWith('rediss://')
      ? 'REDIS_TLS_CA_FILE is set but REDIS_URL is not rediss://: expects a rediss:// URL for TLS'
      : undefined,
];

export const httpSettings = {
  httpPort: setting.int('HTTP_PORT', {
    description: 'HTTP port for /health, /ready, /metrics (0: any free port)',
    default: 0,
    min: 0,
    max: 65535,
  }),
  httpHost: setting.string('HTTP_HOST', { description: 'Address the HTTP server binds to', default: '127.0.0.1' }),
  logLevel: setting.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, {
    description: 'Log level',
    default: 'info',
  }),
};

/** PostgreSQL, for the apps that keep casework (the api and the projector). */
export const databaseSettings = {
  databaseUrl: setting.string('DATABASE_URL', {
    description: 'PostgreSQL URL of the casework database (postgres://user:password@host:port/db; the password may be in it)',
    default: 'postgres://dualwatch@127.0.0.1:15432/dualwatch',
    pattern: /^postgres(ql)?:\/\/\S+$/,
    secret: true,
  }),
  databasePoolSize: setting.int('DATABASE_POOL_SIZE', {
    description: 'Connections each instance keeps to PostgreSQL',
    default: 10,
    min: 1,
    max: 200,
  }),
};
