import type { Alert } from '@dualwatch/contracts';
import type { CaseFilter as AlertFilter, Page } from '@dualwatch/casework';
import type { AlertDetail, AlertSummary, AlertView } from './alert-views';
import { allowedActions, type LifecycleRecord } from './lifecycle';

interface Entry {
  latest: Alert;
  firstRaisedAt: string;
  firstMs: number;
  messages: AlertDetail['messages'];
  view: AlertView;
}

export type { AlertDetail, AlertSummary, AlertView };
export type StoreListener = (view: AlertView, cause: 'alert' | 'lifecycle') => void;

const lower = (s: string | undefined) => (s ?? '').toLowerCase();

/**
 * The alert store: every alert message of risk.alerts.v1 folded per alertId, joined with its triage
 * record from alerts.lifecycle.v1. Pure and in memory; AlertFeed fills it from Kafka.
 */
export class AlertStore {
  private readonly entries = new Map<string, Entry>();
  private readonly lifecycle = new Map<string, LifecycleRecord>();
  /** Newest first by first-raised time; rebuilt lazily after a new alert. */
  private order: Entry[] | null = [];
  private readonly listeners = new Set<StoreListener>();

  get size(): number {
    return this.entries.size;
  }

  subscribe(l: StoreListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Folds one alert message in. The same message seen twice (a re-read) changes nothing. */
  applyAlert(a: Alert): AlertView {
    let e = this.entries.get(a.alertId);
    if (e && e.messages.some((m) => m.raisedAt === a.raisedAt && m.kind === a.kind && m.verdict === a.assessment.verdict)) return e.view;
    const message = {
      kind: a.kind,
      raisedAt: a.raisedAt,
      verdict: a.assessment.verdict,
      severity: a.assessment.severity,
      score: a.assessment.score,
      ...(a.previousVerdict ? { previousVerdict: a.previousVerdict } : {}),
      ...(a.effectiveOn ? { effectiveOn: a.effectiveOn } : {}),
    };
    if (!e) {
      e = {
        latest: a,
        firstRaisedAt: a.raisedAt,
        firstMs: Date.parse(a.raisedAt),
        messages: [message],
        view: undefined as unknown as AlertView,
      };
      this.entries.set(a.alertId, e);
      this.order = null;
    } else {
      e.messages.push(message);
      e.messages.sort((x, y) => x.raisedAt.localeCompare(y.raisedAt));
      if (a.raisedAt >= e.latest.raisedAt) e.latest = a;
      if (a.raisedAt < e.firstRaisedAt) {
        e.firstRaisedAt = a.raisedAt;
        e.firstMs = Date.parse(a.raisedAt);
        this.order = null;
      }
    }
    e.view = this.viewOf(e);
    this.emit(e.view, 'alert');
    return e.view;
  }

  /** The latest record wins (as compaction keeps it), so a rebuild reaches the state every instance saw. */
  applyLifecycle(r: LifecycleRecord): AlertView | undefined {
    const prior = this.lifecycle.get(r.alertId);
    if (prior && prior.version === r.version && prior.history[prior.history.length - 1].at === r.history[r.history.length - 1].at) return;
    this.lifecycle.set(r.alertId, r);
    const e = this.entries.get(r.alertId);
    if (!e) return;
    e.view = this.viewOf(e);
    this.emit(e.view, 'lifecycle');
    return e.view;
  }

  lifecycleOf(alertId: string): LifecycleRecord | undefined {
    return this.lifecycle.get(alertId);
  }

  has(alertId: string): boolean {
    return this.entries.has(alertId);
  }

  get(alertId: string): AlertDetail | undefined {
    const e = this.entries.get(alertId);
    if (!e) return;
    const lc = this.lifecycle.get(alertId);
    const status = lc?.status ?? 'open';
    return {
      view: e.view,
      alert: e.latest,
      messages: e.messages,
      lifecycle: { status, version: lc?.version ?? 0, history: lc?.history ?? [], allowedActions: allowedActions(status) },
    };
  }

  list(filter: AlertFilter, page: Page): { items: AlertView[]; total: number; limit: number; offset: number } {
    const all = this.sorted().filter((e) => matches(e.view, e.firstMs, filter));
    return {
      items: all.slice(page.offset, page.offset + page.limit).map((e) => e.view),
      total: all.length,
      limit: page.limit,
      offset: page.offset,
    };
  }

  summary(filter: AlertFilter): AlertSummary {
    const s: AlertSummary = {
      total: 0,
      byVerdict: {},
      bySeverity: {},
      byStatus: {},
      exposedValue: [],
      bySupplier: [],
      byItemFamily: [],
      overTime: [],
    };
    const value = new Map<string, { amount: number; alerts: number }>();
    const suppliers = new Map<string, { alerts: number; value: Map<string, number> }>();
    const families = new Map<string, { alerts: number; value: Map<string, number> }>();
    const days = new Map<string, Record<string, number>>();
    const inc = (r: Record<string, number>, k: string) => (r[k] = (r[k] ?? 0) + 1);
    const add = (
      m: Map<string, { alerts: number; value: Map<string, number> }>,
      key: string,
      cur: string | undefined,
      amount: number | undefined,
    ) => {
      const g = m.get(key) ?? { alerts: 0, value: new Map<string, number>() };
      g.alerts++;
      if (cur && amount !== undefined) g.value.set(cur, (g.value.get(cur) ?? 0) + amount);
      m.set(key, g);
    };
    for (const e of this.entries.values()) {
      const v = e.view;
      if (!matches(v, e.firstMs, filter)) continue;
      s.total++;
      inc(s.byVerdict, v.verdict);
      inc(s.bySeverity, v.severity);
      inc(s.byStatus, v.status);
      const cur = v.exposedValue?.amount !== undefined ? (v.exposedValue.currency ?? 'n/a') : undefined;
      const amount = v.exposedValue?.amount;
      if (cur && amount !== undefined) {
        const t = value.get(cur) ?? { amount: 0, alerts: 0 };
        t.amount += amount;
        t.alerts++;
        value.set(cur, t);
      }
      add(suppliers, v.seller ?? '(unknown)', cur, amount);
      for (const f of v.itemFamilies.length ? v.itemFamilies : ['(no controlled family)']) add(families, f, cur, amount);
      const day = v.raisedAt.slice(0, 10);
      if (!days.has(day)) days.set(day, {});
      inc(days.get(day)!, v.severity);
    }
    const groups = (m: Map<string, { alerts: number; value: Map<string, number> }>) =>
      [...m]
        .map(([k, g]) => ({ k, alerts: g.alerts, exposedValue: [...g.value].map(([currency, amount]) => ({ currency, amount })) }))
        .sort((a, b) => b.alerts - a.alerts || a.k.localeCompare(b.k));
    s.exposedValue = [...value]
      .map(([currency, t]) => ({ currency, amount: t.amount, alerts: t.alerts }))
      .sort((a, b) => b.amount - a.amount);
    s.bySupplier = groups(suppliers).map(({ k, ...g }) => ({ supplier: k, ...g }));
    s.byItemFamily = groups(families).map(({ k, ...g }) => ({ itemFamily: k, ...g }));
    s.overTime = [...days].sort(([a], [b]) => a.localeCompare(b)).map(([date, bySeverity]) => ({ date, bySeverity }));
    return s;
  }

  /** Whether a view passes a filter (the live stream checks each change with it). */
  static matches(v: AlertView, filter: AlertFilter): boolean {
    return matches(v, Date.parse(v.raisedAt), filter);
  }

  private sorted(): Entry[] {
    if (!this.order)
      this.order = [...this.entries.values()].sort((a, b) => b.firstMs - a.firstMs || b.latest.alertId.localeCompare(a.latest.alertId));
    return this.order;
  }

  private emit(v: AlertView, cause: 'alert' | 'lifecycle'): void {
    for (const l of this.listeners) l(v, cause);
  }

  private viewOf(e: Entry): AlertView {
    const a = e.latest;
    const asm = a.assessment;
    const s = a.summary ?? {};
    const worst = [...asm.reasons].sort((x, y) => reasonWeight(y.code) - reasonWeight(x.code))[0];
    return {
      alertId: a.alertId,
      orderId: a.orderId,
      kind: a.kind,
      verdict: asm.verdict,
      severity: asm.severity,
      score: asm.score,
      status: this.lifecycle.get(a.alertId)?.status ?? 'open',
      raisedAt: e.firstRaisedAt,
      updatedAt: a.raisedAt,
      ...(s.seller !== undefined ? { seller: s.seller } : {}),
      ...(s.buyer !== undefined ? { buyer: s.buyer } : {}),
      ...(s.endUser !== undefined ? { endUser: s.endUser } : {}),
      ...(s.shipTo !== undefined ? { shipTo: s.shipTo } : {}),
      itemFamilies: s.itemFamilies ?? [],
      ...(asm.exposedValue ? { exposedValue: asm.exposedValue } : {}),
      ...(worst ? { headline: worst.message } : {}),
      reasonCount: asm.reasons.length,
      degraded: !!asm.degraded,
    };
  }
}

/** Party, military-user and end-use reasons make a better headline than item or origin facts. */
function reasonWeight(code: string): number {
  if (/CONTROL_LIST|MILITARY/.test(code)) return 3;
  if (/WATCH_LIST|END_USE/.test(code)) return 2;
  return /PARTY|RED_FLAG/.test(code) ? 1 : 0;
}

function matches(v: AlertView, firstMs: number, f: AlertFilter): boolean {
  if (f.verdicts && !f.verdicts.includes(v.verdict)) return false;
  if (f.severities && !f.severities.includes(v.severity)) return false;
  if (f.statuses && !f.statuses.includes(v.status)) return false;
  if (f.kinds && !f.kinds.includes(v.kind)) return false;
  if (f.countries && !(v.shipTo && f.countries.includes(v.shipTo.toUpperCase()))) return false;
  if (f.supplier && !lower(v.seller).includes(f.supplier)) return false;
  if (f.buyer && !(lower(v.buyer).includes(f.buyer) || lower(v.endUser).includes(f.buyer))) return false;
  if (f.itemFamily && !v.itemFamilies.some((x) => lower(x).includes(f.itemFamily!))) return false;
  if (f.q && ![v.orderId, v.alertId, v.seller, v.buyer, v.endUser].some((x) => lower(x).includes(f.q!))) return false;
  if (f.from !== undefined && firstMs < f.from) return false;
  if (f.to !== undefined && firstMs >= f.to) return false;
  return true;
}
