import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-casework';

/**
 * The schema's versioned migrations, in order. A new migration is a new file here and a line below;
 * an applied one is never edited (Kysely's Migrator refuses a history that changed).
 */
export const MIGRATIONS: Record<string, Migration> = {
  '001-casework': m001,
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => MIGRATIONS };
