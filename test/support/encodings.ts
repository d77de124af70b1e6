/**
 * Text → Shift-JIS (CP932) bytes, for tests that need a file as Japanese Windows and Excel save it. Node
 * decodes Shift-JIS (TextDecoder, ICU) but does not encode it: the table is built once by decoding every
 * one- and two-byte code, and each character takes the first code that decodes to it.
 */
let table: Map<string, number[]> | undefined;

function shiftJisTable(): Map<string, number[]> {
  if (table) return table;
  const t = new Map<string, number[]>();
  const d = new TextDecoder('shift_jis', { fatal: true });
  const add = (bytes: number[]) => {
    try {
      const ch = d.decode(Uint8Array.from(bytes));
      if ([...ch].length === 1 && !t.has(ch)) t.set(ch, bytes);
    } catch {
      /* not a code */
    }
  };
  for (let a = 0; a < 0x100; a++) add([a]);
  for (let a = 0x81; a <= 0xfc; a++) for (let b = 0x40; b <= 0xfc; b++) add([a, b]);
  return (table = t);
}

export function encodeShiftJis(text: string): Buffer {
  const t = shiftJisTable();
  const out: number[] = [];
  for (const ch of text) {
    const bytes = t.get(ch);
    if (!bytes) throw new Error(`"${ch}" has no Shift-JIS code`);
    out.push(...bytes);
  }
  return Buffer.from(out);
}
