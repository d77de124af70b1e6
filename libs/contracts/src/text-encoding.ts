import { isUtf8 } from 'node:buffer';
import { firstInvalidUtf8 } from './parse';

/**
 * The encodings Dualwatch accepts where people bring files (CSV uploads, the CLI's input): UTF-8 with or
 * without a BOM, and Shift-JIS as Japanese Windows and Excel write it (CP932: the WHATWG "shift_jis"
 * decoder of Node's ICU, which includes the NEC and IBM extensions). Decoding is strict: a byte that does
 * not belong to the encoding is an error naming its offset, never a U+FFFD that would hide a listed name.
 */
export type TextEncodingName = 'utf-8' | 'shift_jis';
export type TextEncodingChoice = TextEncodingName | 'auto';

export const TEXT_ENCODING_LABELS: Record<string, TextEncodingName> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  shift_jis: 'shift_jis',
  'shift-jis': 'shift_jis',
  sjis: 'shift_jis',
  cp932: 'shift_jis',
  'windows-31j': 'shift_jis',
  ms932: 'shift_jis',
};

export class TextEncodingError extends Error {}

export interface DecodedText {
  text: string;
  /** What the bytes were read as. */
  encoding: TextEncodingName;
  /** How: a byte-order mark, the caller's choice, or detection (valid UTF-8 first, then Shift-JIS). */
  how: 'bom' | 'chosen' | 'detected';
}

/** An encoding name or label (utf8, sjis, cp932, windows-31j ...) → the encoding, or null if unknown. */
export function encodingFromLabel(label: string | undefined | null): TextEncodingChoice | null {
  if (!label) return null;
  const l = label.trim().toLowerCase();
  if (l === 'auto') return 'auto';
  return TEXT_ENCODING_LABELS[l] ?? null;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Bytes → text, strictly. `auto`: a UTF-8 BOM says UTF-8; else bytes that are valid UTF-8 are UTF-8 (a
 * Shift-JIS file of Japanese text is almost never valid UTF-8); else bytes that are valid Shift-JIS are
 * Shift-JIS; else the error names the first byte that is valid in neither.
 */
export function decodeText(bytes: Uint8Array, choice: TextEncodingChoice = 'auto'): DecodedText {
  const bom = bytes.length >= 3 && bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
  if (bom && choice !== 'shift_jis') return { text: utf8(bytes.subarray(3)), encoding: 'utf-8', how: 'bom' };
  if (choice === 'utf-8') return { text: utf8(bytes), encoding: 'utf-8', how: 'chosen' };
  if (choice === 'shift_jis') return { text: shiftJis(bytes), encoding: 'shift_jis', how: 'chosen' };
  if (isUtf8(bytes)) return { text: Buffer.from(bytes).toString('utf8'), encoding: 'utf-8', how: 'detected' };
  try {
    return { text: shiftJis(bytes), encoding: 'shift_jis', how: 'detected' };
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new TextEncodingError(
      `neither UTF-8 nor Shift-JIS (CP932): the bytes at offset ${at} (${hex(bytes, at)}) are not UTF-8, and the text is not valid Shift-JIS either; ` +
        'save the file as UTF-8, or say its encoding',
    );
  }
}

function utf8(bytes: Uint8Array): string {
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    throw new TextEncodingError(`not UTF-8: the bytes at offset ${at} (${hex(bytes, at)}) are not a UTF-8 sequence`);
  }
  return Buffer.from(bytes).toString('utf8');
}

function shiftJis(bytes: Uint8Array): string {
  try {
    return new TextDecoder('shift_jis', { fatal: true }).decode(bytes);
  } catch {
    throw new TextEncodingError(
      `not Shift-JIS (CP932): the text has a byte sequence that Shift-JIS does not define (near offset ${firstInvalidShiftJis(bytes)})`,
    );
  }
}

/** The first offset where Shift-JIS decoding fails (found by decoding growing prefixes; only on the error path). */
function firstInvalidShiftJis(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  const ok = (n: number) => {
    try {
      new TextDecoder('shift_jis', { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function hex(b: Uint8Array, at: number): string {
  return [...b.subarray(at, at + 4)].map((x) => `0x${x.toString(16).padStart(2, '0')}`).join(' ');
}
