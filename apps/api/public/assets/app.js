// @ts-check
// Dualwatch dashboard. Every string from the api is put in the page as text (textContent), never as markup.
// Served as it is (no build step); type-checked from its JSDoc by ../tsconfig.json and linted.

/**
 * What the api answers, as far as this page reads it (apps/api/src/alerts/alert-views.ts,
 * libs/contracts/src/assessment.ts, apps/api/src/replay/replay.controller.ts, libs/scoring/src/replay/replay-diff.ts).
 * @typedef {'clear' | 'review' | 'license_required' | 'prohibited'} Verdict
 * @typedef {'none' | 'low' | 'medium' | 'high' | 'critical'} Severity
 * @typedef {'open' | 'acknowledged' | 'awaiting_approval' | 'resolved' | 'false_positive' | 'withdrawn'} AlertStatus
 * @typedef {'acknowledge' | 'resolve' | 'false_positive' | 'reopen' | 'approve' | 'reject' | 'assign'} LifecycleAction
 * @typedef {'shipment_held' | 'licence_obtained' | 'end_use_verified' | 'false_match' | 'order_cancelled' | 'escalated' | 'other'} Disposition
 * @typedef {{ amount?: number, currency?: string }} Money
 * @typedef {{ user: string, role: string }} Session
 * @typedef {{ action: 'resolve' | 'false_positive', disposition?: Disposition, requestedBy: string, requestedAt: string, note: string,
 *   from: AlertStatus }} Pending a close waiting for a second person's approval
 * @typedef {{ orderId: string, alertId: string, kind: string, verdict: Verdict, severity: Severity, score: number, status: AlertStatus,
 *   version: number, raisedAt: string, updatedAt: string, asOf?: string, effectiveOn?: string, upcomingVerdict?: Verdict,
 *   seller?: string, buyer?: string, endUser?: string, shipTo?: string, itemFamilies: string[], exposedValue?: Money,
 *   headline?: string, assignee?: string, dueOn?: string, disposition?: Disposition, pending?: Pending }} AlertView
 *   a case: one order, whatever alert messages it had
 * @typedef {{ items: AlertView[], total: number }} AlertPage
 * @typedef {{ alerts: number, exposedValue: Money[] }} Group
 * @typedef {{ total: number, byVerdict: Record<string, number>, bySeverity: Record<string, number>, byStatus: Record<string, number>,
 *   exposedValue: Money[], bySupplier: (Group & { supplier: string })[], byItemFamily: (Group & { itemFamily: string })[],
 *   overTime: { date: string, bySeverity: Record<string, number> }[] }} AlertSummary
 * @typedef {{ code: string, message: string, lineId?: string, partyRole?: string, matchScore?: number, evidence?: Record<string, unknown>,
 *   legalBasis?: string }} Reason
 * @typedef {{ asOf: string, assessedAt?: string, verdict: Verdict, severity: Severity, score: number, reasons: Reason[], exposedValue?: Money,
 *   policyVersion: string, refdataVersion: string, degraded?: boolean }} Assessment
 * @typedef {{ alertId: string, kind: string, raisedAt: string, verdict: Verdict, severity: Severity, score: number, previousVerdict?: Verdict,
 *   effectiveOn?: string, asOf?: string }} AlertMessage
 * @typedef {{ orderId: string, alertId: string, version: number, action: LifecycleAction | 'withdraw', from: AlertStatus, to: AlertStatus,
 *   user: string, at: string, note: string, disposition?: Disposition | null, assignee?: string | null, dueOn?: string | null }} LifecycleChange
 * @typedef {{ alertId: string, orderId: string, assessment: Assessment,
 *   summary?: { seller?: string, buyer?: string, endUser?: string, shipTo?: string, itemFamilies?: string[] } }} FullAlert
 * @typedef {{ view: AlertView, messages: AlertMessage[], alert: FullAlert, upcoming?: FullAlert,
 *   lifecycle: { status: AlertStatus, version: number, history: LifecycleChange[], allowedActions: LifecycleAction[] } }} AlertDetail
 * @typedef {{ id: string, status: number, error?: string, message?: string, view?: AlertView }} BulkResult
 * @typedef {{ id: string, name: string, query: Record<string, string> }} SavedView
 * @typedef {{ name: string, change: string, description: string, uncertain?: boolean, assumption?: string }} LookaheadCause
 * @typedef {{ today: string, orders: { orderId: string, until: string, changes: { date: string, from: { verdict: Verdict },
 *   to: { verdict: Verdict, severity: Severity }, why: LookaheadCause[] }[] }[] }} Upcoming
 * @typedef {{ verdict: Verdict, exposedValue?: Money }} ReplayOutcome
 * @typedef {{ orderId: string, asOf: string, change: string, base: ReplayOutcome, next: ReplayOutcome, reasonsAdded: string[],
 *   reasonsRemoved: string[] }} ReplayOrderDiff
 * @typedef {{ orders: number, counts: { newlyExposed: number, noLongerExposed: number, verdictChanged: number },
 *   exposedValue: Record<'base' | 'next' | 'newlyExposed' | 'noLongerExposed', Record<string, number>>,
 *   newlyExposed: ReplayOrderDiff[], noLongerExposed: ReplayOrderDiff[], verdictChanged: ReplayOrderDiff[] }} ReplayDiff
 * @typedef {{ current: { version: string }, candidate: { version: string }, diff: ReplayDiff }} ReplayPreview
 * @typedef {{ error?: string, message?: string, issues?: { path?: string, message: string }[], current?: AlertDetail }} ErrorBody
 * @typedef {{ version: string, date: string, source: string, notice: string,
 *   verdicts: Record<string, { title: string, steps: string[] }>, reasons: Record<string, { title: string, next: string }>,
 *   evidence: Record<string, string>, values: Record<string, Record<string, string>> }} Guidance the words for the scorer's
 *   codes and keys, and what to do next (assets/guidance.v1.json)
 * @typedef {Error & { status?: number, body?: ErrorBody }} Failure an Error, or an ApiError
 */

const KEY_STORE = 'dualwatch.apiKey';
/** The element with this id (index.html has every one this script asks for). */
const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const $main = byId('main');
/** Replaces the page's content; absent parts (null, false) are skipped. */
const setMain = (/** @type {unknown[]} */ ...children) => {
  $main.replaceChildren();
  append($main, children);
};
/**
 * `seq` counts the pages shown (each render, each sign-out): a page's work that ends after the user has
 * left it (an answer, a debounced redraw) checks it is still current before it draws anything.
 * @type {{ key: string | null, me: Session | null, stream: AbortController | null, onAlert: ((event: { alert: AlertView }) => unknown) | null,
 *   seq: number }}
 */
const state = { key: sessionStorage.getItem(KEY_STORE), me: null, stream: null, onAlert: null, seq: 0 };
/** A check that the page shown now is still the one that was shown when it was made. */
const stillShown = () => {
  const seq = state.seq;
  return () => seq === state.seq;
};

/** @type {Record<Verdict, string>} */
const VERDICT_LABEL = { prohibited: 'Prohibited', license_required: 'Licence required', review: 'Review', clear: 'Clear' };
/** @type {Record<AlertStatus, string>} */
const STATUS_LABEL = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  awaiting_approval: 'Awaiting approval',
  resolved: 'Resolved',
  false_positive: 'False positive',
  withdrawn: 'Withdrawn',
};
/** @type {Record<Disposition, string>} */
const DISPOSITION_LABEL = {
  shipment_held: 'Shipment held',
  licence_obtained: 'Licence obtained',
  end_use_verified: 'End use verified',
  false_match: 'False match',
  order_cancelled: 'Order cancelled',
  escalated: 'Escalated',
  other: 'Other',
};
/** @type {Record<string, string>} the kinds of alert message, as a timeline names them */
const KIND_LABEL = { raised: 'Raised', updated: 'Updated', withdrawn: 'Withdrawn', upcoming: 'Look-ahead' };
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none'];
/** @type {Record<string, string>} */
const SEVERITY_COLOR = { critical: '#8e1b16', high: '#c2570c', medium: '#e3b341', low: '#2f6db3', none: '#9ca3af' };
/** @type {Record<string, string>} */
const ROLE_LABEL = { seller: 'Seller', buyer: 'Buyer', consignee: 'Consignee', endUser: 'End user', freightForwarder: 'Freight forwarder' };
/**
 * The triage actions: the button's label, the api's path, the button's class, what the history says
 * ("anna acknowledged"), and what a bulk change's result counts ("7 acknowledged").
 * @type {Record<LifecycleAction | 'withdraw', { label: string, path: string, cls: string, did: string }>}
 */
const ACTION = {
  acknowledge: { label: 'Acknowledge', path: 'acknowledge', cls: '', did: 'acknowledged' },
  resolve: { label: 'Resolve', path: 'resolve', cls: 'ok', did: 'resolved' },
  false_positive: { label: 'False positive', path: 'false-positive', cls: 'secondary', did: 'marked false positive' },
  reopen: { label: 'Reopen', path: 'reopen', cls: 'secondary', did: 'reopened' },
  approve: { label: 'Approve', path: 'approve', cls: 'ok', did: 'approved' },
  reject: { label: 'Reject', path: 'reject', cls: 'warn', did: 'rejected' },
  assign: { label: 'Assign', path: 'assign', cls: 'secondary', did: 'assigned' },
  withdraw: { label: 'Withdraw', path: '', cls: '', did: 'withdrew' },
};
/** The actions that close a case: they need a disposition. */
const CLOSING = ['resolve', 'false_positive'];

// ---------- guidance: titles for reason codes, labels for evidence keys, next steps per verdict ----------
/** @type {Guidance} */
const NO_GUIDANCE = { version: '', date: '', source: '', notice: '', verdicts: {}, reasons: {}, evidence: {}, values: {} };
let guide = NO_GUIDANCE;
/** @type {Promise<Guidance> | null} */
let guideLoad = null;
/** Fetches assets/guidance.v1.json once (versioned data beside this script); without it, words are made from the codes. */
function loadGuidance() {
  guideLoad ??= fetch('/dashboard/assets/guidance.v1.json')
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
    .then((/** @type {Guidance} */ g) => (guide = g))
    .catch(() => {
      guideLoad = null; // tried again on the next page
      return guide;
    });
  return guideLoad;
}
/** 'PARTY_ON_WATCH_LIST' → 'Party on watch list', 'matchedName' → 'Matched name': never a raw code on the page. */
const words = (/** @type {string} */ code) => {
  const t = code
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[._]+/g, ' ')
    .trim()
    .toLowerCase();
  return t.charAt(0).toUpperCase() + t.slice(1);
};
const reasonTitle = (/** @type {string} */ code) => guide.reasons[code]?.title || words(code);
/**
 * The label of an evidence key ('suspension.until'): its own, a shorter suffix's, or its parent's with the key.
 * @param {string} path
 * @returns {string}
 */
function evidenceLabel(path) {
  const parts = path.split('.');
  for (let i = 0; i < parts.length; i++) {
    const label = guide.evidence[parts.slice(i).join('.')];
    if (label) return label;
  }
  return parts.length > 1 ? `${evidenceLabel(parts.slice(0, -1).join('.'))} · ${parts[parts.length - 1]}` : words(path);
}
/**
 * An evidence value as words: yes/no, a code's label (list, method, status…), objects as "Label: value".
 * @param {string} path
 * @param {unknown} v
 * @returns {string}
 */
function evidenceText(path, v) {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v))
    return v.length
      ? v.map((/** @type {unknown} */ x) => evidenceText(path, x)).join(v.some((x) => x && typeof x === 'object') ? ' | ' : ', ')
      : '—';
  if (typeof v === 'object')
    return Object.entries(v)
      .map(([k, x]) => /** @type {string} */ (`${evidenceLabel(`${path}.${k}`)}: ${evidenceText(`${path}.${k}`, x)}`))
      .join('; ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  const values = guide.values[/** @type {string} */ (path.split('.').pop())];
  return (values && values[String(v)]) || String(v);
}

/**
 * h()'s attributes: `on…` are listeners, `dataset` fills data-*, a non-string value for one of the element's
 * properties sets the property (selected, disabled, hidden, …), anything else is an attribute (true: present);
 * undefined, null and false are skipped.
 * @typedef {{ [name: string]: unknown, dataset?: Record<string, string>, onclick?: (e: MouseEvent) => unknown,
 *   onsubmit?: (e: SubmitEvent) => unknown, onchange?: (e: Event) => unknown }} Attrs
 */
/**
 * The element h(spec) makes: 'input.wide' → HTMLInputElement, 'div.panel' → HTMLDivElement.
 * @template {string} S
 * @typedef {S extends `${infer T}.${string}` ? TagElement<T> : TagElement<S>} ElementOf
 */
