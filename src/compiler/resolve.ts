/**
 * GraphDocument → GraphIR: evaluate params, type every port, infer shapes in topological order,
 * count costs per node and per network, and report every problem at its place. Pure: no tensors.
 */
import { inputPorts, kindAccepts, outputPorts, type NodeDef, type PortDef, type TensorType } from '../../nodes/contract.ts';
import { formatShape, numel } from '../../nodes/dims.ts';
import type { NodeRegistry } from '../../nodes/registry.ts';
import { error, NodeRuleError, warning, type Diagnostic } from '../graph/diagnostics.ts';
import type { GraphDocument } from '../graph/document.ts';
import type { GraphIR, NetworkTotals, ResolvedNode } from './ir.ts';
import { applyNodeModes, withModes } from './modes.ts';
import { resolveParams } from './params.ts';
import { orderNodes } from './topo.ts';
import { clip, groupBy } from '../graph/util.ts';
import { sizeProblems } from '../graph/validate.ts';

export interface ResolveOptions {
  /** Batch size for shapes, MACs and activation memory (default: template.batch, else 1). */
  batch?: number;
}

export const DEFAULT_NETWORK = 'G';

function emptyTotals(): NetworkTotals {
  return { params: 0, unusedParams: 0, buffers: 0, macs: 0, activationBytes: 0, weightBytes: 0, nodes: 0 };
}

export function describeType(t: TensorType): string {
  return t.kind === 'network' || t.kind === 'loss' ? t.kind : `${t.kind} ${formatShape(t.shape)}`;
}

/** Every host resolves through here, so bypass and mute (applied first, as a rewrite) hold everywhere. */
export function resolveGraph(doc: GraphDocument, registry: NodeRegistry, options: ResolveOptions = {}): GraphIR {
  const rewrite = applyNodeModes(doc, registry);
  return withModes(resolveDocument(rewrite.doc, registry, options), rewrite);
}

