import { sql, type Kysely } from 'kysely';

/**
 * Casework v2: the exposure summaries without scanning the cases. Three rollups of the cases (by day,
 * by supplier, by item family, each also by verdict, severity, status, kind, ship-to and currency) are
 * kept by statement-level triggers on `cases`, in the same transaction as the change: one aggregated
 * upsert per statement (the projector's chunk is one statement), keys in a fixed order so concurrent
 * writers lock them in the same order. A summary whose filter fits these dimensions reads a few
 * thousand rollup rows instead of a million cases.
 */
const DIMS = ['verdict', 'severity', 'status', 'kind', 'ship_to', 'currency'] as const;

const ROLLUPS = [
  { table: 'rollup_day', key: 'day', type: 'date', expr: `(first_raised_at AT TIME ZONE 'UTC')::date` },
  { table: 'rollup_seller', key: 'seller', type: 'text', expr: `coalesce(seller, '(unknown)')` },
  {
    table: 'rollup_family',
    key: 'family',
    type: 'text',
    expr: `unnest(CASE WHEN cardinality(item_families) = 0 THEN ARRAY['(no controlled family)'] ELSE item_families END)`,
  },
] as const;

/** The delta of one statement's rows (`src` yields them with s = +1 for new, -1 for old), upserted into each rollup. */
function applyDeltas(src: string): string {
  return ROLLUPS.map(
    (r) => `
    INSERT INTO ${r.table} AS t (${r.key}, ${DIMS.join(', ')}, n, amount, valued)
    SELECT k, verdict, severity, status, kind, ship_to, currency, sum(s), sum(s * amount), sum(s * valued)
    FROM (
      SELECT ${r.expr} AS k, verdict, severity, status, kind, coalesce(ship_to, '') AS ship_to,
             coalesce(exposed_currency, '') AS currency, coalesce(exposed_amount, 0) AS amount,
             CASE WHEN exposed_amount IS NULL THEN 0 ELSE 1 END AS valued, s
      FROM (${src}) rows
    ) d
    GROUP BY k, verdict, severity, status, kind, ship_to, currency
    HAVING sum(s) <> 0 OR sum(s * amount) <> 0
    ORDER BY k, verdict, severity, status, kind, ship_to, currency
    ON CONFLICT (${r.key}, ${DIMS.join(', ')})
    DO UPDATE SET n = t.n + excluded.n, amount = t.amount + excluded.amount, valued = t.valued + excluded.valued;`,
  ).join('\n');
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const r of ROLLUPS) {
    await sql
      .raw(
        `CREATE TABLE ${r.table} (
          ${r.key} ${r.type} NOT NULL,
          verdict text NOT NULL, severity text NOT NULL, status text NOT NULL, kind text NOT NULL,
          ship_to text NOT NULL, currency text NOT NULL,
          n bigint NOT NULL, amount double precision NOT NULL, valued bigint NOT NULL,
          PRIMARY KEY (${r.key}, ${DIMS.join(', ')})
        )`,
      )
      .execute(db);
  }
  const body = (src: string) => `BEGIN ${applyDeltas(src)}\n RETURN NULL; END`;
  await sql
    .raw(`CREATE FUNCTION cases_rollup_insert() RETURNS trigger LANGUAGE plpgsql AS $f$ ${body('SELECT *, 1 AS s FROM new_rows')} $f$`)
    .execute(db);
  await sql
    .raw(
      `CREATE FUNCTION cases_rollup_update() RETURNS trigger LANGUAGE plpgsql AS $f$ ${body(
        'SELECT *, 1 AS s FROM new_rows UNION ALL SELECT *, -1 AS s FROM old_rows',
      )} $f$`,
    )
    .execute(db);
  await sql
    .raw(`CREATE FUNCTION cases_rollup_delete() RETURNS trigger LANGUAGE plpgsql AS $f$ ${body('SELECT *, -1 AS s FROM old_rows')} $f$`)
    .execute(db);
  await sql`CREATE TRIGGER cases_rollup_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_rollup_insert()`.execute(
    db,
  );
  await sql`CREATE TRIGGER cases_rollup_update AFTER UPDATE ON cases REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_rollup_update()`.execute(
    db,
  );
  await sql`CREATE TRIGGER cases_rollup_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_rollup_delete()`.execute(
    db,
  );
  // cases written before this migration
  await sql.raw(applyDeltas('SELECT *, 1 AS s FROM cases')).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['insert', 'update', 'delete']) {
    await sql.raw(`DROP TRIGGER IF EXISTS cases_rollup_${t} ON cases`).execute(db);
    await sql.raw(`DROP FUNCTION IF EXISTS cases_rollup_${t}()`).execute(db);
  }
  for (const r of ROLLUPS) await sql.raw(`DROP TABLE IF EXISTS ${r.table}`).execute(db);
}
