import * as fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { kafkaSettings, loadSettings } from '@dualwatch/config';
import { isIsoDate, parseOrderEvent, type OrderEvent, type TextEncodingChoice } from '@dualwatch/contracts';
import { createKafka, readRanges } from '@dualwatch/messaging';
import {
  formatLookaheadTable,
  formatReplayTable,
  loadBundledPolicy,
  loadPolicy,
  lookahead,
  replayDiff,
  type Policy,
} from '@dualwatch/scoring';
import { inputRecords } from './commands';
import { encodingOption } from './input';
import type { CliIo } from './main';
import { loadRefData } from './refdata';

/**
 * `dualwatch replay`: historical order events (a file, or a range of the orders topic) scored under two
 * policy / reference-data versions, and the difference. `dualwatch lookahead`: the orders of a file
 * whose verdict will change on a known future date. Both offline and pure, but for reading the topic.
 */

const EXIT_USAGE = 2;

/** Events read from a source, with the invalid records reported. */
export interface ReadEvents {
  events: OrderEvent[];
  invalid: number;
}

async function fromStream(input: Readable, stderr: Writable, encoding?: TextEncodingChoice): Promise<ReadEvents> {
  const events: OrderEvent[] = [];
  let invalid = 0;
  for await (const rec of inputRecords(input, stderr, encoding)) {
    if (rec.result.ok) events.push(rec.result.event);
    else {
      invalid++;
      stderr.write(`${JSON.stringify({ line: rec.line, error: rec.result.error })}\n`);
    }
  }
  return { events, invalid };
}

export interface TopicRange {
  topic: string;
  /** Start at this offset on every partition (clamped to what the partition holds). */
  fromOffset?: string;
  /** Start at the first message at or after this time (ISO date-time or epoch ms). */
  fromTime?: number;
  timeoutMs?: number;
}

/**
 * Reads a range of a topic, from the start offset (or time) to the end it had when the read began, with
 * a throw-away consumer group that commits nothing. Values that are not order events are counted.
 */
export async function readTopicEvents(range: TopicRange, stderr: Writable, env: NodeJS.ProcessEnv = process.env): Promise<ReadEvents> {
  const s = loadSettings(kafkaSettings, env);
  const kafka = createKafka(s, 'replay');
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; high: bigint; start: bigint }[];
  try {
    const offsets = await admin.fetchTopicOffsets(range.topic);
    const byTime = range.fromTime !== undefined ? await admin.fetchTopicOffsetsByTimestamp(range.topic, range.fromTime) : undefined;
    ends = offsets.map((o) => {
      const low = BigInt(o.low);
      const high = BigInt(o.high);
      let start = low;
      if (byTime) {
        const t = byTime.find((b) => b.partition === o.partition);
        start = t && BigInt(t.offset) >= 0n ? BigInt(t.offset) : high;
      } else if (range.fromOffset !== undefined) start = BigInt(range.fromOffset);
      if (start < low) start = low;
      if (start > high) start = high;
      return { partition: o.partition, high, start };
    });
  } finally {
    await admin.disconnect();
  }
  const events: OrderEvent[] = [];
  let invalid = 0;
  const byPartition = new Map<number, OrderEvent[]>();
  await readRanges(
    kafka,
    range.topic,
    ends,
    (partition, message) => {
      const parsed = parseOrderEvent(message.value);
      if (parsed.ok) {
        let list = byPartition.get(partition);
        if (!list) byPartition.set(partition, (list = []));
        list.push(parsed.event);
      } else {
        invalid++;
        stderr.write(`${JSON.stringify({ partition, offset: message.offset, error: parsed.error })}\n`);
      }
    },
    { timeoutMs: range.timeoutMs, groupId: `dualwatch-replay-${process.pid}-${Date.now()}` },
  );
  // partition order is kept (an order's events share a key, hence a partition)
  for (const p of [...byPartition.keys()].sort((a, b) => a - b)) events.push(...byPartition.get(p)!);
  return { events, invalid };
}

function side(policyFile: string | undefined, refdataDir: string | undefined): { policy: Policy; refdata: ReturnType<typeof loadRefData> } {
  return { policy: policyFile ? loadPolicy(policyFile) : loadBundledPolicy(), refdata: loadRefData(refdataDir) };
}

const dateOption = (flag: string, what: string) =>
  new Option(`${flag} <date>`, what).argParser((v) => {
    if (!isIsoDate(v)) throw new InvalidArgumentError(`${flag} must be a date YYYY-MM-DD, got "${v}"`);
    return v;
  });

export interface ReplayCliOptions {
  input?: string;
  topic?: string;
  fromOffset?: string;
  fromTime?: string;
  timeoutMs?: string;
  basePolicy?: string;
  baseRefdata?: string;
  policy?: string;
  refdata?: string;
  asOf?: string;
  everyEvent?: boolean;
  format: 'table' | 'json';
  encoding?: TextEncodingChoice;
}