/**
 * @template {string} T
 * @typedef {T extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[T] : HTMLElement} TagElement
 */

/**
 * h('tag.class', {attrs}, ...children): strings become text nodes.
 * @template {string} S
 * @param {S} spec
 * @param {Attrs | null} [attrs]
 * @param {...unknown} children
 * @returns {ElementOf<S>}
 */
function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (el))[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return /** @type {ElementOf<S>} */ (el);
}
/**
 * @template {Element} E
 * @param {E} el
 * @param {unknown[]} children nested arrays are flattened; undefined, null and false are skipped
 * @returns {E}
 */
function append(el, children) {
  for (const c of children.flat(Infinity))
    if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}
/**
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...unknown} children
 */
const svg = (tag, attrs, ...children) => {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
};

const badge = (/** @type {string} */ cls, /** @type {string} */ text) => h(`span.badge.${cls}`, {}, text);
const verdictBadge = (/** @type {Verdict} */ v) => badge(`v-${v}`, VERDICT_LABEL[v] ?? v);
const severityBadge = (/** @type {Severity} */ s) => badge(`s-${s}`, s);
const statusBadge = (/** @type {AlertStatus} */ s) => badge(`st-${s}`, STATUS_LABEL[s] ?? s);
const dispositionText = (/** @type {string | null | undefined} */ d) =>
  d ? (DISPOSITION_LABEL[/** @type {Disposition} */ (d)] ?? words(d)) : '';
/**
 * The verdict of a case as the list, the case page and the export all say it: the verdict "as of the ship
 * date" it refers to, and a look-ahead ("from D: <verdict>") when the order changes verdict on a known date.
 * @param {AlertView} v
 */
function verdictLines(v) {
  return [
    h(
      'div.verdict-now',
      {},
      verdictBadge(v.verdict),
      v.kind === 'withdrawn' ? [' ', badge('k-withdrawn', 'withdrawn')] : null,
      v.asOf ? h('span.asof', {}, ` as of the ship date ${v.asOf}`) : null,
    ),
    v.effectiveOn && v.upcomingVerdict
      ? h(
          'div.lookahead',
          { title: 'look-ahead: the verdict this order takes from that date' },
          `from ${v.effectiveOn}: `,
          verdictBadge(v.upcomingVerdict),
        )
      : null,
  ];
}
const today = () => new Date().toISOString().slice(0, 10);
const OPEN_STATUSES = ['open', 'acknowledged', 'awaiting_approval'];
const isOverdue = (/** @type {AlertView} */ v) => !!v.dueOn && v.dueOn < today() && OPEN_STATUSES.includes(v.status);
const money = (/** @type {Money | undefined} */ ev) =>
  ev && ev.amount !== undefined
    ? `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(ev.amount)} ${ev.currency ?? ''}`.trim()
    : '—';
const when = (/** @type {string | undefined} */ iso) =>
  iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC' : '';
const ago = (/** @type {string} */ iso) => {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  return s < 60 ? 'just now' : s < 3600 ? `${Math.floor(s / 60)} min ago` : s < 86400 ? `${Math.floor(s / 3600)} h ago` : when(iso);
};

class ApiError extends Error {
  /**
   * @param {number} status
   * @param {ErrorBody | undefined} body
   */
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}
/**
 * The api's answer to a request with the session's key, as JSON (its shape: the caller's type annotation).
 * A `raw` body (a file) is sent as its bytes, with its content type.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, raw?: { bytes: Blob, type: string } }} [options]
 * @returns {Promise<any>}
 */
