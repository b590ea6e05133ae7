/**
 * GraphIR → Program: tfjs variables under stable names (`<node id>.<local name>`), seeded
 * initialisation, and a forward function that runs any part of the graph inside tf.tidy.
 * A Program owns its variables; call dispose() when done.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext, Initializer, NetworkHandle, NodeForward, TensorType, VariableOptions } from '../../nodes/contract.ts';
import { error, formatDiagnostics, type Diagnostic } from '../graph/diagnostics.ts';
import { DEFAULT_INIT, type InitSettings } from '../graph/document.ts';
import { groupBy } from '../graph/util.ts';
import { initialValues } from './init.ts';
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

  // Network handles are wired at build time: a node's `network` inputs get its upstream node's handles.
  const handles = new Map<string, NetworkHandle>();
  const edgesInto = groupBy(ir.doc.edges, (e) => e.to.node);
  const handlesInto = (id: string): Record<string, NetworkHandle> => {
    const result: Record<string, NetworkHandle> = {};
    for (const e of edgesInto.get(id) ?? []) {
      const handle = handles.get(`${e.from.node}:${e.from.port}`);
      if (handle) result[e.to.port] = handle;
    }
    return result;
  };
  const variables = new Map<string, tf.Variable>();
  const variableInfo = new Map<string, VariableInfo>();
  const compiled = new Map<string, CompiledNode>();
  try {
    for (const id of ir.order) {
      const n = ir.nodes.get(id)!;
      if (!n.def || unreachable.has(id)) continue;
      const ctx: BuildContext = {
        nodeId: id,
        network: n.network,
        variable(localName: string, shape: number[], initializer: Initializer, opts: VariableOptions = {}) {
          const name = `${id}.${localName}`;
          const existing = variables.get(name);
          if (existing) return existing;
          const size = shape.reduce((a, b) => a * b, 1);
          const trainable = opts.trainable ?? true;
          const initial = options.assignedAfter?.(name, shape) ? tf.zeros(shape) : tf.tensor(initialValues(initializer, size, init, name), shape);
          const v = tf.variable(initial, trainable, `${engineScope}/${name}`);
          initial.dispose(); // the variable holds its own reference to the data
          variables.set(name, v);
          variableInfo.set(name, { name, node: id, network: n.network, trainable, shape: [...shape] });
          return v;
        },
      };
      const built = n.def.build(ctx, { inputs: n.inputs, outputs: n.outputs, params: n.params, template: ir.template, handles: handlesInto(id) });
      const { forward, handles: ownHandles } = typeof built === 'function' ? { forward: built, handles: undefined } : built;
      for (const [port, handle] of Object.entries(ownHandles ?? {})) handles.set(`${id}:${port}`, handle);
      compiled.set(id, { resolved: n, forward });
    }
  } catch (e) {
    for (const v of variables.values()) v.dispose();
    throw e;
  }

  const wiresInto = new Map<string, { from: string; fromPort: string; toPort: string }[]>();
  for (const e of ir.doc.edges) {
    const list = wiresInto.get(e.to.node) ?? [];
    list.push({ from: e.from.node, fromPort: e.from.port, toPort: e.to.port });
    wiresInto.set(e.to.node, list);
  }
  const compiledNodes = [...compiled.values()].map((c) => c.resolved);
  const trainableNames = (network?: string) =>
    [...variableInfo.values()].filter((v) => v.trainable && (network === undefined || v.network === network)).map((v) => v.name);
  const networks = [...new Set(compiledNodes.filter((n) => !isFeedable(n)).map((n) => n.network))];

  function plan(feeds: Feeds, options: RunOptions): { steps: string[]; targets: string[] } {
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
      for (const w of wiresInto.get(id) ?? []) {
        if (!(`${w.from}:${w.fromPort}` in feeds)) stack.push(w.from);
      }
    }
    return { steps: ir.order.filter((id) => needed.has(id)), targets };
  }

  function checkFeed(n: ResolvedNode, value: tf.Tensor): void {
    const expected = feedTypeOf(n, ir.template);
    if (!expected) return;
    const want = expected.shape.map((d) => d.value);
    const ok = value.rank === want.length && value.shape.every((s, i) => i === 0 || s === want[i]);
    if (!ok) throw new Error(`input node '${n.id}' expects a tensor of shape [B, ${want.slice(1).join(', ')}], got [${value.shape.join(', ')}]`);
  }

  return {
    ir,
    init,
    variables,
    variableInfo,
    networks,
    inputNodes: compiledNodes.filter(isFeedable),
    sinkNodes: compiledNodes.filter((n) => n.outputPorts.length === 0),
    trainableVariables(network?: string) {
      return trainableNames(network).map((name) => variables.get(name)!);
    },
    trainableNames,
    run(feeds: Feeds, options: RunOptions = {}) {
      const { steps, targets } = plan(feeds, options);
      const run = { training: options.training ?? false };
      return tf.tidy(() => {
        const values = new Map<string, Record<string, tf.Tensor>>();
        const valueAt = (node: string, port: string): tf.Tensor => feeds[`${node}:${port}`] ?? values.get(node)![port];
        for (const id of steps) {
          const { resolved, forward } = compiled.get(id)!;
          const inputs: Record<string, tf.Tensor> = {};
          for (const w of wiresInto.get(id) ?? []) inputs[w.toPort] = valueAt(w.from, w.fromPort);
          if (isFeedable(resolved) && feeds[id]) {
            checkFeed(resolved, feeds[id]);
            inputs.value = feeds[id];
          }
          values.set(id, forward(inputs, run));
        }
        const result: Record<string, tf.Tensor> = {};
        for (const t of targets) {
          const [node, port] = t.split(':');
          const out = values.get(node) ?? {};
          const tensor = port !== undefined ? out[port] : Object.values(out)[0];
          if (!tensor) throw new Error(`node '${node}' produced no output${port ? ` '${port}'` : ''}`);
          result[t] = tensor;
        }
        return result;
      });
    },
    dispose() {
      for (const v of variables.values()) v.dispose();
      variables.clear();
    },
  };
}
