/**
 * The size of the reliability suite. CI (scripts/test.sh) runs the reduced `ci` size; `npm run
 * reliability` runs the `full` size the issue asks for and writes docs/reliability.md.
 * DW_RELIABILITY_SIZE=full|ci chooses (default ci).
 */
export type SuiteSize = 'ci' | 'full';

export const SUITE_SIZE: SuiteSize = process.env.DW_RELIABILITY_SIZE === 'full' ? 'full' : 'ci';

/** The value for the current size, e.g. scaled({ ci: 5_000, full: 50_000 }). */
export function scaled<T>(values: Record<SuiteSize, T>): T {
  return values[SUITE_SIZE];
}

/** jest timeout for a scenario: generous, since a stalled recovery fails by its own deadline first. */
export const scenarioTimeout = (ciMs: number, fullMs: number): number => scaled({ ci: ciMs, full: fullMs });