async function api(path, { method = 'GET', body, raw } = {}) {
  const res = await fetch(path, {
    method,
    // case data changes under the page all day (and is confidential): never kept in the browser's cache
    cache: 'no-store',
    headers: {
      'x-api-key': state.key || '',
      ...(raw ? { 'content-type': raw.type } : body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: raw ? raw.bytes : body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { message: text };
  }
  if (res.status === 401) {
    signOut('Your API key was not accepted. Sign in again.');
    throw new ApiError(401, json);
  }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

// ---------- routing ----------
function navigate(/** @type {string | null} */ path) {
  if (location.pathname + location.search !== path) history.pushState({}, '', path);
  render();
}
document.addEventListener('click', (e) => {
  const target = /** @type {Partial<Element>} */ (e.target);
  const a = target.closest && target.closest('a[data-link]');
  if (!a || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', render);
byId('signout').addEventListener('click', () => signOut());

async function render() {
  state.seq++;
  state.onAlert = null;
  const shown = stillShown();
  if (!state.key || !state.me) {
    if (state.key && !state.me) {
      try {
        state.me = await api('/session');
      } catch {
        return;
      }
      if (!shown()) return;
    } else return renderLogin();
  }
  await loadGuidance();
  if (!shown()) return;
  const me = /** @type {Session} */ (state.me);
  byId('nav').hidden = false;
  byId('session').hidden = false;
  byId('whoami').textContent = `${me.user} · ${me.role}`;
  startStream();
  const path = location.pathname.replace(/\/+$/, '') || '/dashboard';
  const m = path.match(/^\/dashboard\/alerts\/([^/]+)$/);
  const section = m
    ? 'alerts'
    : path === '/dashboard/what-if'
      ? 'what-if'
      : path === '/dashboard/exposure'
        ? 'exposure'
        : path === '/dashboard/changes'
          ? 'changes'
          : path === '/dashboard/upload'
            ? 'upload'
            : 'alerts';
  for (const a of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-nav]')))
    a.classList.toggle('active', a.dataset.nav === section);
  setMain();
  try {
    if (m) await renderAlert(decodeURIComponent(m[1]));
    else if (section === 'what-if') renderWhatIf();
    else if (section === 'exposure') await renderExposure();
    else if (section === 'changes') await renderChanges();
    else if (section === 'upload') renderUpload();
    else await renderFeed();
  } catch (err) {
    // a 401 has signed out and shows the sign-in page; an answer for a page already left is dropped
    if (shown()) setMain(h('div.panel', {}, h('p.error', {}, `Could not load this page: ${/** @type {Failure} */ (err).message}`)));
  }
}

// ---------- sign-in ----------
/** @param {string} [message] shown above the form */
function renderLogin(message) {
  byId('nav').hidden = true;
  byId('session').hidden = true;
  const input = h('input', { type: 'password', name: 'apiKey', autocomplete: 'off', placeholder: 'dw_…', required: true, autofocus: true });
  const err = h('p.error', { hidden: !message }, message || '');
  const form = h(
    'form',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        state.key = input.value.trim();
        try {
          state.me = await api('/session');
          sessionStorage.setItem(KEY_STORE, state.key);
          render();
        } catch (caught) {
          const x = /** @type {Failure} */ (caught);
          state.key = null;
          err.hidden = false;
          err.textContent = x.status === 401 || x.status === undefined ? 'That API key was not accepted.' : x.message;
        }
      },
    },
    h('label', {}, 'API key', input),
    err,
    h('button.btn', { type: 'submit' }, 'Sign in'),
  );
  setMain(
    h(
      'div.panel.login',
      {},
      h('h1', {}, 'Sign in to Dualwatch'),
      h('p', {}, 'Paste the API key your administrator gave you. It is kept for this browser tab only.'),
      form,
    ),
  );
}
/** @param {string} [message] for the sign-in page */
function signOut(message) {
  sessionStorage.removeItem(KEY_STORE);
  state.key = null;
  state.me = null;
  state.seq++;
  state.onAlert = null;
  stopStream();
  renderLogin(message);
}

// ---------- live stream (SSE over fetch, so the key travels in a header) ----------
function setLive(/** @type {string} */ cls, /** @type {string} */ text) {
  const el = byId('live');
  el.className = `live ${cls}`;
  byId('live-text').textContent = text;
}
function stopStream() {
  if (state.stream) state.stream.abort();
  state.stream = null;
}
function startStream() {
  if (state.stream) return;
  const ctl = new AbortController();
  state.stream = ctl;
  let delay = 1000;
  (async () => {
    while (!ctl.signal.aborted) {
      try {
        const res = await fetch('/alerts/stream', {
          headers: { 'x-api-key': /** @type {string} */ (state.key), accept: 'text/event-stream' },
          signal: ctl.signal,
        });
        if (res.status === 401) return signOut('Your API key was not accepted. Sign in again.');
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        setLive('on', 'live');
        delay = 1000;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let event = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trim();
            }
            if (event === 'alert' && data && state.onAlert) state.onAlert(JSON.parse(data));
          }
        }
      } catch (err) {
        if (ctl.signal.aborted) return;
      }
      setLive('off', 'reconnecting');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15000);
    }
  })();
}

// ---------- alert feed: the open queue, filters, search, saved views, bulk triage, exports ----------
/** The list's filters, as GET /alerts takes them (and the URL of the page keeps them). */
const FILTERS = [
  'q',
  'status',
  'verdict',
  'severity',
  'kind',
  'disposition',
  'assignee',
  'overdue',
  'supplier',
  'buyer',
  'country',
  'itemFamily',
  'from',
  'to',
];
/** The page's filters as in its URL (offset too): no status there means the open queue, status=all every status. */
function currentQuery() {
  const p = new URLSearchParams(location.search);
  const q = new URLSearchParams();
  for (const f of [...FILTERS, 'offset']) {
    const v = p.get(f);
    if (v) q.set(f, v);
  }
  return q;
}
/** The URL's filters as the api takes them: the open queue by default, "all" is no status filter. */
function apiFilter(/** @type {URLSearchParams} */ q) {
  const a = new URLSearchParams(q);
  a.delete('offset');
  if (!a.get('status')) a.set('status', 'queue');
  if (a.get('status') === 'all') a.delete('status');
  return a;
}
/**
 * @param {string} name
 * @param {string} label
 * @param {string[][]} options [value, text]
 * @param {string | null} value
 * @param {string} [all] the text of the empty option
 */
function select(name, label, options, value, all = 'All') {
  return h(
    'label',
    {},
    label,
    h(
      'select',
      { name },
      all ? h('option', { value: '' }, all) : null,
      options.map(([v, t]) => h('option', { value: v, selected: v === value }, t)),
    ),
  );
}
/**
 * @param {string} name
 * @param {string} label
 * @param {string | null} value
 * @param {string} placeholder
 */
function text(name, label, value, placeholder, type = 'text') {
  return h('label', {}, label, h('input', { name, type, value: value || '', placeholder: placeholder || '' }));
}
/** Filters in one order, to compare them (a saved view's query may list them in another). */
const sameFilters = (/** @type {URLSearchParams} */ a, /** @type {URLSearchParams} */ b) => {
  const norm = (/** @type {URLSearchParams} */ p) =>
    [...p]
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join('&');
  return norm(a) === norm(b);
};
/** The filters of a saved view or a form as the page's URL. */
const feedUrl = (/** @type {URLSearchParams} */ p) => `/dashboard/${p.toString() ? `?${p}` : ''}`;
/** What the filters select, in words ("Open queue · assigned to me · search "PO-1""). */
function filterWords(/** @type {URLSearchParams} */ q) {
  const st = q.get('status');
  const out = [
    !st
      ? 'Open queue'
      : st === 'all'
        ? 'Every status'
        : st
            .split(',')
            .map((x) => STATUS_LABEL[/** @type {AlertStatus} */ (x)] ?? x)
            .join(', '),
  ];
  if (q.get('assignee')) out.push(q.get('assignee') === 'me' ? 'assigned to me' : `assigned to ${q.get('assignee')}`);
  if (q.get('overdue') === 'true') out.push('overdue');
  if (q.get('q')) out.push(`search “${q.get('q')}”`);
  for (const [k, label] of [
    ['verdict', 'verdict'],
    ['severity', 'severity'],
    ['kind', 'latest message'],
    ['disposition', 'disposition'],
    ['supplier', 'supplier'],
    ['buyer', 'buyer'],
    ['country', 'ship-to'],
    ['itemFamily', 'item family'],
    ['from', 'from'],
    ['to', 'to'],
  ])
    if (q.get(k)) out.push(`${label} ${q.get(k)}`);
  return out.join(' · ');
}

/**
 * Saves a download the api answers (the key travels in a header, so a plain link cannot fetch it).
 * @param {string} path
 * @param {string} fallbackName
 */
async function download(path, fallbackName) {
  const res = await fetch(path, { cache: 'no-store', headers: { 'x-api-key': state.key || '' } });
  if (res.status === 401) {
    signOut('Your API key was not accepted. Sign in again.');
    throw new ApiError(401, undefined);
  }
  if (!res.ok) {
    let body;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    throw new ApiError(res.status, body);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '')?.[1] || fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function renderFeed() {
  const shown = stillShown();
  const me = /** @type {Session} */ (state.me);
  const canTriage = me.role !== 'viewer';
  const q = currentQuery();
  const limit = 25;
  const offset = Number(q.get('offset') || 0);
  const filter = apiFilter(q);
  /** @type {[AlertPage, AlertSummary, SavedView[]]} */
  const [page, summary, views] = await Promise.all([
    api(`/alerts?${filter}&limit=${limit}&offset=${offset}`),
    api(`/alerts/summary?${filter}`),
    api('/views').catch(() => []),
  ]);
  if (!shown()) return;

  // ----- the filters
  const form = h(
    'form.filters.panel',
    {
      name: 'filters',
      onsubmit: (e) => {
        e.preventDefault();
        const next = new URLSearchParams();
        for (const [k, v] of new FormData(/** @type {HTMLFormElement} */ (e.target))) if (String(v).trim()) next.set(k, String(v).trim());
        navigate(feedUrl(next));
      },
    },
    h(
      'label.wide.search',
      {},
      'Search',
      h('input', {
        name: 'q',
        type: 'search',
        value: q.get('q') || '',
        placeholder: 'order id, alert id, party, item family or goods',
      }),
    ),
    select(
      'status',
      'Status',
      [['all', 'Every status'], ...Object.entries(STATUS_LABEL)],
      q.get('status'),
      'Open queue (open, acknowledged, awaiting approval)',
    ),
    select('verdict', 'Verdict', Object.entries(VERDICT_LABEL), q.get('verdict')),
    select(
      'severity',
      'Severity',
      SEVERITIES.map((s) => [s, s]),
      q.get('severity'),
    ),
    select('kind', 'Latest message', Object.entries(KIND_LABEL), q.get('kind')),
    select('disposition', 'Disposition', Object.entries(DISPOSITION_LABEL), q.get('disposition')),
    text('assignee', 'Assignee', q.get('assignee'), 'user, or me'),
    h(
      'label.check',
      {},
      h('input', { type: 'checkbox', name: 'overdue', value: 'true', checked: q.get('overdue') === 'true' }),
      'Overdue only',
    ),
    text('supplier', 'Supplier', q.get('supplier'), 'seller name'),
    text('buyer', 'Buyer / end user', q.get('buyer'), 'name'),
    text('itemFamily', 'Item family', q.get('itemFamily'), 'e.g. rare earth'),
    text('country', 'Ship-to', q.get('country'), 'JP'),
    text('from', 'Raised from', q.get('from'), '', 'date'),
    text('to', 'Raised to', q.get('to'), '', 'date'),
    h(
      'div.buttons',
      {},
      h('button.btn', { type: 'submit' }, 'Apply'),
      h('a.btn.ghost', { href: '/dashboard/', 'data-link': true }, 'Clear'),
    ),
  );
  // quick views: the queue, mine, overdue, waiting for approval
  const quick = /** @type {[string, string, Record<string, string>][]} */ ([
    ['queue', 'Open queue', {}],
    ['mine', 'My alerts', { assignee: 'me' }],
    ['overdue', 'Overdue', { overdue: 'true' }],
    ['approval', 'Awaiting approval', { status: 'awaiting_approval' }],
    ['all', 'Everything', { status: 'all' }],
  ]);
  const plain = new URLSearchParams(q);
  plain.delete('offset');
  const quickBar = h(
    'nav.quick',
    { 'aria-label': 'Quick views' },
    quick.map(([id, label, params]) => {
      const p = new URLSearchParams(params);
      return h(
        `a.quick-link${sameFilters(p, plain) ? '.active' : ''}`,
        { href: feedUrl(p), 'data-link': true, dataset: { quick: id } },
        label,
      );
    }),
  );

  // ----- saved views
  const viewMsg = h('span.muted.view-msg', {});
  const viewPick = h(
    'select',
    {
      name: 'savedView',
      'aria-label': 'Saved views',
      onchange: () => {
        const v = views.find((x) => x.id === viewPick.value);
        if (v) navigate(feedUrl(new URLSearchParams(v.query)));
      },
    },
    h('option', { value: '' }, views.length ? 'Open a saved view…' : 'No saved views yet'),
    views.map((v) => h('option', { value: v.id, selected: sameFilters(new URLSearchParams(v.query), plain) }, v.name)),
  );
  const viewName = h('input', { name: 'viewName', placeholder: 'Name these filters', maxlength: 80 });
  const savedViews = h(
    'div.panel.views',
    {},
    h('label', {}, 'Saved views', viewPick),
    h(
      'button.btn.ghost.small',
      {
        type: 'button',
        id: 'delete-view',
        disabled: !views.length,
        onclick: async () => {
          const v = views.find((x) => x.id === viewPick.value);
          if (!v) return (viewMsg.textContent = 'Pick the view to delete first.');
          try {
            await api(`/views/${encodeURIComponent(v.id)}`, { method: 'DELETE' });
            if (shown()) render();
          } catch (err) {
            viewMsg.textContent = /** @type {Failure} */ (err).message;
          }
        },
      },
      'Delete view',
    ),
    h(
      'form.save-view',
      {
        onsubmit: async (e) => {
          e.preventDefault();
          const name = viewName.value.trim();
          if (!name) return (viewMsg.textContent = 'Give the view a name.');
          try {
            await api('/views', { method: 'POST', body: { name, query: Object.fromEntries(plain) } });
            if (!shown()) return;
            render();
          } catch (err) {
            viewMsg.textContent = /** @type {Failure} */ (err).message;
          }
        },
      },
      viewName,
      h('button.btn.secondary.small', { type: 'submit', id: 'save-view' }, 'Save view'),
    ),
    viewMsg,
  );

  // ----- exports: the list as CSV; the audit trail of a period (analyst+)
  const exportMsg = h('span.error', {});
  const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  const auditFrom = h('input', { type: 'date', name: 'auditFrom', value: monthAgo });
  const auditTo = h('input', { type: 'date', name: 'auditTo', value: today() });
  const exports = h(
    'div.panel.exports',
    {},
    h(
      'button.btn.secondary.small',
      {
        type: 'button',
        id: 'export-csv',
        title: 'every case these filters match, as CSV',
        onclick: () => download(`/alerts/export.csv?${filter}`, 'dualwatch-alerts.csv').catch((e) => (exportMsg.textContent = e.message)),
      },
      'Download CSV',
    ),
    canTriage
      ? h(
          'form.audit',
          {
            onsubmit: (e) => {
              e.preventDefault();
              exportMsg.textContent = '';
              download(
                `/audit/export.csv?from=${auditFrom.value}&to=${auditTo.value}`,
                `dualwatch-audit-${auditFrom.value}-${auditTo.value}.csv`,
              ).catch((err) => (exportMsg.textContent = err.message));
            },
          },
          h('span.muted', {}, 'Audit trail'),
          h('label.inline', {}, 'from', auditFrom),
          h('label.inline', {}, 'to', auditTo),
          h('button.btn.secondary.small', { type: 'submit', id: 'export-audit' }, 'Download audit trail'),
        )
      : null,
    exportMsg,
  );

  // ----- the cards and the pager's total follow the live cases: the summary counts what these filters match
  let cards = summaryCards(summary);
  let total = page.total;

  // ----- the rows: one per order, updated in place; the selection keeps the version each row showed when ticked
  const tbody = h('tbody', { id: 'feed-rows' });
  /** @type {Map<string, HTMLTableRowElement>} */
  const rows = new Map();
  /** @type {Map<string, number>} orderId → the version seen when selected */
  const selected = new Map();
  const selectAll = h('input', {
    type: 'checkbox',
    id: 'select-all',
    'aria-label': 'Select every case on this page',
    onchange: () => {
      for (const [orderId, tr] of rows) {
        const v = /** @type {AlertView} */ (rowViews.get(orderId));
        if (selectAll.checked) selected.set(orderId, v.version);
        else selected.delete(orderId);
        const box = /** @type {HTMLInputElement | null} */ (tr.querySelector('input.pick'));
        if (box) box.checked = selectAll.checked;
      }
      updateBulk();
    },
  });
  /** @type {Map<string, AlertView>} */
  const rowViews = new Map();
  const makeRow = (/** @type {AlertView} */ v, /** @type {boolean} */ fresh) =>
    alertRow(v, fresh, canTriage, selected.has(v.orderId), (on) => {
      if (on) selected.set(v.orderId, v.version);
      else selected.delete(v.orderId);
      updateBulk();
    });
  /** Draws the page's rows: rows of orders already shown are replaced in place, new ones are marked fresh, gone ones removed. */
  const drawRows = (/** @type {AlertView[]} */ items, /** @type {boolean} */ live) => {
    const next = new Map();
    const trs = items.map((v) => {
      const old = rowViews.get(v.orderId);
      const tr = old && old.version === v.version && old.updatedAt === v.updatedAt ? rows.get(v.orderId) : makeRow(v, live && !old);
      next.set(v.orderId, tr);
      return /** @type {HTMLTableRowElement} */ (tr);
    });
    tbody.replaceChildren(...trs);
    rows.clear();
    rowViews.clear();
    for (const v of items) {
      rows.set(v.orderId, next.get(v.orderId));
      rowViews.set(v.orderId, v);
    }
    // a case that left the page (resolved out of the queue, withdrawn) is no longer selected
    for (const id of [...selected.keys()]) if (!rows.has(id)) selected.delete(id);
    empty.hidden = items.length > 0;
    updateBulk();
  };
  const empty = h(
    'div.empty',
    { hidden: true },
    plain.toString() ? 'No case matches these filters.' : 'The open queue is empty. New alerts appear here as the risk-engine raises them.',
  );
  const count = h('span', {});
  const pageLink = (/** @type {number} */ o) => {
    const p = new URLSearchParams(q);
    p.set('offset', String(o));
    return `/dashboard/?${p}`;
  };
  const older = h('button.btn.secondary.small', { type: 'button', onclick: () => navigate(pageLink(offset + limit)) }, 'Older →');
  const updatePager = () => {
    count.textContent = `${total === 0 ? 0 : offset + 1}–${Math.min(offset + limit, total)} of ${total}`;
    older.disabled = offset + limit >= total;
  };
  updatePager();
  const pager = h(
    'div.pager',
    {},
    count,
    h(
      'div',
      {},
      h(
        'button.btn.secondary.small',
        { type: 'button', disabled: offset === 0, onclick: () => navigate(pageLink(Math.max(0, offset - limit))) },
        '← Newer',
      ),
      older,
    ),
  );

  // ----- bulk triage of the selected cases
  const bulkCount = h('b', {});
  const bulkNote = h('input', { name: 'bulkNote', placeholder: 'Note for the audit trail (required)', maxlength: 2000 });
  const bulkDisposition = h(
    'select',
    { name: 'bulkDisposition', 'aria-label': 'Disposition (to close)' },
    h('option', { value: '' }, 'Disposition (to close)…'),
    Object.entries(DISPOSITION_LABEL).map(([k, t]) => h('option', { value: k }, t)),
  );
  const bulkAssignee = h('input', { name: 'bulkAssignee', placeholder: 'assignee', maxlength: 64, size: 10 });
  const bulkDue = h('input', { name: 'bulkDue', type: 'date', 'aria-label': 'Due date' });
  const bulkResult = h('div.bulk-result', { hidden: true });
  const bulkBar = h(
    'div.panel.bulk',
    { hidden: true },
    h('div', {}, bulkCount, ' selected'),
    bulkNote,
    h(
      'div.buttons',
      {},
      /** @type {LifecycleAction[]} */ (['acknowledge', 'resolve', 'false_positive', 'reopen']).map((x) =>
        h(
          `button.btn.small${ACTION[x].cls ? `.${ACTION[x].cls}` : ''}`,
          { type: 'button', dataset: { bulk: x }, onclick: () => bulk(x) },
          ACTION[x].label,
        ),
      ),
      bulkDisposition,
    ),
    h(
      'div.buttons',
      {},
      bulkAssignee,
      bulkDue,
      h('button.btn.small.secondary', { type: 'button', dataset: { bulk: 'assign' }, onclick: () => bulk('assign') }, 'Assign'),
      h(
        'button.btn.small.ghost',
        {
          type: 'button',
          onclick: () => {
            selected.clear();
            for (const b of /** @type {NodeListOf<HTMLInputElement>} */ (tbody.querySelectorAll('input.pick'))) b.checked = false;
            updateBulk();
          },
        },
        'Clear selection',
      ),
    ),
  );
  const updateBulk = () => {
    bulkBar.hidden = !canTriage || selected.size === 0;
    bulkCount.textContent = String(selected.size);
    selectAll.checked = rows.size > 0 && [...rows.keys()].every((id) => selected.has(id));
    selectAll.indeterminate = !selectAll.checked && [...rows.keys()].some((id) => selected.has(id));
  };
  const bulk = async (/** @type {LifecycleAction} */ action) => {
    const say = (/** @type {string} */ m, cls = 'error') => {
      bulkResult.hidden = false;
      bulkResult.replaceChildren(h(`p.${cls}`, {}, m));
    };
    if (!bulkNote.value.trim()) return say('Write a note first: every change is recorded with it.');
    if (CLOSING.includes(action) && !bulkDisposition.value) return say('Choose a disposition to close these cases.');
    if (action === 'assign' && !bulkAssignee.value.trim()) return say('Name the person to assign them to.');
    const items = [...selected].map(([id, version]) => ({ id, version }));
    /** @type {{ results: BulkResult[] }} */
    let r;
    try {
      r = await api(`/alerts/bulk/${ACTION[action].path}`, {
        method: 'POST',
        body: {
          items,
          note: bulkNote.value.trim(),
          ...(CLOSING.includes(action) ? { disposition: bulkDisposition.value } : {}),
          ...(action === 'assign' ? { assignee: bulkAssignee.value.trim(), dueOn: bulkDue.value || null } : {}),
        },
      });
    } catch (err) {
      return say(/** @type {Failure} */ (err).message);
    }
    if (!shown()) return;
    bulkResult.hidden = false;
    bulkResult.replaceChildren(bulkSummary(action, r.results));
    selected.clear();
    for (const x of r.results) if (x.status !== 200) selected.set(x.id, rowViews.get(x.id)?.version ?? 0);
    bulkNote.value = '';
    await refresh(false);
  };

  /** The page again (after a bulk change, or live changes): the same filters and offset. */
  const refresh = async (/** @type {boolean} */ live) => {
    if (!shown()) return;
    /** @type {[AlertPage, AlertSummary]} */
    const [p, s] = await Promise.all([api(`/alerts?${filter}&limit=${limit}&offset=${offset}`), api(`/alerts/summary?${filter}`)]);
    if (!shown()) return;
    // a selected case that stays keeps the version it showed when ticked; the rows show the current one
    drawRows(p.items, live);
    const nextCards = summaryCards(s);
    cards.replaceWith(nextCards);
    cards = nextCards;
    total = Math.max(p.total, s.total);
    updatePager();
  };
  drawRows(page.items, false);

  setMain(
    h(
      'div.page-head',
      {},
      h(
        'div',
        {},
        h('h1', {}, 'Alerts'),
        h(
          'div.muted',
          {},
          'One case per order exposed to China\u2019s dual-use export ban on Japanese military end use, newest first. Changes appear without reloading.',
        ),
      ),
    ),
    cards,
    quickBar,
    form,
    h('div.toolbar', {}, savedViews, exports),
    bulkBar,
    bulkResult,
    h(
      'div.panel.table-panel',
      {},
      h('div.list-title', {}, h('b', { id: 'list-filter' }, filterWords(q))),
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th.pick', {}, canTriage ? selectAll : null),
            ['Severity', 'Verdict', 'Order', 'Supplier → buyer', 'Ship-to', 'Item families', 'Exposed value', 'Status', 'Raised'].map(
              (t, i) => h(`th${i === 6 ? '.num' : ''}`, {}, t),
            ),
          ),
        ),
        tbody,
      ),
      empty,
      pager,
    ),
  );

  // live: any new or changed case redraws this page from the api (a burst at once), so a row is updated in place,
  // a new case that passes the filters appears, and one that no longer passes (withdrawn, closed) leaves
  const refreshLive = debounce(() => refresh(true).catch(() => undefined), 300);
  state.onAlert = () => {
    if (shown()) refreshLive();
  };
}
/**
 * The outcome of a bulk change in words: "7 acknowledged, 1 changed since you loaded it", and the cases refused.
 * @param {LifecycleAction} action
 * @param {BulkResult[]} results
 */
