/**
 * Test helpers for the generator nodes of part B (SAU, local trunk, class masks, local generators,
 * classification, attention fusion): official reference entries, exact costs at full size,
 * allocation counts, gradient and leak checks. Not part of the pack.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { NodeCost, NodeDef, OfficialKey, TensorType } from '../../contract.ts';
import { resolveParams, TEST_TEMPLATE } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import cityscapesG from '../reference/cityscapes_G.json';
import ade20kG from '../reference/ade20k_G.json';
import crossviewG from '../reference/crossview_G.json';

export type ReferenceNetwork = 'cityscapes_G' | 'ade20k_G' | 'crossview_G';

interface ReferenceEntry {
  key: string;
  shape: number[];
  kind: string;
  group: string;
}

interface ReferenceFile {
  groups: Record<string, { parameters: number; buffers: number; entries: number }>;
  entries: ReferenceEntry[];
}

const REFERENCES: Record<ReferenceNetwork, ReferenceFile> = {
  cityscapes_G: cityscapesG as ReferenceFile,
  ade20k_G: ade20kG as ReferenceFile,
  crossview_G: crossviewG as ReferenceFile,
};

/** Official parameter total of some groups. */
export function groupParams(network: ReferenceNetwork, ...groups: string[]): number {
  return groups.reduce((sum, g) => {
    const group = REFERENCES[network].groups[g];
    if (!group) throw new Error(`${network} has no group '${g}'`);
    return sum + group.parameters;
  }, 0);
}

/** Our keys equal the official entries of these groups: key, shape and kind, in state_dict order. */
export function expectOfficialKeys(ours: OfficialKey[], network: ReferenceNetwork, ...groups: string[]): void {
  const theirs = REFERENCES[network].entries.filter((e) => groups.includes(e.group));
  const show = (e: { key: string; shape: number[]; kind: string }) => `${e.key} [${e.shape.join(',')}] ${e.kind}`;
  expect(theirs.length).toBeGreaterThan(0);
  expect(ours.map(show)).toEqual(theirs.map(show));
}

/** Cost and official keys of a node at full size, without building it (no tensors). */
export function costAt(
  def: NodeDef,
  params: Record<string, number | boolean | string>,
  inputs: Record<string, TensorType>,
  template: Record<string, number> = { ...TEST_TEMPLATE, ngf: 64 },
): { cost: NodeCost; keys: OfficialKey[]; outputs: Record<string, TensorType> } {
  const resolved = resolveParams(def, params, template);
  const outputs = def.infer({ inputs, params: resolved, template });
  const cost = def.cost({ inputs, outputs, params: resolved });
  const keys = def.officialKeys ? def.officialKeys({ inputs, outputs, params: resolved, template }) : [];
  return { cost, keys, outputs };
}

/** The tfjs shape of a variable holding an official tensor of PyTorch shape `shape`. */
function tfjsShape(shape: readonly number[], layout: OfficialKey['layout']): number[] {
  if (layout === 'conv2d' || layout === 'conv2d-transpose') return [shape[2], shape[3], shape[1], shape[0]];
  if (layout === 'linear') return [shape[1], shape[0]];
  return [...shape];
}

/** Every key names an existing variable of the right tfjs shape. */
export function expectKeyVariables(node: TestNode, keys: OfficialKey[]): void {
  for (const key of keys) {
    expect(key.variable, key.key).not.toBeNull();
    const v = node.variables.get(key.variable!);
    expect(v, `variable for ${key.key}`).toBeDefined();
    expect(v!.shape, key.key).toEqual(tfjsShape(key.shape, key.layout));
  }
}

/** Trainable elements allocated by build. */
export function allocatedParams(node: TestNode): number {
  let n = 0;
  for (const v of node.variables.values()) if (v.trainable) n += v.size;
  return n;
}

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);
}

/**
 * Gradients of a scalar loss for every variable of the node: all finite; those in `nonZero` (all
 * when omitted) with some non-zero element. Biases right before an InstanceNorm get ~0 gradients
 * by construction, so callers leave them out of `nonZero`. Variables matched by `unused` (official
 * layers never used in forward) must get no gradient at all.
 */
export function expectGradients(
  node: TestNode,
  loss: () => tf.Scalar,
  nonZero?: (name: string) => boolean,
  unused: (name: string) => boolean = () => false,
): void {
  const variables = [...node.variables.values()].filter((v) => v.trainable);
  const { value, grads } = tf.variableGrads(loss, variables);
  expect(Number.isFinite(value.dataSync()[0])).toBe(true);
  for (const [local, v] of node.variables) {
    if (!v.trainable) continue;
    const g = grads[v.name];
    if (unused(local)) {
      // Never used in forward: tfjs returns no gradient (or zeros).
      if (g) expect(maxAbs(g), `${local} unused`).toBe(0);
      continue;
    }
    expect(g, `gradient for ${local}`).toBeDefined();
    expect(g.dataSync().every(Number.isFinite), `${local} finite`).toBe(true);
    if (!nonZero || nonZero(local)) expect(maxAbs(g), `${local} non-zero`).toBeGreaterThan(1e-7);
  }
  tf.dispose([value, ...Object.values(grads)]);
}

/** A loss that weights every output element differently, so no gradient cancels by symmetry. */
export function weightedSum(t: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(t, tf.sin(tf.range(0, t.size, 1, 'float32').reshape(t.shape)))) as tf.Scalar);
}

/** 20 forward calls inside tf.tidy (eval and training) leave the tensor count unchanged. */
export function expectNoLeaks(node: TestNode, inputs: Record<string, tf.Tensor>): void {
  for (const training of [false, true]) {
    tf.tidy(() => void node.run(inputs, training)); // a first call may create lazily cached state
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) tf.tidy(() => void node.run(inputs, training));
    expect(tf.memory().numTensors).toBe(before);
  }
}

/** Row-major values of a nested JS array computed by hand. */
export function flat(values: number[][][][]): number[] {
  return values.flat(3);
}
