/**
 * @dualwatch/infra: a real Kafka broker and Redis server, started and stopped by code
 * (tests, the dev run, CI). See tools/infra/cli.ts for the command line.
 */
export * from './kafka';
export * from './postgres';
export * from './redis';
export { cacheDir, freePort, isPidAlive, repoRoot, sleep, terminatePid, waitFor, type WaitForOptions } from './util';
