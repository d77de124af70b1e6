import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The bundled data directory, libs/refdata/data, found by walking up from `from` (this file's
 * directory by default): works from the sources (libs/refdata/src) and from a build (dist/libs/refdata/src).
 */
export function bundledDataDir(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const candidates = [join(dir, 'libs', 'refdata', 'data')];
    if (basename(dir) === 'refdata') candidates.unshift(join(dir, 'data'));
    for (const c of candidates) if (existsSync(join(c, 'manifest.json'))) return c;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`bundled reference data (libs/refdata/data/manifest.json) not found above ${from}`);
    dir = parent;
  }
}
