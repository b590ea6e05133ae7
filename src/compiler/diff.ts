/**
 * The evaluated graph diff: the structural diff (src/graph/diff.ts) with params and networks
 * compared after the node types' defaults are filled in, each changed param's evaluated value on both sides
 * (template expressions resolved), and the per-network params and multiply-adds before → after,
 * as `lggan inspect` counts them.
 */
import type { NodeRegistry } from '../../nodes/registry.ts';
import type { GraphDocument, ParamValue } from '../graph/document.ts';
import { diffGraphs, type GraphDiff, type NodeChange, type ValueChange } from '../graph/diff.ts';
import type { GraphIR, NetworkTotals } from './ir.ts';
import { DEFAULT_NETWORK, resolveGraph } from './resolve.ts';

/** A param change with what each side evaluates to (absent where it did not resolve). */
export interface EvaluatedParamChange extends ValueChange<ParamValue> {
  beforeValue?: number | boolean | string;
  afterValue?: number | boolean | string;
}

export interface EvaluatedNodeChange extends Omit<NodeChange, 'params'> {
  params: EvaluatedParamChange[];
}

export interface CostTotals {
  params: number;
  macs: number;
}

/** One network's totals on each side; a side is absent where the graph has no node in it. */
export interface NetworkDelta {
  network: string;
  before?: CostTotals;
  after?: CostTotals;
}

export interface EvaluatedDiff extends Omit<GraphDiff, 'nodes'> {
  nodes: Omit<GraphDiff['nodes'], 'changed'> & { changed: EvaluatedNodeChange[] };
  /** Every network of either graph, by name, then "all" (the whole graph). */
  networks: NetworkDelta[];
  /** Error diagnostics found while resolving each side: totals then count only what resolved. */
  errors: { before: number; after: number };
}

export interface EvaluatedDiffOptions {
  /** Batch size the multiply-adds are counted at (default 1, as `lggan inspect`). */
  batch?: number;
}

function paramDefaults(registry: NodeRegistry) {
  return (type: string): Record<string, ParamValue> | undefined => {
    const def = registry.get(type);
    if (!def) return undefined;
    return Object.fromEntries(Object.entries(def.params).map(([name, p]) => [name, p.default as ParamValue]));
  };
}

const totals = (t: NetworkTotals): CostTotals => ({ params: t.params, macs: t.macs });

function networkDeltas(a: GraphIR, b: GraphIR): NetworkDelta[] {
  const names = [...new Set([...a.networks.keys(), ...b.networks.keys()])].sort();
  const deltas: NetworkDelta[] = names.map((network) => {
    const delta: NetworkDelta = { network };
    const before = a.networks.get(network);
    const after = b.networks.get(network);
    if (before) delta.before = totals(before);
    if (after) delta.after = totals(after);
    return delta;
  });
  deltas.push({ network: 'all', before: totals(a.total), after: totals(b.total) });
  return deltas;
}

export function diffEvaluated(before: GraphDocument, after: GraphDocument, registry: NodeRegistry, options: EvaluatedDiffOptions = {}): EvaluatedDiff {
  const batch = options.batch ?? 1;
  const structural = diffGraphs(before, after, {
    paramDefaults: paramDefaults(registry),
    defaultNetwork: (type) => (registry.get(type) ? (registry.get(type)!.defaultNetwork ?? DEFAULT_NETWORK) : undefined),
  });
  const a = resolveGraph(before, registry, { batch });
  const b = resolveGraph(after, registry, { batch });
  const changed = structural.nodes.changed.map((change): EvaluatedNodeChange => {
    const resolvedA = a.nodes.get(change.before)?.params ?? {};
    const resolvedB = b.nodes.get(change.after)?.params ?? {};
    return {
      ...change,
      params: change.params.map((p) => {
        const evaluated: EvaluatedParamChange = { ...p };
        if (Object.hasOwn(resolvedA, p.name)) evaluated.beforeValue = resolvedA[p.name];
        if (Object.hasOwn(resolvedB, p.name)) evaluated.afterValue = resolvedB[p.name];
        return evaluated;
      }),
    };
  });
  const errorCount = (ir: GraphIR) => ir.diagnostics.filter((d) => d.severity === 'error').length;
  return {
    ...structural,
    nodes: { ...structural.nodes, changed },
    networks: networkDeltas(a, b),
    errors: { before: errorCount(a), after: errorCount(b) },
  };
}
