/**
 * GraphIR → Program: tfjs variables under stable names (`<node id>.<local name>`), seeded
 * initialisation, and a forward function that runs any part of the graph inside tf.tidy.
 * A Program owns its variables; call dispose() when done.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext, BuiltNode, Initializer, NetworkHandle, NodeForward, RunContext, TensorType, VariableOptions } from '../../nodes/contract.ts';
import { error, formatDiagnostics, type Diagnostic } from '../graph/diagnostics.ts';
import { DEFAULT_INIT, type InitSettings } from '../graph/document.ts';
import { groupBy } from '../graph/util.ts';
import { initialValues } from './init.ts';
import { RunJudge } from './judge.ts';
import { hasErrors, type GraphIR, type ResolvedNode } from './ir.ts';

export class CompileError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(formatDiagnostics(diagnostics).join('\n'));
    this.name = 'CompileError';
  }
}

export interface VariableInfo {
  name: string;
  node: string;
  network: string;
  trainable: boolean;
  shape: number[];
}

/** Tensors fed to a run: by input-node id, or by "node:port" to stand in for any node's output. */
export type Feeds = Record<string, tf.Tensor>;

export interface RunOptions {
  training?: boolean;
  /** What to return: node ids (sinks) or "node:port". Default: every sink of the run's scope. */
  outputs?: string[];
  /** Only run this network's nodes (plus input nodes); values from other networks must be fed. */
  network?: string;
}

export interface Program {
  ir: GraphIR;
  init: InitSettings;
  /** By stable name (`<node id>.<local name>`); the tfjs-internal name carries a per-program prefix. */
  variables: Map<string, tf.Variable>;
  variableInfo: Map<string, VariableInfo>;
  networks: string[];
  /** Nodes with no input ports: what a caller feeds (by node id). */
  inputNodes: ResolvedNode[];
  /** Nodes with no output ports: what a run returns by default (by node id). */
  sinkNodes: ResolvedNode[];
  trainableVariables(network?: string): tf.Variable[];
  trainableNames(network?: string): string[];
  run(feeds: Feeds, options?: RunOptions): Record<string, tf.Tensor>;
  dispose(): void;
}

interface CompiledNode {
  resolved: ResolvedNode;
  forward: NodeForward;
  asks?: BuiltNode['asks'];
}

/** The type of the tensor fed to an input node: its own declaration, else its first output's type. */
export function feedTypeOf(n: ResolvedNode, template: Record<string, number>): TensorType | undefined {
  return n.def?.feedType?.({ inputs: {}, params: n.params, template }) ?? Object.values(n.outputs)[0];
}

function isFeedable(n: ResolvedNode): boolean {
  return n.inputPorts.length === 0;
}

/** tfjs keeps one global namespace of variable names; each program gets its own prefix in it. */
let programCounter = 0;

export interface CompileOptions {
  init?: InitSettings;
  /**
   * Variables the caller assigns right after compiling (a checkpoint carried over): they start as
   * zeros instead of their init, which skips the JS random draws (seconds for a full-size graph).
   * Every other variable gets exactly the values it gets without this (each name has its own
   * random stream). Use `carriedVariables` of the checkpoint, then `carryOver` at once.
   */
  assignedAfter?: (name: string, shape: readonly number[]) => boolean;
}

export function compileProgram(ir: GraphIR, options: CompileOptions = {}): Program {
  const engineScope = `program${++programCounter}`;
  const init = options.init ?? ir.doc.init ?? DEFAULT_INIT;
  const unreachable = checkCompilable(ir);
  const { variables, variableInfo, compiled } = buildNodes(ir, unreachable, { init, engineScope, assignedAfter: options.assignedAfter });
  const compiledNodes = [...compiled.values()].map((c) => c.resolved);
  const graph: RunnableGraph = { ir, compiled, compiledNodes, wires: wiresInto(ir.doc.edges) };
  const trainableNames = (network?: string) =>
    [...variableInfo.values()].filter((v) => v.trainable && (network === undefined || v.network === network)).map((v) => v.name);

  return {
    ir,
    init,
    variables,
    variableInfo,
    networks: [...new Set(compiledNodes.filter((n) => !isFeedable(n)).map((n) => n.network))],
    inputNodes: compiledNodes.filter(isFeedable),
    sinkNodes: compiledNodes.filter((n) => n.outputPorts.length === 0),
    trainableVariables(network?: string) {
      return trainableNames(network).map((name) => variables.get(name)!);
    },
    trainableNames,
    run(feeds: Feeds, runOptions: RunOptions = {}) {
      const { steps, targets } = planRun(graph, feeds, runOptions);
      return tf.tidy(() => pickTargets(runSteps(graph, steps, feeds, runOptions.training ?? false), targets));
    },
    dispose() {
      for (const v of variables.values()) v.dispose();
      variables.clear();
    },
  };
}