function bulkSummary(action, results) {
  const done = results.filter((r) => r.status === 200);
  const stale = results.filter((r) => r.error === 'STALE_VERSION');
  const missing = results.filter((r) => r.status === 404);
  const refused = results.filter((r) => r.status !== 200 && r.status !== 404 && r.error !== 'STALE_VERSION');
  const waiting = done.filter((r) => r.view?.status === 'awaiting_approval');
  const parts = [`${done.length - waiting.length} ${ACTION[action].did}`];
  if (waiting.length) parts.push(`${waiting.length} waiting for a second person's approval`);
  if (stale.length) parts.push(`${stale.length} changed since you loaded it`);
  if (refused.length) parts.push(`${refused.length} refused`);
  if (missing.length) parts.push(`${missing.length} not found`);
  const bad = [...stale, ...refused, ...missing];
  return h(
    'div',
    {},
    h(`p.${bad.length ? 'warn-text' : 'ok-text'}`, { id: 'bulk-summary' }, `${parts.join(', ')}.`),
    bad.length
      ? h(
          'ul.bulk-failures',
          {},
          bad.map((r) =>
            h(
              'li',
              { dataset: { order: r.id } },
              h('b', {}, r.id),
              ': ',
              r.error === 'STALE_VERSION'
                ? 'changed by someone else since you loaded it: check it and try again (it is still selected)'
                : r.message || r.error || `HTTP ${r.status}`,
            ),
          ),
        )
      : null,
  );
}
function summaryCards(/** @type {AlertSummary} */ summary) {
  const queue = OPEN_STATUSES.reduce((n, s) => n + (summary.byStatus[s] || 0), 0);
  const value = summary.exposedValue[0];
  return h(
    'div.grid.cards',
    {},
    card('Cases', summary.total, `${queue} in the open queue · ${summary.byStatus.awaiting_approval || 0} awaiting approval`),
    card('Critical', summary.bySeverity.critical || 0, 'prohibited exposure', 'critical'),
    card('High', summary.bySeverity.high || 0, 'licence required or strong signals', 'high'),
    card(
      'Exposed value',
      value ? money(value) : '—',
      summary.exposedValue.length > 1 ? `+ ${summary.exposedValue.length - 1} other currencies` : 'on controlled PRC-origin lines',
    ),
  );
}
/**
 * @param {string} label
 * @param {string | number} value
 * @param {string} sub
 */
function card(label, value, sub, cls = '') {
  return h(
    `div.panel.card${cls ? `.${cls}` : ''}`,
    {},
    h('div.label', {}, label),
    h('div.value', {}, String(value)),
    h('div.sub', {}, sub),
  );
}
/** A case's status with what goes with it: the assignee and due date (overdue), a pending approval. */
function statusCell(/** @type {AlertView} */ v) {
  return [
    statusBadge(v.status),
    v.pending ? h('div.muted.small', {}, `requested by ${v.pending.requestedBy}`) : null,
    v.disposition && !OPEN_STATUSES.includes(v.status) ? h('div.muted.small', {}, dispositionText(v.disposition)) : null,
    v.assignee ? h('div.small.assignee', {}, '→ ', v.assignee) : null,
    v.dueOn ? h(`div.small${isOverdue(v) ? '.overdue' : '.muted'}`, {}, `${isOverdue(v) ? 'overdue since' : 'due'} ${v.dueOn}`) : null,
  ];
}
/**
 * @param {AlertView} v
 * @param {boolean} fresh
 * @param {boolean} canPick
 * @param {boolean} picked
 * @param {(on: boolean) => void} onPick
 */
function alertRow(v, fresh, canPick, picked, onPick) {
  const href = `/dashboard/alerts/${encodeURIComponent(v.orderId)}`;
  return h(
    `tr.row${fresh ? '.fresh' : ''}`,
    {
      dataset: { orderId: v.orderId, alertId: v.alertId, status: v.status, version: String(v.version) },
      onclick: (/** @type {MouseEvent} */ e) => {
        if (!(/** @type {Element} */ (e.target).closest('td.pick'))) navigate(href);
      },
    },
    h(
      'td.pick',
      {},
      canPick
        ? h('input.pick', {
            type: 'checkbox',
            checked: picked,
            'aria-label': `Select ${v.orderId}`,
            onchange: (/** @type {Event} */ e) => onPick(/** @type {HTMLInputElement} */ (e.target).checked),
          })
        : null,
    ),
    h('td', {}, severityBadge(v.severity)),
    h('td.verdict', {}, verdictLines(v)),
    h('td', {}, h('a.order', { href, 'data-link': true }, v.orderId), h('div.headline', {}, v.headline || '')),
    h(
      'td',
      {},
      h('div', {}, v.seller || '—'),
      h('div.muted', {}, '→ ', v.buyer || '—', v.endUser && v.endUser !== v.buyer ? ` (end user ${v.endUser})` : ''),
    ),
    h('td.nowrap', {}, v.shipTo || '—'),
    h('td', {}, v.itemFamilies.length ? v.itemFamilies.map((f) => h('span.chip', {}, f)) : h('span.muted', {}, '—')),
    h('td.num', {}, money(v.exposedValue)),
    h('td.status', {}, statusCell(v)),
    h('td.nowrap', { title: `first raised ${when(v.raisedAt)}; latest message ${when(v.updatedAt)}` }, ago(v.raisedAt)),
  );
}

// ---------- one alert ----------
function reasonWeight(/** @type {string} */ code) {
  if (/CONTROL_LIST|MILITARY/.test(code)) return 3;
  if (/WATCH_LIST|END_USE/.test(code)) return 2;
  return /PARTY|RED_FLAG|ORIGIN/.test(code) ? 1 : 0;
}
/**
 * The evidence as [label, text] rows (nested objects as rows of their own, 'Suspended until').
 * @param {object | undefined} obj
 * @returns {[string, string][]}
 */
function evidenceRows(obj, prefix = '') {
  /** @type {[string, string][]} */
  const out = [];
  for (const [k, v] of Object.entries(obj || {})) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...evidenceRows(v, name));
    else out.push([evidenceLabel(name), evidenceText(name, v)]);
  }
  return out;
}
function shortUrl(/** @type {string} */ url) {
  try {
    const u = new URL(url);
    const p = decodeURIComponent(u.pathname);
    return `${u.hostname.replace(/^www\./, '')}${p.length > 48 ? `${p.slice(0, 47)}…` : p}`;
  } catch {
    return url;
  }
}
// Source kinds, strongest first (libs/refdata/data/source-kinds.json): the evidence of policy v2 carries
// `sourceKinds` beside `sources`, one kind per URL.
const SOURCE_KIND_RANK = ['official', 'law_firm', 'press', 'research', 'registry', 'vendor', 'forum', 'unclassified'];
/** @type {Record<string, string>} */
const SOURCE_KIND_LABEL = {
  official: 'official',
  law_firm: 'law firm',
  press: 'press',
  research: 'research',
  registry: 'registry',
  vendor: 'vendor',
  forum: 'forum',
  unclassified: 'unclassified',
};
/**
 * Every source URL of the evidence, with its kind where the evidence gives one.
 * @param {unknown} evidence
 */
