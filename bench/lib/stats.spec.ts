import { summarizeProfile, categorize, type CpuProfile } from './profile';
import { percentile, rateFromTimestamps, replaceSection, summarizeLatencies, textTable, trailingNumber } from './stats';

describe('bench stats', () => {
  it('takes nearest-rank percentiles', () => {
    const xs = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile(new Float64Array(0), 50)).toBeNaN();
    const s = summarizeLatencies([5, 1, 3, 2, 4]);
    expect([s.p50, s.max, s.mean, s.count]).toEqual([3, 5, 3, 5]);
  });

  it('measures a rate between the first and the last output', () => {
    expect(rateFromTimestamps(1001, 0, 1000)).toBe(1000);
    expect(rateFromTimestamps(1, 0, 1000)).toBeNaN();
    expect(trailingNumber('gen-PO-1234')).toBe(1234);
    expect(trailingNumber('nothing')).toBe(-1);
  });

  it('replaces only its own section of the doc', () => {
    const doc =
      '# Benchmarks\n\n## Scoring\n\nkeep me\n\n## Pipeline (npm run bench)\n\nold\n\n### sub\n\nold too\n\n## Other\n\nkeep me too\n';
    const out = replaceSection(doc, '## Pipeline (npm run bench)', 'new');
    expect(out).toBe('# Benchmarks\n\n## Scoring\n\nkeep me\n\n## Pipeline (npm run bench)\n\nnew\n\n## Other\n\nkeep me too\n');
    expect(replaceSection('# B\n\n## A\n\na\n', '## P', 'p')).toBe('# B\n\n## A\n\na\n\n## P\n\np\n');
    expect(replaceSection('', '## P', 'p')).toBe('## P\n\np\n');
  });

  it('aligns a text table', () => {
    expect(textTable(['a', 'bb'], [['xxx', 'y']])).toBe('a    bb\n---  --\nxxx  y');
  });
});

describe('bench CPU profile summary', () => {
  it('splits self time into categories and credits inclusive time once per sample', () => {
    const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
      id,
      callFrame: { functionName, url, lineNumber: 0 },
      children,
    });
    const profile: CpuProfile = {
      nodes: [
        frame(1, '(root)', '', [2, 5]),
        frame(2, 'process', 'file:///x/dist/apps/risk-engine/src/order-processor.js', [3, 4]),
        frame(3, 'assess', 'file:///x/dist/libs/scoring/src/assess.js'),
        frame(4, 'stringify', ''),
        frame(5, '(idle)', ''),
      ],
      startTime: 0,
      endTime: 10_000,
      samples: [3, 3, 4, 5, 5],
      timeDeltas: [1000, 1000, 1000, 1000, 1000],
    };
    const s = summarizeProfile(profile, ['process', 'assess']);
    expect(s.totalMs).toBe(5);
    expect(s.idleMs).toBe(2);
    expect(s.categories.map((c) => [c.name, c.ms])).toEqual([
      ['scoring (libs/scoring)', 2],
      ['JSON.stringify', 1],
    ]);
    expect(s.inclusive).toEqual([
      { name: 'process', ms: 3, share: 1 },
      { name: 'assess', ms: 2, share: 2 / 3 },
    ]);
    expect(categorize('x', 'file:///a/node_modules/kafkajs/src/x.js')).toBe('kafkajs');
    expect(categorize('x', 'file:///a/node_modules/@sinclair/typebox/build/x.js')).toBe('typebox (schema validation)');
    expect(categorize('x', 'node:internal/streams/writable')).toBe('node:streams');
  });
});
