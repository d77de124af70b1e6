import { apiKeyMatches, hashApiKey, newSecretKey, SecretBox } from './secrets';

describe('secrets at rest', () => {
  const box = new SecretBox(newSecretKey());

  it('seals with AES-256-GCM: the plain text is not in the sealed form, and it opens again', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';
    const sealed = box.seal(url);
    expect(sealed).not.toContain('XXXXSECRET');
    expect(box.seal(url)).not.toBe(sealed); // a fresh nonce each time
    expect(box.open(sealed)).toBe(url);
  });

  it('refuses a tampered sealed value and another key', () => {
    const sealed = box.seal('whsec_abc');
    const parts = sealed.split('.');
    parts[2] = Buffer.from('whsec_abd').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => new SecretBox(newSecretKey()).open(sealed)).toThrow();
  });

  it('wants a 32-byte key', () => {
    expect(() => new SecretBox(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
  });

  it('keeps API keys as hashes and compares them in constant time', () => {
    const hash = hashApiKey('k-123');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(apiKeyMatches('k-123', hash)).toBe(true);
    expect(apiKeyMatches('k-124', hash)).toBe(false);
    expect(apiKeyMatches(undefined, hash)).toBe(false);
  });
});
