import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** The tables, as Kysely sees them (migrations/ is where they are made: keep the two in step). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a default (now()). */
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A date column read as 'YYYY-MM-DD' (the pool's type parser keeps dates as text). */
type DateText = ColumnType<string, string, string>;

export interface CasesTable {
  order_id: string;
  alert_id: string;
  kind: string;
  verdict: string;
  severity: string;
  score: number;
  status: Generated<string>;
  version: Generated<number>;
  first_raised_at: Timestamp;
  updated_at: Timestamp;
  as_of: DateText | null;
  effective_on: DateText | null;
  upcoming_verdict: string | null;
  seller: string | null;
  buyer: string | null;
  end_user: string | null;
  ship_to: string | null;
  item_families: Generated<string[]>;
  exposed_amount: number | null;
  exposed_currency: string | null;
  headline: string | null;
  reason_count: Generated<number>;
  degraded: Generated<boolean>;
  assignee: string | null;
  due_on: DateText | null;
  disposition: string | null;
  pending: ColumnType<PendingApproval | null, string | null, string | null>;
  latest: ColumnType<unknown, string, string>;
  upcoming: ColumnType<unknown, string | null, string | null>;
  search: Generated<string>;
}

/** A close that waits for a second person's approval. */
export interface PendingApproval {
  action: 'resolve' | 'false_positive';
  disposition?: string;
  requestedBy: string;
  requestedAt: string;
  note: string;
  /** The status the case returns to if the request is rejected. */
  from: string;
}

export interface CaseMessagesTable {
  order_id: string;
  alert_id: string;
  kind: string;
  raised_at: Timestamp;
  verdict: string;
  severity: string;
  score: number;
  previous_verdict: string | null;
  effective_on: DateText | null;
  as_of: DateText | null;
}

export interface CaseEventsTable {
  id: Generated<string>;
  order_id: string;
  alert_id: string;
  version: number;
  action: string;
  from_status: string;
  to_status: string;
  user_name: string;
  at: Timestamp;
  note: Generated<string>;
  disposition: string | null;
  assignee: string | null;
  due_on: DateText | null;
}

export interface ConsumerOffsetsTable {
  consumer: string;
  topic: string;
  partition: number;
  next_offset: ColumnType<string, string | bigint, string | bigint>;
  updated_at: GeneratedTimestamp;
}

export interface OutboxTable {
  id: Generated<string>;
  topic: string;
  key: string;
  value: string;
  headers: ColumnType<Record<string, string>, string, string>;
  created_at: GeneratedTimestamp;
  published_at: Timestamp | null;
}

export interface SavedViewsTable {
  id: Generated<string>;
  owner: string;
  name: string;
  query: ColumnType<Record<string, string>, string, string>;
  created_at: GeneratedTimestamp;
}

/** A rollup of the cases (migrations/002-rollups.ts): counts and exposed value per key and dimensions. */
interface RollupDims {
  verdict: string;
  severity: string;
  status: string;
  kind: string;
  /** '' when the case has none */
  ship_to: string;
  /** '' when the case has no exposed value */
  currency: string;
  n: ColumnType<string, never, never>;
  amount: ColumnType<number, never, never>;
  valued: ColumnType<string, never, never>;
}

export interface CaseworkDatabase {
  rollup_day: RollupDims & { day: DateText };
  rollup_seller: RollupDims & { seller: string };
  rollup_family: RollupDims & { family: string };
  casework_meta: { key: string; value: string };
  cases: CasesTable;
  case_messages: CaseMessagesTable;
  case_events: CaseEventsTable;
  consumer_offsets: ConsumerOffsetsTable;
  outbox: OutboxTable;
  saved_views: SavedViewsTable;
  cases_archive: CasesTable & { archived_at: GeneratedTimestamp };
  case_events_archive: CaseEventsTable & { archived_at: GeneratedTimestamp };
}

export type CaseRow = Selectable<CasesTable>;
export type NewCaseRow = Insertable<CasesTable>;
export type CaseEventRow = Selectable<CaseEventsTable>;