function kindedSources(evidence) {
  /** @type {Map<string, string | undefined>} */
  const kindOf = new Map();
  const walk = (/** @type {unknown} */ o) => {
    if (!o || typeof o !== 'object') return;
    if (Array.isArray(o)) {
      o.forEach(walk);
      return;
    }
    // `sources` with `sourceKinds`, `hubSources` with `hubSourceKinds`, ...
    const rec = /** @type {Record<string, unknown>} */ (o);
    for (const [k, urls] of Object.entries(rec)) {
      if (!Array.isArray(urls)) continue;
      const kinds = k.endsWith('ources') ? rec[`${k.slice(0, -1)}Kinds`] : undefined;
      urls.forEach((u, i) => {
        if (typeof u === 'string' && /^https?:\/\//.test(u) && !kindOf.get(u)) kindOf.set(u, Array.isArray(kinds) ? kinds[i] : undefined);
      });
    }
    for (const v of Object.values(o)) if (v && typeof v === 'object') walk(v);
  };
  walk(evidence);
  return kindOf;
}
/**
 * @param {string[]} urls
 * @param {Map<string, string | undefined>} kindOf
 */
function rankedSources(urls, kindOf) {
  const rank = (/** @type {string} */ u) => {
    const i = SOURCE_KIND_RANK.indexOf(/** @type {string} */ (kindOf.get(u)));
    return i < 0 ? SOURCE_KIND_RANK.length : i;
  };
  return urls
    .map((u, i) => /** @type {[string, number]} */ ([u, i]))
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1])
    .map(([u]) => u);
}
function renderReason(/** @type {Reason} */ r) {
  const ev = evidenceRows(r.evidence);
  const kindOf = kindedSources(r.evidence);
  // the URLs of the evidence's source lists (whole, commas and all), then any other URL in its text
  const known = [...kindOf.keys()];
  const loose = ev.flatMap(([, v]) => v.match(/https?:\/\/[^\s,]+/g) || []).filter((u) => !known.some((k) => k.startsWith(u)));
  const sources = rankedSources([...new Set([...known, ...loose])], kindOf);
  const next = guide.reasons[r.code]?.next;
  return h(
    `div.reason.w${reasonWeight(r.code)}`,
    { dataset: { code: r.code } },
    h('div.title', {}, reasonTitle(r.code)),
    h('div.msg', {}, r.message),
    next ? h('div.next', {}, h('b', {}, 'Next step: '), next) : null,
    h(
      'div.meta',
      {},
      r.lineId ? h('span', {}, `Line ${r.lineId}`) : null,
      r.partyRole ? h('span', {}, ROLE_LABEL[r.partyRole] || r.partyRole) : null,
      r.matchScore !== undefined ? h('span', {}, `match ${Math.round(r.matchScore * 100)} %`) : null,
    ),
    r.legalBasis ? h('div.legal', {}, h('b', {}, 'Legal basis: '), r.legalBasis) : null,
    sources.length
      ? h(
          'div.legal',
          {},
          h('b', {}, sources.length === 1 ? 'Source' : 'Sources'),
          h(
            'ul.sources',
            {},
            sources.map((url) => {
              const kind = kindOf.get(url);
              return h(
                'li',
                {},
                kind ? h(`span.kind.k-${kind}`, {}, SOURCE_KIND_LABEL[kind] || kind) : null,
                h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', title: url }, shortUrl(url)),
              );
            }),
          ),
        )
      : null,
    ev.length
      ? h(
          'details',
          {},
          h('summary.muted', {}, `Evidence (${ev.length} fields)`),
          h(
            'table.evidence',
            {},
            h(
              'tbody',
              {},
              ev.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v))),
            ),
          ),
        )
      : null,
  );
}
function reasonsPanel(/** @type {{ reasons: Reason[] }} */ a, boxed = true) {
  const reasons = [...a.reasons].sort((x, y) => reasonWeight(y.code) - reasonWeight(x.code));
  return h(
    boxed ? 'div.panel' : 'div',
    {},
    h('h2', {}, `Why: ${reasons.length} reason${reasons.length === 1 ? '' : 's'}`),
    reasons.length ? reasons.map(renderReason) : h('p.muted', {}, 'No reason recorded.'),
  );
}
/** What to do about a verdict (hold, escalate, …), from the guidance; nothing without it. */
function nextStepsPanel(/** @type {Verdict} */ verdict, boxed = true) {
  const g = guide.verdicts[verdict];
  if (!g) return null;
  return h(
    `div.next-steps.ns-${verdict}${boxed ? '.panel' : ''}`,
    {},
    h('h2', {}, `What to do: ${g.title}`),
    h(
      'ol',
      {},
      g.steps.map((x) => h('li', {}, x)),
    ),
    h('p.muted.small', { title: guide.source }, `${guide.notice} (${guide.version}, ${guide.date})`),
  );
}

async function renderAlert(/** @type {string} */ id) {
  const shown = stillShown();
  /** @type {AlertDetail} */
  const d = await api(`/alerts/${encodeURIComponent(id)}`);
  if (!shown()) return;
  drawCase(d, shown);
}

/**
 * A case's timeline: its alert messages (raised, updated, withdrawn, look-ahead) and its triage events, oldest first.
 * @param {AlertDetail} d
 */
function caseTimeline(d) {
  /** @type {{ at: string, order: number, el: unknown[] }[]} */
  const entries = [
    ...d.messages.map((m, i) => ({
      at: m.raisedAt,
      order: i,
      el: [
        h(
          `div.msg-line.m-${m.kind}`,
          {},
          h('b', {}, `${KIND_LABEL[m.kind] ?? m.kind}: `),
          m.kind === 'upcoming'
            ? [`from ${m.effectiveOn ?? '?'}: `, verdictBadge(m.verdict)]
            : [verdictBadge(m.verdict), m.asOf ? ` as of the ship date ${m.asOf}` : ''],
          ' ',
          severityBadge(m.severity),
          ` score ${m.score}`,
          m.previousVerdict ? ` (was ${VERDICT_LABEL[m.previousVerdict] ?? m.previousVerdict})` : '',
        ),
        h('div.muted.small', {}, `alert ${m.alertId}`),
      ],
    })),
    ...d.lifecycle.history.map((c, i) => ({
      at: c.at,
      order: 1000 + i,
      el: [
        h(
          `div.event.e-${c.action}`,
          {},
          h('b', {}, c.user),
          ` ${ACTION[c.action]?.did ?? c.action}`,
          c.action === 'assign'
            ? c.assignee
              ? `: to ${c.assignee}${c.dueOn ? `, due ${c.dueOn}` : ''}`
              : ': nobody'
            : [': ', STATUS_LABEL[c.from] ?? c.from, ' → ', statusBadge(c.to)],
          c.disposition ? ` · ${dispositionText(c.disposition)}` : '',
          c.to === 'awaiting_approval' ? ' · waiting for a second person' : '',
        ),
        c.note ? h('div.note', {}, c.note) : null,
      ],
    })),
  ];
  return h(
    'ul.timeline',
    {},
    entries.sort((x, y) => x.at.localeCompare(y.at) || x.order - y.order).map((e) => h('li', {}, h('div.when', {}, when(e.at)), e.el)),
  );
}

/**
 * One case: its verdict (as of the ship date, and a look-ahead), what to do, the reasons, triage and assignment,
 * its timeline. Every change names the version shown; a stale one redraws the page with the current state.
 * @param {AlertDetail} d
 * @param {() => boolean} shown
 * @param {{ flash?: string, flashCls?: string, note?: string }} [o]
 */
function drawCase(d, shown, o = {}) {
  const v = d.view;
  const a = d.alert.assessment;
  const me = /** @type {Session} */ (state.me);
  const canTriage = me.role !== 'viewer';
  const version = d.lifecycle.version;
  const allowed = d.lifecycle.allowedActions;
  const note = h('textarea', {
    name: 'note',
    rows: 3,
    placeholder: 'Note for the audit trail (required): what you checked, who you asked…',
    maxlength: 2000,
  });
  note.value = o.note || '';
  const msg = h(`p.${o.flashCls || 'error'}`, { id: 'case-msg', hidden: !o.flash, role: 'status' }, o.flash || '');
  const say = (/** @type {string} */ m, cls = 'error') => {
    msg.hidden = false;
    msg.className = cls;
    msg.textContent = m;
  };
  const disposition = h(
    'select',
    { name: 'disposition' },
    h('option', { value: '' }, 'Choose… (needed to close)'),
    Object.entries(DISPOSITION_LABEL).map(([k, t]) => h('option', { value: k }, t)),
  );
  const assignee = h('input', { name: 'assignee', value: v.assignee || '', placeholder: 'user name', maxlength: 64 });
  const dueOn = h('input', { name: 'dueOn', type: 'date', value: v.dueOn || '' });
  let busy = false;
  const act = async (/** @type {LifecycleAction} */ action) => {
    if (busy) return;
    if (!note.value.trim()) {
      say('Write a note first: every change is recorded with it.');
      note.focus();
      return;
    }
    if (CLOSING.includes(action) && !disposition.value) {
      say(`Choose a disposition to ${action === 'resolve' ? 'resolve' : 'mark a false positive'}: what was the outcome?`);
      disposition.focus();
      return;
    }
    /** @type {Record<string, unknown>} */
    const body = { note: note.value.trim(), version };
    if (CLOSING.includes(action)) body.disposition = disposition.value;
    if (action === 'assign') {
      body.assignee = assignee.value.trim() || null;
      body.dueOn = dueOn.value || null;
    }
    busy = true;
    try {
      /** @type {AlertDetail} */
      const next = await api(`/alerts/${encodeURIComponent(v.orderId)}/${ACTION[action].path}`, { method: 'POST', body });
      if (!shown()) return;
      const done =
        next.view.status === 'awaiting_approval' && CLOSING.includes(action)
          ? 'Sent for approval: another person must approve this close.'
          : `Done: ${ACTION[action].did}.`;
      drawCase(next, shown, { flash: done, flashCls: 'ok-text' });
    } catch (caught) {
      const err = /** @type {Failure} */ (caught);
      if (!shown()) return;
      const b = err.body || {};
      if (err.status === 409 && b.error === 'STALE_VERSION' && b.current) {
        const last = b.current.lifecycle.history[b.current.lifecycle.history.length - 1];
        drawCase(b.current, shown, {
          flash: `This case was changed by someone else since you opened it${last ? ` (${last.user} ${ACTION[last.action]?.did ?? last.action})` : ''}: here is its current state. Your note is kept; check it and try again.`,
          note: note.value,
        });
      } else if (err.status === 409 && b.error === 'SAME_PERSON') say('You asked for this close: another person must approve it.');
      else say(err.message);
    } finally {
      busy = false;
    }
  };
  const transitions = allowed.filter((x) => x !== 'assign');
  const mine = !!v.pending && v.pending.requestedBy === me.user;
  const pendingBanner = v.pending
    ? h(
        'div.pending-banner',
        { id: 'pending' },
        h(
          'b',
          {},
          `Waiting for a second person's approval: requested by ${v.pending.requestedBy}`,
          ` (${v.pending.action === 'resolve' ? 'resolve' : 'false positive'}${v.pending.disposition ? `, ${dispositionText(v.pending.disposition)}` : ''}) on ${when(v.pending.requestedAt)}.`,
        ),
        v.pending.note ? h('div.note', {}, `“${v.pending.note}”`) : null,
        h(
          'div',
          {},
          mine
            ? 'You asked for this close: someone else must approve it. You may reject (withdraw) your request.'
            : canTriage
              ? 'Approve to close the case as requested, or reject to send it back.'
              : 'An analyst other than the requester must approve it.',
        ),
      )
    : null;
  const actions = h(
    'div.panel.actions',
    {},
    h('h2', {}, 'Triage'),
    h('div', {}, 'Status: ', statusBadge(d.lifecycle.status), h('span.muted', {}, ` · version ${version}`)),
    v.disposition && !OPEN_STATUSES.includes(v.status) ? h('div', {}, 'Disposition: ', dispositionText(v.disposition)) : null,
    pendingBanner,
    canTriage
      ? [
          h('label', {}, 'Note', note),
          transitions.some((x) => CLOSING.includes(x)) ? h('label', {}, 'Disposition', disposition) : null,
          transitions.length
            ? h(
                'div.buttons',
                {},
                transitions.map((x) =>
                  h(
                    `button.btn${ACTION[x].cls ? `.${ACTION[x].cls}` : ''}`,
                    {
                      type: 'button',
                      dataset: { action: x },
                      disabled: x === 'approve' && mine,
                      title: x === 'approve' && mine ? 'you asked for this close: another person must approve it' : undefined,
                      onclick: () => act(x),
                    },
                    ACTION[x].label,
                  ),
                ),
              )
            : h('p.muted', {}, 'No status change is possible from this status.'),
          msg,
        ]
      : h('p.muted', {}, 'Your role can read alerts but not change them.'),
  );
  const assignment = h(
    'div.panel.assignment',
    {},
    h('h2', {}, 'Assignment'),
    h(
      'div',
      { id: 'assigned' },
      v.assignee ? ['Assigned to ', h('b', {}, v.assignee)] : 'Nobody is assigned.',
      v.dueOn ? h(`span${isOverdue(v) ? '.overdue' : ''}`, {}, ` · due ${v.dueOn}${isOverdue(v) ? ' (overdue)' : ''}`) : null,
    ),
    canTriage && allowed.includes('assign')
      ? [
          h('div.form-grid', {}, h('label', {}, 'Assignee', assignee), h('label', {}, 'Due date', dueOn)),
          h(
            'div.buttons',
            {},
            h('button.btn.secondary', { type: 'button', dataset: { action: 'assign' }, onclick: () => act('assign') }, 'Assign'),
            h(
              'button.btn.ghost.small',
              {
                type: 'button',
                onclick: () => {
                  assignee.value = me.user;
                },
              },
              'Me',
            ),
          ),
          h('p.muted.small', {}, 'Uses the note above. An empty assignee unassigns the case.'),
        ]
      : null,
  );
  const s = d.alert.summary || {};
  const facts = h(
    'div.panel',
    {},
    h('h2', {}, 'Order'),
    h(
      'dl.facts',
      {},
      [
        ['Order', d.alert.orderId],
        ['Seller', s.seller],
        ['Buyer', s.buyer],
        ['End user', s.endUser],
        ['Ship-to', s.shipTo],
        ['Item families', (s.itemFamilies || []).join(', ')],
        ['Exposed value', money(a.exposedValue)],
        ['Verdict as of (ship date)', a.asOf],
        ['Assessed', when(a.assessedAt)],
        ['Policy', a.policyVersion],
        ['Reference data', `${a.refdataVersion}${a.degraded ? ' (fallback: bundled snapshot)' : ''}`],
        ['Latest alert id', d.alert.alertId],
      ]
        .filter(([, x]) => x)
        .map(([k, x]) => [h('dt', {}, k), h('dd', {}, x)]),
    ),
  );
  const ahead = d.upcoming && v.effectiveOn && v.upcomingVerdict ? d.upcoming.assessment : null;
  /** Changed live by someone (or the projector) while the user is writing: said, not redrawn under their hands. */
  const changedNotice = h(
    'p.notice',
    { id: 'changed-live', hidden: true },
    'This case has changed since you opened it. ',
    h('button.btn.small.secondary', { type: 'button', onclick: () => render() }, 'Show the current state'),
  );
  setMain(
    h('div', {}, h('a', { href: '/dashboard/', 'data-link': true }, '← Open queue')),
    h(
      'div.alert-head',
      {},
      h(
        'div',
        {},
        h(
          'div.title',
          {},
          h('h1', {}, v.orderId),
          severityBadge(v.severity),
          statusBadge(d.lifecycle.status),
          v.kind === 'upcoming' ? badge('k-upcoming', 'look-ahead only') : null,
        ),
        h('div.verdict-head', {}, verdictLines(v)),
        h(
          'div.muted',
          {},
          `${s.seller || '?'} → ${s.buyer || '?'}${s.shipTo ? ` · ship-to ${s.shipTo}` : ''} · first raised ${when(v.raisedAt)}`,
        ),
      ),
      h('div.score', {}, String(a.score), h('small', {}, ' / 100')),
    ),
    changedNotice,
    v.kind === 'withdrawn'
      ? h('p.notice', {}, 'The order was cancelled: its alert was withdrawn and the case left the open queue by itself.')
      : null,
    a.degraded ? h('p.notice', {}, 'Scored with the bundled reference data because the live reference data was unavailable.') : null,
    h(
      'div.layout-2',
      {},
      h(
        'div.stack',
        {},
        nextStepsPanel(v.verdict),
        reasonsPanel(a),
        ahead
          ? h(
              'div.panel.lookahead-panel',
              {},
              h('h2', {}, `Look-ahead: from ${v.effectiveOn}, `, verdictBadge(/** @type {Verdict} */ (v.upcomingVerdict))),
              h(
                'p.muted',
                {},
                'A known change (a listing taking effect, a suspension ending) gives this order another verdict from that date.',
              ),
              reasonsPanel(ahead, false),
            )
          : null,
      ),
      h('div.stack', {}, actions, assignment, facts, h('div.panel', {}, h('h2', {}, 'History'), caseTimeline(d))),
    ),
  );
  state.onAlert = ({ alert }) => {
    if (!shown() || alert.orderId !== v.orderId || (alert.version === version && alert.updatedAt === v.updatedAt)) return;
    const dirty = note.value.trim() || document.activeElement === note || busy;
    if (dirty) changedNotice.hidden = false;
    else
      api(`/alerts/${encodeURIComponent(v.orderId)}`)
        .then((/** @type {AlertDetail} */ next) => shown() && drawCase(next, shown))
        .catch(() => undefined);
  };
}

