/** Small pure helpers for the pipeline benchmark: percentiles, rates and number formatting. */

/** Nearest-rank percentile of an ascending sorted array (p in 0..100). NaN for an empty array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** p50/p95/p99/max/mean of latencies in ms (input is not modified). */
export function summarizeLatencies(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

/**
 * Throughput of a run from the timestamps (ms) of its outputs: messages after the first one, over the
 * time from the first to the last. (n-1)/(last-first) is the steady rate without the one-sided
 * fence-post error of n/(last-first).
 */
export function rateFromTimestamps(count: number, firstMs: number, lastMs: number): number {
  if (count < 2 || !(lastMs > firstMs)) return NaN;
  return ((count - 1) * 1000) / (lastMs - firstMs);
}

/** 12345.6 → "12,346" */
export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

/** Milliseconds with one decimal below 100 ms, none above. */
export function fmtMs(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n < 100 ? `${n.toFixed(1)} ms` : `${Math.round(n).toLocaleString('en-US')} ms`;
}

export function fmtPct(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(0)}%` : 'n/a';
}

/** The trailing integer of an id like "gen-PO-1234" (the generator's order number), or -1. */
export function trailingNumber(id: string): number {
  const i = id.lastIndexOf('-');
  const n = Number(id.slice(i + 1));
  return Number.isInteger(n) ? n : -1;
}

/**
 * Replaces the markdown section that starts with `heading` (a "## ..." line) up to the next "## "
 * heading (or the end) with `body`; appends it when absent. Other sections are left byte for byte.
 */
export function replaceSection(doc: string, heading: string, body: string): string {
  const section = `${heading}\n\n${body.trim()}\n`;
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading.trim());
  if (start < 0) {
    const base = doc.replace(/\s*$/, '');
    return base ? `${base}\n\n${section}` : section;
  }
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    if (/^## /.test(lines[i])) {
      end = i;
      break;
    }
  }
  const before = lines.slice(0, start).join('\n');
  const after = lines.slice(end).join('\n');
  return `${before ? `${before.replace(/\s*$/, '')}\n\n` : ''}${section}${after ? `\n${after}` : ''}`;
}

/** A markdown table from a header row and body rows. */
export function markdownTable(header: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** The same table as aligned plain text, for the terminal. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
