import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildNode, plainSpatialType } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { expectClose, expectRuleError } from '../../core/assertions.test-util.ts';
import { classL1LossNode } from './class-l1-loss.ts';
import { l1LossNode } from './l1-loss.ts';
import { tvLossNode } from './tv-loss.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const n = buildNode(...args);
  built.push(n);
  return n;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const img = (b = 1, h = 1, w = 2) => plainSpatialType('image', b, h, w, 3);
const scalar = (t: tf.Tensor) => t.dataSync()[0];

describe('lggan/l1-loss', () => {
  it('is weight · Σ_i mean|fake_i − real| (by hand)', () => {
    const n = build(l1LossNode, { images: 2, weight: 100 }, { fake0: img(), fake1: img(), real: img() });
    const real = tf.tensor4d([0, 0, 0, 1, 1, 1], [1, 1, 2, 3]);
    const fake0 = tf.tensor4d([0.5, 0.25, -0.5, 1.25, 1.5, 0.75], [1, 1, 2, 3]); // |diff| sums to 2.25: mean 0.375
    const fake1 = tf.tensor4d([0, 0, 0, 0, 0, 0], [1, 1, 2, 3]); // mean 3/6
    expect(scalar(n.run({ fake0, fake1, real }).loss)).toBeCloseTo(100 * (0.375 + 0.5), 4);
    const grad = tf.grad((f: tf.Tensor) => n.run({ fake0: f, fake1, real }).loss)(fake0);
    expectClose(grad, [1, 1, -1, 1, 1, -1].map((sign) => (100 * sign) / 6)); // weight·sign(diff)/6
    tf.dispose([real, fake0, fake1, grad]);
  });

  it('checks the images against the real one', () => {
    expect(build(l1LossNode, {}, { fake0: img(), real: img() }).outputs.loss).toEqual({ kind: 'loss', shape: [] });
    expectRuleError(() => l1LossNode.infer({ inputs: { fake0: img(1, 2, 2), real: img() }, params: { images: 1, weight: 1 }, template: {} }), { port: 'fake0' }, 'spatial sizes');
    expectRuleError(() => l1LossNode.infer({ inputs: { fake0: plainSpatialType('feature', 1, 1, 2, 4), real: img() }, params: { images: 1, weight: 1 }, template: {} }), { port: 'fake0' }, '3 channels');
  });
});

describe('lggan/class-l1-loss', () => {
  it('is weight · Σ_k mean|I_k − real ⊙ M_k| over all pixels (by hand)', () => {
    const types = { class_images: plainSpatialType('feature', 1, 1, 2, 6), masks: plainSpatialType('mask', 1, 1, 2, 2), real: img() };
    const n = build(classL1LossNode, { weight: 2 }, types);
    const real = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]);
    const masks = tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]); // pixel 0 is class 0, pixel 1 class 1
    // class 0 image: pixel 0 = real (diff 0), pixel 1 = [1, 1, 1] vs 0 → 3; mean over 6 values = 0.5
    // class 1 image: pixel 0 = [0, 0, 0] vs 0 → 0, pixel 1 = [4, 5, 3] vs [4, 5, 6] → 3; mean 0.5
    const classImages = tf.tensor4d([1, 2, 3, 0, 0, 0, 1, 1, 1, 4, 5, 3], [1, 1, 2, 6]);
    expect(scalar(n.run({ class_images: classImages, masks, real }).loss)).toBeCloseTo(2 * (0.5 + 0.5), 5);
    tf.dispose([real, masks, classImages]);
  });

  it('needs 3 channels per mask and matching sizes', () => {
    const infer = (inputs: Record<string, ReturnType<typeof img>>) => () => classL1LossNode.infer({ inputs, params: { weight: 1 }, template: {} });
    expectRuleError(infer({ class_images: plainSpatialType('feature', 1, 1, 2, 5), masks: plainSpatialType('mask', 1, 1, 2, 2), real: img() }), { port: 'class_images' }, '2 classes', '6 channels', 'got 5');
    expectRuleError(infer({ class_images: plainSpatialType('feature', 1, 1, 2, 6), masks: plainSpatialType('mask', 1, 2, 2, 2), real: img() }), { port: 'masks' }, 'spatial sizes');
  });
});

describe('lggan/tv-loss', () => {
  it('sums absolute neighbour differences over batch, pixels and channels (by hand)', () => {
    const n = build(tvLossNode, { weight: 1 }, { fake0: plainSpatialType('image', 1, 2, 2, 3) });
    // channel 0: [[0, 1], [3, 7]] → horizontal 1 + 4, vertical 3 + 6 = 14; channels 1, 2 constant → 0
    const x = tf.tensor4d([0, 5, 5, 1, 5, 5, 3, 5, 5, 7, 5, 5], [1, 2, 2, 3]);
    expect(scalar(n.run({ fake0: x }).loss)).toBeCloseTo(14, 5);
    const weighted = build(tvLossNode, { images: 2 }, { fake0: plainSpatialType('image', 1, 2, 2, 3), fake1: plainSpatialType('image', 1, 2, 2, 3) });
    expect(scalar(weighted.run({ fake0: x, fake1: x }).loss)).toBeCloseTo(28e-6, 10);
    x.dispose();
  });

  it('needs more than one pixel and equal sizes', () => {
    expectRuleError(() => tvLossNode.infer({ inputs: { fake0: img(1, 1, 1) }, params: { images: 1, weight: 1 }, template: {} }), { port: 'fake0' }, 'more than one pixel');
    expectRuleError(() => tvLossNode.infer({ inputs: { fake0: img(), fake1: img(1, 2, 2) }, params: { images: 2, weight: 1 }, template: {} }), { port: 'fake1' }, 'spatial sizes');
  });
});

describe('pixel losses leave no tensors behind', () => {
  it('l1, class-l1 and tv', () => {
    const l1 = build(l1LossNode, {}, { fake0: img(), real: img() });
    const cl = build(classL1LossNode, {}, { class_images: plainSpatialType('feature', 1, 1, 2, 6), masks: plainSpatialType('mask', 1, 1, 2, 2), real: img() });
    const tv = build(tvLossNode, {}, { fake0: img() });
    const x = tf.ones([1, 1, 2, 3]);
    const six = tf.ones([1, 1, 2, 6]);
    const m = tf.ones([1, 1, 2, 2]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        l1.run({ fake0: x, real: x });
        cl.run({ class_images: six, masks: m, real: x });
        tv.run({ fake0: x });
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, six, m]);
  });
});
