import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundledRefData } from '../loader';
import { DEFAULT_MATCH_THRESHOLDS, PartyMatcher, type PartyMatch } from './party-matcher';

/**
 * The labelled name set (libs/refdata/test/name-pairs.json) against the bundled lists. A query is a
 * true positive when its top match at or above the match threshold is the expected entry; a false
 * positive when it returns such a match where none is expected, or the wrong entry.
 */
interface NamePair {
  query: string;
  country?: string;
  jpCorporateNumber?: string;
  expect: string | null;
  kind:
    | 'variant'
    | 'abbreviation'
    | 'cross_script'
    | 'word_order'
    | 'full_width'
    | 'legal_form'
    | 'corporate_number'
    | 'near_miss'
    | 'unrelated';
  note?: string;
}

const pairs = JSON.parse(readFileSync(join(__dirname, '../../test/name-pairs.json'), 'utf8')) as NamePair[];
const refdata = loadBundledRefData();
const { match, possible } = DEFAULT_MATCH_THRESHOLDS;
const matcher = new PartyMatcher(refdata.parties, refdata.legalForms, { minScore: 0.5 });

interface Outcome {
  pair: NamePair;
  top?: PartyMatch;
}
const started = process.hrtime.bigint();
const outcomes: Outcome[] = pairs.map((pair) => ({
  pair,
  top: matcher.match({ name: pair.query, country: pair.country, jpCorporateNumber: pair.jpCorporateNumber })[0],
}));
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;

function metrics() {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const { pair, top } of outcomes) {
    const hit = top && top.score >= match ? top.entry.id : null;
    if (hit && hit === pair.expect) tp++;
    else {
      if (hit) fp++;
      if (pair.expect) fn++;
    }
  }
  return { tp, fp, fn, precision: tp / (tp + fp), recall: tp / (tp + fn) };
}

describe('party matcher on the labelled name set', () => {
  it('has at least 220 queries, 80 of them near misses or unrelated names, in every kind', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(220);
    expect(pairs.filter((p) => p.kind === 'near_miss' || p.kind === 'unrelated').length).toBeGreaterThanOrEqual(80);
    const kinds = new Set(pairs.map((p) => p.kind));
    for (const k of [
      'variant',
      'abbreviation',
      'cross_script',
      'word_order',
      'full_width',
      'legal_form',
      'corporate_number',
      'near_miss',
      'unrelated',
    ])
      expect(kinds).toContain(k);
    const ids = new Set(refdata.parties.map((p) => p.id));
    for (const p of pairs) if (p.expect) expect(ids).toContain(p.expect);
  });

  it('reaches precision 0.95 and recall 0.90 at the match threshold', () => {
    const m = metrics();
    const wrong = outcomes.filter(({ pair, top }) => {
      const hit = top && top.score >= match ? top.entry.id : null;
      return hit !== pair.expect;
    });
    console.log(
      `party matcher: precision ${m.precision.toFixed(3)} recall ${m.recall.toFixed(3)} on ${pairs.length} queries ` +
        `(tp ${m.tp}, fp ${m.fp}, fn ${m.fn}; match >= ${match})\n` +
        wrong
          .map(
            ({ pair, top }) =>
              `  ${pair.kind} "${pair.query}" expect ${pair.expect ?? '-'} got ${top ? `${top.entry.id} ${top.score}` : '-'}`,
          )
          .join('\n'),
    );
    expect(m.precision).toBeGreaterThanOrEqual(0.95);
    expect(m.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps near misses and unrelated names below the possible threshold', () => {
    // related companies (subsidiaries, parents) may be possible matches, and homonyms cannot be told apart by name
    const exempt = (p: NamePair) => /^(related|homonym):/.test(p.note ?? '');
    const reaching = outcomes.filter(({ pair, top }) => pair.expect === null && !exempt(pair) && top && top.score >= possible);
    console.log(
      `party matcher: ${reaching.length} of ${outcomes.filter((o) => o.pair.expect === null && !exempt(o.pair)).length} unrelated near-miss/unrelated queries reach the possible threshold ${possible}\n` +
        reaching.map(({ pair, top }) => `  "${pair.query}" -> ${top!.entry.id} ${top!.score} (${top!.why})`).join('\n'),
    );
    const negatives = outcomes.filter((o) => o.pair.expect === null && !exempt(o.pair));
    const highest = negatives.reduce<Outcome | undefined>(
      (best, o) => ((o.top?.score ?? 0) > (best?.top?.score ?? 0) ? o : best),
      undefined,
    );
    console.log(
      `party matcher: highest score of an unrelated name ${highest?.top?.score ?? 0} ("${highest?.pair.query}" ~ ${highest?.top?.entry.id}); ` +
        `${negatives.filter((o) => (o.top?.score ?? 0) >= 0.75).length} reach 0.75; ` +
        `${pairs.length} lookups in ${elapsedMs.toFixed(0)} ms over ${refdata.parties.length} entries (${matcher.stats.entriesScored} entries fully scored in all)`,
    );
    expect(reaching).toEqual([]);
  });
});
