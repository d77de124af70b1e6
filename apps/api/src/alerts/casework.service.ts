import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CASES_CHANNEL, CaseRepository, migrateToLatest, PgListener, type CaseView, type CaseworkDb } from '@dualwatch/casework';
import { topicName } from '@dualwatch/contracts';
import type { HealthIndicator, Logger } from '@dualwatch/observability';
import type { ApiSettings } from '../settings';
import { API_SETTINGS, CASEWORK_DB, LOGGER } from '../tokens';

export type CaseListener = (view: CaseView) => void;

/**
 * The api's side of casework: the repository on PostgreSQL (lists, summaries, exports, triage), and the
 * live feed: every instance LISTENs for changed cases (written by the projector or by any instance's
 * triage) and hands their views to its open streams. Memory does not grow with the history.
 */
@Injectable()
export class Casework implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly repo: CaseRepository;
  private readonly listeners = new Set<CaseListener>();
  private listener?: PgListener;
  /** Order ids announced and not fetched yet (one query per burst). */
  private pending = new Set<string>();
  private flushing = false;

  constructor(
    @Inject(API_SETTINGS) private readonly s: ApiSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CASEWORK_DB) readonly db: CaseworkDb,
  ) {
    this.repo = new CaseRepository(db, topicName('alertLifecycle', s.topicPrefix));
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      const applied = await migrateToLatest(this.db);
      if (applied.length) this.logger.info({ migrations: applied }, 'casework schema migrated');
    } catch (err) {
      // PostgreSQL down at start: the api serves what does not need it, says not ready, and migrates on its next start
      this.logger.error({ err: (err as Error).message }, 'casework database unavailable at start: alerts answer 503 until it is back');
    }
    this.listener = new PgListener(this.s.databaseUrl, [CASES_CHANNEL], (_ch, payload) => this.announced(payload), this.logger);
    await this.listener.start(true);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
    await this.db.destroy().catch(() => undefined);
  }

  healthIndicators(): HealthIndicator[] {
    return [
      {
        name: 'postgres',
        check: async () => {
          await this.repo.count();
          if (this.listener && !this.listener.connected) throw new Error('not listening for changed cases (reconnecting)');
        },
      },
    ];
  }

  /** Every changed case, as a view, until the returned function is called. */
  subscribe(l: CaseListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get liveStreams(): number {
    return this.listeners.size;
  }

  private announced(payload: string): void {
    if (!this.listeners.size) return;
    try {
      for (const id of JSON.parse(payload) as string[]) this.pending.add(id);
    } catch {
      return;
    }
    void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.size) {
        const ids = [...this.pending].slice(0, 500);
        for (const id of ids) this.pending.delete(id);
        const views = await this.repo.views(ids);
        for (const v of views) for (const l of this.listeners) l(v);
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'live stream: changed cases not read');
    } finally {
      this.flushing = false;
    }
  }
}