// ---------- exposure charts ----------
async function renderExposure() {
  const shown = stillShown();
  // every status unless the URL names some (the feed's default is the open queue, this page's every case)
  const q = currentQuery();
  q.delete('offset');
  if (!q.get('status')) q.set('status', 'all');
  const filter = new URLSearchParams(q);
  if (filter.get('status') === 'all') filter.delete('status');
  /** @type {AlertSummary} */
  const s = await api(`/alerts/summary?${filter}`);
  if (!shown()) return; // the user went elsewhere meanwhile
  setMain(
    h(
      'div.page-head',
      {},
      h(
        'div',
        {},
        h('h1', {}, 'Exposure'),
        h(
          'div.muted',
          {},
          `${s.total} cases (one per order) · exposed value ${s.exposedValue.map(money).join(' + ') || '—'}`,
          ` · ${filterWords(q)}`,
        ),
      ),
    ),
    h(
      'div.grid.charts',
      {},
      h(
        'div.panel.chart',
        {},
        h('h2', {}, 'Alerts over time, by severity'),
        timeChart(s.overTime),
        h(
          'div.legend',
          {},
          SEVERITIES.map((x) => {
            const l = h('span', {}, x);
            l.style.setProperty('--c', SEVERITY_COLOR[x]);
            return l;
          }),
        ),
      ),
      h(
        'div.panel.chart',
        {},
        h('h2', {}, 'Verdicts, as of each order\u2019s ship date'),
        h(
          'p.muted.small',
          { id: 'verdict-note' },
          'Each order counts once, with the verdict its alert list row and case page show. A look-ahead (“from D: …”) is not counted until a new assessment takes it over.',
        ),
        barChart(
          Object.entries(VERDICT_LABEL).map(([k, t]) => ({
            label: t,
            value: s.byVerdict[k] || 0,
            color: /** @type {Record<string, string>} */ ({
              prohibited: '#b3261e',
              license_required: '#c2570c',
              review: '#e3b341',
              clear: '#2e7d32',
            })[k],
          })),
          (x) => String(x),
        ),
      ),
      h(
        'div.panel.chart',
        {},
        h('h2', {}, 'Exposure by supplier'),
        barChart(
          s.bySupplier.slice(0, 10).map((g) => ({ label: g.supplier, value: g.alerts, note: g.exposedValue.map(money).join(' + ') })),
          (x) => `${x} alert${x === 1 ? '' : 's'}`,
        ),
      ),
      h(
        'div.panel.chart',
        {},
        h('h2', {}, 'Exposure by item family'),
        barChart(
          s.byItemFamily.slice(0, 10).map((g) => ({ label: g.itemFamily, value: g.alerts, note: g.exposedValue.map(money).join(' + ') })),
          (x) => `${x} alert${x === 1 ? '' : 's'}`,
        ),
      ),
    ),
  );
  // redrawn a second after a burst of live alerts, unless the user has left the page by then
  state.onAlert = debounce(() => {
    if (shown()) renderExposure().catch(() => undefined);
  }, 1000);
}
/**
 * fn, called ms after the last of a burst of calls.
 * @template {unknown[]} A
 * @param {(...args: A) => unknown} fn
 * @param {number} ms
 * @returns {(...args: A) => void}
 */
function debounce(fn, ms) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let t;
  return (...a) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}

function timeChart(/** @type {AlertSummary['overTime']} */ days) {
  const W = 640,
    H = 240,
    L = 34,
    B = 26,
    T = 10;
  if (!days.length) return h('p.muted', {}, 'No alerts yet.');
  // the last 30 days that have data, filled with empty days in between
  const start = new Date(`${days[Math.max(0, days.length - 30)].date}T00:00:00Z`);
  const end = new Date(`${days[days.length - 1].date}T00:00:00Z`);
  const byDate = new Map(days.map((d) => [d.date, d.bySeverity]));
  /** @type {{ date: string, s: Record<string, number> }[]} */
  const series = [];
  for (let t = start.getTime(); t <= end.getTime(); t += 86400000) {
    const d = new Date(t).toISOString().slice(0, 10);
    series.push({ date: d, s: byDate.get(d) || {} });
  }
  const max = Math.max(1, ...series.map((d) => SEVERITIES.reduce((n, k) => n + (d.s[k] || 0), 0)));
  const bw = (W - L - 8) / series.length;
  const y = (/** @type {number} */ n) => H - B - ((H - B - T) * n) / max;
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Alerts per day by severity' });
  for (const tick of [0, Math.ceil(max / 2), max])
    g.append(
      svg('line', { x1: L, x2: W - 4, y1: y(tick), y2: y(tick), stroke: '#e5e7eb' }),
      svg('text', { x: L - 6, y: y(tick) + 4, 'text-anchor': 'end' }, String(tick)),
    );
  series.forEach((d, i) => {
    let acc = 0;
    for (const k of [...SEVERITIES].reverse()) {
      const n = d.s[k] || 0;
      if (!n) continue;
      g.append(
        svg(
          'rect',
          { x: L + i * bw + bw * 0.15, width: bw * 0.7, y: y(acc + n), height: y(acc) - y(acc + n), fill: SEVERITY_COLOR[k] },
          svg('title', {}, `${d.date}: ${n} ${k}`),
        ),
      );
      acc += n;
    }
    if (series.length <= 10 || i % Math.ceil(series.length / 8) === 0)
      g.append(svg('text', { x: L + i * bw + bw / 2, y: H - 8, 'text-anchor': 'middle' }, d.date.slice(5)));
  });
  return g;
}
/**
 * Horizontal bars as HTML (not SVG text, which cannot wrap): each row's label and value above its bar,
 * wrapping inside the panel however long the value (several currencies) or narrow the screen.
 * @param {{ label: string, value: number, color?: string, note?: string }[]} items
 * @param {(value: number) => string} fmt
 */
function barChart(items, fmt) {
  if (!items.length) return h('p.muted', {}, 'No alerts yet.');
  const max = Math.max(1, ...items.map((i) => i.value));
  return h(
    'div.bars',
    {},
    items.map((it) => {
      const fill = h('span.bar-fill');
      fill.style.width = `${Math.max(1, (100 * it.value) / max)}%`;
      if (it.color) fill.style.background = it.color;
      return h(
        'div.bar-row',
        {},
        h(
          'div.bar-head',
          {},
          h('span.bar-label', { title: it.label }, it.label),
          h('span.bar-value', {}, `${fmt(it.value)}${it.note ? ` · ${it.note}` : ''}`),
        ),
        h('div.bar-track', {}, fill),
      );
    }),
  );
}

// ---------- what-if ----------
const EXAMPLE = {
  schemaVersion: 1,
  eventId: 'what-if-1',
  eventType: 'order.created',
  occurredAt: '2026-03-02T09:15:00Z',
  order: {
    orderId: 'PO-WHATIF-1',
    direction: 'sale',
    shipDate: '2026-03-20',
    seller: { name: 'Ganzhou Rare Metals Trading Co., Ltd.', country: 'CN' },
    buyer: { name: 'Acquisition, Technology & Logistics Agency', country: 'JP' },
    endUse: { category: 'military', statement: 'radar components for Self-Defense Forces' },
    shipFrom: 'CN',
    shipTo: 'JP',
    lines: [
      {
        lineId: '1',
        description: 'Dysprosium metal 99.9%',
        hsCode: '2805301200',
        originCountry: 'CN',
        quantity: 50,
        unit: 'kg',
        unitPrice: 380,
        currency: 'USD',
      },
    ],
  },
};
/** @type {[legend: string, fields: [path: string, label: string, cls?: string, type?: string | string[]][]][]} */
const FIELDS = [
  [
    'Seller',
    [
      ['seller.name', 'Name', 'wide'],
      ['seller.country', 'Country'],
    ],
  ],
  [
    'Buyer',
    [
      ['buyer.name', 'Name', 'wide'],
      ['buyer.country', 'Country'],
      ['buyer.identifiers.jpCorporateNumber', 'Corporate no.'],
    ],
  ],
  [
    'End user (if not the buyer)',
    [
      ['endUser.name', 'Name', 'wide'],
      ['endUser.country', 'Country'],
    ],
  ],
  [
    'Shipment and end use',
    [
      ['shipFrom', 'Ship from'],
      ['shipTo', 'Ship to'],
      ['shipDate', 'Ship date', '', 'date'],
      ['endUse.category', 'End-use category', '', ['', 'civil', 'military', 'dual', 'research', 'unknown']],
      ['endUse.statement', 'End-use statement', 'full'],
    ],
  ],
];
/** The fields of one order line, named `lines.<i>.<field>` in the form. @type {[field: string, label: string, cls?: string, type?: string][]} */
const LINE_FIELDS = [
  ['description', 'Description', 'full'],
  ['hsCode', 'HS code'],
  ['controlCode', 'Control code'],
  ['originCountry', 'Origin'],
  ['quantity', 'Quantity', '', 'number'],
  ['unit', 'Unit'],
  ['unitPrice', 'Unit price', '', 'number'],
  ['currency', 'Currency'],
];
/** What a user calls the fields an error names (the schema's paths below /order). @type {Record<string, string>} */
const FIELD_NAME = {
  orderId: 'Order number',
  direction: 'Direction',
  seller: 'Seller',
  'seller.name': 'Seller name',
  'seller.country': 'Seller country',
  buyer: 'Buyer',
  'buyer.name': 'Buyer name',
  'buyer.country': 'Buyer country',
  'buyer.identifiers.jpCorporateNumber': 'Buyer corporate number',
  endUser: 'End user',
  'endUser.name': 'End user name',
  'endUser.country': 'End user country',
  consignee: 'Consignee',
  freightForwarder: 'Freight forwarder',
  shipFrom: 'Ship from',
  shipTo: 'Ship to',
  shipDate: 'Ship date',
  endUse: 'End use',
  'endUse.category': 'End-use category',
  'endUse.statement': 'End-use statement',
  lines: 'Lines',
  eventId: 'Event id',
  eventType: 'Event type',
  occurredAt: 'Event time',
  schemaVersion: 'Schema version',
};
/** @type {Record<string, string>} */
const LINE_FIELD_NAME = {
  lineId: 'line number',
  sku: 'SKU',
  chinaContentPct: 'PRC content (%)',
  ...Object.fromEntries(LINE_FIELDS.map(([f, label]) => [f, f === 'hsCode' ? 'HS code' : label.toLowerCase()])),
};
/** What a pattern asks for, in words. @type {Record<string, string>} */
const PATTERN_WORDS = {
  '^[A-Z]{2}$': 'must be a two-letter country code, e.g. CN or JP',
  '^[A-Z]{3}$': 'must be a three-letter currency code, e.g. USD',
  '^[0-9]{13}$': 'must be the 13 digits of a Japanese corporate number',
  '^[0-9]{4}([.]?[0-9]{2}){0,3}$': 'must be an HS code of 4 to 10 digits, e.g. 2805301200',
  '^[0-9][A-E][0-9]{3}([.][a-z0-9]+)*$': 'must be a control code such as 1C001 or 1C001.a',
};
/**
 * One issue of the api's 400 (a JSON path below /order and TypeBox's wording) as a sentence a user reads:
 * "/order/lines/1/quantity: Expected number to be greater than 0" → "Line 2, quantity: must be greater than 0".
 * @param {{ path?: string, message: string }} issue
 */
