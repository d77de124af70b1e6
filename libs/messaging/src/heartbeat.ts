/**
 * The consumer heartbeat for a session timeout: a third of it (kafkajs's advice: at most a third), at
 * most 3 s, so a slow chunk between heartbeats does not cost the group membership.
 */
export function heartbeatIntervalFor(sessionTimeoutMs: number): number {
  return Math.min(3000, Math.floor(sessionTimeoutMs / 3));
}
