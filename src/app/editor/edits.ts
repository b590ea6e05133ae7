/**
 * Document edits: every user action in the editor becomes one of these pure functions from a
 * GraphDocument to a new GraphDocument. Inputs are never mutated; unchanged parts are shared, so
 * undo snapshots are cheap. The canvas (Rete) is redrawn from the result, never the other way round.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphComment, GraphDocument, GraphEdge, GraphGroup, GraphNode, NodeMode, ParamValue, PortRef, Position } from '../../graph/document.ts';
import { ID_PATTERN } from '../../graph/validate.ts';

export class EditError extends Error {
  override name = 'EditError';
}

const sameRef = (a: PortRef, b: PortRef) => a.node === b.node && a.port === b.port;
export const sameEdge = (a: GraphEdge, b: GraphEdge) => sameRef(a.from, b.from) && sameRef(a.to, b.to);

/** A stable key for an edge, also used as the Rete connection id. */
export const edgeKey = (e: GraphEdge) => `${e.from.node}.${e.from.port}>${e.to.node}.${e.to.port}`;

function nodeIndex(doc: GraphDocument, id: string): number {
  const i = doc.nodes.findIndex((n) => n.id === id);
  if (i < 0) throw new EditError(`there is no node '${id}' in the graph`);
  return i;
}

function replaceNode(doc: GraphDocument, id: string, update: (n: GraphNode) => GraphNode): GraphDocument {
  const i = nodeIndex(doc, id);
  const nodes = doc.nodes.slice();
  nodes[i] = update(nodes[i]);
  return { ...doc, nodes };
}

/** "conv2d", "conv2d_2", … : the first id from `base` that no node, group or comment uses. */
export function uniqueId(taken: ReadonlySet<string>, base: string): string {
  const clean = base.replace(/[^A-Za-z0-9_.:-]+/g, '_').replace(/^_+|_+$/g, '') || 'node';
  if (!taken.has(clean)) return clean;
  const stem = clean.replace(/_\d+$/, '');
  for (let i = 2; ; i++) if (!taken.has(`${stem}_${i}`)) return `${stem}_${i}`;
}

export function takenIds(doc: GraphDocument): Set<string> {
  return new Set([...doc.nodes.map((n) => n.id), ...doc.groups.map((g) => g.id), ...doc.comments.map((c) => c.id)]);
}

/** Adds a node of `type` with every param at its default (params stay empty until edited). */
export function addNode(doc: GraphDocument, registry: NodeRegistry, type: string, position: Position): { doc: GraphDocument; id: string } {
  const def = registry.get(type);
  if (!def) throw new EditError(`unknown node type '${type}'`);
  const id = uniqueId(takenIds(doc), type.split('/').pop()!);
  const node: GraphNode = { id, type, typeVersion: def.version, params: {}, position: roundPosition(position) };
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id };
}

/** Removes the nodes, every edge touching them, and them from groups (a group left empty goes too). */
export function removeNodes(doc: GraphDocument, ids: Iterable<string>): GraphDocument {
  const gone = new Set(ids);
  if (gone.size === 0) return doc;
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !gone.has(n.id)),
    edges: doc.edges.filter((e) => !gone.has(e.from.node) && !gone.has(e.to.node)),
    groups: doc.groups
      .map((g) => (g.nodes.some((id) => gone.has(id)) ? { ...g, nodes: g.nodes.filter((id) => !gone.has(id)) } : g))
      .filter((g) => g.nodes.length > 0),
  };
}

/**
 * Wires an output into an input. An input takes one value, so an edge already feeding `to` is
 * replaced. Ports are not checked here (see wiring.ts); the nodes must exist.
 */
export function connect(doc: GraphDocument, from: PortRef, to: PortRef): GraphDocument {
  nodeIndex(doc, from.node);
  nodeIndex(doc, to.node);
  const edge: GraphEdge = { from: { ...from }, to: { ...to } };
  if (doc.edges.some((e) => sameEdge(e, edge))) return doc;
  return { ...doc, edges: [...doc.edges.filter((e) => !sameRef(e.to, to)), edge] };
}

export function disconnect(doc: GraphDocument, edges: readonly GraphEdge[]): GraphDocument {
  const kept = doc.edges.filter((e) => !edges.some((x) => sameEdge(e, x)));
  return kept.length === doc.edges.length ? doc : { ...doc, edges: kept };
}

