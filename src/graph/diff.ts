/**
 * Structural diff of two graph documents: what changed in what they compute, not in how they are
 * drawn. Nodes are paired by id (same type), then by content (same type, params and wiring) so a
 * copy under another id is a rename, not a remove + add. Wires are compared after that pairing.
 * Layout and cosmetic fields (positions, titles, extra, groups, comments, meta) are ignored.
 * Pure: no registry needed; the compiler's evaluated diff (src/compiler/diff.ts) adds param
 * defaults, evaluated values and per-network totals on top.
 */
import { DEFAULT_INIT, type GraphDocument, type GraphEdge, type GraphNode, type ParamValue } from './document.ts';
import { canonicalJson } from './hash.ts';

/**
 * Node fields that only change how a node is drawn or labelled. Every other field (type,
 * typeVersion, network, and any field added later, such as a bypass/mute `mode`) is compared.
 */
export const COSMETIC_NODE_FIELDS: ReadonlySet<string> = new Set(['id', 'params', 'position', 'size', 'title', 'color', 'collapsed', 'extra']);

/** A value before → after; an absent side means "not set" (a param left at its default, a field absent). */
export interface ValueChange<T = unknown> {
  name: string;
  before?: T;
  after?: T;
}

export interface NodeRef {
  id: string;
  type: string;
}

export interface NodeChange {
  /** The node's id in A and in B (they differ when the node was renamed). */
  before: string;
  after: string;
  type: string;
  /** How the pair was found: the same id, or the same content under another id. */
  matchedBy: 'id' | 'content';
  params: ValueChange<ParamValue>[];
  /** Non-cosmetic node fields other than params (typeVersion, network, mode …). */
  fields: ValueChange[];
}

export interface WireRef {
  from: { node: string; port: string };
  to: { node: string; port: string };
}

export interface GraphDiff {
  equal: boolean;
  template: ValueChange<number>[];
  init: ValueChange[];
  nodes: {
    added: NodeRef[];
    removed: NodeRef[];
    /** Paired nodes that were renamed or have param/field changes (unchanged pairs are left out). */
    changed: NodeChange[];
  };
  /** Removed wires name A's node ids, added wires B's. */
  wires: { added: WireRef[]; removed: WireRef[] };
}

