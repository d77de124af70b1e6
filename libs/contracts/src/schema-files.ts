import * as fs from 'node:fs';
import * as path from 'node:path';

/** The directory holding the published JSON Schemas and examples (works from sources and from dist/). */
export function contractSchemaPath(...parts: string[]): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'libs', 'contracts', 'schemas');
    if (fs.existsSync(candidate)) return path.join(candidate, ...parts);
    dir = path.dirname(dir);
  }
  throw new Error(`libs/contracts/schemas not found above ${__dirname}`);
}