/** Sets a param; `undefined` removes it so the type's default applies again. */
export function setParam(doc: GraphDocument, nodeId: string, name: string, value: ParamValue | undefined): GraphDocument {
  return replaceNode(doc, nodeId, (n) => {
    const params = { ...n.params };
    if (value === undefined) delete params[name];
    else params[name] = value;
    return { ...n, params };
  });
}

/** Title and network: an empty string clears the field (the type's title / default network apply). */
export function setNodeField(doc: GraphDocument, nodeId: string, field: 'title' | 'network', value: string): GraphDocument {
  return replaceNode(doc, nodeId, (n) => {
    const next = { ...n };
    if (value.trim() === '') delete next[field];
    else next[field] = value.trim();
    return next;
  });
}

/**
 * Ctrl+B / Ctrl+M as in ComfyUI: when every given node already has `mode`, they all become active
 * again; otherwise they all take `mode` (a bypassed node that is muted stops being bypassed).
 */
export function toggleNodeMode(doc: GraphDocument, ids: readonly string[], mode: NodeMode): GraphDocument {
  if (ids.length === 0) return doc;
  ids.forEach((id) => nodeIndex(doc, id)); // unknown ids are an error, as for every edit
  const wanted = new Set(ids);
  const next = doc.nodes.every((n) => !wanted.has(n.id) || n.mode === mode) ? undefined : mode;
  const nodes = doc.nodes.map((n) => {
    if (!wanted.has(n.id) || n.mode === next) return n;
    const { mode: _old, ...active } = n;
    return next === undefined ? active : { ...active, mode: next };
  });
  return { ...doc, nodes };
}

const roundPosition = (p: Position): Position => ({ x: Math.round(p.x), y: Math.round(p.y) });

/** Moves nodes and comments to new positions (drag, auto-arrange); unknown ids are an error. */
export function moveNodes(doc: GraphDocument, positions: ReadonlyMap<string, Position>): GraphDocument {
  if (positions.size === 0) return doc;
  const known = new Set<string>();
  const nodes = doc.nodes.map((n) => {
    const p = positions.get(n.id);
    if (!p) return n;
    known.add(n.id);
    const r = roundPosition(p);
    return r.x === n.position.x && r.y === n.position.y ? n : { ...n, position: r };
  });
  const comments = doc.comments.map((c) => {
    const p = positions.get(c.id);
    if (!p) return c;
    known.add(c.id);
    const r = roundPosition(p);
    return r.x === c.position.x && r.y === c.position.y ? c : { ...c, position: r };
  });
  for (const id of positions.keys()) if (!known.has(id)) throw new EditError(`cannot move '${id}': no such node or comment`);
  const same = nodes.every((n, i) => n === doc.nodes[i]) && comments.every((c, i) => c === doc.comments[i]);
  return same ? doc : { ...doc, nodes, comments };
}

export function setMeta(doc: GraphDocument, field: 'name' | 'description', value: string): GraphDocument {
  const meta = { ...doc.meta };
  if (field === 'name') meta.name = value.trim() || 'Untitled graph';
  else if (value.trim() === '') delete meta.description;
  else meta.description = value;
  return { ...doc, meta };
}

/** Sets a template parameter (num_classes, height, ngf …); `undefined` removes it. */
export function setTemplate(doc: GraphDocument, name: string, value: number | undefined): GraphDocument {
  const template = { ...doc.template };
  if (value === undefined) delete template[name];
  else template[name] = value;
  return { ...doc, template };
}

// ── groups and comments ──────────────────────────────────────────────────────────────────────

export function addGroup(doc: GraphDocument, nodeIds: readonly string[], title: string): { doc: GraphDocument; id: string } {
  if (nodeIds.length === 0) throw new EditError('select at least one node to group');
  for (const id of nodeIds) nodeIndex(doc, id);
  const id = uniqueId(takenIds(doc), 'group');
  const group: GraphGroup = { id, title: title.trim() || 'Group', nodes: [...nodeIds] };
  return { doc: { ...doc, groups: [...doc.groups, group] }, id };
}

export function updateGroup(doc: GraphDocument, id: string, change: Partial<Pick<GraphGroup, 'title' | 'color'>>): GraphDocument {
  if (!doc.groups.some((g) => g.id === id)) throw new EditError(`there is no group '${id}'`);
  return { ...doc, groups: doc.groups.map((g) => (g.id === id ? { ...g, ...change } : g)) };
}

export function removeGroup(doc: GraphDocument, id: string): GraphDocument {
  return { ...doc, groups: doc.groups.filter((g) => g.id !== id) };
}

