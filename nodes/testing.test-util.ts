/**
 * Test helper: builds one node standalone, outside any graph. Params go through the compiler's
 * resolver (defaults, template expressions such as "ngf*4", ranges); variables get a deterministic
 * seeded initialiser, and tests may overwrite them with exact values.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {
  BuildContext,
  Initializer,
  NetworkHandle,
  NodeCost,
  NodeDef,
  NodeForward,
  OfficialKey,
  ResolvedParams,
  RunContext,
  TensorKind,
  TensorType,
} from './contract.ts';
import { dim } from './dims.ts';
import type { Dim } from './dims.ts';
import { resolveParams as resolveGraphParams } from '../src/compiler/params.ts';
import { evaluateExpression } from '../src/compiler/expr.ts';
import type { GraphNode } from '../src/graph/document.ts';

export const TEST_TEMPLATE: Record<string, number> = { batch: 1, height: 8, width: 8, num_classes: 4, ngf: 4, ndf: 4 };

export interface TestNode {
  params: ResolvedParams;
  outputs: Record<string, TensorType>;
  cost: NodeCost;
  forward: NodeForward;
  /** Handles the node built for its `network` output ports (discriminators). */
  handles: Record<string, NetworkHandle>;
  officialKeys: OfficialKey[];
  /** Variables by local name ("weight", "conv1.bias", …). */
  variables: Map<string, tf.Variable>;
  /** Overwrites a variable with exact values (row-major in the variable's shape). */
  setVariable(name: string, values: number[] | Float32Array | tf.Tensor): void;
  /** forward() in eval mode by default. */
  run(inputs: Record<string, tf.Tensor>, training?: boolean): Record<string, tf.Tensor>;
  /** Disposes the variables (tfjs registers variable names globally). */
  dispose(): void;
}

let builtCount = 0;

/**
 * Resolves params, infers output types, computes the cost and builds the node.
 * `inputTypes` are the types arriving at the connected input ports.
 */
export function buildNode(
  def: NodeDef,
  params: Record<string, number | boolean | string> = {},
  inputTypes: Record<string, TensorType> = {},
  template: Record<string, number> = TEST_TEMPLATE,
  /** Network handles wired into the node's `network` input ports (loss nodes). */
  handles: Record<string, NetworkHandle> = {},
): TestNode {
  const resolved = resolveParams(def, params, template);
  const outputs = def.infer({ inputs: inputTypes, params: resolved, template });
  const cost = def.cost({ inputs: inputTypes, outputs, params: resolved });
  const officialKeys = def.officialKeys?.({ inputs: inputTypes, outputs, params: resolved, template }) ?? [];
  const nodeId = `test${++builtCount}`;
  const variables = new Map<string, tf.Variable>();
  const ctx: BuildContext = {
    nodeId,
    network: def.defaultNetwork ?? 'G',
    variable(localName, shape, init, options) {
      const existing = variables.get(localName);
      if (existing) return existing;
      const initial = tf.tidy(() => initialValue(shape, init, `${def.type}/${localName}`));
      const v = tf.variable(initial, options?.trainable ?? true, `${nodeId}.${localName}`);
      initial.dispose();
      variables.set(localName, v);
      return v;
    },
  };
  const built = def.build(ctx, { inputs: inputTypes, outputs, params: resolved, template, handles });
  const { forward, handles: own } = typeof built === 'function' ? { forward: built, handles: undefined } : built;
  return {
    params: resolved,
    outputs,
    cost,
    forward,
    handles: own ?? {},
    officialKeys,
    variables,
    setVariable(name, values) {
      const v = variables.get(name);
      if (!v) throw new Error(`node ${def.type} has no variable '${name}' (has ${[...variables.keys()].join(', ')})`);
      tf.tidy(() => v.assign(values instanceof tf.Tensor ? tf.reshape(values, v.shape) : tf.tensor(values, v.shape)));
    },
    run(inputs, training = false) {
      const run: RunContext = { training };
      return forward(inputs, run);
    },
    dispose() {
      for (const v of variables.values()) v.dispose();
      variables.clear();
    },
  };
}

/**
 * Defaults first, then the given values, through the compiler's own param resolution (template
 * expressions, ranges, options); a problem throws with the compiler's message.
 */
export function resolveParams(
  def: NodeDef,
  params: Record<string, number | boolean | string>,
  template: Record<string, number>,
): ResolvedParams {
  const node: GraphNode = { id: 'test', type: def.type, typeVersion: def.version, params, position: { x: 0, y: 0 } };
  const { params: resolved, diagnostics } = resolveGraphParams(def, node, 0, template);
  const problem = diagnostics.find((d) => d.severity === 'error');
  if (problem) throw new Error(`${def.type}: ${problem.message}`);
  return resolved;
}

export { evaluateExpression };

/** A stable 32-bit seed from a variable's name, so every build starts from the same values. */
function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

function initialValue(shape: number[], init: Initializer, name: string): tf.Tensor {
  const seed = seedOf(name);
  switch (init.kind) {
    case 'zeros':
      return tf.zeros(shape);
    case 'ones':
      return tf.ones(shape);
    case 'normal':
      return tf.randomNormal(shape, init.mean, init.std, 'float32', seed);
    case 'weight':
      // Xavier-normal (gain 1): deterministic and well scaled; the compiler picks the real scheme.
      return tf.randomNormal(shape, 0, Math.sqrt(2 / (init.fanIn + init.fanOut)), 'float32', seed);
    case 'unit-normal-vector': {
      const v = tf.randomNormal(shape, 0, 1, 'float32', seed);
      return tf.div(v, tf.norm(v));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Tensor types for tests

/** A B×H×W×C map with symbolic B, H, W (and plain C unless a Dim is given). */
export function spatialType(kind: TensorKind, b: number, h: number, w: number, c: number | Dim): TensorType {
  return { kind, shape: [dim(b, 'B'), dim(h, 'H'), dim(w, 'W'), typeof c === 'number' ? dim(c) : c] };
}

/** A map with plain (non-symbolic) dims. */
export function plainSpatialType(kind: TensorKind, b: number, h: number, w: number, c: number): TensorType {
  return { kind, shape: [dim(b), dim(h), dim(w), dim(c)] };
}

export function vectorOf(kind: TensorKind, b: number, n: number): TensorType {
  return { kind, shape: [dim(b, 'B'), dim(n)] };
}
