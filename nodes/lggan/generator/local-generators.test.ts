import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { TensorType } from '../../contract.ts';
import { buildNode, spatialType } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { reflectPad } from '../../core/tensor-utils.ts';
import { expectClose, expectRuleError, shapeOf, valuesOf } from '../../core/assertions.test-util.ts';
import { allocatedParams, costAt, expectGradients, expectKeyVariables, expectNoLeaks, expectOfficialKeys, groupParams, weightedSum } from './local-path.test-util.ts';
import { chooseAlgorithm, localGeneratorsNode, windowMethods, type WindowMethod } from './local-generators.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => {
  built.splice(0).forEach((n) => n.dispose());
  vi.restoreAllMocks();
});

/**
 * Ways the disjoint-masks path can sum its windows, run here on the cpu backend. 'scatter' is
 * checked in local-generators.wasm.test.ts: tfjs-cpu's UnsortedSegmentSum walks every row once
 * per segment, minutes even at this size.
 */
const WINDOW_METHODS: WindowMethod[] = ['host', 'depthwise'];
const useWindowMethod = (method: WindowMethod) => vi.spyOn(windowMethods, 'forBackend').mockReturnValue(method);

const B = 2;
const H = 5;
const W = 6;
const C = 3;
const K = 4;
const featuresType = spatialType('feature', B, H, W, C);
const masksType = (k = K): TensorType => spatialType('mask', B, H, W, k);

/** One-hot masks where every class owns some pixels of every sample. */
function stripeMasks(k = K): tf.Tensor4D {
  const ids = Array.from({ length: B * H * W }, (_, i) => (i + Math.floor(i / W)) % k);
  return tf.oneHot(tf.tensor1d(ids, 'int32'), k).toFloat().reshape([B, H, W, k]) as tf.Tensor4D;
}

/** The straightforward per-class path: K masked copies, K reflect-padded 7×7 convs, tanh. */
function naiveClassImages(node: TestNode, features: tf.Tensor4D, masks: tf.Tensor4D, firstIndex: number): tf.Tensor4D {
  return tf.tidy(() => {
    const k = masks.shape[3];
    const images: tf.Tensor[] = [];
    for (let i = 0; i < k; i++) {
      const mask = tf.slice(masks, [0, 0, 0, i], [B, H, W, 1]);
      const masked = tf.mul(features, mask) as tf.Tensor4D;
      const weight = node.variables.get(`deconv5_${firstIndex + i}.weight`)! as tf.Tensor4D;
      const bias = node.variables.get(`deconv5_${firstIndex + i}.bias`)!;
      images.push(tf.tanh(tf.add(tf.conv2d(reflectPad(masked, 3), weight, 1, 'valid'), bias)));
    }
    return tf.concat(images, 3) as tf.Tensor4D;
  });
}

describe('lggan/local-generators: shapes and rules', () => {
  it('gives 3K class-image channels and one RGB local image', () => {
    const node = build(localGeneratorsNode, {}, { features: featuresType, masks: masksType() });
    expect(shapeOf(node.outputs.class_images)).toBe('H×W×12');
    expect(shapeOf(node.outputs.local)).toBe('H×W×3');
    expect(node.outputs.local.kind).toBe('image');
  });

  it('rejects masks of another size or batch, and maps too small for the reflect pad', () => {
    const infer = (inputs: Record<string, TensorType>) => localGeneratorsNode.infer({ inputs, params: {}, template: {} });
    expectRuleError(() => infer({ features: featuresType, masks: spatialType('mask', B, 4, 6, K) }), { port: 'masks' }, "port 'masks'", "port 'features'", 'spatial sizes must agree');
    expectRuleError(() => infer({ features: featuresType, masks: spatialType('mask', 1, H, W, K) }), { port: 'masks' }, 'batch 1', 'batch 2');
    expectRuleError(() => infer({ features: spatialType('feature', B, 3, 3, C), masks: spatialType('mask', B, 3, 3, K) }), { port: 'features' }, 'reflect pad of 3', '3×3');
    expectRuleError(() => infer({ features: featuresType, masks: spatialType('semantic', B, H, W, K) }), { port: 'masks' }, 'mask map');
  });
});

