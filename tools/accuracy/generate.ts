import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadBundledRefData } from '@dualwatch/refdata';
import { FILES, fixtureDir, writeJson, writeNdjson, type NegativeName } from './corpus';
import { generateOrders } from './orders';
import { generatePositives } from './positives';

/**
 * `npm run accuracy:generate`: regenerates positives.ndjson, orders.ndjson and orders.labels.json from
 * the bundled reference data (read through the product's loader) and the hand-written negatives.json.
 * Seeded and in a stable order: the same data gives byte-identical files.
 */
export function generate(dir = fixtureDir()): { positives: number; orders: number; negatives: number } {
  const refdata = loadBundledRefData();
  const negatives = JSON.parse(fs.readFileSync(path.join(dir, FILES.negatives), 'utf8')) as NegativeName[];
  const positives = generatePositives(refdata);
  const { events, labels } = generateOrders(refdata, positives, negatives);
  fs.mkdirSync(dir, { recursive: true });
  writeNdjson(path.join(dir, FILES.positives), positives);
  writeNdjson(path.join(dir, FILES.orders), events);
  writeJson(path.join(dir, FILES.labels), labels);
  return { positives: positives.length, orders: events.length, negatives: negatives.length };
}

if (require.main === module) {
  const r = generate();
  console.log(`accuracy corpus: ${r.positives} positive variants, ${r.negatives} negatives, ${r.orders} labelled orders → ${fixtureDir()}`);
}
