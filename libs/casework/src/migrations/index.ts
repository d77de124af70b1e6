import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-casework';
import * as m002 from './002-rollups';

/**
 * The schema's versioned migrations, in order. A new migration is a new file here and a line below;
 * an applied one is never edited (Kysely's Migrator refuses a history that changed).
 */
export const MIGRATIONS: Record<string, Migration> = {
  '001-casework': m001,
  '002-rollups': m002,
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => MIGRATIONS };
