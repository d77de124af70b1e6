import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Assessment, OrderEvent } from '@dualwatch/contracts';
import { loadBundledRefData, ReferenceService } from '@dualwatch/refdata';
import { assess, createPartyMatcher, loadBundledPolicy, loadPolicy, withAssessedAt, type Policy } from '@dualwatch/scoring';
import { ApiRuntime } from '../runtime';

/**
 * What-if: the pure scoring core over the same reference data as the risk-engine (the version Redis
 * says is current, the bundled snapshot as the fallback) and the same policy, without publishing.
 */
@Injectable()
export class WhatIfService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly policy: Policy;
  readonly reference: ReferenceService;
  private poll?: NodeJS.Timeout;

  constructor(private readonly rt: ApiRuntime) {
    const s = rt.s;
    const policy = (this.policy = s.policyFile ? loadPolicy(s.policyFile) : loadBundledPolicy());
    this.reference = new ReferenceService({
      redis: rt.cacheRedis,
      prefix: s.redisKeyPrefix,
      bundled: loadBundledRefData(),
      matcherFor: (refdata) => createPartyMatcher(refdata, policy),
      lruSize: 10000,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.rt.connect();
    await this.reference.refresh();
    this.poll = setInterval(() => void this.reference.refresh(), this.rt.s.refdataPollMs).unref();
  }

  async assess(event: OrderEvent, asOf?: string): Promise<Assessment> {
    const view = await this.reference.viewFor([event.order]);
    return withAssessedAt(assess(event, view, this.policy, asOf));
  }

  onApplicationShutdown(): void {
    clearInterval(this.poll);
  }
}
