import { createHash, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { describeIssues } from '@dualwatch/contracts';
import type { SecretBox } from './secrets';
import { secretBytes } from './signature';
import { hostOf, TargetRefused, type TargetGuard } from './target-guard';
import {
  subscriptionInputValidator,
  viewOf,
  type StoredTarget,
  type Subscription,
  type SubscriptionInput,
  type SubscriptionView,
  type TargetInput,
} from './subscription';

/** A request the store cannot honour; `code` maps to an HTTP status in the controllers. */
export class SubscriptionError extends Error {
  constructor(
    readonly code: 'INVALID' | 'NOT_FOUND' | 'CONFLICT' | 'REFUSED',
    message: string,
  ) {
    super(message);
    this.name = 'SubscriptionError';
  }
}

/** A decrypted target, for the moment of sending only: never logged, never stored. */
export type ResolvedTarget = { type: 'slack'; url: string } | { type: 'webhook'; url: string; secrets: string[] };

/**
 * Subscriptions in Redis (one hash, field = id, value = JSON with the secrets sealed). The notifier
 * reads it for every batch of alerts; the api (issue 7) mounts the same store for its endpoints.
 */
export class SubscriptionStore {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly box: SecretBox,
    private readonly guard: TargetGuard,
  ) {
    this.key = `${prefix}notify:subscriptions`;
  }

  /** Validates a request body; throws SubscriptionError('INVALID') naming every bad field. */
  static parse(body: unknown): SubscriptionInput {
    const r = subscriptionInputValidator.validate(body);
    if (!r.ok) throw new SubscriptionError('INVALID', `invalid subscription: ${describeIssues(r.issues)}`);
    return r.value;
  }

  async list(): Promise<Subscription[]> {
    const values = await this.redis.hvals(this.key);
    return values.map((v) => JSON.parse(v) as Subscription).sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<Subscription | null> {
    const v = await this.redis.hget(this.key, id);
    return v ? (JSON.parse(v) as Subscription) : null;
  }

  async views(): Promise<SubscriptionView[]> {
    return (await this.list()).map(viewOf);
  }

  async view(id: string): Promise<SubscriptionView> {
    const s = await this.get(id);
    if (!s) throw new SubscriptionError('NOT_FOUND', `no subscription ${id}`);
    return viewOf(s);
  }

  async create(body: unknown): Promise<SubscriptionView> {
    const input = SubscriptionStore.parse(body);
    if (!input.target) throw new SubscriptionError('INVALID', 'invalid subscription: /target: required');
    const now = new Date().toISOString();
    const sub: Subscription = {
      id: input.id ?? `sub-${randomUUID()}`,
      name: input.name,
      enabled: input.enabled ?? true,
      filter: input.filter ?? {},
      target: await this.seal(input.target),
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.redis.hsetnx(this.key, sub.id, JSON.stringify(sub))))
      throw new SubscriptionError('CONFLICT', `subscription ${sub.id} exists`);
    return viewOf(sub);
  }

  /** Replaces name, filter and enabled; the target only when given (so edits need not resend secrets). */
  async update(id: string, body: unknown): Promise<SubscriptionView> {
    const input = SubscriptionStore.parse(body);
    if (input.id !== undefined && input.id !== id)
      throw new SubscriptionError('INVALID', `invalid subscription: /id: ${input.id} is not ${id}`);
    const prior = await this.get(id);
    if (!prior) throw new SubscriptionError('NOT_FOUND', `no subscription ${id}`);
    const enabled = input.enabled ?? prior.enabled;
    const sub: Subscription = {
      ...prior,
      name: input.name,
      enabled,
      filter: input.filter ?? {},
      target: input.target ? await this.seal(input.target) : prior.target,
      updatedAt: new Date().toISOString(),
    };
    if (enabled) delete sub.disabledReason;
    await this.redis.hset(this.key, id, JSON.stringify(sub));
    return viewOf(sub);
  }

  async remove(id: string): Promise<boolean> {
    return (await this.redis.hdel(this.key, id)) === 1;
  }

  /** The notifier's own switch-off (410 Gone): kept, visible, re-enabled by an update. */
  async disable(id: string, reason: string): Promise<void> {
    const sub = await this.get(id);
    if (!sub || !sub.enabled) return;
    await this.redis.hset(
      this.key,
      id,
      JSON.stringify({ ...sub, enabled: false, disabledReason: reason, updatedAt: new Date().toISOString() }),
    );
  }

  resolve(sub: Subscription): ResolvedTarget {
    const t = sub.target;
    return t.type === 'slack'
      ? { type: 'slack', url: this.box.open(t.sealedUrl) }
      : { type: 'webhook', url: t.url, secrets: t.sealedSecrets.map((s) => this.box.open(s)) };
  }

  /**
   * Seeds subscriptions from a file's entries (each with an id): new ones are created, changed ones
   * replaced; an entry unchanged since the last seeding leaves the stored one alone (so a
   * subscription disabled by a 410 stays disabled across restarts).
   */
  async seed(entries: unknown): Promise<{ created: string[]; replaced: string[]; unchanged: string[] }> {
    if (!Array.isArray(entries)) throw new SubscriptionError('INVALID', 'a subscriptions file holds a JSON array of subscriptions');
    const out = { created: [] as string[], replaced: [] as string[], unchanged: [] as string[] };
    const problems: string[] = [];
    const parsed: { input: SubscriptionInput; seedHash: string }[] = [];
    entries.forEach((entry, i) => {
      try {
        const input = SubscriptionStore.parse(entry);
        if (!input.id || !input.target) throw new SubscriptionError('INVALID', 'a seeded subscription needs an id and a target');
        parsed.push({ input, seedHash: createHash('sha256').update(JSON.stringify(entry)).digest('hex') });
      } catch (err) {
        problems.push(`entry ${i}: ${(err as Error).message}`);
      }
    });
    if (problems.length) throw new SubscriptionError('INVALID', problems.join('; '));
    for (const { input, seedHash } of parsed) {
      const prior = await this.get(input.id!);
      if (prior?.seedHash === seedHash) {
        out.unchanged.push(input.id!);
        continue;
      }
      const now = new Date().toISOString();
      const sub: Subscription = {
        id: input.id!,
        name: input.name,
        enabled: input.enabled ?? true,
        filter: input.filter ?? {},
        target: await this.seal(input.target!),
        createdAt: prior?.createdAt ?? now,
        updatedAt: now,
        seedHash,
      };
      await this.redis.hset(this.key, sub.id, JSON.stringify(sub));
      (prior ? out.replaced : out.created).push(sub.id);
    }
    return out;
  }

  private async seal(t: TargetInput): Promise<StoredTarget> {
    try {
      await this.guard.checkResolved(t.url);
    } catch (err) {
      if (err instanceof TargetRefused) throw new SubscriptionError('REFUSED', err.message);
      throw err;
    }
    if (t.type === 'slack') return { type: 'slack', sealedUrl: this.box.seal(t.url), host: hostOf(new URL(t.url)) };
    for (const s of t.secrets) {
      try {
        secretBytes(s);
      } catch (err) {
        throw new SubscriptionError('INVALID', `invalid subscription: /target/secrets: ${(err as Error).message}`);
      }
    }
    return { type: 'webhook', url: t.url, sealedSecrets: t.secrets.map((s) => this.box.seal(s)) };
  }
}