export interface DiffOptions {
  /**
   * A node type's param defaults, so that a param left out and one spelled at its default compare
   * equal. Without it, stored params are compared as they are.
   */
  paramDefaults?: (type: string) => Record<string, ParamValue> | undefined;
  /** A node type's network, so that a node without `network` and one naming its type's network compare equal. */
  defaultNetwork?: (type: string) => string | undefined;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/**
 * A record without a prototype: keys from a file ("__proto__", "constructor") stay plain data.
 */
const record = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** Params with the type's defaults filled in for those not stored. */
function effectiveParams(node: GraphNode, options: DiffOptions): Record<string, ParamValue> {
  const defaults = options.paramDefaults?.(node.type) ?? {};
  const out = record<ParamValue>();
  for (const [name, value] of Object.entries(defaults)) if (value !== undefined) out[name] = value;
  for (const [name, value] of Object.entries(node.params)) out[name] = value;
  return out;
}

/** The compared fields of a node besides params, by name. */
function semanticFields(node: GraphNode, options: DiffOptions): Record<string, unknown> {
  const out = record<unknown>();
  const network = node.network ?? options.defaultNetwork?.(node.type);
  if (network !== undefined) out.network = network;
  for (const [key, value] of Object.entries(node)) if (!COSMETIC_NODE_FIELDS.has(key) && key !== 'type' && key !== 'network' && value !== undefined) out[key] = value;
  return out;
}

function valueChanges<T>(before: Record<string, T>, after: Record<string, T>): ValueChange<T>[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(byString);
  const changes: ValueChange<T>[] = [];
  for (const name of names) {
    const a = Object.hasOwn(before, name) ? before[name] : undefined;
    const b = Object.hasOwn(after, name) ? after[name] : undefined;
    if (!same(a ?? null, b ?? null) || (a === undefined) !== (b === undefined)) {
      const change: ValueChange<T> = { name };
      if (a !== undefined) change.before = a;
      if (b !== undefined) change.after = b;
      changes.push(change);
    }
  }
  return changes;
}

interface Side {
  doc: GraphDocument;
  byId: Map<string, GraphNode>;
  /** Canonical JSON of type + effective params + compared fields, per node id. */
  content: Map<string, string>;
  incoming: Map<string, GraphEdge[]>;
  outgoing: Map<string, GraphEdge[]>;
}

function side(doc: GraphDocument, options: DiffOptions): Side {
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const content = new Map(doc.nodes.map((n) => [n.id, canonicalJson({ type: n.type, params: effectiveParams(n, options), fields: semanticFields(n, options) })]));
  const incoming = new Map<string, GraphEdge[]>();
  const outgoing = new Map<string, GraphEdge[]>();
  for (const e of doc.edges) {
    incoming.set(e.to.node, [...(incoming.get(e.to.node) ?? []), e]);
    outgoing.set(e.from.node, [...(outgoing.get(e.from.node) ?? []), e]);
  }
  return { doc, byId, content, incoming, outgoing };
}

/**
 * A node's wiring as seen from outside: each connected port with what is at the other end, named
 * by `name`.
 */
function wiringSignature(s: Side, id: string, name: (neighbour: string) => string): string {
  const ins = (s.incoming.get(id) ?? []).map((e) => `${e.to.port}<${name(e.from.node)}.${e.from.port}`);
  const outs = (s.outgoing.get(id) ?? []).map((e) => `${e.from.port}>${name(e.to.node)}.${e.to.port}`);
  return [...ins.sort(byString), '|', ...outs.sort(byString)].join(',');
}

/** Pairs A's node ids with B's: by id (same type) first, then by content. */
function matchNodes(a: Side, b: Side): Map<string, string> {
  const pairs = new Map<string, string>(); // A id → B id
  const taken = new Set<string>(); // B ids already paired
  for (const n of a.doc.nodes) {
    const other = b.byId.get(n.id);
    if (other && other.type === n.type) {
      pairs.set(n.id, n.id);
      taken.add(n.id);
    }
  }
  // Content pairing: same content and the same wiring, a neighbour named by its pairing where it
  // has one, else by its type. Repeated until nothing new pairs, so a renamed chain pairs inward
  // from the paired nodes at its ends; among equal candidates the lowest ids pair first.
  const nameInA = (id: string) => (pairs.has(id) ? `#${pairs.get(id)}` : `?${a.byId.get(id)?.type}`);
  const nameInB = (id: string) => (taken.has(id) ? `#${id}` : `?${b.byId.get(id)?.type}`);
  const key = (s: Side, id: string, name: (id: string) => string) => s.content.get(id)! + '\n' + wiringSignature(s, id, name);
  const pass = (): boolean => {
    const candidates = new Map<string, string[]>();
    for (const n of [...b.doc.nodes].sort((x, y) => byString(x.id, y.id))) {
      if (taken.has(n.id)) continue;
      const k = key(b, n.id, nameInB);
      candidates.set(k, [...(candidates.get(k) ?? []), n.id]);
    }
    const unpairedA = a.doc.nodes.filter((n) => !pairs.has(n.id)).sort((x, y) => byString(x.id, y.id));
    const keysA = new Map(unpairedA.map((n) => [n.id, key(a, n.id, nameInA)]));
    let progress = false;
    for (const n of unpairedA) {
      const bId = candidates.get(keysA.get(n.id)!)?.shift();
      if (bId === undefined) continue;
      pairs.set(n.id, bId);
      taken.add(bId);
      progress = true;
    }
    return progress;
  };
  while (pass());
  return pairs;
}

const wireKey = (w: WireRef) => `${w.from.node}\u0000${w.from.port}\u0000${w.to.node}\u0000${w.to.port}`;
const wireOrder = (x: WireRef, y: WireRef) => byString(wireKey(x), wireKey(y));
const plainWire = (e: GraphEdge): WireRef => ({ from: { node: e.from.node, port: e.from.port }, to: { node: e.to.node, port: e.to.port } });

export function diffGraphs(before: GraphDocument, after: GraphDocument, options: DiffOptions = {}): GraphDiff {
  const a = side(before, options);
  const b = side(after, options);
  const pairs = matchNodes(a, b);
  const pairedB = new Set(pairs.values());

  const ref = (n: GraphNode): NodeRef => ({ id: n.id, type: n.type });
  const removed = before.nodes.filter((n) => !pairs.has(n.id)).map(ref).sort((x, y) => byString(x.id, y.id));
  const added = after.nodes.filter((n) => !pairedB.has(n.id)).map(ref).sort((x, y) => byString(x.id, y.id));
  const changed: NodeChange[] = [];
  for (const [aId, bId] of [...pairs].sort((x, y) => byString(x[0], y[0]))) {
    const na = a.byId.get(aId)!;
    const nb = b.byId.get(bId)!;
    const params = valueChanges(effectiveParams(na, options), effectiveParams(nb, options));
    const fields = valueChanges(semanticFields(na, options), semanticFields(nb, options));
    if (aId !== bId || params.length > 0 || fields.length > 0) {
      changed.push({ before: aId, after: bId, type: nb.type, matchedBy: aId === bId ? 'id' : 'content', params, fields });
    }
  }

  // Wires: A's wires renamed into B's ids where both ends are paired; the others cannot be in B.
  const inB = new Set(after.edges.map((e) => wireKey(plainWire(e))));
  const fromA = new Set<string>();
  const wiresRemoved: WireRef[] = [];
  for (const e of before.edges) {
    const fromId = pairs.get(e.from.node);
    const toId = pairs.get(e.to.node);
    const key = fromId !== undefined && toId !== undefined ? wireKey({ from: { node: fromId, port: e.from.port }, to: { node: toId, port: e.to.port } }) : undefined;
    if (key !== undefined && inB.has(key)) fromA.add(key);
    else wiresRemoved.push(plainWire(e));
  }
  const wiresAdded = after.edges.map(plainWire).filter((w) => !fromA.has(wireKey(w)));

  const template = valueChanges(before.template, after.template);
  const init = valueChanges({ ...(before.init ?? DEFAULT_INIT) }, { ...(after.init ?? DEFAULT_INIT) });
  const diff: GraphDiff = {
    equal: false,
    template,
    init,
    nodes: { added, removed, changed },
    wires: { added: dedupe(wiresAdded).sort(wireOrder), removed: dedupe(wiresRemoved).sort(wireOrder) },
  };
  diff.equal = template.length + init.length + added.length + removed.length + changed.length + diff.wires.added.length + diff.wires.removed.length === 0;
  return diff;
}

/** The validator refuses duplicate wires, but a diff of two unvalidated documents should not repeat one. */
function dedupe(wires: WireRef[]): WireRef[] {
  const seen = new Set<string>();
  return wires.filter((w) => !seen.has(wireKey(w)) && seen.add(wireKey(w)));
}
