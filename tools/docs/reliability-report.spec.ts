import { END, mergeReport, renderScenarios, spliceReport, START, type ScenarioRecord } from './reliability-report';

const rec = (over: Partial<ScenarioRecord> = {}): ScenarioRecord => ({
  id: 'engine-sigkill',
  title: 'Risk-engine SIGKILLed 3 times',
  done: 'Killed three times.',
  amount: { orders: 50000, kills: 3 },
  lost: 0,
  doubled: 0,
  recoveryMs: { worstRestart: 4200 },
  figures: { peakRssMiB: 210 },
  notes: ['a | pipe'],
  size: 'full',
  durationMs: 61_000,
  recordedAt: '2026-11-28T19:00:00.000Z',
  machine: '2 × cpu',
  ...over,
});

describe('reliability report', () => {
  it('tabulates each scenario with its losses, doubles and recovery, and escapes table pipes', () => {
    const md = renderScenarios([rec(), rec({ id: 'a-first', title: 'First', lost: 2 })]);
    const rows = md.split('\n').filter((l) => l.startsWith('| ['));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('[First](#a-first)');
    expect(rows[0]).toMatch(/\| 2 \| 0 \|/);
    expect(rows[1]).toContain('orders 50,000, kills 3');
    expect(rows[1]).toContain('worstRestart 4.2 s');
    expect(md).toContain('- a | pipe');
    expect(md).toContain('Size: **full**');
  });

  it('replaces only the generated part between the markers', () => {
    const doc = `# Title\n\nintro\n\n${START}\nold\n${END}\n\ntail\n`;
    const out = spliceReport(doc, [rec()]);
    expect(out.startsWith('# Title\n\nintro\n\n')).toBe(true);
    expect(out.endsWith(`${END}\n\ntail\n`)).toBe(true);
    expect(out).not.toContain('\nold\n');
    expect(() => spliceReport('no markers', [rec()])).toThrow(/markers/);
  });

  it('merges: the scenarios it was given are rendered afresh, the others keep their row and section as they were', () => {
    const doc = spliceReport(`# T\n\n${START}\n${END}\n`, [
      rec(),
      rec({ id: 'b-old', title: 'Old one', recordedAt: '2026-01-01T00:00:00.000Z' }),
    ]);
    const out = mergeReport(doc, [rec({ id: 'engine-sigkill', lost: 0, durationMs: 5_000 }), rec({ id: 'c-new', title: 'New one' })]);
    const rows = out.split('\n').filter((l) => l.startsWith('| ['));
    expect(rows.map((r) => /\(#([^)]+)\)/.exec(r)![1])).toEqual(['b-old', 'c-new', 'engine-sigkill']);
    expect(out).toContain('recorded 2026-01-01 00:00 UTC'); // kept as it was
    expect(rows[2]).toMatch(/\| 5 s \|$/); // rendered afresh
    expect(out.match(/### /g)).toHaveLength(3);
  });
});
