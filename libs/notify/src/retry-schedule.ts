/** Durations as people write them: "0", "250ms", "5s", "5m", "2h", "1d". */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;

export function parseDuration(text: string): number {
  const m = DURATION_PATTERN.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (e.g. 250ms, 5s, 5m, 2h)`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'ms']);
}

/** Standard Webhooks' schedule: the first attempt at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_RETRY_SCHEDULE = ['0s', '5s', '5m', '30m', '2h', '5h', '10h', '10h'];

/** Retry-After beyond this is capped: a receiver cannot park a delivery for days. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * When to try again after `attemptsMade` attempts, or null when the schedule is exhausted (the
 * delivery is dead). Entry i of the schedule is the wait before attempt i+1; a random jitter of up
 * to `jitter` (a fraction) of the wait spreads retries of an outage, and a Retry-After longer than
 * the scheduled wait is honoured.
 */
export function nextDelayMs(
  schedule: readonly number[],
  attemptsMade: number,
  o: { jitter: number; retryAfterMs?: number; random?: () => number },
): number | null {
  if (attemptsMade >= schedule.length) return null;
  const base = schedule[attemptsMade];
  const jittered = Math.round(base * (1 + (o.random ?? Math.random)() * o.jitter));
  return Math.max(jittered, Math.min(o.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}