export function addComment(doc: GraphDocument, text: string, position: Position): { doc: GraphDocument; id: string } {
  const id = uniqueId(takenIds(doc), 'comment');
  const comment: GraphComment = { id, text, position: roundPosition(position), size: { width: 240, height: 96 } };
  return { doc: { ...doc, comments: [...doc.comments, comment] }, id };
}

export function setCommentText(doc: GraphDocument, id: string, text: string): GraphDocument {
  if (!doc.comments.some((c) => c.id === id)) throw new EditError(`there is no comment '${id}'`);
  return { ...doc, comments: doc.comments.map((c) => (c.id === id ? { ...c, text } : c)) };
}

export function removeComments(doc: GraphDocument, ids: Iterable<string>): GraphDocument {
  const gone = new Set(ids);
  return gone.size === 0 ? doc : { ...doc, comments: doc.comments.filter((c) => !gone.has(c.id)) };
}

// ── copy, paste, duplicate ───────────────────────────────────────────────────────────────────

/**
 * The selected nodes as a complete graph document: the edges among them, the groups wholly
 * inside the selection, and the source's template (so pasted params keep their meaning).
 */
export function extractSubgraph(doc: GraphDocument, ids: Iterable<string>): GraphDocument {
  const keep = new Set(ids);
  return {
    format: doc.format,
    version: doc.version,
    meta: { name: `${keep.size} ${keep.size === 1 ? 'node' : 'nodes'} from ${doc.meta.name}` },
    template: { ...doc.template },
    nodes: doc.nodes.filter((n) => keep.has(n.id)),
    edges: doc.edges.filter((e) => keep.has(e.from.node) && keep.has(e.to.node)),
    groups: doc.groups.filter((g) => g.nodes.every((id) => keep.has(id))),
    comments: [],
    extra: {},
  };
}

/**
 * Adds `fragment`'s nodes, edges and groups to `doc`: ids that collide get a fresh suffix (edges
 * and groups follow), positions move so the fragment's top-left corner lands on `at`.
 * Template params missing from `doc` are taken over from the fragment; existing ones are kept.
 */
export function paste(doc: GraphDocument, fragment: GraphDocument, at: Position): { doc: GraphDocument; ids: string[] } {
  if (fragment.nodes.length === 0) return { doc, ids: [] };
  const taken = takenIds(doc);
  const rename = new Map<string, string>();
  for (const n of fragment.nodes) {
    const id = uniqueId(taken, n.id);
    if (!ID_PATTERN.test(id)) throw new EditError(`cannot paste node '${n.id}': not a valid id`);
    taken.add(id);
    rename.set(n.id, id);
  }
  const minX = Math.min(...fragment.nodes.map((n) => n.position.x));
  const minY = Math.min(...fragment.nodes.map((n) => n.position.y));
  const nodes = fragment.nodes.map((n) => ({
    ...structuredClone(n),
    id: rename.get(n.id)!,
    position: roundPosition({ x: n.position.x - minX + at.x, y: n.position.y - minY + at.y }),
  }));
  const ref = (r: PortRef): PortRef => ({ node: rename.get(r.node)!, port: r.port });
  const edges = fragment.edges.filter((e) => rename.has(e.from.node) && rename.has(e.to.node)).map((e) => ({ from: ref(e.from), to: ref(e.to) }));
  const groups = fragment.groups.map((g) => {
    const id = uniqueId(taken, g.id);
    taken.add(id);
    return { ...structuredClone(g), id, nodes: g.nodes.filter((n) => rename.has(n)).map((n) => rename.get(n)!) };
  });
  const template = { ...fragment.template, ...doc.template };
  return {
    doc: { ...doc, template, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges], groups: [...doc.groups, ...groups.filter((g) => g.nodes.length > 0)] },
    ids: nodes.map((n) => n.id),
  };
}

/** Copies the nodes (with their inner edges) next to the originals. */
export function duplicate(doc: GraphDocument, ids: readonly string[], offset: Position = { x: 40, y: 40 }): { doc: GraphDocument; ids: string[] } {
  const fragment = extractSubgraph(doc, ids);
  if (fragment.nodes.length === 0) return { doc, ids: [] };
  const minX = Math.min(...fragment.nodes.map((n) => n.position.x));
  const minY = Math.min(...fragment.nodes.map((n) => n.position.y));
  return paste(doc, fragment, { x: minX + offset.x, y: minY + offset.y });
}
