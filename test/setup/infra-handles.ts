/**
 * Shared between global-setup.ts and global-teardown.ts (both run in jest's parent process, so
 * globalThis is shared between them; test workers only see the env vars).
 */
import type { KafkaBroker, PostgresServer, RedisServer } from '../../tools/infra';

export interface DwTestInfra {
  kafka?: KafkaBroker;
  redis?: RedisServer;
  postgres?: PostgresServer;
}

const KEY = '__DW_TEST_INFRA__';

export function setTestInfra(infra: DwTestInfra): void {
  (globalThis as Record<string, unknown>)[KEY] = infra;
}

export function takeTestInfra(): DwTestInfra | undefined {
  const g = globalThis as Record<string, unknown>;
  const infra = g[KEY] as DwTestInfra | undefined;
  delete g[KEY];
  return infra;
}