/**
 * Throws CompileError for the graph's errors and for reachable nodes whose type this build does
 * not know; returns the unreachable nodes (they are left out, so their types do not matter).
 */
function checkCompilable(ir: GraphIR): Set<string> {
  const problems = ir.diagnostics.filter((d) => d.severity === 'error');
  const unreachable = new Set(ir.diagnostics.filter((d) => d.code === 'unreachable').map((d) => d.where.node!));
  const indexOf = new Map(ir.doc.nodes.map((node, i) => [node, i]));
  for (const n of ir.nodes.values()) {
    if (!n.def && !unreachable.has(n.id)) {
      const index = indexOf.get(n.node);
      problems.push(error('placeholder', `cannot compile: node type '${n.node.type}' is unknown to this build`, { node: n.id, pointer: `/nodes/${index}/type` }));
    }
  }
  if (problems.length > 0 || hasErrors(ir)) throw new CompileError(problems);
  return unreachable;
}

interface BuiltNodes {
  variables: Map<string, tf.Variable>;
  variableInfo: Map<string, VariableInfo>;
  compiled: Map<string, CompiledNode>;
}

/** Builds every reachable node in topological order: its variables, its forward function and the network handles it offers. */
function buildNodes(ir: GraphIR, unreachable: Set<string>, settings: VariableSettings): BuiltNodes {
  const built: BuiltNodes = { variables: new Map(), variableInfo: new Map(), compiled: new Map() };
  const variableFactory = variableMaker(built, settings);
  const handles = new NetworkHandles(ir);
  try {
    for (const id of ir.order) {
      const n = ir.nodes.get(id)!;
      if (!n.def || unreachable.has(id)) continue;
      const ctx: BuildContext = { nodeId: id, network: n.network, variable: variableFactory(n) };
      const made = n.def.build(ctx, { inputs: n.inputs, outputs: n.outputs, params: n.params, template: ir.template, handles: handles.into(id) });
      const { forward, handles: ownHandles, asks } = typeof made === 'function' ? { forward: made, handles: undefined, asks: undefined } : made;
      handles.offer(id, ownHandles ?? {});
      built.compiled.set(id, { resolved: n, forward, asks });
    }
  } catch (e) {
    for (const v of built.variables.values()) v.dispose();
    throw e;
  }
  return built;
}

interface VariableSettings {
  init: InitSettings;
  /** This program's prefix in tfjs's global namespace of variable names. */
  engineScope: string;
  assignedAfter: CompileOptions['assignedAfter'];
}

/**
 * BuildContext.variable for one node: `<node id>.<local name>`, made once (asked again, the same
 * variable), seeded from its name, or zeros when the caller assigns it right after compiling.
 */
function variableMaker(built: BuiltNodes, { init, engineScope, assignedAfter }: VariableSettings): (n: ResolvedNode) => BuildContext['variable'] {
  return (n) =>
    (localName: string, shape: number[], initializer: Initializer, opts: VariableOptions = {}) => {
      const name = `${n.id}.${localName}`;
      const existing = built.variables.get(name);
      if (existing) return existing;
      const size = shape.reduce((a, b) => a * b, 1);
      const trainable = opts.trainable ?? true;
      const initial = assignedAfter?.(name, shape) ? tf.zeros(shape) : tf.tensor(initialValues(initializer, size, init, name), shape);
      const v = tf.variable(initial, trainable, `${engineScope}/${name}`);
      initial.dispose(); // the variable holds its own reference to the data
      built.variables.set(name, v);
      built.variableInfo.set(name, { name, node: n.id, network: n.network, trainable, shape: [...shape] });
      return v;
    };
}

/** Network handles are wired at build time: a node's `network` inputs get its upstream node's handles. */
class NetworkHandles {
  private readonly byPort = new Map<string, NetworkHandle>();
  private readonly edgesInto: Map<string, GraphIR['doc']['edges']>;

  constructor(ir: GraphIR) {
    this.edgesInto = groupBy(ir.doc.edges, (e) => e.to.node);
  }

  /** The handles wired into node `id`, by its input port. */
  into(id: string): Record<string, NetworkHandle> {
    const result: Record<string, NetworkHandle> = {};
    for (const e of this.edgesInto.get(id) ?? []) {
      const handle = this.byPort.get(`${e.from.node}:${e.from.port}`);
      if (handle) result[e.to.port] = handle;
    }
    return result;
  }

  /** Records the handles node `id` gives on its output ports. */
  offer(id: string, handles: Record<string, NetworkHandle>): void {
    for (const [port, handle] of Object.entries(handles)) this.byPort.set(`${id}:${port}`, handle);
  }
}

type Wire = { from: string; fromPort: string; toPort: string };