function issueSentence(issue) {
  const parts = (issue.path || '').split('/').filter(Boolean);
  const inOrder = parts[0] === 'order' ? parts.slice(1) : parts;
  let field;
  if (!inOrder.length) field = parts.length ? 'The order' : 'The order event';
  else if (inOrder[0] === 'lines' && /^\d+$/.test(inOrder[1] || '')) {
    const rest = inOrder.slice(2).join('.');
    field = `Line ${Number(inOrder[1]) + 1}${rest ? `, ${LINE_FIELD_NAME[rest] || words(rest).toLowerCase()}` : ''}`;
  } else {
    const key = inOrder.join('.');
    field = FIELD_NAME[key] || words(key);
  }
  const m = issue.message;
  /** @type {RegExpMatchArray | null} */
  let x;
  const what =
    m === 'Expected required property'
      ? 'is required'
      : m === 'Unexpected property'
        ? 'is not a field of an order'
        : (x = m.match(/^Expected (?:number|integer) to be (.+)$/))
          ? `must be ${x[1].replace('greater or equal to', 'at least').replace('less or equal to', 'at most')}`
          : (x = m.match(/^Expected string length greater or equal to (\d+)$/))
            ? x[1] === '1'
              ? 'must not be empty'
              : `must be at least ${x[1]} characters`
            : (x = m.match(/^Expected string length less or equal to (\d+)$/))
              ? `must be at most ${x[1]} characters`
              : (x = m.match(/^Expected string to match '(.+)'$/))
                ? PATTERN_WORDS[x[1]] || 'is not in the expected form'
                : (x = m.match(/^Expected string to match '(.+)' format$/))
                  ? x[1] === 'date'
                    ? 'must be a date (YYYY-MM-DD)'
                    : 'must be a date and time with a time zone'
                  : (x = m.match(/^Expected array length to be greater or equal to (\d+)$/))
                    ? `needs at least ${x[1]}`
                    : (x = m.match(/^Expected (one of .+)$/))
                      ? `must be ${x[1]}`
                      : m === 'Expected number'
                        ? 'must be a number'
                        : m === 'Expected string'
                          ? 'must be text'
                          : m.replace(/^Expected /, 'must be ');
  return `${field}: ${what}.`;
}
/** The value at a dotted path ('lines.0.hsCode'), or undefined. */
const getPath = (/** @type {unknown} */ o, /** @type {string} */ p) =>
  p.split('.').reduce((/** @type {any} */ x, k) => (x == null ? undefined : x[k]), o);
/**
 * Sets the value at a dotted path, making the objects and arrays ('lines.0') on the way.
 * @param {Record<string, unknown>} o
 * @param {string} p
 * @param {unknown} v
 */
function setPath(o, p, v) {
  const ks = p.split('.');
  /** @type {any} */
  let t = o;
  ks.slice(0, -1).forEach((k, i) => {
    t = t[k] ??= /^\d+$/.test(ks[i + 1]) ? [] : {};
  });
  t[ks[ks.length - 1]] = v;
}

// ---------- CSV upload ----------
/**
 * @typedef {{ orderId: string, eventId: string, rows: number[] }} CsvAccepted
 * @typedef {{ orderId: string, rows: number[], errors: { row: number, column?: string, message: string }[] }} CsvRejected
 * @typedef {{ encoding?: { name: string, how: string }, accepted: CsvAccepted[], rejected: CsvRejected[] }} CsvResult
 */
const ENCODING_NAMES = /** @type {Record<string, string>} */ ({ 'utf-8': 'UTF-8', shift_jis: 'Shift-JIS (CP932)' });

/** Orders as a CSV file: sent as its bytes (the api decodes UTF-8 or Shift-JIS), the answer shown row by row. */
function renderUpload() {
  const file = h('input', { type: 'file', name: 'csv', accept: '.csv,text/csv' });
  const encoding = h(
    'select',
    { name: 'encoding' },
    h('option', { value: 'auto' }, 'Detect (UTF-8 or Shift-JIS)'),
    h('option', { value: 'utf-8' }, 'UTF-8'),
    h('option', { value: 'shift_jis' }, 'Shift-JIS (CP932, Excel on Japanese Windows)'),
  );
  const out = h('div.upload-result', {});
  const form = h(
    'form.panel',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        const f = file.files && file.files[0];
        if (!f) {
          out.replaceChildren(h('p.error', {}, 'Choose a CSV file first.'));
          return;
        }
        out.replaceChildren(h('p.muted', {}, `Sending ${f.name}…`));
        const query = encoding.value === 'auto' ? '' : `?encoding=${encodeURIComponent(encoding.value)}`;
        /** @type {CsvResult} */
        let result;
        try {
          result = await api(`/orders/csv${query}`, { method: 'POST', raw: { bytes: f, type: 'text/csv' } });
        } catch (err) {
          const body = /** @type {ApiError} */ (err).body;
          // 422: no order valid, the body still lists every refused row
          if (/** @type {ApiError} */ (err).status === 422 && body && 'rejected' in body)
            result = /** @type {CsvResult} */ (/** @type {unknown} */ (body));
          else {
            out.replaceChildren(h('p.error', {}, `Not sent: ${/** @type {Failure} */ (err).message}`));
            return;
          }
        }
        const enc = result.encoding;
        /** @type {Node[]} */
        const parts = [];
        if (enc)
          parts.push(
            h(
              'p.encoding',
              {},
              `Read as ${ENCODING_NAMES[enc.name] || enc.name} (${enc.how === 'detected' ? 'detected' : enc.how === 'bom' ? 'byte-order mark' : 'as chosen'}).`,
            ),
          );
        const n = result.accepted.length;
        parts.push(h('p.accepted', {}, `${n} order${n === 1 ? '' : 's'} sent for screening; their alerts appear in the feed.`));
        if (n) parts.push(h('ul', {}, ...result.accepted.map((a) => h('li', {}, `${a.orderId} (rows ${a.rows.join(', ')})`))));
        if (result.rejected.length)
          parts.push(
            h(
              'div.rejected',
              {},
              h('p.error', {}, `${result.rejected.length} order${result.rejected.length === 1 ? '' : 's'} refused:`),
              h(
                'ul',
                {},
                ...result.rejected.map((r) =>
                  h(
                    'li',
                    {},
                    `${r.orderId || '(no order id)'}: ${r.errors.map((x) => `row ${x.row}: ${x.column && !x.message.startsWith(`${x.column}:`) ? `${x.column}: ` : ''}${x.message}`).join('; ')}`,
                  ),
                ),
              ),
            ),
          );
        out.replaceChildren(...parts);
      },
    },
    h('h2', {}, 'Upload orders (CSV)'),
    h(
      'p.muted',
      {},
      'One row per order line; rows with the same orderId form one order. UTF-8 (with or without BOM) and Shift-JIS files are read as they are; the columns are listed in the API docs.',
    ),
    h('div.form-grid', {}, h('label', {}, 'File', file), h('label', {}, 'Encoding', encoding)),
    h('button.btn', { type: 'submit' }, 'Send'),
    out,
  );
  setMain(form);
}

