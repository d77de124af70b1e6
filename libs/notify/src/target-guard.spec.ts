import { TargetGuard, TargetRefused } from './target-guard';

describe('TargetGuard', () => {
  const guard = new TargetGuard();

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://[::ffff:127.0.0.1]/',
  ])('refuses %s', (url) => {
    expect(() => guard.checkUrl(url)).toThrow(TargetRefused);
  });

  it('accepts public addresses and refuses other schemes', () => {
    expect(() => guard.checkUrl('https://93.184.215.14/hook')).not.toThrow();
    expect(() => guard.checkUrl('https://[2606:4700::1111]/hook')).not.toThrow();
    expect(() => guard.checkUrl('file:///etc/passwd')).toThrow(/scheme/);
    expect(() => guard.checkUrl('not a url')).toThrow(/valid URL/);
  });

  it('lets the allow-list open an address, a range or a host name', () => {
    const allowing = new TargetGuard(['127.0.0.1', '10.0.0.0/8', 'hooks.internal', '::1']);
    expect(() => allowing.checkUrl('http://127.0.0.1:9/')).not.toThrow();
    expect(() => allowing.checkUrl('http://10.9.9.9/')).not.toThrow();
    expect(() => allowing.checkUrl('http://[::1]:9/')).not.toThrow();
    expect(() => allowing.checkAddress('192.168.0.5', 'hooks.internal')).not.toThrow();
    expect(() => allowing.checkUrl('http://192.168.0.5/')).toThrow(TargetRefused);
  });

  it('checks what a host name resolves to (localhost is loopback)', async () => {
    await expect(guard.checkResolved('http://localhost:1/')).rejects.toThrow(/loopback/);
  });

  it('never puts the path or query of a refused URL in its message', () => {
    expect(() => guard.checkUrl('http://127.0.0.1/hook?token=s3cr3t')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('s3cr3t') }),
    );
  });
});
