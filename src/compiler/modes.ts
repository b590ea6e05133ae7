/**
 * Bypass and mute as a graph rewrite that runs before resolution, so every host (CLI inspect,
 * compile and train, the browser sessions, the PyTorch export) compiles the same program:
 *
 * - a muted node leaves the program, and so does every node that loses a wire into a required input
 *   because of it; a wire into an optional input is just dropped, so the node adapts;
 * - a bypassed node leaves the program and each of its outputs carries what arrives at the input its
 *   type pairs with it (`passThrough`, first live pair wins); an output with no pair is like a muted
 *   one. A type that declares `bypassAs` (SAU) is replaced by that plain computation instead, under
 *   the same id. A type that declares neither cannot be bypassed: an error naming the node.
 *
 * Graphs without modes come back as they are. Diagnostics of the rewritten graph are mapped back
 * to the places (node and edge indices) of the document the user edits.
 */
import { inputPorts, outputPorts, type BypassVariant, type NodeDef, type PortDef } from '../../nodes/contract.ts';
import type { NodeRegistry } from '../../nodes/registry.ts';
import { error, NodeRuleError, warning, type Diagnostic, type Place } from '../graph/diagnostics.ts';
import type { GraphDocument, GraphEdge, GraphNode, PortRef } from '../graph/document.ts';
import type { GraphIR, ResolvedNode } from './ir.ts';
import { resolveParams } from './params.ts';

export interface ModeRewrite {
  /** The graph the program is made of. */
  doc: GraphDocument;
  /** Problems with the modes themselves, at their places in the original document. */
  diagnostics: Diagnostic[];
  /** Ids of the nodes left out: muted, bypassed, and those that needed them. */
  removed: string[];
  /** Rewritten node index → original node index. */
  nodeIndex: number[];
  /** Rewritten edge index → the original edge into the same input. */
  edgeIndex: number[];
  /** Nodes removed or replaced (bypass variants), as the user has them: type, params and ports, no shapes or cost. */
  asEdited: Map<string, ResolvedNode>;
}

/** Does any node of `doc` have a mode? */
export function hasNodeModes(doc: GraphDocument): boolean {
  return doc.nodes.some((n) => n.mode !== undefined);
}

const indices = (n: number) => Array.from({ length: n }, (_, i) => i);

export function applyNodeModes(doc: GraphDocument, registry: Pick<NodeRegistry, 'get'>): ModeRewrite {
  if (!hasNodeModes(doc)) return { doc, diagnostics: [], removed: [], nodeIndex: indices(doc.nodes.length), edgeIndex: indices(doc.edges.length), asEdited: new Map() };
  return new Rewrite(doc, registry).run();
}

class Rewrite {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly byId = new Map<string, { node: GraphNode; index: number; def?: NodeDef }>();
  /** Edge index into each "node\0port". */
  private readonly incoming = new Map<string, number>();
  /** Edges into each node, so liveness is linear in the graph's size. */
  private readonly edgesInto = new Map<string, GraphEdge[]>();
  private readonly variants = new Map<string, BypassVariant>();
  /** Nodes whose bypass failed: treated as muted so the errors after them are not noise. */
  private readonly broken = new Set<string>();
  private readonly alive = new Map<string, boolean>();
  /** Why a node that is neither muted nor bypassed left: its required input and that input's source node. */
  private readonly deadBecause = new Map<string, { port: string; from: string; fromPort: string }>();
  private readonly optional = new Map<string, Set<string>>();
  private readonly template: Record<string, number>;

  constructor(
    private readonly doc: GraphDocument,
    private readonly registry: Pick<NodeRegistry, 'get'>,
  ) {
    this.template = { ...doc.template, batch: doc.template.batch ?? 1 };
    doc.nodes.forEach((node, index) => {
      if (!this.byId.has(node.id)) this.byId.set(node.id, { node, index, def: registry.get(node.type) });
    });
    doc.edges.forEach((e, i) => {
      const key = `${e.to.node}\u0000${e.to.port}`;
      if (!this.incoming.has(key)) this.incoming.set(key, i);
      const into = this.edgesInto.get(e.to.node);
      if (into) into.push(e);
      else this.edgesInto.set(e.to.node, [e]);
    });
  }

