// Dualwatch dashboard. Every string from the api is put in the page as text (textContent), never as markup.
const KEY_STORE = 'dualwatch.apiKey';
const $main = document.getElementById('main');
/** Replaces the page's content; absent parts (null, false) are skipped. */
const setMain = (...children) => {
  $main.replaceChildren();
  append($main, children);
};
const state = { key: sessionStorage.getItem(KEY_STORE), me: null, stream: null, onAlert: null };

const VERDICT_LABEL = { prohibited: 'Prohibited', license_required: 'Licence required', review: 'Review', clear: 'Clear' };
const STATUS_LABEL = { open: 'Open', acknowledged: 'Acknowledged', resolved: 'Resolved', false_positive: 'False positive' };
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none'];
const SEVERITY_COLOR = { critical: '#8e1b16', high: '#c2570c', medium: '#e3b341', low: '#2f6db3', none: '#9ca3af' };
const ROLE_LABEL = { seller: 'Seller', buyer: 'Buyer', consignee: 'Consignee', endUser: 'End user', freightForwarder: 'Freight forwarder' };
const ACTION = {
  acknowledge: { label: 'Acknowledge', path: 'acknowledge', cls: '' },
  resolve: { label: 'Resolve', path: 'resolve', cls: 'ok' },
  false_positive: { label: 'False positive', path: 'false-positive', cls: 'secondary' },
  reopen: { label: 'Reopen', path: 'reopen', cls: 'secondary' },
};

/** h('tag.class', {attrs}, ...children): strings become text nodes. */
function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const c of children.flat(Infinity))
    if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}
const svg = (tag, attrs, ...children) => {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
};

const badge = (cls, text) => h(`span.badge.${cls}`, {}, text);
const verdictBadge = (v) => badge(`v-${v}`, VERDICT_LABEL[v] ?? v);
const severityBadge = (s) => badge(`s-${s}`, s);
const statusBadge = (s) => badge(`st-${s}`, STATUS_LABEL[s] ?? s);
const money = (ev) =>
  ev && ev.amount !== undefined
    ? `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(ev.amount)} ${ev.currency ?? ''}`.trim()
    : '—';
const when = (iso) =>
  iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC' : '';
