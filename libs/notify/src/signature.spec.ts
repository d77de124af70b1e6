import { sign, signedHeaders, verify } from './signature';

describe('Standard Webhooks signatures', () => {
  // the example from the Standard Webhooks / Svix documentation
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const body = '{"test": 2432232314}';

  it('signs id.timestamp.body with HMAC-SHA256 under the decoded secret, as the specification example does', () => {
    expect(sign(secret, id, timestamp, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs once per secret during a rotation, and each secret verifies on its own', () => {
    const rotated = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    const headers = signedHeaders([rotated, secret], id, timestamp, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verify(secret, headers, body, 300, timestamp * 1000)).toBe(true);
    expect(verify(rotated, headers, body, 300, timestamp * 1000)).toBe(true);
  });

  it('rejects a changed body, another secret and a stale timestamp', () => {
    const headers = signedHeaders([secret], id, timestamp, body);
    expect(verify(secret, headers, body + ' ', 300, timestamp * 1000)).toBe(false);
    expect(verify('whsec_' + Buffer.alloc(32, 1).toString('base64'), headers, body, 300, timestamp * 1000)).toBe(false);
    expect(verify(secret, headers, body, 300, (timestamp + 301) * 1000)).toBe(false);
  });

  it('refuses a secret that is not whsec_ and base64', () => {
    expect(() => sign('not-a-secret', id, timestamp, body)).toThrow(/whsec_/);
  });
});
