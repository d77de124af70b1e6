import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  applyRetention,
  CaseProjector,
  CaseRepository,
  migrateToLatest,
  OUTBOX_CHANNEL,
  OutboxRelay,
  PgListener,
  type CaseworkDb,
} from '@dualwatch/casework';
import { topicName } from '@dualwatch/contracts';
import { provisionTopics, type ChunkBinding, type ChunkContext, type ChunkHandlerExtras } from '@dualwatch/messaging';
import { kafkaIndicator, type HealthIndicator, type Logger } from '@dualwatch/observability';
import type { ProjectorSettings } from './settings';
import { CASEWORK_DB, KAFKA, LOGGER, PROJECTOR_SETTINGS } from './tokens';

/** The projector's Prometheus metrics (`dw_projector_*`). */
export class ProjectorMetrics {
  readonly registry = new Registry();
  readonly alerts = new Counter({
    name: 'dw_projector_alerts_total',
    help: 'Alert messages read, by result (applied, skipped: already in PostgreSQL, invalid)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly chunk = new Histogram({
    name: 'dw_projector_chunk_seconds',
    help: 'One chunk written to PostgreSQL (one transaction)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'dw_projector_lag',
    help: 'Alert messages behind the log end, per partition',
    labelNames: ['partition'],
    registers: [this.registry],
  });
  readonly published = new Counter({
    name: 'dw_projector_outbox_published_total',
    help: 'Lifecycle records relayed to Kafka',
    registers: [this.registry],
  });
  readonly backlog = new Gauge({
    name: 'dw_projector_outbox_backlog',
    help: 'Lifecycle records waiting in the outbox',
    registers: [this.registry],
  });
  readonly archived = new Counter({
    name: 'dw_projector_archived_total',
    help: 'Closed cases moved to the archive by retention',
    registers: [this.registry],
  });
  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'dw_projector_' });
  }
}

/**
 * The projector: risk.alerts.v1 into PostgreSQL exactly once (CaseProjector, one transaction per chunk
 * with its offsets), the outbox of triage changes to alerts.lifecycle.v1 (OutboxRelay, woken by NOTIFY,
 * polled as a fallback), and retention on a timer. Any number of instances: the alerts partitions are
 * shared by the consumer group, the relay runs in one at a time (an advisory lock).
 */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly metrics = new ProjectorMetrics();
  readonly repo: CaseRepository;
  private readonly projector: CaseProjector;
  private readonly producer: Producer;
  private readonly relay: OutboxRelay;
  private listener?: PgListener;
  private projectionId = '';
  private timers: NodeJS.Timeout[] = [];
  private relaying: Promise<void> | null = null;
  private relayAgain = false;
  private stopping = false;

  constructor(
    @Inject(PROJECTOR_SETTINGS) private readonly s: ProjectorSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(KAFKA) readonly kafka: Kafka,
    @Inject(CASEWORK_DB) private readonly db: CaseworkDb,
  ) {
    this.repo = new CaseRepository(db, topicName('alertLifecycle', s.topicPrefix));
    this.projector = new CaseProjector(this.repo);
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.relay = new OutboxRelay(db, this.producer, logger);
  }

  healthIndicators(): HealthIndicator[] {
    return [
      kafkaIndicator(this.kafka),
      {
        name: 'postgres',
        check: async () => {
          await this.repo.count();
        },
      },
    ];
  }

  async onApplicationBootstrap(): Promise<void> {
    const s = this.s;
    const applied = await migrateToLatest(this.db);
    if (applied.length) this.logger.info({ migrations: applied }, 'casework schema migrated');
    const meta = await this.db.selectFrom('casework_meta').select('value').where('key', '=', 'projection_id').executeTakeFirstOrThrow();
    this.projectionId = meta.value;
    if (s.provisionTopics) await provisionTopics(this.kafka, ['alerts', 'alertLifecycle'], s.topicPrefix);
    await this.producer.connect();
    this.listener = new PgListener(
      s.databaseUrl,
      [OUTBOX_CHANNEL],
      () => this.wakeRelay(),
      this.logger,
      () => this.wakeRelay(),
    );
    await this.listener.start();
    this.timers.push(setInterval(() => this.wakeRelay(), s.outboxPollMs));
    this.timers.push(setInterval(() => void this.retention(), s.retentionIntervalMs));
    this.wakeRelay();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    await this.relaying?.catch(() => undefined);
    await this.listener?.stop();
    await this.producer.disconnect().catch(() => undefined);
    await this.db.destroy().catch(() => undefined);
  }

  /**
   * Where the alerts consumer reads (KafkaChunkTransport, at least once): risk.alerts.v1 from the
   * beginning, in the group of this database. Kafka's commit after a chunk only saves re-reading:
   * PostgreSQL holds the offsets that decide.
   */
  bind(pattern: string, _extras: ChunkHandlerExtras): ChunkBinding {
    if (pattern !== 'alerts') throw new Error(`the projector has no binding for the pattern "${pattern}"`);
    const s = this.s;
    return {
      topic: topicName('alerts', s.topicPrefix),
      groupId: `${s.groupIdPrefix}-${this.projectionId}`,
      fromBeginning: true,
      sessionTimeoutMs: s.sessionTimeoutMs,
      maxWaitTimeInMs: 200,
      maxChunkMessages: s.maxChunkMessages,
      partitionsConsumedConcurrently: s.partitionsConcurrently,
      hooks: { committed: ({ partition, lag }) => this.metrics.lag.set({ partition: String(partition) }, lag) },
    };
  }

  /** One chunk of alert messages, in one database transaction. */
  async applyChunk(messages: KafkaMessage[], ctx: ChunkContext): Promise<void> {
    const end = this.metrics.chunk.startTimer();
    const r = await this.projector.applyChunk(
      ctx.topic,
      ctx.partition,
      messages.map((m) => ({ offset: m.offset, value: m.value })),
    );
    end();
    this.metrics.alerts.inc({ result: 'applied' }, r.applied);
    this.metrics.alerts.inc({ result: 'skipped' }, r.skipped);
    this.metrics.alerts.inc({ result: 'invalid' }, r.invalid.length);
    for (const i of r.invalid)
      this.logger.error(
        { topic: ctx.topic, partition: ctx.partition, offset: i.offset, error: i.error },
        'alert message skipped: not a valid alert',
      );
  }

  /** Runs the relay now, or once more after the run in progress. */
  private wakeRelay(): void {
    if (this.stopping) return;
    if (this.relaying) {
      this.relayAgain = true;
      return;
    }
    this.relaying = (async () => {
      do {
        this.relayAgain = false;
        try {
          const n = await this.relay.drain();
          if (n) this.metrics.published.inc(n);
          this.metrics.backlog.set(await this.relay.backlog());
        } catch (err) {
          // the records stay in the outbox: the next wake-up or poll sends them
          this.logger.warn({ err: (err as Error).message }, 'outbox relay failed: retrying on the next poll');
          return;
        }
      } while (this.relayAgain && !this.stopping);
    })().finally(() => (this.relaying = null));
  }

  private async retention(): Promise<void> {
    try {
      const r = await applyRetention(this.db, {
        archiveAfterDays: this.s.archiveAfterDays,
        purgeArchiveAfterDays: this.s.purgeArchiveAfterDays,
      });
      const pruned = await this.relay.prune(this.s.outboxKeepDays * 86_400_000);
      if (r.archived || r.purged || pruned) this.logger.info({ ...r, outboxPruned: pruned }, 'retention applied');
      this.metrics.archived.inc(r.archived);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'retention failed: trying again on the next run');
    }
  }
}
