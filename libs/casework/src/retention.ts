import { sql } from 'kysely';
import type { CaseworkDb } from './db';

export interface RetentionSettings {
  /** Closed cases (resolved, false positive, withdrawn) untouched for this many days move to the archive tables; 0: never. */
  archiveAfterDays: number;
  /** Archived cases are deleted this many days after archiving; 0: kept forever. */
  purgeArchiveAfterDays: number;
}

/**
 * Retention: closed cases leave the working tables (so the analyst's lists and summaries stay the size of
 * the live business) for cases_archive and case_events_archive, in one transaction per run; the
 * archive itself is purged after its own period. A case that is still open is never archived.
 */
export async function applyRetention(
  db: CaseworkDb,
  s: RetentionSettings,
  now = new Date(),
): Promise<{ archived: number; purged: number }> {
  let archived = 0;
  let purged = 0;
  if (s.archiveAfterDays > 0) {
    const cutoff = new Date(now.getTime() - s.archiveAfterDays * 86_400_000);
    archived = await db.transaction().execute(async (tx) => {
      const moved = await sql<{ order_id: string }>`
        WITH gone AS (
          DELETE FROM cases c
          WHERE c.status IN ('resolved', 'false_positive', 'withdrawn')
            AND c.updated_at < ${cutoff}
            AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.order_id = c.order_id AND e.at >= ${cutoff})
          RETURNING c.*
        )
        INSERT INTO cases_archive SELECT gone.*, now() FROM gone RETURNING order_id`.execute(tx);
      const ids = moved.rows.map((r) => r.order_id);
      if (ids.length) {
        await sql`
          WITH gone AS (DELETE FROM case_events WHERE order_id = ANY(${ids}) RETURNING *)
          INSERT INTO case_events_archive SELECT gone.*, now() FROM gone`.execute(tx);
      }
      return ids.length;
    });
  }
  if (s.purgeArchiveAfterDays > 0) {
    const cutoff = new Date(now.getTime() - s.purgeArchiveAfterDays * 86_400_000);
    purged = await db.transaction().execute(async (tx) => {
      const r = await tx.deleteFrom('cases_archive').where('archived_at', '<', cutoff).returning('order_id').execute();
      await tx.deleteFrom('case_events_archive').where('archived_at', '<', cutoff).execute();
      return r.length;
    });
  }
  return { archived, purged };
}
