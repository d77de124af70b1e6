import type { Logger } from '@dualwatch/observability';
import type { PipelineHooks } from './transactional-pipeline';

/**
 * The back-off rule of every pipeline (exactly-once, at-least-once, replay): a chunk that fails pauses its
 * partition for a back-off that doubles from `firstMs` (default 500 ms) up to 30 s, and resumes it after,
 * unless the pipeline has stopped by then; a chunk that succeeds resets it. Other partitions go on.
 */
export class PartitionBackoff {
  private readonly next = new Map<string, number>();

  constructor(private readonly o: { firstMs?: number; logger: Logger; hooks?: PipelineHooks; running(): boolean }) {}

  succeeded(topic: string, partition: number): void {
    this.next.delete(`${topic}-${partition}`);
  }

  /** Logs the failure, tells the hook, pauses the partition (kafkajs's eachBatch `pause`) and schedules its resume. */
  failed(topic: string, partition: number, err: unknown, pause: () => () => void): void {
    const key = `${topic}-${partition}`;
    const backoffMs = Math.min((this.next.get(key) ?? (this.o.firstMs ?? 500) / 2) * 2, 30_000);
    this.next.set(key, backoffMs);
    this.o.logger.warn({ err, topic, partition, backoffMs }, 'chunk failed; pausing the partition before retrying it');
    this.o.hooks?.retrying?.({ topic, partition, error: err as Error, backoffMs });
    const resume = pause();
    setTimeout(() => this.o.running() && resume(), backoffMs).unref();
  }
}