describe('lggan/local-generators: cost and official keys', () => {
  it('counts K sub-generators and the fusion conv exactly, equal to the allocated variables', () => {
    const node = build(localGeneratorsNode, {}, { features: featuresType, masks: masksType() });
    const sub = 49 * C * 3 + 3;
    const fusion = 9 * 3 * K * 3 + 3;
    const pixels = B * H * W;
    expect(node.cost).toEqual({
      params: K * sub + fusion,
      macs: pixels * K * C + K * pixels * 49 * C * 3 + pixels * 9 * 3 * K * 3,
      buffers: 0,
      unusedParams: 0,
    });
    expect(allocatedParams(node)).toBe(node.cost.params);
    const sum = build(localGeneratorsNode, { combine: 'sum', first_index: 1, keep_unused_official: true }, { features: featuresType, masks: masksType() });
    expect(sum.cost).toEqual({ params: (K + 1) * sub, macs: pixels * K * C + K * pixels * 49 * C * 3, buffers: 0, unusedParams: sub });
    expect(allocatedParams(sum)).toBe(sum.cost.params);
  });

  it('matches the official groups at full size: Cityscapes 35, ADE20K 52, cross-view 6 (+ deconv5_7)', () => {
    const at = (k: number, params: Record<string, number | boolean | string> = {}) =>
      costAt(localGeneratorsNode, params, { features: spatialType('feature', 1, 256, 512, 64), masks: spatialType('mask', 1, 256, 512, k) });
    const city = at(35);
    expect(city.cost.params).toBe(groupParams('cityscapes_G', 'local_class_subgenerators', 'local_fusion_conv'));
    expect(groupParams('cityscapes_G', 'local_class_subgenerators')).toBe(35 * 9411);
    expect(groupParams('cityscapes_G', 'local_fusion_conv')).toBe(2838);
    expectOfficialKeys(city.keys, 'cityscapes_G', 'local_fusion_conv', 'local_class_subgenerators');
    const ade = at(52);
    expect(ade.cost.params).toBe(groupParams('ade20k_G', 'local_class_subgenerators', 'local_fusion_conv'));
    expect(ade.cost.params).toBe(489_372 + 4_215);
    expectOfficialKeys(ade.keys, 'ade20k_G', 'local_fusion_conv', 'local_class_subgenerators');
    const cross = at(6, { combine: 'sum', first_index: 1, keep_unused_official: true });
    expect(cross.cost.params).toBe(groupParams('crossview_G', 'local_class_subgenerators', 'local_class_subgenerators_unused'));
    expect(cross.cost.unusedParams).toBe(groupParams('crossview_G', 'local_class_subgenerators_unused'));
    expectOfficialKeys(cross.keys, 'crossview_G', 'local_class_subgenerators', 'local_class_subgenerators_unused');
    const crossLean = at(6, { combine: 'sum', first_index: 1 });
    expect(crossLean.cost.params).toBe(56_466);
    expectOfficialKeys(crossLean.keys, 'crossview_G', 'local_class_subgenerators');
  });

  it('names every variable after its official key', () => {
    const node = build(localGeneratorsNode, { first_index: 1, keep_unused_official: true }, { features: featuresType, masks: masksType() });
    const keys = localGeneratorsNode.officialKeys!({ inputs: { features: featuresType, masks: masksType() }, outputs: node.outputs, params: node.params, template: {} });
    expect(keys.map((k) => k.key)).toEqual([
      'deconv9.weight',
      'deconv9.bias',
      ...[1, 2, 3, 4, 5].flatMap((i) => [`deconv5_${i}.weight`, `deconv5_${i}.bias`]),
    ]);
    expectKeyVariables(node, keys);
    expect(node.variables.size).toBe(keys.length);
  });
});

