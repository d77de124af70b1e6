// The alerting domain: when an assessment raises, updates or withdraws an alert (alert-decision), the
// open-order book it decides from (open-order-book), and the look-ahead alerts of verdicts that change
// on a known future date (upcoming). Used by the risk-engine, and by the naive baseline for parity.
export * from './alert-decision';
export * from './open-order-book';
export * from './upcoming';
export * from './durable-order-book';
