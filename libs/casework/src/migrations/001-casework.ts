import { sql, type Kysely } from 'kysely';

/**
 * Casework v1: one row per order (its case), the alert messages it was built from, the audit trail of
 * every triage change, the projector's consumed offsets, the outbox of lifecycle changes, saved views,
 * and the archive that retention moves closed cases to.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
  // this database's identity: the projector's Kafka consumer group is named after it, so a new (or
  // restored-empty) database is filled from the beginning of the alerts topic rather than from where an
  // older database's group had got to
  await sql`CREATE TABLE casework_meta (key text PRIMARY KEY, value text NOT NULL)`.execute(db);
  await sql`INSERT INTO casework_meta VALUES ('projection_id', md5(random()::text || clock_timestamp()::text))`.execute(db);
  await sql`
    CREATE TABLE cases (
      order_id         text PRIMARY KEY,
      alert_id         text NOT NULL,
      kind             text NOT NULL,
      verdict          text NOT NULL,
      severity         text NOT NULL,
      score            integer NOT NULL,
      status           text NOT NULL DEFAULT 'open',
      version          integer NOT NULL DEFAULT 0,
      first_raised_at  timestamptz NOT NULL,
      updated_at       timestamptz NOT NULL,
      as_of            date,
      effective_on     date,
      upcoming_verdict text,
      seller           text,
      buyer            text,
      end_user         text,
      ship_to          text,
      item_families    text[] NOT NULL DEFAULT '{}',
      exposed_amount   double precision,
      exposed_currency text,
      headline         text,
      reason_count     integer NOT NULL DEFAULT 0,
      degraded         boolean NOT NULL DEFAULT false,
      assignee         text,
      due_on           date,
      disposition      text,
      pending          jsonb,
      latest           json NOT NULL,
      upcoming         json,
      search           text NOT NULL DEFAULT ''
    )`.execute(db);
  // the alert messages are stored as they came (json, not jsonb: read back whole, never queried inside);
  // lz4 compresses them several times faster than the default pglz, where the server has it
  await sql`DO $$ BEGIN
      ALTER TABLE cases ALTER COLUMN latest SET COMPRESSION lz4, ALTER COLUMN upcoming SET COMPRESSION lz4;
    EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL; END $$`.execute(db);
  await sql`CREATE INDEX cases_newest ON cases (first_raised_at DESC, order_id DESC)`.execute(db);
  await sql`CREATE INDEX cases_status ON cases (status, first_raised_at DESC)`.execute(db);
  await sql`CREATE INDEX cases_verdict ON cases (verdict, first_raised_at DESC)`.execute(db);
  await sql`CREATE INDEX cases_severity ON cases (severity, first_raised_at DESC)`.execute(db);
  await sql`CREATE INDEX cases_ship_to ON cases (ship_to, first_raised_at DESC)`.execute(db);
  await sql`CREATE INDEX cases_assignee ON cases (assignee, due_on) WHERE assignee IS NOT NULL`.execute(db);
  await sql`CREATE INDEX cases_open ON cases (first_raised_at DESC) WHERE status IN ('open', 'acknowledged', 'awaiting_approval')`.execute(
    db,
  );
  // every text filter (a party, an item family, a search) is first narrowed by this one trigram index
  await sql`CREATE INDEX cases_search ON cases USING gin (search gin_trgm_ops)`.execute(db);

  await sql`
    CREATE TABLE case_messages (
      order_id         text NOT NULL REFERENCES cases (order_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
      alert_id         text NOT NULL,
      kind             text NOT NULL,
      raised_at        timestamptz NOT NULL,
      verdict          text NOT NULL,
      severity         text NOT NULL,
      score            integer NOT NULL,
      previous_verdict text,
      effective_on     date,
      as_of            date,
      PRIMARY KEY (order_id, raised_at, kind, alert_id)
    )`.execute(db);
  await sql`CREATE INDEX case_messages_alert ON case_messages (alert_id)`.execute(db);

  await sql`
    CREATE TABLE case_events (
      id          bigserial PRIMARY KEY,
      order_id    text NOT NULL,
      alert_id    text NOT NULL,
      version     integer NOT NULL,
      action      text NOT NULL,
      from_status text NOT NULL,
      to_status   text NOT NULL,
      user_name   text NOT NULL,
      at          timestamptz NOT NULL,
      note        text NOT NULL DEFAULT '',
      disposition text,
      assignee    text,
      due_on      date,
      UNIQUE (order_id, version)
    )`.execute(db);
  await sql`CREATE INDEX case_events_at ON case_events (at)`.execute(db);

  await sql`
    CREATE TABLE consumer_offsets (
      consumer    text NOT NULL,
      topic       text NOT NULL,
      partition   integer NOT NULL,
      next_offset bigint NOT NULL,
      updated_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, topic, partition)
    )`.execute(db);

  await sql`
    CREATE TABLE outbox (
      id           bigserial PRIMARY KEY,
      topic        text NOT NULL,
      key          text NOT NULL,
      value        text NOT NULL,
      headers      jsonb NOT NULL DEFAULT '{}',
      created_at   timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE saved_views (
      id         bigserial PRIMARY KEY,
      owner      text NOT NULL,
      name       text NOT NULL,
      query      jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (owner, name)
    )`.execute(db);

  await sql`CREATE TABLE cases_archive (LIKE cases INCLUDING DEFAULTS, archived_at timestamptz NOT NULL DEFAULT now())`.execute(db);
  await sql`CREATE TABLE case_events_archive (LIKE case_events INCLUDING DEFAULTS, archived_at timestamptz NOT NULL DEFAULT now())`.execute(
    db,
  );
  await sql`ALTER TABLE case_events_archive ALTER COLUMN id DROP DEFAULT`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'case_events_archive',
    'cases_archive',
    'saved_views',
    'outbox',
    'consumer_offsets',
    'case_events',
    'case_messages',
    'cases',
  ])
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
}
