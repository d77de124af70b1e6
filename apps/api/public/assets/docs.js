// @ts-check
// The api's OpenAPI document as a page: every operation, its parameters, bodies and answers. Text only.
// Type-checked (tsconfig.json one folder up) and linted; served as it is.

/**
 * The parts of the OpenAPI document this page reads.
 * @typedef {{ $ref?: string, [k: string]: unknown }} Schema
 * @typedef {{ name: string, in: string, required?: boolean, description?: string }} Parameter
 * @typedef {Record<string, { schema?: Schema }>} Content
 * @typedef {{ tags?: string[], summary?: string, description?: string, parameters?: Parameter[], requestBody?: { content: Content }, responses: Record<string, { description: string, content?: Content }> }} Operation
 * @typedef {{ info: { title: string, description?: string }, paths: Record<string, Record<string, Operation>>, components: { schemas: Record<string, Schema> } }} OpenApiDocument
 */

const $main = /** @type {HTMLElement} */ (document.getElementById('main'));
/** el(tag, class, ...children): strings (and anything else but nodes) become text nodes; null and undefined are skipped. */
const el = (/** @type {string} */ tag, /** @type {string} */ cls, /** @type {unknown[]} */ ...children) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const c of children.flat()) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
};
const pretty = (/** @type {unknown} */ x) => el('pre', 'mono', JSON.stringify(x, null, 2));

(async () => {
  /** @type {OpenApiDocument} */
  const doc = await (await fetch('/docs/openapi.json')).json();
  const schemas = doc.components.schemas;
  const resolve = (/** @type {Schema | undefined} */ s) => {
    if (!s || !s.$ref) return s;
    const name = /** @type {string} */ (s.$ref.split('/').pop());
    return { [name]: schemas[name] };
  };
  /** @type {Map<string, { path: string, method: string, op: Operation }[]>} */
  const byTag = new Map();
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      let list = byTag.get(tag);
      if (!list) byTag.set(tag, (list = []));
      list.push({ path, method, op });
    }
  $main.append(
    el('h1', '', doc.info.title),
    el('p', 'muted', doc.info.description),
    el('p', '', 'Machine-readable: ', Object.assign(el('a', '', '/docs/openapi.json'), { href: '/docs/openapi.json' })),
  );
  for (const [tag, ops] of byTag) {
    $main.append(el('h2', '', tag));
    for (const { path, method, op } of ops) {
      const body = el('div', 'body', op.description ? el('p', '', op.description) : null);
      if (op.parameters && op.parameters.length)
        body.append(
          el('h3', '', 'Parameters'),
          el(
            'table',
            'evidence',
            el(
              'tbody',
              '',
              op.parameters.map((p) =>
                el('tr', '', el('th', '', `${p.name} (${p.in}${p.required ? ', required' : ''})`), el('td', '', p.description || '')),
              ),
            ),
          ),
        );
      if (op.requestBody)
        for (const [type, c] of Object.entries(op.requestBody.content))
          body.append(el('h3', '', `Request body: ${type}`), pretty(resolve(c.schema)));
      body.append(el('h3', '', 'Responses'));
      for (const [code, r] of Object.entries(op.responses)) {
        const d = el('details', '', el('summary', '', `${code} ${r.description}`));
        if (r.content) for (const c of Object.values(r.content)) d.append(pretty(resolve(c.schema)));
        body.append(d);
      }
      $main.append(
        el(
          'details',
          'op',
          el('summary', '', el('span', 'method', method), el('span', 'mono', path), el('span', 'muted', op.summary || '')),
          body,
        ),
      );
    }
  }
  $main.append(el('h2', '', 'Schemas'));
  for (const [name, s] of Object.entries(schemas))
    $main.append(el('details', 'op', el('summary', '', el('span', 'mono', name)), el('div', 'body', pretty(s))));
})();
