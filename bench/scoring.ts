/**
 * Throughput of the pure scoring core on one thread: `node dist/bench/scoring.js [--orders N] [--seed S] [--rounds R]`
 * (after `npm run build`). Generates N realistic orders (passed through JSON, as events arrive),
 * warms up, then times assess() over all of them in R rounds (wall clock and CPU time, best and
 * median) and once per order (p50/p99), and prints the verdict mix. Party screening is memoised per
 * name as in the CLI; the cold (first-sight) cost of screening is reported on its own line, and
 * JSON.parse of the same events is timed for scale (a shared machine's speed varies a lot).
 */
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { OrderEvent, Verdict } from '@dualwatch/contracts';
import { loadBundledRefData } from '@dualwatch/refdata';
import { assess, createLocalView, loadBundledPolicy, type Policy, type ReferenceView } from '@dualwatch/scoring';
import { generateOrders } from '@dualwatch/scoring/testing/order-generator';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return Math.floor(v);
}

const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * One round over the whole batch, in a function of its own: the loop is compiled once, the same way for
 * every build measured, instead of inside main(), where whether assess() is inlined into a 100-line
 * function (and so the figure) changed with unrelated edits to this file or the scoring core.
 */
function timeRound(orders: readonly OrderEvent[], view: ReferenceView, policy: Policy): { wallMs: number; cpuMs: number } {
  const cpu0 = process.cpuUsage();
  const b0 = performance.now();
  for (let i = 0; i < orders.length; i++) assess(orders[i], view, policy);
  const wallMs = performance.now() - b0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function main(): void {
  const n = arg('orders', 200_000);
  const seed = arg('seed', 42);
  const policy = loadBundledPolicy();
  const refdata = loadBundledRefData();

  const t0 = performance.now();
  // Through JSON and back, as events arrive from Kafka or a file: fresh strings, nothing shared.
  const orders: OrderEvent[] = generateOrders(n, seed).map((o) => JSON.parse(JSON.stringify(o)) as OrderEvent);
  const genMs = performance.now() - t0;
  const lines = orders.reduce((s, o) => s + o.order.lines.length, 0);

  // Cold: a fresh view, every distinct party name screened for the first time.
  const cold = createLocalView(refdata, policy);
  const names = new Set<string>();
  const c0 = performance.now();
  for (const o of orders)
    for (const p of [o.order.seller, o.order.buyer, o.order.consignee, o.order.endUser, o.order.freightForwarder]) {
      if (p && !names.has(p.name)) {
        names.add(p.name);
        cold.screenParty(p);
      }
    }
  const coldMs = performance.now() - c0;

  // Warm-up: let the JIT settle and the memo tables fill.
  const view = createLocalView(refdata, policy);
  const warm = Math.min(n, 50_000);
  for (let i = 0; i < warm; i++) assess(orders[i], view, policy);

  // Measured: the whole batch, timed per order.
  const times = new Float64Array(n);
  const mix: Record<Verdict, number> = { clear: 0, review: 0, license_required: 0, prohibited: 0 };
  const m0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const a = assess(orders[i], view, policy);
    times[i] = performance.now() - s;
    mix[a.verdict]++;
  }
  const totalMs = performance.now() - m0;
  // Throughput without the per-order timer calls, in rounds over the whole batch: wall clock and this
  // thread's CPU time (which a busy shared machine inflates less); best and median round.
  const rounds = arg('rounds', 5);
  const wall: number[] = [];
  const cpuT: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = timeRound(orders, view, policy);
    wall.push(t.wallMs);
    cpuT.push(t.cpuMs);
  }
  // For scale on this machine: parsing the same events from JSON, which every consumer does first.
  const texts = orders.map((o) => JSON.stringify(o));
  let parseMs = Infinity;
  for (let r = 0; r < rounds; r++) {
    const p0 = performance.now();
    for (let i = 0; i < n; i++) JSON.parse(texts[i]);
    parseMs = Math.min(parseMs, performance.now() - p0);
  }
  const best = (xs: number[]) => Math.min(...xs);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  times.sort();

  const model = os.cpus()[0]?.model ?? 'unknown';
  const load = os.loadavg()[0].toFixed(2);
  const pct = (k: Verdict) => `${k} ${mix[k]} (${((100 * mix[k]) / n).toFixed(1)}%)`;
  const out = [
    `Scoring core, one thread: ${n} orders (${lines} lines, seed ${seed}), generated in ${genMs.toFixed(0)} ms`,
    `machine: ${os.cpus().length} CPUs, ${model}; load average ${load}; node ${process.version}; policy ${policy.version}; refdata ${refdata.version}`,
    `throughput (${rounds} rounds): best ${rate(n, best(wall))} orders/s, median ${rate(n, median(wall))} orders/s wall clock; best ${rate(n, best(cpuT))}, median ${rate(n, median(cpuT))} orders/s of CPU time`,
    `  (the latency pass, timing each order, ran at ${rate(n, totalMs)} orders/s; for scale, JSON.parse of the same events: best ${rate(n, parseMs)} events/s, ${((parseMs * 1000) / n).toFixed(1)} µs/event)`,
    `latency: p50 ${(percentile(times, 50) * 1000).toFixed(1)} µs, p99 ${(percentile(times, 99) * 1000).toFixed(1)} µs, max ${(times[n - 1] * 1000).toFixed(0)} µs per order`,
    `cold party screening: ${names.size} distinct names in ${coldMs.toFixed(0)} ms (${((coldMs * 1000) / Math.max(1, names.size)).toFixed(1)} µs per name)`,
    `verdicts: ${(['prohibited', 'license_required', 'review', 'clear'] as Verdict[]).map(pct).join(', ')}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