function renderWhatIf() {
  const result = h(
    'div.panel',
    {},
    h('h2', {}, 'Verdict'),
    h('p.muted', {}, 'Fill in the order, or paste an order event, and press Assess. Nothing is sent to the risk-engine.'),
  );
  const jsonArea = h('textarea.mono', { rows: 24, name: 'json', spellcheck: false });
  jsonArea.value = JSON.stringify(EXAMPLE, null, 2);
  const form = h('form', { name: 'whatif' });
  const linesBox = h('div.lines', {});
  /** One fieldset per order line; its inputs are renamed `lines.<i>.*` whenever a line is added or removed. */
  const renumber = () => {
    [...linesBox.children].forEach((fs, i) => {
      const box = /** @type {HTMLElement} */ (fs);
      box.dataset.line = String(i);
      /** @type {HTMLElement} */ (box.querySelector('legend')).textContent = `Line ${i + 1}`;
      for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (box.querySelectorAll('input[data-field]')))
        input.name = `lines.${i}.${input.dataset.field}`;
      /** @type {HTMLButtonElement} */ (box.querySelector('button.remove-line')).hidden = linesBox.children.length === 1;
    });
  };
  const addLine = (/** @type {Record<string, unknown>} */ line = {}) => {
    const box = h(
      'fieldset.line',
      {},
      h('legend', {}, 'Line'),
      h(
        'div.form-grid',
        {},
        LINE_FIELDS.map(([field, label, cls, type]) =>
          h(
            `label${cls ? `.${cls}` : ''}`,
            {},
            label,
            h('input', {
              dataset: { field },
              type: type || 'text',
              value: line[field] ?? '',
              step: type === 'number' ? 'any' : undefined,
            }),
          ),
        ),
      ),
      h(
        'button.btn.ghost.small.remove-line',
        {
          type: 'button',
          onclick: () => {
            box.remove();
            renumber();
          },
        },
        'Remove this line',
      ),
    );
    linesBox.append(box);
    renumber();
    return box;
  };
  for (const line of EXAMPLE.order.lines) addLine(line);
  for (const [legend, fields] of FIELDS) {
    form.append(
      h(
        'fieldset',
        {},
        h('legend', {}, legend),
        h(
          'div.form-grid',
          {},
          fields.map(([path, label, cls, type]) => {
            const value = getPath(EXAMPLE.order, path);
            const input = Array.isArray(type)
              ? h(
                  'select',
                  { name: path },
                  type.map((o) => h('option', { value: o, selected: o === (value ?? '') }, o || '—')),
                )
              : h('input', { name: path, type: type || 'text', value: value ?? '', step: type === 'number' ? 'any' : undefined });
            return h(`label${cls ? `.${cls}` : ''}`, {}, label, input);
          }),
        ),
      ),
    );
  }
  form.append(linesBox, h('button.btn.secondary.small', { type: 'button', id: 'add-line', onclick: () => addLine() }, '+ Add a line'));
  let mode = 'form';
  const formBox = h('div', {}, form);
  const jsonBox = h('div', { hidden: true }, jsonArea);
  const tabs = h(
    'div.tabs',
    {},
    ['form', 'json'].map((m) =>
      h(
        'button',
        {
          type: 'button',
          class: m === mode ? 'active' : '',
          dataset: { tab: m },
          onclick: (e) => {
            mode = m;
            for (const b of /** @type {HTMLCollectionOf<HTMLElement>} */ (tabs.children)) b.classList.toggle('active', b.dataset.tab === m);
            formBox.hidden = m !== 'form';
            jsonBox.hidden = m !== 'json';
            if (m === 'json') jsonArea.value = JSON.stringify(fromForm(), null, 2);
            e.preventDefault();
          },
        },
        m === 'form' ? 'Fill in' : 'Paste JSON',
      ),
    ),
  );
  const fromForm = () => {
    const order = { orderId: 'WHAT-IF', lines: [...linesBox.children].map((_, i) => ({ lineId: String(i + 1) })) };
    for (const el of /** @type {Iterable<HTMLInputElement | HTMLSelectElement>} */ (form.elements)) {
      if (!el.name || el.value === '') continue;
      setPath(
        order,
        el.name,
        el.type === 'number'
          ? Number(el.value)
          : el.name.endsWith('country') || /^ship(From|To)$/.test(el.name) || el.name.endsWith('currency')
            ? el.value.toUpperCase()
            : el.value,
      );
    }
    return { schemaVersion: 1, eventId: 'what-if', eventType: 'order.created', occurredAt: new Date().toISOString(), order };
  };
  const run = async () => {
    for (const el of /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll('[aria-invalid]'))) el.removeAttribute('aria-invalid');
    let body;
    try {
      body = mode === 'json' ? JSON.parse(jsonArea.value) : fromForm();
    } catch (err) {
      return showError(`That is not JSON: ${/** @type {Failure} */ (err).message}`);
    }
    try {
      /** @type {{ assessment: Assessment }} */
      const { assessment: a } = await api('/assess', { method: 'POST', body });
      result.replaceChildren(
        h('h2', {}, 'Verdict'),
        h(
          `div.verdict-big.v-${a.verdict}`,
          {},
          h('div.v', {}, VERDICT_LABEL[a.verdict]),
          severityBadge(a.severity),
          h('div.score', {}, String(a.score), h('small', {}, ' / 100')),
        ),
        h(
          'dl.facts',
          {},
          [
            ['As-of date', a.asOf],
            ['Exposed value', money(a.exposedValue)],
            ['Policy', a.policyVersion],
            ['Reference data', `${a.refdataVersion}${a.degraded ? ' (bundled fallback)' : ''}`],
          ].map(([k, x]) => [h('dt', {}, k), h('dd', {}, x)]),
        ),
        nextStepsPanel(a.verdict, false) || '',
        h('div', {}, reasonsPanel(a, false)),
      );
    } catch (caught) {
      const err = /** @type {Failure} */ (caught);
      const issues = err.body && err.body.issues;
      showError(issues ? [...new Set(issues.map(issueSentence))] : [err.message]);
      // the fields named are marked in the form
      for (const i of issues || []) {
        const name = (i.path || '')
          .replace(/^\/order\//, '')
          .split('/')
          .join('.');
        const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
        if (el) el.setAttribute('aria-invalid', 'true');
      }
    }
  };
  const showError = (/** @type {string | string[]} */ m) =>
    result.replaceChildren(
      h('h2', {}, 'Verdict'),
      h('p.error', {}, 'The order could not be assessed:'),
      h(
        'ul.whatif-errors',
        {},
        [m].flat().map((x) => h('li', {}, x)),
      ),
    );
  setMain(
    h(
      'div.page-head',
      {},
      h(
        'div',
        {},
        h('h1', {}, 'What-if'),
        h('div.muted', {}, 'Check an order before you place it: the same rules, reference data and policy as the risk-engine.'),
      ),
    ),
    h(
      'div.grid.whatif',
      {},
      h(
        'div.panel',
        {},
        tabs,
        formBox,
        jsonBox,
        h(
          'div',
          {},
          h('button.btn', { type: 'button', id: 'assess', onclick: run }, 'Assess'),
          ' ',
          h('button.btn.ghost', { type: 'button', onclick: () => navigate('/dashboard/what-if') }, 'Reset to the example'),
        ),
      ),
      result,
    ),
  );
}

// ---------- regulatory change: upcoming changes, and a new reference-data version's replay diff ----------
/** @type {Record<string, string>} */
const CHANGE_LABEL = { takes_effect: 'takes effect', suspension_ends: 'suspension ends', suspended: 'suspended', repealed: 'repealed' };
const moneyBy = (/** @type {Record<string, number> | undefined} */ v) => {
  const e = Object.entries(v || {});
  return e.length ? e.map(([c, a]) => money({ amount: a, currency: c || undefined })).join(' + ') : '—';
};

async function renderChanges() {
  const shown = stillShown();
  const today = new Date().toISOString().slice(0, 10);
  /** @type {Upcoming} */
  const up = await api(`/replay/upcoming?today=${today}`);
  if (!shown()) return;
  const rows = up.orders.flatMap((o) => o.changes.map((c) => ({ o, c })));
  const upcoming = h(
    'div.panel.table-panel',
    { id: 'upcoming' },
    rows.length
      ? h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Date', 'Order', 'Now', 'Then', 'Why'].map((t) => h('th', {}, t)),
            ),
          ),
          h(
            'tbody',
            {},
            rows.map(({ o, c }) =>
              h(
                'tr',
                { dataset: { order: o.orderId } },
                h('td.nowrap', {}, c.date),
                h('td', {}, h('span.order', {}, o.orderId), h('div.muted', {}, `looked at until ${o.until}`)),
                h('td', {}, verdictBadge(c.from.verdict)),
                h('td', {}, verdictBadge(c.to.verdict), ' ', severityBadge(c.to.severity)),
                h(
                  'td',
                  {},
                  c.why.map((w) =>
                    h(
                      'div',
                      {},
                      `${w.name}: ${CHANGE_LABEL[w.change] ?? w.change}`,
                      w.uncertain ? h('span.muted', { title: w.assumption || '' }, ' (date uncertain)') : null,
                      h('div.muted', {}, w.description),
                    ),
                  ),
                ),
              ),
            ),
          ),
        )
      : h('p.empty', {}, 'No open order changes verdict on a known future date.'),
  );
  const admin = /** @type {Session} */ (state.me).role === 'admin';
  const loader = admin ? await versionLoader() : null;
  if (!shown()) return;
  setMain(
    h(
      'div.page-head',
      {},
      h(
        'div',
        {},
        h('h1', {}, 'Regulatory change'),
        h(
          'div.muted',
          {},
          'Open orders whose verdict will change on a known date (a suspension ending, a listing taking effect), and, for an admin, what a new reference-data version does to them before switching to it.',
        ),
      ),
    ),
    h('h2', {}, `Upcoming changes (from ${up.today})`),
    upcoming,
    loader ? h('div.spaced', {}, loader) : null,
  );
}

async function versionLoader() {
  /** @type {{ current: string | null, served: string, versions: { version: string }[] }} */
  const v = await api('/replay/versions');
  const select = h(
    'select',
    { name: 'version' },
    h('option', { value: '' }, '— paste files instead —'),
    v.versions.map((x) => h('option', { value: x.version }, `${x.version}${x.version === v.current ? ' (current)' : ''}`)),
  );
  const files = h('textarea.mono', {
    rows: 8,
    name: 'files',
    spellcheck: false,
    placeholder: '{"manifest.json": {...}, "announcements.json": [...], "item-families.json": [...], "parties.json": [...], ...}',
  });
  const upload = h('input', {
    type: 'file',
    multiple: true,
    accept: '.json,application/json',
    onchange: async () => {
      /** @type {Record<string, unknown>} */
      const out = {};
      for (const f of /** @type {FileList} */ (upload.files)) out[f.name] = JSON.parse(await f.text());
      files.value = JSON.stringify(out);
    },
  });
  const result = h('div', { id: 'replay-result' });
  /** @type {unknown} */
  let candidate = null;
  const body = () => {
    if (select.value) return { version: select.value };
    try {
      return { files: JSON.parse(files.value) };
    } catch (err) {
      throw new Error(`The files are not JSON: ${/** @type {Failure} */ (err).message}`);
    }
  };
  const preview = async () => {
    result.replaceChildren(h('p.muted', {}, 'Replaying the open orders…'));
    try {
      candidate = body();
      /** @type {ReplayPreview} */
      const r = await api('/replay/preview', { method: 'POST', body: candidate });
      result.replaceChildren(
        diffPanel(r, async () => {
          if (!confirm(`Switch every app to reference data ${r.candidate.version}?`)) return;
          /** @type {{ version: string, previous: string | null, unchanged?: boolean }} */
          const s = await api('/replay/switch', { method: 'POST', body: candidate });
          result.replaceChildren(
            h(
              'p',
              {},
              s.unchanged
                ? `${s.version} is already current.`
                : `Reference data ${s.version} is current (was ${s.previous ?? 'none'}); announced on refdata.changes.v1, the risk-engine re-screens the open orders.`,
            ),
          );
        }),
      );
    } catch (caught) {
      const err = /** @type {Failure} */ (caught);
      result.replaceChildren(
        h('p.error', {}, 'Could not replay:'),
        h('pre.mono', {}, err.body && err.body.issues ? err.body.issues.map((i) => `${i.path}: ${i.message}`).join('\n') : err.message),
      );
    }
  };
  return h(
    'div.panel',
    {},
    h('h2', {}, 'Load a new reference-data version'),
    h(
      'p.muted',
      {},
      `In use: ${v.served}. Pick a version stored in Redis, or upload / paste a reference-data directory as a JSON object of its files; see its replay diff over the open orders, then switch.`,
    ),
    h('div.form-grid', {}, h('label', {}, 'Stored version', select), h('label', {}, 'Upload the files', upload)),
    h('label', {}, 'Files (JSON)', files),
    h('div.spaced', {}, h('button.btn', { type: 'button', id: 'replay-preview', onclick: preview }, 'Replay open orders')),
    result,
  );
}

/**
 * @param {ReplayPreview} r
 * @param {() => Promise<unknown>} onSwitch
 */
function diffPanel(r, onSwitch) {
  const d = r.diff;
  /**
   * @param {string} label
   * @param {number | string} n
   * @param {string} value
   * @param {string} [cls]
   */
  const card = (label, n, value, cls) =>
    h(`div.panel.card${cls ? `.${cls}` : ''}`, {}, h('div.label', {}, label), h('div.value', {}, String(n)), h('div.sub', {}, value));
  const changed = [...d.newlyExposed, ...d.noLongerExposed, ...d.verdictChanged];
  /** @type {Record<string, string>} */
  const LABEL = { newly_exposed: 'Newly exposed', no_longer_exposed: 'No longer exposed', verdict_changed: 'Verdict changed' };
  return h(
    'div',
    {},
    h('p', {}, `${r.current.version} → ${r.candidate.version}: ${d.orders} open order(s) replayed.`),
    h(
      'div.grid.cards',
      {},
      card('Newly exposed', d.counts.newlyExposed, moneyBy(d.exposedValue.newlyExposed), 'high'),
      card('No longer exposed', d.counts.noLongerExposed, moneyBy(d.exposedValue.noLongerExposed)),
      card('Verdict changed', d.counts.verdictChanged, ''),
      card('Exposed value after', '', `${moneyBy(d.exposedValue.base)} → ${moneyBy(d.exposedValue.next)}`),
    ),
    changed.length
      ? h(
          'div.panel.table-panel',
          {},
          h(
            'table',
            { id: 'replay-diff' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Change', 'Order', 'As of', 'Now', 'With the new version', 'Value', 'Reasons'].map((t) => h('th', {}, t)),
              ),
            ),
            h(
              'tbody',
              {},
              changed.map((o) =>
                h(
                  'tr',
                  { dataset: { order: o.orderId } },
                  h('td', {}, LABEL[o.change]),
                  h('td.order', {}, o.orderId),
                  h('td.nowrap', {}, o.asOf),
                  h('td', {}, verdictBadge(o.base.verdict)),
                  h('td', {}, verdictBadge(o.next.verdict)),
                  h('td.num', {}, money(o.next.exposedValue || o.base.exposedValue)),
                  h(
                    'td',
                    {},
                    o.reasonsAdded.map((c) => h('span.chip', {}, `+ ${reasonTitle(c)}`)),
                    o.reasonsRemoved.map((c) => h('span.chip', {}, `− ${reasonTitle(c)}`)),
                  ),
                ),
              ),
            ),
          ),
        )
      : h('p.empty', {}, 'No open order changes under this version.'),
    h(
      'div.spaced',
      {},
      h(
        'button.btn.warn',
        { type: 'button', id: 'replay-switch', onclick: () => onSwitch().catch((err) => alert(err.message)) },
        `Switch to ${r.candidate.version}`,
      ),
    ),
  );
}

render();
