import * as fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import { isIsoDate, type TextEncodingChoice } from '@dualwatch/contracts';
import { createLocalView, loadBundledPolicy, loadPolicy } from '@dualwatch/scoring';
import { explainCommand, scoreCommand, type ScoringContext } from './commands';
import { encodingOption } from './input';
import { loadRefData } from './refdata';
import { registerRefdataCommands } from './refdata-command';
import { registerReplayCommands } from './replay-command';

/**
 * `dualwatch`: score order events offline, with the bundled reference data and policy (no Kafka, no
 * Redis). Installed as the package bin through bin/dualwatch.js.
 */

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** Exit code for a usage or configuration error (bad option, unreadable file, invalid policy). */
export const EXIT_USAGE = 2;

class UsageError extends Error {}

function openInput(file: string, io: CliIo): Readable {
  if (file === '-') return io.stdin;
  if (!fs.existsSync(file)) throw new UsageError(`input file not found: ${file}`);
  return fs.createReadStream(file);
}

function context(opts: { policy?: string; refdata?: string }): ScoringContext {
  try {
    const policy = opts.policy ? loadPolicy(opts.policy) : loadBundledPolicy();
    const refdata = loadRefData(opts.refdata);
    return { policy, view: createLocalView(refdata, policy) };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function asOfOption(): Option {
  return new Option('--as-of <date>', 'assess as of this date (YYYY-MM-DD) instead of the ship/order date').argParser((v) => {
    if (!isIsoDate(v)) throw new UsageError(`--as-of must be a date YYYY-MM-DD, got "${v}"`);
    return v;
  });
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('dualwatch')
    .description("Scores orders for exposure to China's dual-use export ban on Japanese military end use (MOFCOM Ann. 1/2026)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command('score')
    .description('print one assessment (NDJSON) per order event of the input, in input order')
    .requiredOption('-i, --input <file>', 'NDJSON order events, one per line, or one pretty-printed JSON event ("-" = stdin)')
    .addOption(asOfOption())
    .addOption(encodingOption())
    .option(
      '--policy <file>',
      'policy file (default: the bundled libs/scoring/policy/policy.v2.json; policy.v1.json stays loadable for replay)',
    )
    .option('--refdata <dir>', 'reference-data directory (default: the bundled libs/refdata/data)')
    .addOption(new Option('--format <format>', 'output format').choices(['ndjson', 'table']).default('ndjson'))
    .option('--assessed-at', 'stamp each assessment with assessedAt (the current time)', false)
    .action(
      async (opts: {
        input: string;
        asOf?: string;
        policy?: string;
        refdata?: string;
        format: 'ndjson' | 'table';
        assessedAt: boolean;
        encoding: TextEncodingChoice;
      }) => {
        const ctx = context(opts);
        const input = openInput(opts.input, io);
        try {
          setExit(
            await scoreCommand({
              ...ctx,
              input,
              stdout: io.stdout,
              stderr: io.stderr,
              asOf: opts.asOf,
              format: opts.format,
              assessedAt: opts.assessedAt,
              encoding: opts.encoding,
            }),
          );
        } finally {
          if (input !== io.stdin) input.destroy();
        }
      },
    );

  program
    .command('explain')
    .description('print the full reasoning for one order (the first event of the input)')
    .requiredOption('-i, --input <file>', 'a file holding the order event ("-" = stdin)')
    .addOption(asOfOption())
    .addOption(encodingOption())
    .option('--policy <file>', 'policy file (default: the bundled policy)')
    .option('--refdata <dir>', 'reference-data directory (default: the bundled reference data)')
    .action(async (opts: { input: string; asOf?: string; policy?: string; refdata?: string; encoding: TextEncodingChoice }) => {
      const ctx = context(opts);
      const input = openInput(opts.input, io);
      try {
        setExit(await explainCommand({ ...ctx, input, stdout: io.stdout, stderr: io.stderr, asOf: opts.asOf, encoding: opts.encoding }));
      } finally {
        if (input !== io.stdin) input.destroy();
      }
    });

  registerRefdataCommands(program, io, setExit);
  registerReplayCommands(program, io, setExit);
  return program;
}

/** Runs the CLI on `argv` (as process.argv: node, script, args...) and returns the exit code. */
export async function run(
  argv: string[] = process.argv,
  io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`dualwatch: ${message}\n`);
    return err instanceof UsageError || (err instanceof Error && err.name === 'PolicyError') ? EXIT_USAGE : 1;
  }
}

if (require.main === module) {
  run().then((code) => {
    process.exitCode = code;
  });
}
