import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets at rest. Webhook signing secrets and Slack URLs must be read back to be used, so they are
 * encrypted (AES-256-GCM, a fresh 12-byte nonce each time, the tag authenticates); API keys only need
 * to be compared, so only their hash is kept.
 */
export class SecretBox {
  private readonly key: Buffer;

  /** `keyBase64`: 32 random bytes, base64 (NOTIFIER_SECRET_KEY). */
  constructor(keyBase64: string) {
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length !== 32) throw new Error(`the secret key must be 32 bytes (base64), got ${key.length}`);
    this.key = key;
  }

  /** "v1.<nonce>.<ciphertext>.<tag>", each part base64url. */
  seal(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', nonce, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string): string {
    const [version, nonce, body, tag] = sealed.split('.');
    if (version !== 'v1' || nonce === undefined || body === undefined || tag === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/**
 * API keys are long random strings, so one SHA-256 is enough (a slow KDF protects guessable
 * passwords, not 256-bit keys). Stored and configured as lowercase hex.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time check of a presented key against a stored hash. */
export function apiKeyMatches(presented: string | undefined, storedHash: string): boolean {
  if (!presented || !/^[0-9a-f]{64}$/.test(storedHash)) return false;
  return timingSafeEqual(Buffer.from(hashApiKey(presented), 'hex'), Buffer.from(storedHash, 'hex'));
}

/** A new key as `NOTIFIER_SECRET_KEY` expects it. */
export const newSecretKey = (): string => randomBytes(32).toString('base64');
