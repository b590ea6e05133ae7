import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildNode, plainSpatialType } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { expectClose, expectRuleError } from '../../core/assertions.test-util.ts';
import { loadVgg19Weights, registerVgg19Weights, releaseVgg19Weights, vgg19Macs } from '../training/vgg19.ts';
import { perceptualLossNode as node, perceptualSkipReason, perceptualWeightSource } from './perceptual-loss.ts';
import { lossSide, lossSkipReason } from './sides.ts';
import { SMALL_VGG_WIDTHS, identityTap, vggFile } from './vgg.test-util.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const n = buildNode(...args);
  built.push(n);
  return n;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const img = (b = 1, size = 16) => plainSpatialType('image', b, size, size, 3);
const IDENTITY = 'test://vgg-identity.safetensors';
const RANDOM = 'test://vgg-random.safetensors';

beforeAll(() => {
  registerVgg19Weights(IDENTITY, loadVgg19Weights(vggFile(SMALL_VGG_WIDTHS, identityTap), SMALL_VGG_WIDTHS));
  registerVgg19Weights(RANDOM, loadVgg19Weights(vggFile(SMALL_VGG_WIDTHS, (n, o, i, ky, kx) => 0.4 * Math.sin(7 * n + 5 * o + 3 * i + ky - kx)), SMALL_VGG_WIDTHS));
});
afterAll(() => [IDENTITY, RANDOM].forEach(releaseVgg19Weights));

describe('lggan/perceptual-loss without weights', () => {
  it('warns, is skipped, costs nothing and returns a constant 0', () => {
    const params = { weight: 10, images: 1, weights: '', input_normalization: 'imagenet' };
    expect(node.warnings!({ inputs: {}, params, template: {} })[0]).toContain('no VGG19 weights');
    expect(perceptualSkipReason(params)).toContain('skipped');
    expect(perceptualWeightSource(params)).toBeUndefined();
    expect(lossSkipReason(node, params)).toContain('skipped');
    expect(lossSide(node, params)).toBe('generator');
    const n = build(node, {}, { fake0: img(), real: img() });
    expect(n.cost).toEqual({ params: 0, macs: 0, buffers: 0 });
    const x = tf.ones([1, 16, 16, 3]);
    expect(n.run({ fake0: x, real: tf.zerosLike(x) }).loss.dataSync()[0]).toBe(0);
    x.dispose();
  });
});

describe('lggan/perceptual-loss with weights', () => {
  it('has no warning, counts the VGG MACs and fails to build when the file was not loaded', () => {
    const params = { weight: 10, images: 2, weights: 'weights/vgg19.safetensors', input_normalization: 'imagenet' };
    expect(node.warnings!({ inputs: {}, params, template: {} })).toEqual([]);
    expect(perceptualWeightSource(params)).toBe('weights/vgg19.safetensors');
    expect(node.cost({ inputs: { real: img(2), fake0: img(2), fake1: img(2) }, outputs: {}, params })).toEqual({ params: 0, macs: 3 * vgg19Macs(2, 16, 16), buffers: 0 });
    // Only connected fakes run through VGG: one fake and the real image.
    expect(node.cost({ inputs: { real: img(2), fake1: img(2) }, outputs: {}, params })).toEqual({ params: 0, macs: 2 * vgg19Macs(2, 16, 16), buffers: 0 });
    expect(() => buildNode(node, { weights: 'weights/vgg19.safetensors' }, { fake0: img(), real: img() })).toThrow("VGG19 weights 'weights/vgg19.safetensors' are not loaded");
  });

  it('is weight · Σ_l w_l · mean|VGG_l(fake) − VGG_l(real)| (identity VGG, by hand)', () => {
    // Identity convs pass relu(R) through channel 0 of every level (the other channels are 0), so
    // constant images give |a − b| / channels at each level.
    const n = build(node, { weights: IDENTITY, input_normalization: 'none', images: 2 }, { fake0: img(), fake1: img(), real: img() });
    const plane = (r: number) => tf.concat([tf.fill([1, 16, 16, 1], r), tf.zeros([1, 16, 16, 2])], 3);
    const [fake0, fake1, real] = [plane(0.75), plane(0.5), plane(0.25)];
    const levels = 1 / 32 / 2 + 1 / 16 / 3 + 1 / 8 / 4 + 1 / 4 / 5 + 1 / 5; // layer weight / channels (2, 3, 4, 5, 5)
    expect(n.run({ fake0, fake1, real }).loss.dataSync()[0]).toBeCloseTo(10 * levels * (0.5 + 0.25), 5);
    tf.dispose([fake0, fake1, real]);
  });

  it('normalises with ImageNet statistics by default', () => {
    const plain = build(node, { weights: IDENTITY, input_normalization: 'none' }, { fake0: img(), real: img() });
    const imagenet = build(node, { weights: IDENTITY }, { fake0: img(), real: img() });
    const fake = tf.fill([1, 16, 16, 3], 0.5);
    const real = tf.fill([1, 16, 16, 3], 0);
    const levels = 1 / 32 / 2 + 1 / 16 / 3 + 1 / 8 / 4 + 1 / 4 / 5 + 1 / 5; // layer weight / channels (2, 3, 4, 5, 5)
    // R after normalisation: ((x + 1)/2 − 0.485)/0.229 → 0.2729… for 0.5 and 0.0655… for 0
    const normalised = (v: number) => Math.max(0, ((v + 1) / 2 - 0.485) / 0.229);
    expect(plain.run({ fake0: fake, real }).loss.dataSync()[0]).toBeCloseTo(10 * levels * 0.5, 4);
    expect(imagenet.run({ fake0: fake, real }).loss.dataSync()[0]).toBeCloseTo(10 * levels * (normalised(0.5) - normalised(0)), 4);
    tf.dispose([fake, real]);
  });

  it('sends gradients to the fake only (the real features are detached) and leaks nothing', () => {
    const n = build(node, { weights: RANDOM }, { fake0: img(), real: img() });
    const fake = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 1);
    const real = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 2);
    const [gFake, gReal] = tf.grads((f: tf.Tensor, r: tf.Tensor) => n.run({ fake0: f, real: r }, true).loss)([fake, real]);
    expect(Array.from(gFake.dataSync()).every(Number.isFinite)).toBe(true);
    expect(Math.max(...Array.from(gFake.dataSync(), Math.abs))).toBeGreaterThan(0);
    expectClose(gReal, new Array(16 * 16 * 3).fill(0), 0);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.tidy(() => void n.run({ fake0: fake, real }, true));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([fake, real, gFake, gReal]);
  });

  it('needs images of at least 16×16', () => {
    expectRuleError(
      () => node.infer({ inputs: { fake0: img(1, 8), real: img(1, 8) }, params: { weight: 10, images: 1, weights: '', input_normalization: 'none' }, template: {} }),
      { port: 'real' },
      'at least 16×16',
    );
  });
});
