import { kafkaIndicator, redisIndicator, runHealthChecks } from './health';

describe('the Kafka and Redis readiness indicators', () => {
  it('report Redis down when PING fails and Kafka down when the cluster cannot be described, closing the admin client', async () => {
    const disconnect = jest.fn(async () => undefined);
    const kafka = {
      admin: () => ({ connect: async () => undefined, describeCluster: async () => Promise.reject(new Error('broker gone')), disconnect }),
    };
    const redis = { ping: async () => Promise.reject(new Error('Connection is closed.')) };
    const r = await runHealthChecks([redisIndicator(redis), kafkaIndicator(kafka)]);
    expect(r.status).toBe('error');
    expect(r.checks.redis).toMatchObject({ status: 'down', error: 'Connection is closed.' });
    expect(r.checks.kafka).toMatchObject({ status: 'down', error: 'broker gone' });
    expect(disconnect).toHaveBeenCalled();
  });

  it('report both up when they answer', async () => {
    const kafka = {
      admin: () => ({ connect: async () => undefined, describeCluster: async () => ({}), disconnect: async () => undefined }),
    };
    const r = await runHealthChecks([redisIndicator({ ping: async () => 'PONG' }), kafkaIndicator(kafka)]);
    expect(r).toMatchObject({ status: 'ok', checks: { redis: { status: 'up' }, kafka: { status: 'up' } } });
  });
});
