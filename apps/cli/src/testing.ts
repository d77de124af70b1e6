import { Readable, Writable } from 'node:stream';
import { run } from './main';

/** An in-memory stdout/stderr for driving the CLI in tests. */
export class TextSink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
  lines(): string[] {
    return this.text.split('\n').filter((l) => l !== '');
  }
}

/** `dualwatch <args>` through run(), with in-memory streams: the exit code and what it wrote. */
export async function runCli(args: string[], stdin: Readable = Readable.from([])): Promise<{ code: number; out: string; err: string }> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const code = await run(['node', 'dualwatch', ...args], { stdin, stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}
