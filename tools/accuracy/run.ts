import * as path from 'node:path';
import { loadCorpus, repoRoot } from './corpus';
import { measure } from './measure';
import { failureSections, formatReport, verdictOf, writeDoc } from './report';

/** `npm run accuracy`: measures the matcher and the scorer against the corpus; prints everything, writes docs/accuracy.md. */

const PREAMBLE = `# Accuracy

Measured by \`npm run accuracy\` (regenerate the corpus with \`npm run accuracy:generate\`) against the labelled
adversarial corpus in \`test/fixtures/accuracy/\`: positive name variants of every control-list, watch-list and
military-user entry, hand-written near-miss negatives (real, unlisted companies sharing a word with a listed one),
and labelled order events whose expected verdicts are derived from \`shared/docs/exposure-rules.md\` (policy v2) by
\`tools/accuracy/label.ts\`, never by the scorer. The unit spec \`tools/accuracy/accuracy.spec.ts\` fails on any false
clear and on certain-match recall below target; other disagreements are reported here. The figures below are
replaced on each run; this doc lists at most 40 failures per section, the console all of them.`;

function main(): number {
  const m = measure(loadCorpus());
  const doc = formatReport(m);
  writeDoc(path.join(repoRoot(), 'docs', 'accuracy.md'), doc, PREAMBLE);
  // console: the summary, then every failure
  const summary = formatReport(m, 0).split('### False clears')[0];
  console.log(summary);
  console.log(failureSections(m, Infinity).join('\n'));
  const v = verdictOf(m);
  console.log(
    `\nwritten docs/accuracy.md · certain recall ${v.certainOk ? 'ok' : 'BELOW TARGET'} · false clears ${m.orders.falseClears.length}`,
  );
  return 0;
}

process.exitCode = main();
