/**
 * Test helpers for the training nodes (not part of the pack): building with network handles,
 * planning full-size networks, reference files, and scripted discriminator handles.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import type { NetworkHandle, NodeDef, OfficialKey, TensorType } from '../../contract.ts';
import { buildNode, resolveParams, TEST_TEMPLATE, type TestNode } from '../../testing.test-util.ts';

export type BuiltTestNode = TestNode;

/** nodes/testing.test-util.ts's buildNode, with `handles` before `template` as these tests pass them. */
export function buildWithHandles(
  def: NodeDef,
  params: Record<string, number | boolean | string>,
  inputTypes: Record<string, TensorType>,
  handles: Record<string, NetworkHandle> = {},
  template: Record<string, number> = TEST_TEMPLATE,
): BuiltTestNode {
  return buildNode(def, params, inputTypes, template, handles);
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
