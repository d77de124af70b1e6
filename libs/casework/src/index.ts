// Casework: alerts as cases (one per order) in PostgreSQL, their triage with optimistic concurrency and a
// second person's approval, the audit trail, the outbox to alerts.lifecycle.v1, the projector that
// writes risk.alerts.v1 in exactly once, and retention. Used by the api and the projector app.
export * from './case-filter';
export * from './case-repository';
export * from './case-view';
export * from './db';
export * from './lifecycle-record';
export * from './listener';
export * from './outbox-relay';
export * from './projector';
export * from './retention';
export * from './schema';
export * from './triage';
export { MIGRATIONS } from './migrations';
