import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import { parseOrderEvent, type ParseResult } from '@dualwatch/contracts';

/** One order event read from the input, or why line N is not one (N counts from 1). */
export interface InputRecord {
  line: number;
  result: ParseResult;
}

/**
 * Streams order events from NDJSON (one event per line; blank lines skipped). A pretty-printed JSON
 * document is accepted too: a line that is exactly "{" opens one, and it ends at the first line "}"
 * at which the text so far parses, so the contract examples can be scored as they are. The input is
 * never loaded whole: memory holds one event at a time.
 */
export async function* readOrderEvents(input: Readable): AsyncGenerator<InputRecord> {
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  let doc: { start: number; parts: string[] } | undefined;
  for await (const raw of rl) {
    n++;
    const text = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
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
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