export function registerReplayCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const usage = (message: string) => {
    io.stderr.write(`dualwatch: ${message}\n`);
    setExit(EXIT_USAGE);
  };
  const openFile = (file: string): Readable | null => {
    if (file === '-') return io.stdin;
    if (!fs.existsSync(file)) return null;
    return fs.createReadStream(file);
  };

  program
    .command('replay')
    .description('score historical order events under two policy / reference-data versions and print what changes')
    .option('-i, --input <file>', 'NDJSON order events ("-" = stdin)')
    .addOption(encodingOption())
    .option('--topic <topic>', 'read the events from this Kafka topic (KAFKA_BROKERS), e.g. orders.v1')
    .option('--from-offset <offset>', 'with --topic: start at this offset on every partition (default: the earliest)')
    .option('--from-time <time>', 'with --topic: start at the first message at or after this time (ISO date-time)')
    .option('--timeout-ms <ms>', 'with --topic: give up reading after this long', '60000')
    .option('--base-refdata <dir>', 'reference data of the base version (default: the bundled one)')
    .option('--base-policy <file>', 'policy of the base version (default: the bundled one)')
    .option('--refdata <dir>', 'reference data of the new version (default: the bundled one)')
    .option('--policy <file>', 'policy of the new version (default: the bundled one)')
    .addOption(dateOption('--as-of', 'assess every order as of this date (default: its ship / order date)'))
    .option('--every-event', 'score every event, not only the latest event of each order', false)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts: ReplayCliOptions) => {
      if (!opts.input === !opts.topic) return usage('replay needs exactly one of --input FILE or --topic TOPIC');
      if (opts.fromOffset !== undefined && !/^\d+$/.test(opts.fromOffset))
        return usage(`--from-offset must be a whole number, got "${opts.fromOffset}"`);
      let fromTime: number | undefined;
      if (opts.fromTime !== undefined) {
        fromTime = /^\d+$/.test(opts.fromTime) ? Number(opts.fromTime) : Date.parse(opts.fromTime);
        if (Number.isNaN(fromTime)) return usage(`--from-time must be an ISO date-time or epoch milliseconds, got "${opts.fromTime}"`);
      }
      let base, next;
      try {
        base = side(opts.basePolicy, opts.baseRefdata);
        next = side(opts.policy, opts.refdata);
      } catch (err) {
        return usage((err as Error).message);
      }
      let read: ReadEvents;
      if (opts.input) {
        const input = openFile(opts.input);
        if (!input) return usage(`input file not found: ${opts.input}`);
        try {
          read = await fromStream(input, io.stderr, opts.encoding);
        } finally {
          if (input !== io.stdin) input.destroy();
        }
      } else {
        read = await readTopicEvents(
          { topic: opts.topic!, fromOffset: opts.fromOffset, fromTime, timeoutMs: Number(opts.timeoutMs) },
          io.stderr,
        );
      }
      const diff = replayDiff(read.events, base, next, opts.asOf, { everyEvent: opts.everyEvent });
      io.stdout.write(
        opts.format === 'json' ? `${JSON.stringify({ ...diff, invalid: read.invalid }, null, 2)}\n` : formatReplayTable(diff),
      );
      setExit(read.invalid > 0 ? 1 : 0);
    });

  program
    .command('lookahead')
    .description(
      'list the orders of a file whose verdict will change on a known future date (a suspension ending, a listing taking effect)',
    )
    .requiredOption('-i, --input <file>', 'NDJSON order events ("-" = stdin); each order is looked at on its latest event')
    .addOption(dateOption('--today', 'the day to look ahead from (default: today, UTC)'))
    .addOption(encodingOption())
    .option(
      '--horizon-days <days>',
      'how far ahead to look at most (an order is looked at up to its as-of date: its ship date, else its order date)',
      '365',
    )
    .option('--policy <file>', 'policy file (default: the bundled one)')
    .option('--refdata <dir>', 'reference-data directory (default: the bundled one)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(
      async (opts: {
        input: string;
        today?: string;
        horizonDays: string;
        policy?: string;
        refdata?: string;
        format: 'table' | 'json';
        encoding?: TextEncodingChoice;
      }) => {
        const horizonDays = Number(opts.horizonDays);
        if (!Number.isInteger(horizonDays) || horizonDays < 1)
          return usage(`--horizon-days must be a positive whole number, got "${opts.horizonDays}"`);
        let ref;
        try {
          ref = side(opts.policy, opts.refdata);
        } catch (err) {
          return usage((err as Error).message);
        }
        const input = openFile(opts.input);
        if (!input) return usage(`input file not found: ${opts.input}`);
        let read: ReadEvents;
        try {
          read = await fromStream(input, io.stderr, opts.encoding);
        } finally {
          if (input !== io.stdin) input.destroy();
        }
        const today = opts.today ?? new Date().toISOString().slice(0, 10);
        const rows = lookahead(read.events, ref, today, { horizonDays });
        io.stdout.write(opts.format === 'json' ? `${JSON.stringify({ today, orders: rows }, null, 2)}\n` : formatLookaheadTable(rows));
        setExit(read.invalid > 0 ? 1 : 0);
      },
    );
}
