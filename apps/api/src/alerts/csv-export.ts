/**
 * One CSV line (RFC 4180: quoted when needed, CRLF). A cell that a spreadsheet would run as a formula
 * (starting with =, +, -, @, tab or CR) gets a leading apostrophe: exports carry names written by others.
 */
export function csvLine(cells: unknown[]): string {
  return `${cells.map(cell).join(',')}\r\n`;
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  let s = typeof v === 'string' ? v : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