function resolveDocument(doc: GraphDocument, registry: NodeRegistry, options: ResolveOptions): GraphIR {
  const batch = options.batch ?? doc.template.batch ?? 1;
  const template = { ...doc.template, batch };
  const diagnostics: Diagnostic[] = [];
  // The loader refuses these already; a document built in memory (an editor, a test) is checked here.
  const tooLarge = sizeProblems(doc as unknown as Record<string, unknown>);
  if (tooLarge.length > 0) {
    for (const p of tooLarge) diagnostics.push(error('too-large', p.message, { pointer: `/${p.section}` }));
    return { doc, batch, template, nodes: new Map(), order: [], networks: new Map(), total: emptyTotals(), diagnostics };
  }
  const nodes = new Map<string, ResolvedNode>();
  const indexOf = new Map(doc.nodes.map((n, i) => [n.id, i]));

  // 1. Params and ports of every node.
  doc.nodes.forEach((node, i) => {
    const def = registry.get(node.type);
    const resolved: ResolvedNode = {
      id: node.id,
      node,
      def,
      network: node.network ?? def?.defaultNetwork ?? DEFAULT_NETWORK,
      params: {},
      inputPorts: [],
      outputPorts: [],
      inputs: {},
      outputs: {},
      cost: { params: 0, macs: 0, buffers: 0, activationBytes: 0 },
      diagnostics: [],
    };
    nodes.set(node.id, resolved);
    if (!def) {
      resolved.diagnostics.push(
        warning('unknown-type', `unknown node type '${node.type}': kept as a placeholder, not compiled`, { node: node.id, pointer: `/nodes/${i}/type` }),
      );
      return;
    }
    const { params, diagnostics: paramProblems } = resolveParams(def, node, i, template);
    resolved.params = params;
    resolved.diagnostics.push(...paramProblems);
    if (paramProblems.some((d) => d.severity === 'error')) return;
    try {
      resolved.inputPorts = inputPorts(def, params);
      resolved.outputPorts = outputPorts(def, params);
    } catch (e) {
      resolved.diagnostics.push(ruleDiagnostic(e, node.id, i));
    }
  });

  // 2. Edges: both ends must name real ports (placeholders accept any port name).
  type Wire = { edge: number; from: string; fromPort: string; to: string; toPort: string };
  const wires: Wire[] = [];
  doc.edges.forEach((edge, e) => {
    const source = nodes.get(edge.from.node);
    const target = nodes.get(edge.to.node);
    if (!source || !target) {
      diagnostics.push(error('missing-node', `edge refers to a node that does not exist`, { edge: e, pointer: `/edges/${e}` }));
      return;
    }
    const badPort = (ref: 'from' | 'to', n: ResolvedNode, ports: PortDef[], port: string) => {
      if (!n.def || (ports.length === 0 && n.diagnostics.some((d) => d.severity === 'error'))) return false;
      if (ports.some((p) => p.name === port)) return false;
      const side = ref === 'from' ? 'output' : 'input';
      const names = ports.map((p) => p.name).join(', ') || 'none';
      diagnostics.push(
        error('missing-port', `'${n.def.type}' has no ${side} port '${port}' (its ${side}s: ${names})`, {
          edge: e,
          node: n.id,
          port,
          pointer: `/edges/${e}/${ref}/port`,
        }),
      );
      return true;
    };
    const bad = badPort('from', source, source.outputPorts, edge.from.port) || badPort('to', target, target.inputPorts, edge.to.port);
    if (!bad) wires.push({ edge: e, from: source.id, fromPort: edge.from.port, to: target.id, toPort: edge.to.port });
  });

  // 3. Order; nodes on a cycle are reported once per cycle and never inferred.
  const ids = doc.nodes.map((n) => n.id);
  const { order, cycles, loops } = orderNodes(ids, wires);
  cycles.forEach((cycle, c) => {
    diagnostics.push(
      error('cycle', `${describeLoop(loops[c], cycle.length)}; a dataflow graph must not loop`, {
        node: cycle[0],
        pointer: `/nodes/${indexOf.get(cycle[0])}`,
      }),
    );
  });

  // 4. Shape inference in topological order.
  const incoming = groupBy(wires, (w) => w.to);
  for (const id of order) {
    const n = nodes.get(id)!;
    if (!n.def || n.diagnostics.some((d) => d.severity === 'error')) continue;
    inferNode(n, n.def, incoming.get(id) ?? [], nodes, template, indexOf.get(id)!);
  }

  // 5. Reachability: a node that feeds no sink (a node without outputs) is computed for nothing.
  markUnreachable(doc, nodes, wires, indexOf, diagnostics);

  // 6. Totals.
  const networks = new Map<string, NetworkTotals>();
  const total = emptyTotals();
  for (const n of nodes.values()) {
    if (!n.def) continue;
    const t = networks.get(n.network) ?? emptyTotals();
    networks.set(n.network, t);
    for (const sum of [t, total]) {
      sum.params += n.cost.params;
      sum.unusedParams += n.cost.unusedParams ?? 0;
      sum.buffers += n.cost.buffers ?? 0;
      sum.macs += n.cost.macs;
      sum.activationBytes += n.cost.activationBytes;
      sum.weightBytes += 4 * (n.cost.params + (n.cost.buffers ?? 0));
      sum.nodes += 1;
    }
  }

  for (const n of nodes.values()) diagnostics.push(...n.diagnostics);
  diagnostics.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return { doc, batch, template, nodes, order, networks, total, diagnostics };
}