const ago = (iso) => {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  return s < 60 ? 'just now' : s < 3600 ? `${Math.floor(s / 60)} min ago` : s < 86400 ? `${Math.floor(s / 3600)} h ago` : when(iso);
};

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}
async function api(path, { method = 'GET', body } = {}) {
  const res = await fetch(path, {
    method,
    headers: { 'x-api-key': state.key || '', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
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
function navigate(path) {
  if (location.pathname + location.search !== path) history.pushState({}, '', path);
  render();
}
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[data-link]');
  if (!a || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', render);
document.getElementById('signout').addEventListener('click', () => signOut());

async function render() {
  state.onAlert = null;
  if (!state.key || !state.me) {
    if (state.key && !state.me) {
      try {
        state.me = await api('/session');
      } catch {
        return;
      }
    } else return renderLogin();
  }
  document.getElementById('nav').hidden = false;
  document.getElementById('session').hidden = false;
  document.getElementById('whoami').textContent = `${state.me.user} · ${state.me.role}`;
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
          : 'alerts';
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === section);
  setMain();
  try {
    if (m) await renderAlert(decodeURIComponent(m[1]));
    else if (section === 'what-if') renderWhatIf();
    else if (section === 'exposure') await renderExposure();
    else if (section === 'changes') await renderChanges();
    else await renderFeed();
  } catch (err) {
    setMain(h('div.panel', {}, h('p.error', {}, `Could not load this page: ${err.message}`)));
  }
}

// ---------- sign-in ----------
function renderLogin(message) {
  document.getElementById('nav').hidden = true;
  document.getElementById('session').hidden = true;
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
        } catch (x) {
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
function signOut(message) {
  sessionStorage.removeItem(KEY_STORE);
  state.key = null;
  state.me = null;
  stopStream();
  renderLogin(message);
}

// ---------- live stream (SSE over fetch, so the key travels in a header) ----------
function setLive(cls, text) {
  const el = document.getElementById('live');
  el.className = `live ${cls}`;
  document.getElementById('live-text').textContent = text;
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
        const res = await fetch('/alerts/stream', { headers: { 'x-api-key': state.key, accept: 'text/event-stream' }, signal: ctl.signal });
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

// ---------- alert feed ----------
const FILTERS = ['verdict', 'severity', 'status', 'supplier', 'buyer', 'country', 'itemFamily', 'from', 'to'];
function currentQuery() {
  const p = new URLSearchParams(location.search);
  const q = new URLSearchParams();
  for (const f of [...FILTERS, 'offset']) if (p.get(f)) q.set(f, p.get(f));
  return q;
}
function select(name, label, options, value) {
  return h(
    'label',
    {},
    label,
    h(
      'select',
      { name },
      h('option', { value: '' }, 'All'),
      options.map(([v, t]) => h('option', { value: v, selected: v === value }, t)),
    ),
  );
}
function text(name, label, value, placeholder, type = 'text') {
  return h('label', {}, label, h('input', { name, type, value: value || '', placeholder: placeholder || '' }));
}

async function renderFeed() {
  const q = currentQuery();
  const limit = 25;
  const offset = Number(q.get('offset') || 0);
  const filterOnly = new URLSearchParams(q);
  filterOnly.delete('offset');
  const [page, summary] = await Promise.all([api(`/alerts?${q}&limit=${limit}`), api(`/alerts/summary?${filterOnly}`)]);

  const form = h(
    'form.filters.panel',
    {
      onsubmit: (e) => {
        e.preventDefault();
        const next = new URLSearchParams();
        for (const [k, v] of new FormData(e.target)) if (String(v).trim()) next.set(k, String(v).trim());
        navigate(`/dashboard/${next.toString() ? `?${next}` : ''}`);
      },
    },
    select('verdict', 'Verdict', Object.entries(VERDICT_LABEL), q.get('verdict')),
    select(
      'severity',
      'Severity',
      SEVERITIES.map((s) => [s, s]),
      q.get('severity'),
    ),
    select('status', 'Status', Object.entries(STATUS_LABEL), q.get('status')),
    text('supplier', 'Supplier', q.get('supplier'), 'seller name'),
    text('buyer', 'Buyer / end user', q.get('buyer'), 'name'),
    text('itemFamily', 'Item family', q.get('itemFamily'), 'e.g. rare earth'),
    text('country', 'Ship-to', q.get('country'), 'JP'),
    text('from', 'From', q.get('from'), '', 'date'),
    text('to', 'To', q.get('to'), '', 'date'),
    h(
      'div.buttons',
      {},
      h('button.btn', { type: 'submit' }, 'Apply'),
      h('a.btn.ghost', { href: '/dashboard/', 'data-link': true }, 'Clear'),
    ),
  );

  let cards = summaryCards(summary);
  const refreshCards = debounce(async () => {
    const next = summaryCards(await api(`/alerts/summary?${filterOnly}`));
    cards.replaceWith(next);
    cards = next;
  }, 500);

  const tbody = h('tbody', { id: 'feed-rows' });
  const rows = new Map();
  const addRow = (v, fresh, atTop) => {
    const tr = alertRow(v, fresh);
    const old = rows.get(v.alertId);
    if (old) old.replaceWith(tr);
    else if (atTop) tbody.prepend(tr);
    else tbody.append(tr);
    rows.set(v.alertId, tr);
  };
  for (const v of page.items) addRow(v, false, false);
  const empty = h(
    'div.empty',
    { hidden: page.items.length > 0 },
    'No alerts match these filters. New alerts appear here as the risk-engine raises them.',
  );
  const count = h('span', {}, `${page.total === 0 ? 0 : offset + 1}–${Math.min(offset + limit, page.total)} of ${page.total}`);
  const pageLink = (o) => {
    const p = new URLSearchParams(q);
    p.set('offset', String(o));
    return `/dashboard/?${p}`;
  };
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
      h(
        'button.btn.secondary.small',
        { type: 'button', disabled: offset + limit >= page.total, onclick: () => navigate(pageLink(offset + limit)) },
        'Older →',
      ),
    ),
  );

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
          'Orders exposed to China\u2019s dual-use export ban on Japanese military end use, newest first. New alerts appear without reloading.',
        ),
      ),
    ),
    cards,
    form,
    h(
      'div.panel.table-panel',
      {},
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
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

  // live: new or changed alerts that pass these filters (the stream itself is unfiltered; the api checks the same filter on the page load)
  const filterParams = filterOnly.toString();
  state.onAlert = async ({ alert }) => {
    if (filterParams) {
      // ask the api whether it passes the current filters (one cheap query)
      const p = new URLSearchParams(filterOnly);
      p.set('q', alert.alertId);
      p.set('limit', '1');
      const r = await api(`/alerts?${p}`).catch(() => null);
      if (!r || !r.items.length) return;
    }
    if (offset === 0 || rows.has(alert.alertId)) addRow(alert, true, true);
    empty.hidden = true;
    refreshCards();
  };
}
function summaryCards(summary) {
  const open = (summary.byStatus.open || 0) + (summary.byStatus.acknowledged || 0);
  const value = summary.exposedValue[0];
  return h(
    'div.grid.cards',
    {},
    card('Alerts', summary.total, `${open} open or acknowledged`),
    card('Critical', summary.bySeverity.critical || 0, 'prohibited exposure', 'critical'),
    card('High', summary.bySeverity.high || 0, 'licence required or strong signals', 'high'),
    card(
      'Exposed value',
      value ? money(value) : '—',
      summary.exposedValue.length > 1 ? `+ ${summary.exposedValue.length - 1} other currencies` : 'on controlled PRC-origin lines',
    ),
  );
}
function card(label, value, sub, cls = '') {
  return h(
    `div.panel.card${cls ? `.${cls}` : ''}`,
    {},
    h('div.label', {}, label),
    h('div.value', {}, String(value)),
    h('div.sub', {}, sub),
  );
}
function alertRow(v, fresh) {
  const href = `/dashboard/alerts/${encodeURIComponent(v.alertId)}`;
  return h(
    `tr.row${fresh ? '.fresh' : ''}`,
    { dataset: { alertId: v.alertId }, onclick: () => navigate(href) },
    h('td', {}, severityBadge(v.severity)),
    h('td', {}, verdictBadge(v.verdict), v.kind === 'withdrawn' ? [' ', badge('k-withdrawn', 'withdrawn')] : null),
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
    h('td', {}, statusBadge(v.status)),
    h('td.nowrap', { title: when(v.raisedAt) }, ago(v.raisedAt)),
  );
}

// ---------- one alert ----------
function reasonWeight(code) {
  if (/CONTROL_LIST|MILITARY/.test(code)) return 3;
  if (/WATCH_LIST|END_USE/.test(code)) return 2;
  return /PARTY|RED_FLAG|ORIGIN/.test(code) ? 1 : 0;
}
function evidenceRows(obj, prefix = '') {
  const out = [];
  for (const [k, v] of Object.entries(obj || {})) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...evidenceRows(v, name));
    else if (Array.isArray(v)) out.push([name, v.map((x) => (x && typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ')]);
    else out.push([name, String(v)]);
  }
  return out;
}
function shortUrl(url) {
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
function kindedSources(evidence) {
  const kindOf = new Map();
  const walk = (o) => {
    if (!o || typeof o !== 'object') return;
    if (Array.isArray(o)) {
      o.forEach(walk);
      return;
    }
    // `sources` with `sourceKinds`, `hubSources` with `hubSourceKinds`, ...
    for (const [k, urls] of Object.entries(o)) {
      if (!Array.isArray(urls)) continue;
      const kinds = k.endsWith('ources') ? o[`${k.slice(0, -1)}Kinds`] : undefined;
      urls.forEach((u, i) => {
        if (typeof u === 'string' && /^https?:\/\//.test(u) && !kindOf.get(u)) kindOf.set(u, Array.isArray(kinds) ? kinds[i] : undefined);
      });
    }
    for (const v of Object.values(o)) if (v && typeof v === 'object') walk(v);
  };
  walk(evidence);
  return kindOf;
}
function rankedSources(urls, kindOf) {
  const rank = (u) => {
    const i = SOURCE_KIND_RANK.indexOf(kindOf.get(u));
    return i < 0 ? SOURCE_KIND_RANK.length : i;
  };
  return urls
    .map((u, i) => [u, i])
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1])
    .map(([u]) => u);
}
function renderReason(r) {
  const ev = evidenceRows(r.evidence);
  const kindOf = kindedSources(r.evidence);
  // the URLs of the evidence's source lists (whole, commas and all), then any other URL in its text
  const known = [...kindOf.keys()];
  const loose = ev.flatMap(([, v]) => v.match(/https?:\/\/[^\s,]+/g) || []).filter((u) => !known.some((k) => k.startsWith(u)));
  const sources = rankedSources([...new Set([...known, ...loose])], kindOf);
  return h(
    `div.reason.w${reasonWeight(r.code)}`,
    {},
    h('div.code', {}, r.code),
    h('div.msg', {}, r.message),
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
            sources.map((url) =>
              h(
                'li',
                {},
                kindOf.get(url) ? h(`span.kind.k-${kindOf.get(url)}`, {}, SOURCE_KIND_LABEL[kindOf.get(url)] || kindOf.get(url)) : null,
                h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', title: url }, shortUrl(url)),
              ),
            ),
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
function reasonsPanel(a, boxed = true) {
  const reasons = [...a.reasons].sort((x, y) => reasonWeight(y.code) - reasonWeight(x.code));
  return h(
    boxed ? 'div.panel' : 'div',
    {},
    h('h2', {}, `Why: ${reasons.length} reason${reasons.length === 1 ? '' : 's'}`),
    reasons.length ? reasons.map(renderReason) : h('p.muted', {}, 'No reason recorded.'),
  );
}

async function renderAlert(id) {
  const d = await api(`/alerts/${encodeURIComponent(id)}`);
  const v = d.view;
  const a = d.alert.assessment;
  const canTriage = state.me.role !== 'viewer';
  const note = h('textarea', {
    name: 'note',
    rows: 3,
    placeholder: 'Note for the audit trail (required): what you checked, who you asked…',
    maxlength: 2000,
  });
  const msg = h('p.error', { hidden: true });
  const act = async (action) => {
    if (!note.value.trim()) {
      msg.hidden = false;
      msg.textContent = 'Write a note first: every change is recorded with it.';
      note.focus();
      return;
    }
    try {
      await api(`/alerts/${encodeURIComponent(id)}/${ACTION[action].path}`, { method: 'POST', body: { note: note.value.trim() } });
      render();
    } catch (err) {
      msg.hidden = false;
      msg.textContent = err.message;
    }
  };
  const actions = h(
    'div.panel.actions',
    {},
    h('h2', {}, 'Triage'),
    h('div', {}, 'Status: ', statusBadge(d.lifecycle.status)),
    canTriage && d.lifecycle.allowedActions.length
      ? [
          h('label', {}, 'Note', note),
          h(
            'div.buttons',
            {},
            d.lifecycle.allowedActions.map((x) =>
              h(
                `button.btn${ACTION[x].cls ? `.${ACTION[x].cls}` : ''}`,
                { type: 'button', dataset: { action: x }, onclick: () => act(x) },
                ACTION[x].label,
              ),
            ),
          ),
          msg,
        ]
      : h('p.muted', {}, canTriage ? 'No change is possible from this status.' : 'Your role can read alerts but not change them.'),
  );
  const history = h(
    'div.panel',
    {},
    h('h2', {}, 'History'),
    h(
      'ul.timeline',
      {},
      [
        ...d.messages.map((m) => ({
          at: m.raisedAt,
          el: [
            h(
              'div',
              {},
              `Alert ${m.kind}: `,
              verdictBadge(m.verdict),
              ' ',
              severityBadge(m.severity),
              ` score ${m.score}`,
              m.previousVerdict ? ` (was ${VERDICT_LABEL[m.previousVerdict]})` : '',
              m.effectiveOn ? ` effective ${m.effectiveOn}` : '',
            ),
          ],
        })),
        ...d.lifecycle.history.map((c) => ({
          at: c.at,
          el: [
            h('div', {}, h('b', {}, c.user), ` ${STATUS_LABEL[c.from]} → `, statusBadge(c.to)),
            c.note ? h('div.note', {}, c.note) : null,
          ],
        })),
      ]
        .sort((x, y) => x.at.localeCompare(y.at))
        .map((e) => h('li', {}, h('div.when', {}, when(e.at)), e.el)),
    ),
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
        ['As-of date', a.asOf],
        ['Assessed', when(a.assessedAt)],
        ['Policy', a.policyVersion],
        ['Reference data', `${a.refdataVersion}${a.degraded ? ' (fallback: bundled snapshot)' : ''}`],
        ['Alert id', d.alert.alertId],
      ]
        .filter(([, x]) => x)
        .map(([k, x]) => [h('dt', {}, k), h('dd', {}, x)]),
    ),
  );
  setMain(
    h('div', {}, h('a', { href: '/dashboard/', 'data-link': true }, '← All alerts')),
    h(
      'div.alert-head',
      {},
      h(
        'div',
        {},
        h(
          'div.title',
          {},
          h('h1', {}, d.alert.orderId),
          verdictBadge(v.verdict),
          severityBadge(v.severity),
          statusBadge(d.lifecycle.status),
          v.kind !== 'raised' ? badge(`k-${v.kind}`, v.kind) : null,
        ),
        h(
          'div.muted',
          {},
          `${s.seller || '?'} → ${s.buyer || '?'}${s.shipTo ? ` · ship-to ${s.shipTo}` : ''} · raised ${when(v.raisedAt)}`,
        ),
      ),
      h('div.score', {}, String(a.score), h('small', {}, ' / 100')),
    ),
    a.degraded ? h('p.notice', {}, 'Scored with the bundled reference data because the live reference data was unavailable.') : null,
    h('div.layout-2', {}, h('div.stack', {}, reasonsPanel(a)), h('div.stack', {}, actions, facts, history)),
  );
  state.onAlert = ({ alert }) => {
    if (alert.alertId === id && document.activeElement !== note) render();
  };
}

// ---------- exposure charts ----------
async function renderExposure() {
  const q = currentQuery();
  q.delete('offset');
  const s = await api(`/alerts/summary?${q}`);
  setMain(
    h(
      'div.page-head',
      {},
      h(
        'div',
        {},
        h('h1', {}, 'Exposure'),
        h('div.muted', {}, `${s.total} alerts · exposed value ${s.exposedValue.map(money).join(' + ') || '—'}`),
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
        h('h2', {}, 'Verdicts'),
        barChart(
          Object.entries(VERDICT_LABEL).map(([k, t]) => ({
            label: t,
            value: s.byVerdict[k] || 0,
            color: { prohibited: '#b3261e', license_required: '#c2570c', review: '#e3b341', clear: '#2e7d32' }[k],
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
  state.onAlert = debounce(() => renderExposure(), 1000);
}
function debounce(fn, ms) {
  let t;
  return (...a) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}

function timeChart(days) {
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
  const series = [];
  for (let t = start.getTime(); t <= end.getTime(); t += 86400000) {
    const d = new Date(t).toISOString().slice(0, 10);
    series.push({ date: d, s: byDate.get(d) || {} });
  }
  const max = Math.max(1, ...series.map((d) => SEVERITIES.reduce((n, k) => n + (d.s[k] || 0), 0)));
  const bw = (W - L - 8) / series.length;
  const y = (n) => H - B - ((H - B - T) * n) / max;
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
function barChart(items, fmt) {
  if (!items.length) return h('p.muted', {}, 'No alerts yet.');
  const W = 560,
    row = 30,
    LBL = 210;
  const H = items.length * row + 6;
  const max = Math.max(1, ...items.map((i) => i.value));
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img' });
  items.forEach((it, i) => {
    const y = i * row + 4;
    const label = it.label.length > 34 ? `${it.label.slice(0, 33)}…` : it.label;
    g.append(svg('text', { x: 0, y: y + 15 }, label, svg('title', {}, it.label)));
    const w = Math.max(2, ((W - LBL - 150) * it.value) / max);
    g.append(svg('rect', { x: LBL, y: y + 3, width: w, height: 16, rx: 3, fill: it.color || '#2f6db3' }));
    g.append(svg('text', { x: LBL + w + 6, y: y + 15 }, `${fmt(it.value)}${it.note ? ` · ${it.note}` : ''}`));
  });
  return g;
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
  [
    'Line',
    [
      ['lines.0.description', 'Description', 'full'],
      ['lines.0.hsCode', 'HS code'],
      ['lines.0.controlCode', 'Control code'],
      ['lines.0.originCountry', 'Origin'],
      ['lines.0.quantity', 'Quantity', '', 'number'],
      ['lines.0.unit', 'Unit'],
      ['lines.0.unitPrice', 'Unit price', '', 'number'],
      ['lines.0.currency', 'Currency'],
    ],
  ],
];
const getPath = (o, p) => p.split('.').reduce((x, k) => (x == null ? undefined : x[k]), o);
function setPath(o, p, v) {
  const ks = p.split('.');
  let t = o;
  ks.slice(0, -1).forEach((k, i) => {
    t = t[k] ??= /^\d+$/.test(ks[i + 1]) ? [] : {};
  });
  t[ks[ks.length - 1]] = v;
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
            for (const b of tabs.children) b.classList.toggle('active', b.dataset.tab === m);
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
    const order = { orderId: 'WHAT-IF', lines: [{ lineId: '1' }] };
    for (const el of form.elements) {
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
    let body;
    try {
      body = mode === 'json' ? JSON.parse(jsonArea.value) : fromForm();
    } catch (err) {
      return showError(`That is not JSON: ${err.message}`);
    }
    try {
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
        h('div', {}, reasonsPanel(a, false)),
      );
    } catch (err) {
      showError(err.body && err.body.issues ? err.body.issues.map((i) => `${i.path || '(order)'}: ${i.message}`).join('\n') : err.message);
    }
  };
  const showError = (m) =>
    result.replaceChildren(h('h2', {}, 'Verdict'), h('p.error', {}, 'The order could not be assessed:'), h('pre.mono', {}, m));
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
const CHANGE_LABEL = { takes_effect: 'takes effect', suspension_ends: 'suspension ends', suspended: 'suspended', repealed: 'repealed' };
const moneyBy = (v) => {
  const e = Object.entries(v || {});
  return e.length ? e.map(([c, a]) => money({ amount: a, currency: c || undefined })).join(' + ') : '—';
};

async function renderChanges() {
  const today = new Date().toISOString().slice(0, 10);
  const up = await api(`/replay/upcoming?today=${today}`);
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
  const admin = state.me.role === 'admin';
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
    admin ? h('div.spaced', {}, await versionLoader()) : null,
  );
}

async function versionLoader() {
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
      const out = {};
      for (const f of upload.files) out[f.name] = JSON.parse(await f.text());
      files.value = JSON.stringify(out);
    },
  });
  const result = h('div', { id: 'replay-result' });
  let candidate = null;
  const body = () => {
    if (select.value) return { version: select.value };
    try {
      return { files: JSON.parse(files.value) };
    } catch (err) {
      throw new Error(`The files are not JSON: ${err.message}`);
    }
  };
  const preview = async () => {
    result.replaceChildren(h('p.muted', {}, 'Replaying the open orders…'));
    try {
      candidate = body();
      const r = await api('/replay/preview', { method: 'POST', body: candidate });
      result.replaceChildren(
        diffPanel(r, async () => {
          if (!confirm(`Switch every app to reference data ${r.candidate.version}?`)) return;
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
    } catch (err) {
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

function diffPanel(r, onSwitch) {
  const d = r.diff;
  const card = (label, n, value, cls) =>
    h(`div.panel.card${cls ? `.${cls}` : ''}`, {}, h('div.label', {}, label), h('div.value', {}, String(n)), h('div.sub', {}, value));
  const changed = [...d.newlyExposed, ...d.noLongerExposed, ...d.verdictChanged];
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
                    o.reasonsAdded.map((c) => h('span.chip', {}, `+${c}`)),
                    o.reasonsRemoved.map((c) => h('span.chip', {}, `−${c}`)),
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