/** What a run needs of the compiled program. */
interface RunnableGraph {
  ir: GraphIR;
  compiled: Map<string, CompiledNode>;
  /** The compiled nodes' resolved forms, in topological order. */
  compiledNodes: ResolvedNode[];
  wires: Map<string, Wire[]>;
}

/** The wires into each node, by node id. */
function wiresInto(edges: GraphIR['doc']['edges']): Map<string, Wire[]> {
  const result = new Map<string, Wire[]>();
  for (const e of edges) {
    const list = result.get(e.to.node) ?? [];
    list.push({ from: e.from.node, fromPort: e.from.port, toPort: e.to.port });
    result.set(e.to.node, list);
  }
  return result;
}

/** Which nodes a run must compute (in order) for its targets: upstream of them, stopping at fed ports, within the run's network. */
function planRun({ ir, compiled, compiledNodes, wires }: RunnableGraph, feeds: Feeds, options: RunOptions): { steps: string[]; targets: string[] } {
  const inScope = (n: ResolvedNode) => options.network === undefined || n.network === options.network || isFeedable(n);
  const targets = options.outputs ?? compiledNodes.filter((n) => n.outputPorts.length === 0 && inScope(n)).map((n) => n.id);
  const needed = new Set<string>();
  const stack = targets.map((t) => t.split(':')[0]);
  for (const id of stack) {
    if (!compiled.has(id)) throw new Error(`cannot return '${id}': no such compiled node`);
  }
  while (stack.length) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    const n = compiled.get(id)!.resolved;
    if (!inScope(n)) {
      throw new Error(`network '${options.network}' needs the output of '${id}' (network '${n.network}'); feed it as '${id}:<port>'`);
    }
    needed.add(id);
    for (const w of wires.get(id) ?? []) {
      if (!(`${w.from}:${w.fromPort}` in feeds)) stack.push(w.from);
    }
  }
  return { steps: ir.order.filter((id) => needed.has(id)), targets };
}

/**
 * Runs the planned nodes' forwards (inside the caller's tidy): each node's outputs, by node id.
 * Nodes that judge with a discriminator (BuiltNode.asks) name their pairs when their turn comes
 * and wait; the run's Judge then applies each discriminator once to all the named pairs, before
 * the first of their outputs is needed or at the end, and the waiting forwards run in order.
 */
function runSteps({ ir, compiled, wires }: RunnableGraph, steps: string[], feeds: Feeds, training: boolean): Map<string, Record<string, tf.Tensor>> {
  const judge = new RunJudge();
  const run: RunContext = { training, judge };
  const values = new Map<string, Record<string, tf.Tensor>>();
  const waiting = new Map<string, Record<string, tf.Tensor>>();
  const runWaiting = () => {
    judge.settle(run);
    for (const [id, inputs] of waiting) values.set(id, compiled.get(id)!.forward(inputs, run));
    waiting.clear();
  };
  const valueAt = (node: string, port: string): tf.Tensor => {
    const fed = feeds[`${node}:${port}`];
    if (fed) return fed;
    if (waiting.has(node)) runWaiting();
    return values.get(node)![port];
  };
  for (const id of steps) {
    const { resolved, forward, asks } = compiled.get(id)!;
    const inputs: Record<string, tf.Tensor> = {};
    for (const w of wires.get(id) ?? []) inputs[w.toPort] = valueAt(w.from, w.fromPort);
    if (isFeedable(resolved) && feeds[id]) {
      checkFeed(resolved, feeds[id], ir.template);
      inputs.value = feeds[id];
    }
    if (asks) {
      for (const ask of asks(inputs)) judge.ask(ask);
      waiting.set(id, inputs);
    } else {
      values.set(id, forward(inputs, run));
    }
  }
  runWaiting();
  return values;
}

/** The run's result: each target ("node" for its first output, or "node:port") from the computed values. */
function pickTargets(values: Map<string, Record<string, tf.Tensor>>, targets: string[]): Record<string, tf.Tensor> {
  const result: Record<string, tf.Tensor> = {};
  for (const t of targets) {
    const [node, port] = t.split(':');
    const out = values.get(node) ?? {};
    const tensor = port !== undefined ? out[port] : Object.values(out)[0];
    if (!tensor) throw new Error(`node '${node}' produced no output${port ? ` '${port}'` : ''}`);
    result[t] = tensor;
  }
  return result;
}

function checkFeed(n: ResolvedNode, value: tf.Tensor, template: Record<string, number>): void {
  const expected = feedTypeOf(n, template);
  if (!expected) return;
  const want = expected.shape.map((d) => d.value);
  const ok = value.rank === want.length && value.shape.every((s, i) => i === 0 || s === want[i]);
  if (!ok) throw new Error(`input node '${n.id}' expects a tensor of shape [B, ${want.slice(1).join(', ')}], got [${value.shape.join(', ')}]`);
}
