import { connectionChecks, kafkaSettings, redisSettings } from './common';
import { loadSettings, setting, SettingsError } from './settings';

const spec = { ...kafkaSettings, ...redisSettings };
const problems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadSettings(spec, env, connectionChecks);
    return [];
  } catch (err) {
    return (err as SettingsError).problems;
  }
};

describe('the Kafka and Redis settings of every app', () => {
  it('accept a production cluster: SASL over TLS, an ACL user in a rediss:// URL, a private CA file', () => {
    const s = loadSettings(
      spec,
      {
        KAFKA_BROKERS: 'b1.kafka.internal:9094,b2.kafka.internal:9094',
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'dualwatch',
        KAFKA_SASL_PASSWORD: 'pw',
        REDIS_URL: 'rediss://dualwatch:pw@redis.internal:6380',
        REDIS_TLS_CA_FILE: __filename,
      },
      connectionChecks,
    );
    expect(s).toMatchObject({ kafkaSsl: true, kafkaSaslMechanism: 'scram-sha-512', redisTlsCaFile: __filename });
  });

  it('refuse a SASL mechanism without a user name and password, naming the variables', () => {
    expect(problems({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' })).toEqual([
      'KAFKA_SASL_MECHANISM=plain needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    ]);
  });

  it('refuse a CA file that does not exist, or one given for a plaintext redis:// URL', () => {
    expect(problems({ REDIS_URL: 'rediss://h:6380', REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' })[0]).toMatch(
      /^REDIS_TLS_CA_FILE="\/nonexistent\/ca.pem" is invalid: .* is not a readable file; expects the path of a readable file$/,
    );
    expect(problems({ REDIS_URL: 'redis://h:6379', REDIS_TLS_CA_FILE: __filename })).toEqual([
      'REDIS_TLS_CA_FILE is set but REDIS_URL is not rediss://: expects a rediss:// URL for TLS',
    ]);
  });

  it('run the cross checks only once every single value is valid', () => {
    const check = jest.fn(() => 'never reached');
    expect(() => loadSettings({ n: setting.int('N', { description: 'n', min: 1 }) }, { N: '0' }, [check])).toThrow(/N="0" is invalid/);
    expect(check).not.toHaveBeenCalled();
  });
});
