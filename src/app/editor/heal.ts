/**
 * Wiring that heals, as pure edits (one undo step each, like edits.ts):
 * - a param change that removes or retypes ports drops the wires touching the node that fitted
 *   before and no longer do (a port gone, or kinds that no longer connect), and says which;
 * - "delete and reconnect" removes nodes and wires each one's pass-through input source to what its
 *   output fed (the node type's `passThrough` pairs), where the kinds fit.
 * Shapes are left to the resolver: a wire that still connects but has the wrong size stays and is
 * reported as a problem, as when it was drawn.
 */
import { inputPorts, kindAccepts, outputPorts, type NodeDef, type PortDef } from '../../../nodes/contract.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { resolveParams } from '../../compiler/params.ts';
import type { GraphDocument, GraphEdge, ParamValue } from '../../graph/document.ts';
import { connect, edgeKey, removeNodes, setParam } from './edits.ts';

interface Ports {
  inputs: PortDef[];
  outputs: PortDef[];
}

/** A node's ports in `doc`, or undefined when they cannot be known (unknown type, a bad param). */
function portsOf(doc: GraphDocument, registry: NodeRegistry, id: string): Ports | undefined {
  const index = doc.nodes.findIndex((n) => n.id === id);
  const node = doc.nodes[index];
  const def: NodeDef | undefined = node && registry.get(node.type);
  if (!def) return undefined;
  const { params, diagnostics } = resolveParams(def, node, index, { ...doc.template, batch: doc.template.batch ?? 1 });
  if (diagnostics.some((d) => d.severity === 'error')) return undefined;
  try {
    return { inputs: inputPorts(def, params), outputs: outputPorts(def, params) };
  } catch {
    return undefined; // the resolver reports it
  }
}

/** Does the wire connect existing ports of kinds that fit? undefined when either end's ports are unknown. */
function fits(edge: GraphEdge, from: Ports | undefined, to: Ports | undefined): boolean | undefined {
  if (!from || !to) return undefined;
  const out = from.outputs.find((p) => p.name === edge.from.port);
  const into = to.inputs.find((p) => p.name === edge.to.port);
  if (!out || !into) return false;
  return kindAccepts(into.kind, out.kind);
}

/**
 * The wires touching `ids` that fitted in `before` and no longer fit in `after`, removed from
 * `after`. Wires that were already broken stay (the resolver keeps reporting them).
 */
export function dropStaleWires(before: GraphDocument, after: GraphDocument, registry: NodeRegistry, ids: Iterable<string>): { doc: GraphDocument; dropped: GraphEdge[] } {
  const changed = new Set(ids);
  const cache = new Map<string, Ports | undefined>();
  const ports = (doc: GraphDocument, id: string) => {
    const key = `${doc === before ? 'b' : 'a'}:${id}`;
    if (!cache.has(key)) cache.set(key, portsOf(doc, registry, id));
    return cache.get(key);
  };
  const beforeKeys = new Set(before.edges.map(edgeKey));
  const dropped = after.edges.filter((e) => {
    if (!changed.has(e.from.node) && !changed.has(e.to.node)) return false;
    if (fits(e, ports(after, e.from.node), ports(after, e.to.node)) !== false) return false;
    // An edge new in `after` has no "before"; one that did not fit before was already broken.
    return beforeKeys.has(edgeKey(e)) && fits(e, ports(before, e.from.node), ports(before, e.to.node)) !== false;
  });
  if (dropped.length === 0) return { doc: after, dropped };
  const gone = new Set(dropped.map(edgeKey));
  return { doc: { ...after, edges: after.edges.filter((e) => !gone.has(edgeKey(e))) }, dropped };
}

/** Sets a param (edits.setParam) and drops the node's wires the change leaves without a fitting port. */
export function setParamHealing(
  doc: GraphDocument,
  registry: NodeRegistry,
  nodeId: string,
  name: string,
  value: ParamValue | undefined,
): { doc: GraphDocument; dropped: GraphEdge[] } {
  const next = setParam(doc, nodeId, name, value);
  return dropStaleWires(doc, next, registry, [nodeId]);
}