function inferNode(n: ResolvedNode, def: NodeDef, wires: { from: string; fromPort: string; toPort: string; edge: number }[], nodes: Map<string, ResolvedNode>, template: Record<string, number>, index: number): void {
  let blocked = false;
  for (const port of n.inputPorts) {
    const wire = wires.find((w) => w.toPort === port.name);
    if (!wire) {
      if (!port.optional) {
        n.diagnostics.push(error('missing-input', `input '${port.name}' is not connected (expects ${port.doc.replace(/\.$/, '')})`, { node: n.id, port: port.name, pointer: `/nodes/${index}` }));
        blocked = true;
      }
      continue;
    }
    const source = nodes.get(wire.from)!;
    // Own keys only: a port named "constructor" on a placeholder must not find Object's.
    const type = Object.hasOwn(source.outputs, wire.fromPort) ? source.outputs[wire.fromPort] : undefined;
    if (!type) {
      blocked = true; // the upstream node already carries the reason
      continue;
    }
    if (!kindAccepts(port.kind, type.kind)) {
      n.diagnostics.push(
        error('kind-mismatch', `input '${port.name}' expects ${port.kind} (${port.doc}), got ${describeType(type)} from '${wire.from}'.${wire.fromPort}`, {
          node: n.id,
          port: port.name,
          edge: wire.edge,
          pointer: `/edges/${wire.edge}`,
        }),
      );
      blocked = true;
      continue;
    }
    n.inputs[port.name] = type;
  }
  if (blocked) return;
  try {
    n.outputs = def.infer({ inputs: n.inputs, params: n.params, template });
    const cost = def.cost({ inputs: n.inputs, outputs: n.outputs, params: n.params });
    const activationBytes = Object.values(n.outputs)
      .filter((t) => t.kind !== 'network')
      .reduce((sum, t) => sum + 4 * numel(t.shape), 0);
    n.cost = { ...cost, buffers: cost.buffers ?? 0, activationBytes };
    for (const message of def.warnings?.({ inputs: n.inputs, params: n.params, template }) ?? []) {
      n.diagnostics.push(warning('node-warning', message, { node: n.id, pointer: `/nodes/${index}` }));
    }
  } catch (e) {
    n.outputs = {};
    n.diagnostics.push(ruleDiagnostic(e, n.id, index));
  }
}

/** Nodes a cycle message names in full; a longer loop shows its start and end. */
const LOOP_SHOWN = 12;

/** "the graph has a cycle through 'a' → 'b' → 'a'", shortened for long loops, noting the larger knot. */
function describeLoop(loop: string[], componentSize: number): string {
  const names = [...loop, loop[0]].map((id) => `'${clip(id, 40)}'`);
  const shown =
    names.length <= LOOP_SHOWN ? names.join(' → ') : [...names.slice(0, LOOP_SHOWN / 2), `… ${names.length - LOOP_SHOWN} more …`, ...names.slice(-LOOP_SHOWN / 2)].join(' → ');
  const knot = componentSize > loop.length ? ` (one loop among ${componentSize} nodes that all reach each other)` : '';
  return `the graph has a cycle through ${shown}${knot}`;
}

function ruleDiagnostic(e: unknown, nodeId: string, index: number): Diagnostic {
  if (e instanceof NodeRuleError) {
    const pointer = e.at.param !== undefined ? `/nodes/${index}/params/${e.at.param}` : `/nodes/${index}`;
    return error(e.code === 'node-rule' ? 'shape-mismatch' : e.code, e.message, { node: nodeId, port: e.at.port, param: e.at.param, pointer });
  }
  const message = e instanceof Error ? e.message : String(e);
  return error('internal', `node rule failed unexpectedly: ${message}`, { node: nodeId, pointer: `/nodes/${index}` });
}

function markUnreachable(
  doc: GraphDocument,
  nodes: Map<string, ResolvedNode>,
  wires: { from: string; to: string }[],
  indexOf: Map<string, number>,
  diagnostics: Diagnostic[],
): void {
  const sinks = [...nodes.values()].filter((n) => n.def && n.outputPorts.length === 0).map((n) => n.id);
  if (doc.nodes.length > 0 && sinks.length === 0) {
    diagnostics.push(warning('no-output', 'the graph has no output node, so nothing would be computed', { pointer: '/nodes' }));
    return;
  }
  const feeds = groupBy(wires, (w) => w.to);
  const reached = new Set(sinks);
  const queue = [...sinks];
  while (queue.length) {
    for (const { from: up } of feeds.get(queue.pop()!) ?? []) {
      if (!reached.has(up)) {
        reached.add(up);
        queue.push(up);
      }
    }
  }
  for (const n of nodes.values()) {
    if (!reached.has(n.id) && n.def) {
      n.diagnostics.push(warning('unreachable', `'${n.id}' feeds no output, so it is not computed`, { node: n.id, pointer: `/nodes/${indexOf.get(n.id)}` }));
    }
  }
}
