import * as fs from 'node:fs';
import * as path from 'node:path';
import { policyFromObject, PolicyError, type Policy } from './policy';

/** The policy file shipped with the code (works from the sources and from dist/). */
export function bundledPolicyPath(file = 'policy.v2.json'): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'libs', 'scoring', 'policy', file);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`libs/scoring/policy/${file} not found above ${__dirname}`);
}

/** Reads, parses and validates a policy file; errors name the file and the field. */
export function loadPolicy(file: string = bundledPolicyPath()): Policy {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyError(`cannot read policy file ${file}: ${(err as Error).message}`, [
      { path: '(file)', message: (err as Error).message },
    ]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new PolicyError(`policy file ${file} is not JSON: ${(err as Error).message}`, [
      { path: '(document)', message: (err as Error).message },
    ]);
  }
  return policyFromObject(doc, `policy file ${file}`);
}

let bundled: Policy | undefined;
/** The bundled policy, loaded once per process. */
export function loadBundledPolicy(): Policy {
  bundled ??= loadPolicy(bundledPolicyPath());
  return bundled;
}
