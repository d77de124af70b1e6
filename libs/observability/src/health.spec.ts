import { runHealthChecks } from './health';

describe('runHealthChecks', () => {
  it('is ok when every indicator answers', async () => {
    const r = await runHealthChecks([{ name: 'a', check: async () => undefined }]);
    expect(r.status).toBe('ok');
    expect(r.checks.a.status).toBe('up');
  });

  it('reports a failing and a hung dependency as down without waiting for the hung one', async () => {
    const started = Date.now();
    const r = await runHealthChecks(
      [
        { name: 'redis', check: async () => Promise.reject(new Error('ECONNREFUSED')) },
        { name: 'kafka', check: () => new Promise(() => undefined) },
      ],
      200,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.status).toBe('error');
    expect(r.checks.redis).toMatchObject({ status: 'down', error: 'ECONNREFUSED' });
    expect(r.checks.kafka.error).toMatch(/no answer in 200 ms/);
  });
});