  run(): ModeRewrite {
    for (const { node, index, def } of this.byId.values()) if (node.mode === 'bypass') this.checkBypass(node, index, def);
    const removed = new Set<string>();
    const nodes: GraphNode[] = [];
    const nodeIndex: number[] = [];
    this.doc.nodes.forEach((node, i) => {
      if (this.isRemoved(node)) {
        removed.add(node.id);
        const why = this.deadBecause.get(node.id);
        if (why) {
          this.diagnostics.push(
            warning('left-out', `'${node.id}' is left out of the program: its input '${why.port}' needs '${why.from}'.${why.fromPort}, ${this.whyGone(why.from, why.fromPort)}`, {
              node: node.id,
              port: why.port,
              pointer: `/nodes/${i}`,
            }),
          );
        }
        return;
      }
      nodes.push(this.programNode(node));
      nodeIndex.push(i);
    });
    const edges: GraphEdge[] = [];
    const edgeIndex: number[] = [];
    this.doc.edges.forEach((edge, i) => {
      if (removed.has(edge.to.node)) return;
      const from = this.source(edge.from, new Set());
      if (!from) return; // a dead wire into an optional input: the node goes on without it
      const to = this.renamedInput(edge.to);
      if (!to) return; // an input the bypass variant does not take (SAU's gating labels)
      edges.push({ from: this.renamedOutput(from), to });
      edgeIndex.push(i);
    });
    const groups = this.doc.groups.map((g) => ({ ...g, nodes: g.nodes.filter((id) => !removed.has(id)) }));
    const asEdited = new Map<string, ResolvedNode>();
    for (const id of [...removed, ...this.variants.keys()]) asEdited.set(id, this.asEdited(id));
    return { doc: { ...this.doc, nodes, edges, groups }, diagnostics: this.diagnostics, removed: [...removed], nodeIndex, edgeIndex, asEdited };
  }

  /** A node the program does not have as the user made it: its type's ports, for the editors to draw. */
  private asEdited(id: string): ResolvedNode {
    const { node, index, def } = this.byId.get(id)!;
    const params = def ? this.paramsOf(node, index, def) : undefined;
    let ports: { inputs: PortDef[]; outputs: PortDef[] } = { inputs: [], outputs: [] };
    if (def && params) {
      try {
        ports = { inputs: inputPorts(def, params), outputs: outputPorts(def, params) };
      } catch {
        // bad params: the node is out of the program anyway; the editors draw the ports its edges name
      }
    }
    return {
      id,
      node,
      def,
      network: node.network ?? def?.defaultNetwork ?? 'G',
      params: params ?? {},
      inputPorts: ports.inputs,
      outputPorts: ports.outputs,
      inputs: {},
      outputs: {},
      cost: { params: 0, macs: 0, buffers: 0, activationBytes: 0 },
      diagnostics: this.diagnostics.filter((d) => d.where.node === id),
    };
  }

  private checkBypass(node: GraphNode, index: number, def: NodeDef | undefined): void {
    const where: Place = { node: node.id, pointer: `/nodes/${index}/mode` };
    if (!def) {
      this.fail(node, error('cannot-bypass', `'${node.id}' cannot be bypassed: its type '${node.type}' is unknown to this build`, where));
      return;
    }
    if (def.bypassAs) {
      const params = this.paramsOf(node, index, def);
      if (!params) return this.fail(node, error('cannot-bypass', `'${node.id}' cannot be bypassed: its params do not resolve`, where));
      try {
        this.variants.set(node.id, def.bypassAs(params));
      } catch (e) {
        if (!(e instanceof NodeRuleError)) throw e;
        const pointer = e.at.param !== undefined ? `/nodes/${index}/params/${e.at.param}` : where.pointer;
        this.fail(node, error('cannot-bypass', `'${node.id}' (${def.title}) ${e.message}`, { node: node.id, param: e.at.param, pointer }));
      }
      return;
    }
    if (!def.passThrough?.length) {
      this.fail(
        node,
        error('cannot-bypass', `'${node.id}' (${def.title}) cannot be bypassed: its type passes no input through to an output; mute it instead`, where),
      );
    }
  }

  /** Why nothing live comes out of `id`.`port`, for the left-out warning. */
  private whyGone(id: string, port: string): string {
    const entry = this.byId.get(id);
    if (entry?.node.mode === 'mute') return 'which is muted';
    if (this.broken.has(id)) return 'which cannot be bypassed';
    if (entry?.node.mode === 'bypass' && !this.variants.has(id)) {
      const pairs = (entry.def?.passThrough ?? []).filter((p) => p.output === port);
      return pairs.length === 0
        ? `which is bypassed and passes nothing through to '${port}'`
        : `which is bypassed and its ${pairs.map((p) => `'${p.input}'`).join(' / ')} input has nothing live`;
    }
    return 'which is left out too';
  }

  private fail(node: GraphNode, d: Diagnostic): void {
    this.diagnostics.push(d);
    this.broken.add(node.id);
  }

  private paramsOf(node: GraphNode, index: number, def: NodeDef) {
    const { params, diagnostics } = resolveParams(def, node, index, this.template);
    return diagnostics.some((d) => d.severity === 'error') ? undefined : params;
  }

  private isRemoved(node: GraphNode): boolean {
    if (node.mode === 'mute' || this.broken.has(node.id)) return true;
    if (node.mode === 'bypass' && !this.variants.has(node.id)) return true;
    return !this.isAlive(node.id, new Set());
  }

