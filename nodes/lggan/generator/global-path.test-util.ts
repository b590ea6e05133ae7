/**
 * Test helpers for the generator nodes of part A (semantic input, encoder, SPADE, global generator,
 * global decoder): official reference entries, allocation counts, gradient checks. Not part of the pack.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { NodeCost, NodeDef, OfficialKey, ResolvedParams, TensorType } from '../../contract.ts';
import { buildNode, resolveParams, TEST_TEMPLATE } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import cityscapesG from '../reference/cityscapes_G.json';
import ade20kG from '../reference/ade20k_G.json';
import crossviewG from '../reference/crossview_G.json';

export interface ReferenceEntry {
  key: string;
  shape: number[];
  kind: string;
  group: string;
  numel: number;
}

interface ReferenceFile {
  groups: Record<string, { parameters: number; buffers: number; entries: number }>;
  entries: ReferenceEntry[];
}

const REFERENCES: Record<string, ReferenceFile> = {
  cityscapes_G: cityscapesG as ReferenceFile,
  ade20k_G: ade20kG as ReferenceFile,
  crossview_G: crossviewG as ReferenceFile,
};

export type ReferenceNetwork = 'cityscapes_G' | 'ade20k_G' | 'crossview_G';

/** The official entries of the given groups, in state_dict order. */
export function referenceEntries(network: ReferenceNetwork, groups: string[]): ReferenceEntry[] {
  return REFERENCES[network].entries.filter((e) => groups.includes(e.group));
}

export function referenceGroup(network: ReferenceNetwork, group: string): { parameters: number; buffers: number; entries: number } {
  const g = REFERENCES[network].groups[group];
  if (!g) throw new Error(`${network} has no group '${group}'`);
  return g;
}

/** Same keys, shapes and kinds, in the same order. */
export function expectKeysMatch(ours: OfficialKey[], theirs: ReferenceEntry[]): void {
  const show = (e: { key: string; shape: number[]; kind: string }) => `${e.key} [${e.shape.join(',')}] ${e.kind}`;
  expect(ours.map(show)).toEqual(theirs.map(show));
}

/** The tfjs shape of a variable holding an official tensor of PyTorch shape `shape`. */
export function tfjsShape(shape: readonly number[], layout: OfficialKey['layout']): number[] {
  if (layout === 'conv2d') return [shape[2], shape[3], shape[1], shape[0]];
  if (layout === 'conv2d-transpose') return [shape[2], shape[3], shape[1], shape[0]];
  if (layout === 'linear') return [shape[1], shape[0]];
  return [...shape];
}

/** Every key's variable exists with the layout's tfjs shape, and every variable is named by a key. */
export function expectVariablesMatchKeys(node: TestNode, keys: OfficialKey[]): void {
  const named = new Set<string>();
  for (const key of keys) {
    if (key.variable === null) continue;
    named.add(key.variable);
    const v = node.variables.get(key.variable);
    expect(v, `variable for ${key.key}`).toBeDefined();
    expect(v!.shape, key.key).toEqual(tfjsShape(key.shape, key.layout));
    expect(v!.trainable, key.key).toBe(key.kind === 'parameter');
  }
  expect([...node.variables.keys()].filter((name) => !named.has(name))).toEqual([]);
}

/** Trainable and non-trainable elements actually allocated by build. */
export function allocated(node: TestNode): { params: number; buffers: number } {
  let params = 0;
  let buffers = 0;
  for (const v of node.variables.values()) {
    if (v.trainable) params += v.size;
    else buffers += v.size;
  }
  return { params, buffers };
}

export function expectCostMatchesAllocation(node: TestNode): void {
  const { params, buffers } = allocated(node);
  expect(node.cost.params).toBe(params);
  expect(node.cost.buffers ?? 0).toBe(buffers);
}

/** Resolves, infers, costs and maps a node without building it (full-size checks allocate nothing). */
export function describeNode(
  def: NodeDef,
  params: Record<string, number | boolean | string>,
  inputs: Record<string, TensorType>,
  template: Record<string, number> = TEST_TEMPLATE,
): { params: ResolvedParams; outputs: Record<string, TensorType>; cost: NodeCost; keys: OfficialKey[] } {
  const resolved = resolveParams(def, params, template);
  const outputs = def.infer({ inputs, params: resolved, template });
  const args = { inputs, outputs, params: resolved };
  return { params: resolved, outputs, cost: def.cost(args), keys: def.officialKeys?.({ ...args, template }) ?? [] };
}

/** buildNode with automatic disposal: call `disposeAll` in afterEach. */
export function nodeTracker(): { build: typeof buildNode; disposeAll: () => void } {
  const built: TestNode[] = [];
  return {
    build: (...args) => {
      const node = buildNode(...args);
      built.push(node);
      return node;
    },
    disposeAll: () => built.splice(0).forEach((n) => n.dispose()),
  };
}

export function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);
}

export interface GradientExpectations {
  /** Variables whose gradient must be ~0 (e.g. a conv bias right before a norm). */
  nearZero?: string[];
  /** Variables whose gradient need only be finite (e.g. biases that later norms may remove). */
  finiteOnly?: (name: string) => boolean;
}

/**
 * Gradients of a scalar loss w.r.t. each of the node's trainable variables: all finite, and
 * non-zero unless listed in `expectations`. Returns the variables that got no gradient at all.
 */
export function checkGradients(node: TestNode, loss: () => tf.Scalar, expectations: GradientExpectations = {}): string[] {
  const vars = [...node.variables.entries()].filter(([, v]) => v.trainable);
  const { value, grads } = tf.variableGrads(loss, vars.map(([, v]) => v));
  expect(Number.isFinite(value.dataSync()[0])).toBe(true);
  const missing: string[] = [];
  for (const [name, v] of vars) {
    const g = grads[v.name];
    if (!g) {
      missing.push(name);
      continue;
    }
    expect(g.dataSync().every(Number.isFinite), `${name} finite`).toBe(true);
    if (expectations.nearZero?.includes(name)) expect(maxAbs(g), `${name} ~0`).toBeLessThan(1e-4);
    else if (!expectations.finiteOnly?.(name)) expect(maxAbs(g), `${name} non-zero`).toBeGreaterThan(1e-8);
  }
  tf.dispose([value, ...Object.values(grads)]);
  return missing;
}

/** Runs `forward` in tf.tidy `times` times per mode and expects the tensor count not to grow. */
export function expectNoLeaks(forward: (training: boolean) => void, times = 5): void {
  for (const training of [false, true]) {
    // Block bodies: tidy keeps whatever its function returns. A first call may cache tensors lazily.
    tf.tidy(() => {
      forward(training);
    });
    const before = tf.memory().numTensors;
    for (let i = 0; i < times; i++) {
      tf.tidy(() => {
        forward(training);
      });
    }
    expect(tf.memory().numTensors, `training=${training}`).toBe(before);
  }
}