describe('lggan/local-generators: numerics', () => {
  const features = () => tf.randomNormal([B, H, W, C], 0, 1, 'float32', 31) as tf.Tensor4D;

  it('the batched grouped conv equals per-class convs, for every chunk size', () => {
    const f = features();
    const masks = stripeMasks();
    let reference: number[] | undefined;
    for (const [algorithm, chunk] of [['disjoint-masks', 0], ['grouped-conv', 0], ['grouped-conv', 1], ['grouped-conv', 3], ['grouped-conv', 4], ['grouped-conv', 9]] as const) {
      const node = build(localGeneratorsNode, { algorithm, class_chunk: chunk, combine: 'sum' }, { features: featuresType, masks: masksType() });
      for (const [name, v] of node.variables) node.setVariable(name, tf.randomNormal(v.shape, 0, 0.2, 'float32', name.length * 7));
      reference ??= valuesOf(naiveClassImages(node, f, masks, 0));
      expectClose(node.run({ features: f, masks }).class_images, reference, 1e-5);
    }
  });

  it('auto picks disjoint-masks for training and for wide maps, grouped-conv for narrow maps at inference', () => {
    expect(chooseAlgorithm('auto', 4, true)).toBe('disjoint-masks');
    expect(chooseAlgorithm('auto', 4, false)).toBe('grouped-conv');
    expect(chooseAlgorithm('auto', 16, false)).toBe('grouped-conv');
    expect(chooseAlgorithm('auto', 17, false)).toBe('disjoint-masks');
    expect(chooseAlgorithm('auto', 64, false)).toBe('disjoint-masks');
    expect(chooseAlgorithm('grouped-conv', 64, true)).toBe('grouped-conv');
    // wasm and cpu: the host path wins at every width.
    expect(chooseAlgorithm('auto', 4, false, true)).toBe('disjoint-masks');
    expect(chooseAlgorithm('grouped-conv', 4, false, true)).toBe('grouped-conv');
  });

  it.each(WINDOW_METHODS)('disjoint-masks (%s windows) equals per-class convs where some pixels belong to no class (cross-view grey values)', (method) => {
    const spy = useWindowMethod(method);
    const node = build(localGeneratorsNode, { algorithm: 'disjoint-masks' }, { features: featuresType, masks: masksType() });
    for (const [name, v] of node.variables) node.setVariable(name, tf.randomNormal(v.shape, 0, 0.2, 'float32', name.length * 13));
    const f = features();
    const holes = tf.tidy(() => tf.mul(stripeMasks(), tf.cast(tf.greater(tf.randomUniform([B, H, W, 1], 0, 1, 'float32', 8), 0.3), 'float32'))) as tf.Tensor4D;
    expectClose(node.run({ features: f, masks: holes }).class_images, valuesOf(naiveClassImages(node, f, holes, 0)), 1e-5);
    expect(spy).toHaveBeenCalled();
  });

  it('grouped-conv works with overlapping, soft and empty masks (no assumption of one-hot)', () => {
    const node = build(localGeneratorsNode, { algorithm: 'grouped-conv', class_chunk: 2 }, { features: featuresType, masks: masksType() });
    for (const [name, v] of node.variables) node.setVariable(name, tf.randomNormal(v.shape, 0, 0.2, 'float32', name.length * 11));
    const f = features();
    const masks = tf.concat([tf.randomUniform([B, H, W, 3], 0, 1, 'float32', 4), tf.zeros([B, H, W, 1])], 3) as tf.Tensor4D;
    const expected = naiveClassImages(node, f, masks, 0);
    const out = node.run({ features: f, masks });
    expectClose(out.class_images, valuesOf(expected), 1e-5);
    // An empty mask gives tanh(bias) everywhere: the class images are not re-masked.
    const bias = valuesOf(node.variables.get('deconv5_3.bias')!);
    const last = valuesOf(tf.slice(out.class_images, [0, 0, 0, 9], [B, H, W, 3]));
    expectClose(last, Array.from({ length: B * H * W }, () => bias.map(Math.tanh)).flat(), 1e-6);
  });

  it('fusion-conv: tanh(conv3×3 zero-pad over the 3K channels); sum: plain sum of the class images, no tanh', () => {
    const f = features();
    const masks = stripeMasks();
    const fused = build(localGeneratorsNode, {}, { features: featuresType, masks: masksType() });
    const out = fused.run({ features: f, masks });
    const w = fused.variables.get('deconv9.weight')! as tf.Tensor4D;
    const expected = tf.tanh(tf.add(tf.conv2d(out.class_images as tf.Tensor4D, w, 1, 'same'), fused.variables.get('deconv9.bias')!));
    expectClose(out.local, valuesOf(expected), 1e-5);

    const summed = build(localGeneratorsNode, { combine: 'sum', first_index: 1 }, { features: featuresType, masks: masksType() });
    const images = summed.run({ features: f, masks });
    const classes = valuesOf(images.class_images);
    const bySum: number[] = [];
    for (let p = 0; p < B * H * W; p++) {
      for (let o = 0; o < 3; o++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += classes[p * 3 * K + 3 * k + o];
        bySum.push(s);
      }
    }
    expectClose(images.local, bySum, 1e-5);
    expectClose(images.class_images, valuesOf(naiveClassImages(summed, f, masks, 1)), 1e-5);
  });

  it('a hand-checked pixel: one class, a centre-tap-only filter', () => {
    const node = build(localGeneratorsNode, { combine: 'sum' }, { features: spatialType('feature', 1, 4, 4, 2), masks: spatialType('mask', 1, 4, 4, 1) });
    const weight = new Array(7 * 7 * 2 * 3).fill(0);
    const centre = (3 * 7 + 3) * 2 * 3; // [ky=3, kx=3, c, o]
    weight[centre + 0 * 3 + 0] = 1; // c0 → r
    weight[centre + 1 * 3 + 1] = 2; // c1 → g
    weight[centre + 0 * 3 + 2] = -1; // c0 → b
    node.setVariable('deconv5_0.weight', weight);
    node.setVariable('deconv5_0.bias', [0, 0, 0.5]);
    const f = tf.tensor4d(Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? 0.1 * (i / 2) : -0.05 * i)), [1, 4, 4, 2]);
    const mask = tf.tensor4d([1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1], [1, 4, 4, 1]);
    const y = valuesOf(node.run({ features: f, masks: mask }).class_images);
    const fs = valuesOf(f);
    const ms = valuesOf(mask);
    for (let p = 0; p < 16; p++) {
      const [c0, c1] = [fs[2 * p] * ms[p], fs[2 * p + 1] * ms[p]];
      expectClose(y.slice(3 * p, 3 * p + 3), [Math.tanh(c0), Math.tanh(2 * c1), Math.tanh(-c0 + 0.5)], 1e-6);
    }
  });

  it('keep_unused_official creates deconv5_7 for cross-view without changing the output', () => {
    const six = masksType(6);
    const lean = build(localGeneratorsNode, { combine: 'sum', first_index: 1 }, { features: featuresType, masks: six });
    const full = build(localGeneratorsNode, { combine: 'sum', first_index: 1, keep_unused_official: true }, { features: featuresType, masks: six });
    expect(full.variables.has('deconv5_7.weight')).toBe(true);
    expect(lean.variables.has('deconv5_7.weight')).toBe(false);
    for (const [name, v] of lean.variables) full.setVariable(name, v);
    const f = features();
    const masks = stripeMasks(6);
    expectClose(full.run({ features: f, masks }).local, valuesOf(lean.run({ features: f, masks }).local), 0);
  });
});