  /** The node as the program has it: a bypass variant takes the node's id, place and network. */
  private programNode(node: GraphNode): GraphNode {
    const variant = this.variants.get(node.id);
    const { mode: _mode, ...active } = node;
    if (!variant) return active;
    const def = this.registry.get(variant.type);
    const network = node.network ?? this.byId.get(node.id)?.def?.defaultNetwork;
    return {
      id: node.id,
      type: variant.type,
      typeVersion: def?.version ?? 1,
      params: { ...variant.params },
      position: node.position,
      ...(network !== undefined ? { network } : {}),
      ...(node.title !== undefined ? { title: node.title } : {}),
    };
  }

  /** Where the value at `ref` really comes from, or null when nothing live produces it. */
  private source(ref: PortRef, visiting: Set<string>): PortRef | null {
    const entry = this.byId.get(ref.node);
    if (!entry) return ref; // validation reports the missing node
    const { node } = entry;
    if (node.mode === 'mute' || this.broken.has(node.id)) return null;
    if (node.mode === 'bypass' && !this.variants.has(node.id)) {
      if (visiting.has(node.id)) return null; // on a cycle: resolution reports it
      visiting.add(node.id);
      for (const pair of entry.def?.passThrough ?? []) {
        if (pair.output !== ref.port) continue;
        const e = this.incoming.get(`${node.id}\u0000${pair.input}`);
        if (e === undefined) continue;
        const found = this.source(this.doc.edges[e].from, visiting);
        if (found) return found;
      }
      return null;
    }
    const variant = this.variants.get(node.id);
    if (variant && !(ref.port in variant.outputs)) return null;
    return this.isAlive(node.id, visiting) ? ref : null;
  }

  /** A node stays unless a wire into one of its required inputs comes from nothing live. */
  private isAlive(id: string, visiting: Set<string>): boolean {
    const known = this.alive.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return true; // a cycle: resolution reports it
    visiting.add(id);
    let alive = true;
    for (const edge of this.edgesInto.get(id) ?? []) {
      if (this.source(edge.from, visiting)) continue;
      if (!this.optionalInputs(id).has(edge.to.port)) {
        alive = false;
        this.deadBecause.set(id, { port: edge.to.port, from: edge.from.node, fromPort: edge.from.port });
        break;
      }
    }
    visiting.delete(id);
    this.alive.set(id, alive);
    return alive;
  }

  /** Optional input ports of a node, from its type and params; none when they cannot be told. */
  private optionalInputs(id: string): Set<string> {
    let set = this.optional.get(id);
    if (set) return set;
    set = new Set<string>();
    const entry = this.byId.get(id);
    const params = entry?.def ? this.paramsOf(entry.node, entry.index, entry.def) : undefined;
    if (entry?.def && params) {
      try {
        for (const port of inputPorts(entry.def, params)) if (port.optional) set.add(port.name);
      } catch {
        // bad params: resolution reports them; treat every input as required
      }
    }
    this.optional.set(id, set);
    return set;
  }

  private renamedInput(to: PortRef): PortRef | null {
    const variant = this.variants.get(to.node);
    if (!variant) return to;
    const port = variant.inputs[to.port];
    return port === undefined ? null : { node: to.node, port };
  }

  private renamedOutput(from: PortRef): PortRef {
    const variant = this.variants.get(from.node);
    return variant ? { node: from.node, port: variant.outputs[from.port] } : from;
  }
}

/** "/nodes/3/params/x" in the rewritten graph → the same place in the document the user edits. */
function originalPlace(where: Place, rewrite: ModeRewrite): Place {
  const out: Place = { ...where };
  if (where.edge !== undefined) out.edge = rewrite.edgeIndex[where.edge] ?? where.edge;
  if (where.pointer !== undefined) {
    out.pointer = where.pointer.replace(/^\/(nodes|edges)\/(\d+)/, (whole, list: string, index: string) => {
      const original = (list === 'nodes' ? rewrite.nodeIndex : rewrite.edgeIndex)[Number(index)];
      return original === undefined ? whole : `/${list}/${original}`;
    });
  }
  return out;
}

/** The resolved rewrite with its diagnostics at the user's places and the mode problems added. */
export function withModes(ir: GraphIR, rewrite: ModeRewrite): GraphIR {
  if (rewrite.doc === ir.doc && rewrite.removed.length === 0 && rewrite.diagnostics.length === 0 && !hasNodeModes(ir.doc)) return ir;
  const remap = (d: Diagnostic): Diagnostic => ({ ...d, where: originalPlace(d.where, rewrite) });
  for (const n of ir.nodes.values()) n.diagnostics = n.diagnostics.map(remap);
  const diagnostics = [...rewrite.diagnostics, ...ir.diagnostics.map(remap)];
  diagnostics.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return { ...ir, diagnostics, removedByModes: rewrite.removed, asEdited: rewrite.asEdited };
}
