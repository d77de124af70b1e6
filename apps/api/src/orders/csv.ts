/**
 * RFC 4180 CSV: comma-separated, fields in double quotes may hold commas, line breaks and doubled
 * quotes; CRLF or LF line ends; a UTF-8 byte-order mark is ignored. Returns rows of fields with the
 * line each row starts on (for error messages), or the first syntax error.
 */
export interface CsvRow {
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let field = '';
  let fields: string[] = [];
  let rowLine = 1;
  let quoted = false;
  let wasQuoted = false;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !wasQuoted)) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
    wasQuoted = false;
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (field !== '') throw new CsvSyntaxError(line, 'a quote inside an unquoted field');
      quoted = wasQuoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      wasQuoted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      if (wasQuoted) throw new CsvSyntaxError(line, 'text after a closing quote');
      field += c;
    }
  }
  if (quoted) throw new CsvSyntaxError(rowLine, 'a quoted field is not closed');
  if (field !== '' || fields.length || wasQuoted) endRow();
  return rows;
}
