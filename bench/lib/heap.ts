/**
 * Shallow sizes of a V8 heap snapshot (.heapsnapshot, as v8.writeHeapSnapshot writes it) by kind and
 * constructor, like the "Summary" view of Chrome DevTools. Pure: takes the parsed JSON.
 */

export interface HeapSnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: unknown[] }; node_count: number };
  nodes: number[];
  strings: string[];
}

export interface HeapSummary {
  totalBytes: number;
  nodeCount: number;
  top: { name: string; bytes: number; count: number }[];
}

export function summarizeHeapSnapshot(snap: HeapSnapshotJson, top = 15): HeapSummary {
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0] as string[];
  const stride = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const groups = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += stride) {
    const type = types[snap.nodes[i + iType]];
    const size = snap.nodes[i + iSize];
    total += size;
    let name: string;
    if (type === 'object') name = snap.strings[snap.nodes[i + iName]];
    else if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '(string)';
    else name = `(${type})`;
    const g = groups.get(name) ?? { bytes: 0, count: 0 };
    g.bytes += size;
    g.count++;
    groups.set(name, g);
  }
  return {
    totalBytes: total,
    nodeCount: snap.nodes.length / stride,
    top: [...groups]
      .map(([name, g]) => ({ name, ...g }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, top),
  };
}