/** "Removed 2 wires that no longer fit: 'encoder'.x_encode → 'fusion'.x_encode, …" */
export function droppedWiresNotice(dropped: readonly GraphEdge[]): string {
  const list = dropped.map((e) => `'${e.from.node}'.${e.from.port} → '${e.to.node}'.${e.to.port}`).join(', ');
  return `Removed ${dropped.length === 1 ? '1 wire that no longer fits' : `${dropped.length} wires that no longer fit`}: ${list}`;
}

/** Can any of these nodes be deleted with reconnection (its type declares pass-through pairs)? */
export function canReconnect(doc: GraphDocument, registry: NodeRegistry, ids: readonly string[]): boolean {
  return ids.some((id) => {
    const node = doc.nodes.find((n) => n.id === id);
    return node !== undefined && (registry.get(node.type)?.passThrough?.length ?? 0) > 0;
  });
}

/**
 * Deletes the nodes; for each output of each that has pass-through pairs, the first pair whose
 * input is wired gives the source, which is then wired to every input the output fed, where the
 * kinds fit (a chain of deleted nodes reconnects through, as they are removed one by one).
 */
export function removeNodesReconnecting(
  doc: GraphDocument,
  registry: NodeRegistry,
  ids: readonly string[],
): { doc: GraphDocument; reconnected: GraphEdge[]; refused: GraphEdge[] } {
  let current = doc;
  const refused: GraphEdge[] = [];
  for (const id of ids) {
    const node = current.nodes.find((n) => n.id === id);
    if (!node) continue;
    const pairs = registry.get(node.type)?.passThrough ?? [];
    const links: { from: GraphEdge['from']; to: GraphEdge['to'] }[] = [];
    for (const output of new Set(pairs.map((p) => p.output))) {
      const source = pairs
        .filter((p) => p.output === output)
        .map((p) => current.edges.find((e) => e.to.node === id && e.to.port === p.input))
        .find((e) => e !== undefined);
      if (!source) continue;
      for (const fed of current.edges.filter((e) => e.from.node === id && e.from.port === output)) links.push({ from: source.from, to: fed.to });
    }
    current = removeNodes(current, [id]);
    for (const link of links) {
      // Only where the kinds fit; shapes are the resolver's to report, as for a drawn wire.
      if (fits(link, portsOf(current, registry, link.from.node), portsOf(current, registry, link.to.node)) === false) refused.push(link);
      else current = connect(current, link.from, link.to);
    }
  }
  const had = new Set(doc.edges.map(edgeKey));
  const reconnected = current.edges.filter((e) => !had.has(edgeKey(e)));
  return { doc: current, reconnected, refused };
}

/** "Deleted and reconnected 'global'.image → 'out_final'.value, …" (and the links whose kinds did not fit). */
export function reconnectNotice(reconnected: readonly GraphEdge[], refused: readonly GraphEdge[]): string {
  const list = (edges: readonly GraphEdge[]) => edges.map((e) => `'${e.from.node}'.${e.from.port} → '${e.to.node}'.${e.to.port}`).join(', ');
  const made = reconnected.length > 0 ? `Deleted and reconnected ${list(reconnected)}` : 'Deleted; nothing to reconnect';
  return refused.length > 0 ? `${made}; not reconnected (kinds do not fit): ${list(refused)}` : made;
}

/** Ids of the nodes present in both documents whose params differ (an edit made elsewhere, e.g. the litegraph view). */
export function nodesWithChangedParams(before: GraphDocument, after: GraphDocument): string[] {
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  return after.nodes
    .filter((n) => {
      const was = old.get(n.id);
      return was !== undefined && was.params !== n.params && JSON.stringify(was.params) !== JSON.stringify(n.params);
    })
    .map((n) => n.id);
}

/** A whole document from another editor: heal the wires of the nodes whose params it changed. */
export function healEditedDocument(before: GraphDocument, after: GraphDocument, registry: NodeRegistry): { doc: GraphDocument; dropped: GraphEdge[] } {
  return dropStaleWires(before, after, registry, nodesWithChangedParams(before, after));
}
