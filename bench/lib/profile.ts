/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time by category
 * (kafkajs, scoring, JSON, GC, idle...), the top functions by self time, and the inclusive time of a
 * few functions that matter for the pipeline. Pure: takes the parsed JSON.
 */

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  /** Busy (non-idle) time as a share of the profile's wall time. */
  busyShare: number;
  categories: { name: string; ms: number; share: number }[];
  topSelf: { name: string; where: string; ms: number; share: number }[];
  inclusive: { name: string; ms: number; share: number }[];
}

/** The bucket a frame's self time goes to. */
export function categorize(fn: string, url: string): string {
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)') return 'V8/native (program)';
  if (fn === '(root)') return 'V8/native (program)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] === '@sinclair/typebox' ? 'typebox (schema validation)' : nm[1];
  if (/libs\/scoring\//.test(url)) return 'scoring (libs/scoring)';
  if (/libs\/refdata\//.test(url)) return 'refdata (libs/refdata)';
  if (/libs\/contracts\//.test(url)) return 'contracts (parse/validate)';
  if (/libs\/messaging\//.test(url)) return 'messaging (libs/messaging)';
  if (/libs\/observability\//.test(url)) return 'observability';
  if (/apps\/risk-engine\//.test(url)) return 'risk-engine app code';
  if (/^node:/.test(url)) {
    const m = /^node:(?:internal\/)?([a-z_]+)/.exec(url);
    return `node:${m?.[1] ?? 'internal'}`;
  }
  if (!url) {
    if (fn === 'stringify') return 'JSON.stringify';
    if (fn === 'parse') return 'JSON.parse';
    return 'builtins / generated code';
  }
  return 'other';
}

const frameKey = (n: CpuProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'}\u0000${n.callFrame.url}\u0000${n.callFrame.lineNumber}`;

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const d = url.lastIndexOf('/dist/');
  if (d >= 0) return url.slice(d + '/dist/'.length);
  return url.replace(/^file:\/\//, '');
}

/**
 * `inclusiveOf`: function names whose inclusive time (self plus everything below, counted once per
 * sample even under recursion) is reported, e.g. ['assess', 'stringify', 'parseOrderEvent'].
 */
export function summarizeProfile(profile: CpuProfile, inclusiveOf: string[] = [], top = 15): ProfileSummary {
  const byId = new Map<number, CpuProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfUs = new Map<number, number>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    if (dt <= 0) continue;
    totalUs += dt;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
  }

  const cats = new Map<string, number>();
  const fns = new Map<string, { name: string; where: string; us: number }>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const cat = categorize(n.callFrame.functionName, n.callFrame.url);
    cats.set(cat, (cats.get(cat) ?? 0) + us);
    const k = frameKey(n);
    const f = fns.get(k) ?? {
      name: n.callFrame.functionName || '(anonymous)',
      where: `${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`,
      us: 0,
    };
    f.us += us;
    fns.set(k, f);
  }

  // inclusive: walk each sampled node's stack once, crediting each wanted name at most once
  const wanted = new Set(inclusiveOf);
  const incl = new Map<string, number>();
  if (wanted.size) {
    for (const [id, us] of selfUs) {
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const name = byId.get(cur)?.callFrame.functionName ?? '';
        if (wanted.has(name) && !seen.has(name)) {
          seen.add(name);
          incl.set(name, (incl.get(name) ?? 0) + us);
        }
      }
    }
  }

  const idleUs = cats.get('idle') ?? 0;
  const busyUs = totalUs - idleUs;
  const share = (us: number) => (busyUs > 0 ? us / busyUs : 0);
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    busyShare: totalUs > 0 ? busyUs / totalUs : 0,
    categories: [...cats]
      .filter(([name]) => name !== 'idle')
      .map(([name, us]) => ({ name, ms: us / 1000, share: share(us) }))
      .sort((a, b) => b.ms - a.ms),
    topSelf: [...fns.values()]
      .filter((f) => f.name !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, share: share(f.us) })),
    inclusive: inclusiveOf.map((name) => ({ name, ms: (incl.get(name) ?? 0) / 1000, share: share(incl.get(name) ?? 0) })),
  };
}
