import { hashApiKey } from '@dualwatch/notify';
import { timingSafeEqual } from 'node:crypto';

/** Roles, least to most: a viewer reads; an analyst also triages alerts and sends orders; an admin also manages subscriptions. */
export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const roleAtLeast = (have: Role, need: Role): boolean => ROLES.indexOf(have) >= ROLES.indexOf(need);

/** One configured key: who it is (the name recorded on lifecycle changes), its role, and the SHA-256 of the key. */
export interface ApiKeyEntry {
  user: string;
  role: Role;
  hash: Buffer;
}

export interface Principal {
  user: string;
  role: Role;
}

/** `user:role:sha256hex` entries (API_KEYS) → entries; one user may not hold two keys with different roles by mistake. */
export function parseApiKeys(items: readonly string[]): ApiKeyEntry[] {
  const seen = new Set<string>();
  return items.map((item) => {
    const [user, role, hex] = item.split(':');
    if (!user || !hex || !(ROLES as readonly string[]).includes(role)) throw new Error(`"${item.slice(0, 80)}" is not user:role:sha256hex`);
    if (seen.has(hex)) throw new Error(`the key of ${user} is configured twice`);
    seen.add(hex);
    return { user, role: role as Role, hash: Buffer.from(hex, 'hex') };
  });
}

/**
 * The principal a presented key belongs to, or null. Compares against every entry in constant time
 * (keys are long random strings, so one SHA-256 is the right hash: see @dualwatch/notify's hashApiKey).
 */
export function authenticate(presented: string | undefined, keys: readonly ApiKeyEntry[]): Principal | null {
  if (!presented || presented.length > 512) return null;
  const h = Buffer.from(hashApiKey(presented), 'hex');
  let found: ApiKeyEntry | null = null;
  for (const k of keys) if (timingSafeEqual(h, k.hash)) found = k;
  return found ? { user: found.user, role: found.role } : null;
}
