/**
 * A plain-text table for the CLI's reports: columns padded to their widest cell and separated by two
 * spaces, the last column left unpadded, no trailing spaces. One line per row, the header first.
 */
export function alignedLines(head: string[], body: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...body.map(line)];
}
