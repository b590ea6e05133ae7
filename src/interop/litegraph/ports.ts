/**
 * The ports a node shows in litegraph, in slot order. For a known type they come from the node
 * definition with the node's params; params that do not resolve (a bad value, an expression over a
 * name the template lacks) fall back to their defaults so that the node still gets its slots while
 * the compiler reports the param. Placeholders (unknown types) have no definition: their slots are
 * the port names their edges use. Either way, a port an edge names that the node does not have is
 * appended, so that no edge is lost in the conversion (the compiler reports it as missing).
 */
import { inputPorts, outputPorts, type NodeDef, type PortDef, type ResolvedParams, type TensorKind } from '../../../nodes/contract.ts';
import { resolveParams } from '../../compiler/params.ts';
import type { GraphEdge, GraphNode } from '../../graph/document.ts';

export interface SlotPort {
  name: string;
  /** Absent for placeholder ports and for ports only an edge names. */
  kind?: TensorKind;
}

/** Params with defaults applied and expressions evaluated, a param that fails taking its default. */
export function lenientParams(def: NodeDef, params: GraphNode['params'], template: Record<string, number>): ResolvedParams {
  const node: GraphNode = { id: 'n', type: def.type, typeVersion: def.version, params, position: { x: 0, y: 0 } };
  const resolved = resolveParams(def, node, 0, template).params;
  const missing = Object.keys(def.params).filter((name) => !(name in resolved));
  if (missing.length > 0) {
    const defaults = resolveParams(def, { ...node, params: {} }, 0, template).params;
    for (const name of missing) if (name in defaults) resolved[name] = defaults[name];
  }
  return resolved;
}

/** A definition's ports for these params; [] when the definition cannot give them. */
export function definedPorts(def: NodeDef, side: 'inputs' | 'outputs', params: GraphNode['params'], template: Record<string, number>): PortDef[] {
  try {
    const resolved = lenientParams(def, params, template);
    return side === 'inputs' ? inputPorts(def, resolved) : outputPorts(def, resolved);
  } catch {
    return [];
  }
}

/** Each node's edges, by side: built once per conversion so that per-node work stays linear. */
export interface NodeEdges {
  inputs: GraphEdge[];
  outputs: GraphEdge[];
}
export type EdgeIndex = ReadonlyMap<string, NodeEdges>;

const NO_EDGES: NodeEdges = { inputs: [], outputs: [] };

export function indexEdges(edges: readonly GraphEdge[]): EdgeIndex {
  const index = new Map<string, NodeEdges>();
  const at = (id: string) => {
    let entry = index.get(id);
    if (!entry) index.set(id, (entry = { inputs: [], outputs: [] }));
    return entry;
  };
  for (const edge of edges) {
    at(edge.to.node).inputs.push(edge);
    at(edge.from.node).outputs.push(edge);
  }
  return index;
}

export function edgesOf(index: EdgeIndex, id: string): NodeEdges {
  return index.get(id) ?? NO_EDGES;
}

/** Slots of one side of a node: defined ports, then the names its edges use that are not among them. */
export function nodeSlots(node: GraphNode, def: NodeDef | undefined, side: 'inputs' | 'outputs', edges: NodeEdges, template: Record<string, number>): SlotPort[] {
  const slots: SlotPort[] = def ? definedPorts(def, side, node.params, template).map((p) => ({ name: p.name, kind: p.kind })) : [];
  const names = new Set(slots.map((s) => s.name));
  for (const edge of edges[side]) {
    const ref = side === 'inputs' ? edge.to : edge.from;
    if (!names.has(ref.port)) {
      names.add(ref.port);
      slots.push({ name: ref.port });
    }
  }
  return slots;
}
