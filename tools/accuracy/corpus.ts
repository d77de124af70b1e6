import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Verdict } from '@dualwatch/contracts';

/** The corpus files under test/fixtures/accuracy/ and their shapes. */

export type VariantKind =
  | 'as_written'
  | 'legal_form'
  | 'qualifier'
  | 'qualifier_place'
  | 'country_prefix'
  | 'parent_prefix'
  | 'overseas'
  | 'spacing'
  | 'fullwidth'
  | 'case'
  | 'punctuation';

export const VARIANT_KINDS: readonly VariantKind[] = [
  'as_written',
  'legal_form',
  'qualifier',
  'qualifier_place',
  'country_prefix',
  'parent_prefix',
  'overseas',
  'spacing',
  'fullwidth',
  'case',
  'punctuation',
];

export interface PositiveVariant {
  id: string;
  text: string;
  country: string;
  /** The entry the variant was made from. */
  expected: string;
  /** Every entry that holds the same base name (e.g. the NDA is both CL-11-19 and MU-NDA): a match to any of them is right. */
  accept: string[];
  list: 'control_list' | 'watch_list' | 'military_user';
  /** The name or alias the variant was made from, and which field it is. */
  base: string;
  baseField: 'en' | 'ja' | 'zh' | 'alias';
  kinds: VariantKind[];
  /** The base name is in the entry's unverifiedNames. */
  unverified?: boolean;
}

export interface NegativeName {
  name: string;
  script: 'en' | 'ja' | 'zh';
  country: string;
  /** The word (or characters) it shares with a listed name. */
  shares: string;
  note?: string;
}

export interface OrderLabel {
  /** The verdict policy v2 demands (the primary one, used in the confusion matrix). */
  verdict: Verdict;
  /** Other verdicts the rules also allow (e.g. "at least review" inside an uncertain suspension window). */
  accept?: Verdict[];
  why: string;
  /** The rules (our names) that produce the verdict. */
  rules: string[];
  /** The attributes the order was built from. */
  attrs: Record<string, string>;
  note?: string;
}

export const FIXTURE_DIR_PARTS = ['test', 'fixtures', 'accuracy'];

/** test/fixtures/accuracy, found by walking up from here (works from tools/accuracy and from dist/tools/accuracy). */
export function fixtureDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'libs'))) return path.join(dir, ...FIXTURE_DIR_PARTS);
    dir = path.dirname(dir);
  }
  throw new Error(`repository root not found above ${__dirname}`);
}

export function repoRoot(): string {
  return path.resolve(fixtureDir(), '..', '..', '..');
}

export const FILES = {
  positives: 'positives.ndjson',
  negatives: 'negatives.json',
  orders: 'orders.ndjson',
  labels: 'orders.labels.json',
} as const;

export function readNdjson<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export function writeNdjson(file: string, rows: readonly unknown[]): void {
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

export function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

export interface Corpus {
  positives: PositiveVariant[];
  negatives: NegativeName[];
  /** Raw NDJSON lines of orders.ndjson, parsed the way the CLI parses them. */
  orderLines: string[];
  labels: Record<string, OrderLabel>;
}

export function loadCorpus(dir = fixtureDir()): Corpus {
  return {
    positives: readNdjson<PositiveVariant>(path.join(dir, FILES.positives)),
    negatives: JSON.parse(fs.readFileSync(path.join(dir, FILES.negatives), 'utf8')) as NegativeName[],
    orderLines: fs
      .readFileSync(path.join(dir, FILES.orders), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== ''),
    labels: JSON.parse(fs.readFileSync(path.join(dir, FILES.labels), 'utf8')) as Record<string, OrderLabel>,
  };
}
