import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledDataDir } from './data-dir';
import { SOURCE_KIND_ORDER, type SourceKind, type SourceKinds } from './model';

/**
 * The kind of a source URL (official, law firm, press, research, registry, vendor, forum) as
 * source-kinds.json classifies it, and source lists ranked strongest first.
 */

let bundled: SourceKinds | undefined;

/** The bundled source-kinds.json (read once; the loader validates it with the rest of the data). */
function bundledSourceKinds(): SourceKinds {
  if (!bundled) {
    bundled = JSON.parse(readFileSync(join(bundledDataDir(), 'source-kinds.json'), 'utf8')) as SourceKinds;
  }
  return bundled;
}

/** "https://www.mofcom.gov.cn/zwgk/…" → { host: "mofcom.gov.cn", path: "/zwgk/…" }; undefined if not a URL. */
function hostAndPath(url: string): { host: string; path: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  return { host: u.hostname.toLowerCase().replace(/^www\./, ''), path: u.pathname };
}

/** Whether a host rule ("gov.cn", "mod.go.jp/atla") covers the URL's host and path. */
function ruleMatches(rule: string, host: string, path: string): boolean {
  const slash = rule.indexOf('/');
  const ruleHost = slash < 0 ? rule : rule.slice(0, slash);
  const rulePath = slash < 0 ? '' : rule.slice(slash);
  if (host !== ruleHost && !host.endsWith(`.${ruleHost}`)) return false;
  return rulePath === '' || path === rulePath || path.startsWith(rulePath.endsWith('/') ? rulePath : `${rulePath}/`);
}

/**
 * The kind of a source URL: a per-URL override first, else the longest host rule that covers it
 * (a host rule covers its subdomains; a rule with a path only URLs under that path). Undefined when
 * nothing classifies it (the loader rejects data with such a URL). `kinds` defaults to the bundled file.
 */
export function sourceKind(url: string, kinds: SourceKinds = bundledSourceKinds()): SourceKind | undefined {
  const override = kinds.urls?.[url];
  if (override) return override;
  const hp = hostAndPath(url);
  if (!hp) return undefined;
  let best: { rule: string; kind: SourceKind } | undefined;
  for (const [rule, kind] of Object.entries(kinds.hosts)) {
    if (ruleMatches(rule, hp.host, hp.path) && (!best || rule.length > best.rule.length)) best = { rule, kind };
  }
  return best?.kind;
}

/** Position of a kind in SOURCE_KIND_ORDER (0 = official, strongest); unknown kinds rank last. */
export function sourceKindRank(kind: SourceKind | undefined): number {
  const i = kind === undefined ? -1 : SOURCE_KIND_ORDER.indexOf(kind);
  return i < 0 ? SOURCE_KIND_ORDER.length : i;
}

/** The URLs with their kinds, strongest kind first; URLs of one kind keep their order (a stable sort). */
export function rankSources(
  urls: readonly string[],
  kinds: SourceKinds = bundledSourceKinds(),
): { url: string; kind: SourceKind | undefined }[] {
  return urls
    .map((url, i) => ({ url, kind: sourceKind(url, kinds), i }))
    .sort((a, b) => sourceKindRank(a.kind) - sourceKindRank(b.kind) || a.i - b.i)
    .map(({ url, kind }) => ({ url, kind }));
}

/** Whether a list of sources has at least one that can carry a fact (not vendor or forum only). */
export function hasStrongSource(urls: readonly string[], kinds: SourceKinds = bundledSourceKinds()): boolean {
  return urls.some((u) => {
    const k = sourceKind(u, kinds);
    return k !== undefined && k !== 'vendor' && k !== 'forum';
  });
}

/** Every http(s) URL anywhere in a JSON value, with the JSON pointer where it stands. */
export function urlsIn(value: unknown, path = ''): { url: string; path: string }[] {
  if (typeof value === 'string') return /^https?:\/\//.test(value) ? [{ url: value, path }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => urlsIn(v, `${path}/${i}`));
  if (value && typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => urlsIn(v, `${path}/${k}`));
  return [];
}
