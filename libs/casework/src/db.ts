import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { Pool, types } from 'pg';
import { migrationProvider } from './migrations';
import type { CaseworkDatabase } from './schema';

// DATE stays 'YYYY-MM-DD' text (node-postgres would make a local-midnight Date of it, a day off east of UTC)
types.setTypeParser(types.builtins.DATE, (v) => v);
// bigint (offsets, ids) stays text: exact, and JSON-safe
types.setTypeParser(types.builtins.INT8, (v) => v);

export type CaseworkDb = Kysely<CaseworkDatabase>;

export interface CaseworkDbOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  /** Each statement's limit (default 30 s): a stuck query fails instead of holding a request forever. */
  statementTimeoutMs?: number;
  /** How long to wait for a connection (default 5 s): PostgreSQL down reads as an error, not a hang. */
  connectTimeoutMs?: number;
}

/** A pool on DATABASE_URL and the typed query builder over it. `db.destroy()` ends the pool. */
export function createCaseworkDb(url: string, o: CaseworkDbOptions = {}): { db: CaseworkDb; pool: Pool } {
  const pool = new Pool({
    connectionString: url,
    max: o.max ?? 10,
    application_name: o.applicationName ?? 'dualwatch',
    statement_timeout: o.statementTimeoutMs ?? 30_000,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  // an idle client whose server went away emits 'error' on the pool: without a listener that ends the process
  pool.on('error', () => undefined);
  return { db: new Kysely<CaseworkDatabase>({ dialect: new PostgresDialect({ pool }) }), pool };
}

/** Applies the migrations not applied yet (under Kysely's own lock, so two instances starting at once are safe). */
export async function migrateToLatest(db: CaseworkDb): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed)
    throw new Error(
      `casework migration${failed ? ` ${failed.migrationName}` : 's'} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
