/**
 * Test helpers for the training nodes (not part of the pack). nodes/testing.ts builds nodes
 * without network handles; these build a node with handles in and out, so discriminators can be
 * applied and loss nodes can be given a handle.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import type { BuildContext, Initializer, NetworkHandle, NodeCost, NodeDef, NodeForward, OfficialKey, ResolvedParams, TensorType } from '../../contract.ts';
import { resolveParams, TEST_TEMPLATE } from '../../testing.ts';

export interface BuiltTestNode {
  params: ResolvedParams;
  outputs: Record<string, TensorType>;
  cost: NodeCost;
  forward: NodeForward;
  handles: Record<string, NetworkHandle>;
  variables: Map<string, tf.Variable>;
  officialKeys: OfficialKey[];
  setVariable(name: string, values: number[] | Float32Array | tf.Tensor): void;
  dispose(): void;
}

function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

function initialValue(shape: number[], init: Initializer, seed: number): tf.Tensor {
  switch (init.kind) {
    case 'zeros':
      return tf.zeros(shape);
    case 'ones':
      return tf.ones(shape);
    case 'normal':
      return tf.randomNormal(shape, init.mean, init.std, 'float32', seed);
    case 'weight':
      return tf.randomNormal(shape, 0, Math.sqrt(2 / (init.fanIn + init.fanOut)), 'float32', seed);
    case 'unit-normal-vector': {
      const v = tf.randomNormal(shape, 0, 1, 'float32', seed);
      return tf.div(v, tf.norm(v));
    }
  }
}

let counter = 0;

/** Resolves params, infers, costs and builds `def`, wiring `handles` into its network ports. */
export function buildWithHandles(
  def: NodeDef,
  params: Record<string, number | boolean | string>,
  inputTypes: Record<string, TensorType>,
  handles: Record<string, NetworkHandle> = {},
  template: Record<string, number> = TEST_TEMPLATE,
): BuiltTestNode {
  const resolved = resolveParams(def, params, template);
  const outputs = def.infer({ inputs: inputTypes, params: resolved, template });
  const cost = def.cost({ inputs: inputTypes, outputs, params: resolved });
  const officialKeys = def.officialKeys?.({ inputs: inputTypes, outputs, params: resolved, template }) ?? [];
  const nodeId = `lggan-test${++counter}`;
  const variables = new Map<string, tf.Variable>();
  const ctx: BuildContext = {
    nodeId,
    network: 'D',
    variable(localName, shape, init, options) {
      const existing = variables.get(localName);
      if (existing) return existing;
      const initial = tf.tidy(() => initialValue(shape, init, seedOf(`${def.type}/${localName}`)));
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
    variables,
    officialKeys,
    setVariable(name, values) {
      const v = variables.get(name);
      if (!v) throw new Error(`no variable '${name}' (has ${[...variables.keys()].join(', ')})`);
      tf.tidy(() => v.assign(values instanceof tf.Tensor ? tf.reshape(values, v.shape) : tf.tensor(values, v.shape)));
    },
    dispose() {
      for (const v of variables.values()) v.dispose();
      variables.clear();
    },
  };
}

/** Costs and official keys without building (full-size networks). */
export function plan(def: NodeDef, params: Record<string, number | boolean | string>, inputTypes: Record<string, TensorType>, template: Record<string, number> = TEST_TEMPLATE) {
  const resolved = resolveParams(def, params, template);
  const outputs = def.infer({ inputs: inputTypes, params: resolved, template });
  return {
    outputs,
    cost: def.cost({ inputs: inputTypes, outputs, params: resolved }),
    officialKeys: def.officialKeys?.({ inputs: inputTypes, outputs, params: resolved, template }) ?? [],
  };
}

export interface ReferenceNetwork {
  totals: { parameters: number; buffers_float_elements: number };
  entries: { key: string; shape: number[]; kind: 'parameter' | 'buffer'; dtype: string }[];
}

export function readReference(name: string): ReferenceNetwork {
  return JSON.parse(readFileSync(new URL(`../reference/${name}.json`, import.meta.url), 'utf8')) as ReferenceNetwork;
}

/** PyTorch conv weight [out, in, kh, kw] → tfjs [kh, kw, in, out]; other layouts unchanged. */
export function tfjsShapeOf(key: OfficialKey): number[] {
  if (key.layout !== 'conv2d') return key.shape;
  const [out, inp, kh, kw] = key.shape;
  return [kh, kw, inp, out];
}

/** A tfjs conv weight [k, k, in, out] that is zero except weight[ky][kx][inC][outC] = value. */
export function singleTap(k: number, inChannels: number, outChannels: number, taps: [number, number, number, number, number][]): tf.Tensor {
  const buffer = tf.buffer([k, k, inChannels, outChannels]);
  for (const [ky, kx, i, o, value] of taps) buffer.set(value, ky, kx, i, o);
  return buffer.toTensor();
}

/** A stand-in discriminator handle with a scripted forward (for loss-node numerics). */
export function scriptedHandle(apply: NetworkHandle['apply']): NetworkHandle {
  return { network: 'D', apply };
}
