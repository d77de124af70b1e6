import type { Readable } from 'node:stream';
import { InvalidArgumentError, Option } from 'commander';
import {
  decodeText,
  encodingFromLabel,
  parseOrderEvent,
  TextEncodingError,
  type DecodedText,
  type ParseResult,
  type TextEncodingChoice,
} from '@dualwatch/contracts';

/** One order event read from the input, or why line N is not one (N counts from 1). */
export interface InputRecord {
  line: number;
  result: ParseResult;
}

export interface ReadOptions {
  /** The input's encoding: UTF-8 (a BOM is allowed), Shift-JIS / CP932, or `auto` (default): detected. */
  encoding?: TextEncodingChoice;
  /** Called once, when the encoding is known (the first line that is not ASCII decides under `auto`). */
  onEncoding?(decoded: Omit<DecodedText, 'text'>): void;
}

/**
 * Streams order events from NDJSON (one event per line; blank lines skipped). A pretty-printed JSON
 * document is accepted too: a line that is exactly "{" opens one, and it ends at the first line "}"
 * at which the text so far parses, so the contract examples can be scored as they are. The input is
 * never loaded whole: memory holds one event at a time.
 *
 * Bytes are split into lines first (0x0A never occurs inside a UTF-8 or Shift-JIS character), then each
 * line is decoded strictly: a line whose bytes are not in the input's encoding is reported as
 * INVALID_ENCODING with its offset, never read as U+FFFD (which would hide a listed name).
 */
export async function* readOrderEvents(input: Readable, o: ReadOptions = {}): AsyncGenerator<InputRecord> {
  let n = 0;
  let doc: { start: number; parts: string[] } | undefined;
  let encoding: DecodedText['encoding'] | undefined = o.encoding === 'auto' || o.encoding === undefined ? undefined : o.encoding;
  if (encoding) o.onEncoding?.({ encoding, how: 'chosen' });
  const decode = (bytes: Buffer): string => {
    if (encoding) return decodeText(bytes, encoding).text;
    if (!bytes.some((b) => b >= 0x80)) return bytes.toString('latin1'); // ASCII reads the same in both
    const d = decodeText(bytes, 'auto'); // the first line that is not ASCII decides
    encoding = d.encoding;
    o.onEncoding?.({ encoding: d.encoding, how: d.how });
    return d.text;
  };
  for await (const raw of lines(input)) {
    n++;
    let text: string;
    try {
      text = decode(raw);
    } catch (err) {
      if (!(err instanceof TextEncodingError)) throw err;
      const result: ParseResult = { ok: false, code: 'INVALID_ENCODING', error: err.message };
      if (doc) {
        yield { line: doc.start, result };
        doc = undefined;
      } else yield { line: n, result };
      continue;
    }
    if (doc) {
      doc.parts.push(text);
      if (text.trimEnd() === '}') {
        const joined = doc.parts.join('\n');
        if (parses(joined)) {
          yield { line: doc.start, result: parseOrderEvent(joined) };
          doc = undefined;
        }
      }
      continue;
    }
    const trimmed = text.trim();
    if (trimmed === '') continue;
    if (trimmed === '{') {
      doc = { start: n, parts: [text] };
      continue;
    }
    yield { line: n, result: parseOrderEvent(text) };
  }
  if (doc) yield { line: doc.start, result: parseOrderEvent(doc.parts.join('\n')) };
  if (!encoding) o.onEncoding?.({ encoding: 'utf-8', how: 'detected' });
}

/** The input's lines as bytes, without their \n or \r\n. */
async function* lines(input: Readable): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of input) {
    let buf = Buffer.concat([rest, typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)]);
    let nl: number;
    while ((nl = buf.indexOf(0x0a)) >= 0) {
      yield stripCr(buf.subarray(0, nl));
      buf = buf.subarray(nl + 1);
    }
    rest = Buffer.from(buf);
  }
  if (rest.length) yield stripCr(rest);
}

const stripCr = (b: Buffer) => (b.length && b[b.length - 1] === 0x0d ? b.subarray(0, -1) : b);

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** --encoding: the input's encoding (auto: UTF-8 with or without BOM, or Shift-JIS / CP932, detected). */
export function encodingOption(): Option {
  return new Option('--encoding <name>', 'input encoding: auto, utf-8 or shift_jis (also cp932, sjis, windows-31j)')
    .default('auto')
    .argParser((v) => {
      const e = encodingFromLabel(v);
      if (!e) throw new InvalidArgumentError(`use auto, utf-8 or shift_jis (cp932)`);
      return e;
    });
}