describe('lggan/local-generators: gradients and memory', () => {
  it('trains every sub-generator and the fusion conv (the unused one gets zeros)', () => {
    const f = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 32) as tf.Tensor4D;
    const masks = stripeMasks();
    const node = build(localGeneratorsNode, { class_chunk: 3, keep_unused_official: true }, { features: featuresType, masks: masksType() });
    expectGradients(
      node,
      () => tf.add(weightedSum(node.run({ features: f, masks }, true).local), weightedSum(node.run({ features: f, masks }, true).class_images)) as tf.Scalar,
      undefined,
      (n) => n.startsWith('deconv5_4.'),
    );
  });

  it('passes gradients back to the features', () => {
    const f = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 33) as tf.Tensor4D;
    const masks = stripeMasks();
    const node = build(localGeneratorsNode, { combine: 'sum' }, { features: featuresType, masks: masksType() });
    const g = tf.grad((x: tf.Tensor) => weightedSum(node.run({ features: x as tf.Tensor4D, masks }, true).local))(f);
    const naive = tf.grad((x: tf.Tensor) => {
      const images = naiveClassImages(node, x as tf.Tensor4D, masks, 0);
      return weightedSum(tf.sum(tf.reshape(images, [B, H, W, K, 3]), 3));
    })(f);
    expectClose(g, valuesOf(naive), 1e-5);
  });

  it.each(WINDOW_METHODS)('disjoint-masks (%s windows): gradients for features, every filter and bias equal the per-class convs, for every chunk size', (method) => {
    const spy = useWindowMethod(method);
    const f = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 35) as tf.Tensor4D;
    const holes = tf.tidy(() => tf.mul(stripeMasks(), tf.cast(tf.greater(tf.randomUniform([B, H, W, 1], 0, 1, 'float32', 9), 0.25), 'float32'))) as tf.Tensor4D;
    for (const chunk of [0, 1, 3, 4]) {
      const node = build(localGeneratorsNode, { algorithm: 'disjoint-masks', class_chunk: chunk, combine: 'sum' }, { features: featuresType, masks: masksType() });
      for (const [name, v] of node.variables) node.setVariable(name, tf.randomNormal(v.shape, 0, 0.2, 'float32', name.length * 5));
      const vars = [...node.variables.values()];
      const ours = tf.grads((x: tf.Tensor, ...ws: tf.Tensor[]) => {
        void ws;
        return weightedSum(node.run({ features: x as tf.Tensor4D, masks: holes }, true).class_images);
      });
      // Gradients with respect to the features and (through variableGrads) every variable.
      const dx = ours([f, ...vars])[0];
      const { grads } = tf.variableGrads(() => weightedSum(node.run({ features: f, masks: holes }, true).class_images), vars);
      const naive = tf.variableGrads(() => weightedSum(naiveClassImages(node, f, holes, 0)), vars).grads;
      const naiveDx = tf.grad((x: tf.Tensor) => weightedSum(naiveClassImages(node, x as tf.Tensor4D, holes, 0)))(f);
      expectClose(dx, valuesOf(naiveDx), 1e-5);
      for (const v of vars) expectClose(grads[v.name], valuesOf(naive[v.name]), 1e-5);
      tf.dispose([dx, naiveDx, ...Object.values(grads), ...Object.values(naive)]);
    }
    expect(spy).toHaveBeenCalled();
  });

  it('picks host loops where tensors live in this thread, device ops on WebGPU, depthwise windows on WebGL', () => {
    expect(['wasm', 'cpu', 'webgpu', 'webgl'].map(windowMethods.forBackend)).toEqual(['host', 'host', 'scatter', 'depthwise']);
  });

  it.each(WINDOW_METHODS)('leaves no tensors behind, chunked or not (%s windows)', (method) => {
    useWindowMethod(method);
    const f = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 34) as tf.Tensor4D;
    const masks = stripeMasks();
    expectNoLeaks(build(localGeneratorsNode, {}, { features: featuresType, masks: masksType() }), { features: f, masks });
    expectNoLeaks(build(localGeneratorsNode, { class_chunk: 3, combine: 'sum' }, { features: featuresType, masks: masksType() }), { features: f, masks });
  });
});
