import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkHandle, TensorType } from '../../contract.ts';
import { plainSpatialType } from '../../testing.test-util.ts';
import { expectClose, expectRuleError } from '../../core/assertions.test-util.ts';
import { discriminatorNetworkType } from '../discriminators/signature.ts';
import { buildWithHandles, plan, scriptedHandle } from '../discriminators/handles.test-util.ts';
import type { BuiltTestNode } from '../discriminators/handles.test-util.ts';
import { multiscaleDiscriminatorNode } from '../discriminators/multiscale-discriminator.ts';
import { adversarialLossNode as node, bceAgainst } from './adversarial-loss.ts';

const built: BuiltTestNode[] = [];
function build(...args: Parameters<typeof buildWithHandles>): BuiltTestNode {
  const n = buildWithHandles(...args);
  built.push(n);
  return n;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

// Tiny 1×1×2 images with a 1-channel condition; the scripted D reads channels of condition ‖ image:
// scale 0 = the image's R channel, scale 1 = 2 × its B channel.
const image = (h = 1, w = 2) => plainSpatialType('image', 1, h, w, 3);
const condition = (c = 1, h = 1, w = 2) => plainSpatialType('semantic', 1, h, w, c);

function dType(probabilities = false, c = 1, h = 1, w = 2): TensorType {
  const out = plainSpatialType('feature', 1, h, w, 1);
  return discriminatorNetworkType('scripted', plainSpatialType('feature', 1, h, w, c + 3), [out, out], probabilities);
}

const channel = (x: tf.Tensor, c: number) => {
  const [b, h, w] = (x as tf.Tensor4D).shape;
  return tf.slice(x, [0, 0, 0, c], [b, h, w, 1]);
};
const twoScaleD: NetworkHandle = scriptedHandle(({ x }) => {
  const outputs = [channel(x, 1), tf.mul(channel(x, 3), 2)];
  return { outputs, features: outputs.map((o) => [o]) };
});

const cond = () => tf.tensor4d([0.3, -0.3], [1, 1, 2, 1]);
const fake0 = () => tf.tensor4d([0.5, 0, -1, 1.5, 0, 2], [1, 1, 2, 3]); // R = [0.5, 1.5], B = [-1, 2]
const fake1 = () => tf.tensor4d([2, 0, 0.25, 0, 0, -0.75], [1, 1, 2, 3]); // R = [2, 0], B = [0.25, -0.75]
const real = () => tf.tensor4d([1, 0, 1, -1, 0, 0.5], [1, 1, 2, 3]); // R = [1, -1], B = [1, 0.5]

const types = (side: 'generator' | 'discriminator', probabilities = false): Record<string, TensorType> => ({
  discriminator: dType(probabilities),
  condition: condition(),
  fake0: image(),
  fake1: image(),
  ...(side === 'discriminator' ? { real: image() } : {}),
});

function lossOf(params: Record<string, number | boolean | string>, handle: NetworkHandle = twoScaleD, training = false): number {
  const side = (params.side as 'generator' | 'discriminator') ?? 'generator';
  const n = build(node, { images: 2, ...params }, types(side), { discriminator: handle });
  return tf.tidy(() => n.forward({ condition: cond(), fake0: fake0(), fake1: fake1(), real: real() }, { training }).loss.dataSync()[0]);
}

const softplus = (v: number) => Math.log1p(Math.exp(v));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('lggan/adversarial-loss ports and infer', () => {
  it('has fake0…fake{n−1} ports, and real only on the discriminator side', () => {
    const names = (params: Record<string, unknown>) => (node.inputs as (p: never) => { name: string }[])({ images: 1, side: 'generator', ...params } as never).map((p) => p.name);
    expect(names({ images: 3 })).toEqual(['discriminator', 'condition', 'fake0', 'fake1', 'fake2']);
    expect(names({ side: 'discriminator' })).toEqual(['discriminator', 'condition', 'fake0', 'real']);
    expect(plan(node, { images: 2 }, types('generator')).outputs).toEqual({ loss: { kind: 'loss', shape: [] } });
  });

  it('reports a condition that does not fit the discriminator, a mismatched fake and a missing real', () => {
    expectRuleError(() => plan(node, { images: 2 }, { ...types('generator'), condition: condition(2) }), { port: 'condition' }, 'condition ‖ fake0 has 5', 'reads 4');
    expectRuleError(() => plan(node, { images: 2 }, { ...types('generator'), fake1: image(1, 3) }), { port: 'fake1' }, '1×3×3');
    expectRuleError(() => plan(node, { side: 'discriminator', images: 2 }, types('generator')), { port: 'real' }, 'not connected');
    expectRuleError(() => plan(node, { images: 2 }, { ...types('generator'), discriminator: condition() }), { port: 'discriminator' }, 'discriminator network handle');
    expectRuleError(
      () => plan(node, {}, { discriminator: dType(false, 1, 2, 2), condition: condition(1, 1, 2), fake0: image() }),
      { port: 'condition' },
      'built for 2×2×4',
    );
  });

  it('warns about hinge on a sigmoid discriminator only', () => {
    const warn = (mode: string, probabilities: boolean) =>
      node.warnings!({ inputs: types('generator', probabilities), params: { mode, side: 'generator', weight: 1, images: 2 }, template: {} });
    expect(warn('hinge', true)[0]).toContain('sigmoid');
    expect(warn('hinge', false)).toEqual([]);
    expect(warn('bce', true)).toEqual([]);
  });

  it('costs nothing itself (the discriminator node carries the weights)', () => {
    expect(plan(node, { images: 2 }, types('generator')).cost).toEqual({ params: 0, macs: 0, buffers: 0 });
  });
});

describe('lggan/adversarial-loss values (by hand)', () => {
  it('hinge, generator: −mean D(fake), averaged over scales, summed over fakes, times weight', () => {
    // fake0: scale 0 −mean[0.5, 1.5] = −1, scale 1 −mean[−2, 4] = −1 → −1
    // fake1: −mean[2, 0] = −1, −mean[0.5, −1.5] = 0.5 → −0.25
    expect(lossOf({ weight: 2 })).toBeCloseTo(2 * (-1 - 0.25), 6);
  });

  it('hinge, discriminator: mean relu(1 − D(real)) + mean relu(1 + D(fake)) per pair', () => {
    // real: scale 0 mean relu(1 − [1, −1]) = 1, scale 1 mean relu(1 − [2, 1]) = 0 → 0.5
    // fake0: mean relu(1 + [0.5, 1.5]) = 2, mean relu(1 + [−2, 4]) = 2.5 → 2.25
    // fake1: mean relu(1 + [2, 0]) = 2, mean relu(1 + [0.5, −1.5]) = 0.75 → 1.375
    expect(lossOf({ side: 'discriminator', weight: 2 })).toBeCloseTo(2 * (2.25 + 0.5 + 1.375 + 0.5), 6);
  });

  it('bce on logits, both sides, with the pix2pix ½ on the discriminator side', () => {
    const g = (d: number[]) => mean(d.map((v) => softplus(-v))); // BCE against 1
    const f = (d: number[]) => mean(d.map((v) => softplus(v))); // BCE against 0
    const expectedG = (g([0.5, 1.5]) + g([-2, 4])) / 2 + (g([2, 0]) + g([0.5, -1.5])) / 2;
    expect(lossOf({ mode: 'bce' })).toBeCloseTo(expectedG, 5);
    const realTerm = (g([1, -1]) + g([2, 1])) / 2;
    const expectedD = 0.5 * ((f([0.5, 1.5]) + f([-2, 4])) / 2 + realTerm) + 0.5 * ((f([2, 0]) + f([0.5, -1.5])) / 2 + realTerm);
    expect(lossOf({ mode: 'bce', side: 'discriminator' })).toBeCloseTo(expectedD, 5);
  });

  it('lsgan: mean (D − 1)² for G; ½·(mean D(fake)² + mean (D(real) − 1)²) for D', () => {
    const sq = (d: number[], t: number) => mean(d.map((v) => (v - t) ** 2));
    const expectedG = (sq([0.5, 1.5], 1) + sq([-2, 4], 1)) / 2 + (sq([2, 0], 1) + sq([0.5, -1.5], 1)) / 2;
    expect(lossOf({ mode: 'lsgan' })).toBeCloseTo(expectedG, 5);
    const realTerm = (sq([1, -1], 1) + sq([2, 1], 1)) / 2;
    const expectedD = 0.5 * ((sq([0.5, 1.5], 0) + sq([-2, 4], 0)) / 2 + realTerm + (sq([2, 0], 0) + sq([0.5, -1.5], 0)) / 2 + realTerm);
    expect(lossOf({ mode: 'lsgan', side: 'discriminator' })).toBeCloseTo(expectedD, 5);
  });

  it('bce on a sigmoid discriminator uses the probabilities, with finite values and gradients at 0 and 1', () => {
    const p = tf.tensor1d([0.25, 0.5, 0, 1]);
    expect(bceAgainst(p, 1, true).dataSync()[0]).toBeCloseTo(mean([-Math.log(0.25), -Math.log(0.5), -Math.log(1.1754944e-38), 0]), 4);
    const grad = tf.grad((q: tf.Tensor) => bceAgainst(q, 0, true))(p);
    expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([p, grad]);
    // A scripted sigmoid D: BCE(σ(d), 1) = softplus(−d), as on logits.
    const sigmoidD = scriptedHandle(({ x }) => {
      const outputs = [tf.sigmoid(channel(x, 1)), tf.sigmoid(tf.mul(channel(x, 3), 2))];
      return { outputs, features: outputs.map((o) => [o]) };
    });
    const n = build(node, { images: 2, mode: 'bce' }, types('generator', true), { discriminator: sigmoidD });
    const value = tf.tidy(() => n.forward({ condition: cond(), fake0: fake0(), fake1: fake1() }, { training: false }).loss.dataSync()[0]);
    expect(value).toBeCloseTo(lossOf({ mode: 'bce' }), 5);
  });
});

describe('lggan/adversarial-loss gradients', () => {
  it('reaches the fakes on the generator side and is cut off on the discriminator side', () => {
    const gradWrtFake = (side: 'generator' | 'discriminator') => {
      const n = build(node, { images: 2, side }, types(side), { discriminator: twoScaleD });
      const c = cond();
      const f1 = fake1();
      const r = real();
      const grad = tf.grad((f: tf.Tensor) => n.forward({ condition: c, fake0: f, fake1: f1, real: r }, { training: true }).loss)(fake0());
      const values = Array.from(grad.dataSync());
      tf.dispose([c, f1, r, grad]);
      return values;
    };
    // generator: d/dR of −mean(R)/2 = −1/4 per pixel; d/dB of −mean(2B)/2 = −1/2
    expectClose(gradWrtFake('generator'), [-0.25, 0, -0.5, -0.25, 0, -0.5]);
    expectClose(gradWrtFake('discriminator'), [0, 0, 0, 0, 0, 0], 0);
  });

  it('trains a real multiscale discriminator: D variables get gradients from the D loss; no tensors leak', () => {
    const pairTypes = { condition: plainSpatialType('semantic', 2, 16, 16, 2), image: plainSpatialType('image', 2, 16, 16, 3) };
    const d = build(multiscaleDiscriminatorNode, { ndf: 2 }, pairTypes);
    const lossNode = build(
      node,
      { side: 'discriminator' },
      { discriminator: d.outputs.network, condition: pairTypes.condition, fake0: pairTypes.image, real: pairTypes.image },
      { discriminator: d.handles.network },
    );
    const feeds = {
      condition: tf.randomUniform([2, 16, 16, 2], 0, 1, 'float32', 1),
      fake0: tf.randomUniform([2, 16, 16, 3], -1, 1, 'float32', 2),
      real: tf.randomUniform([2, 16, 16, 3], -1, 1, 'float32', 3),
    };
    const { value, grads } = tf.variableGrads(() => lossNode.forward(feeds, { training: true }).loss as tf.Scalar);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    const trainable = [...d.variables.values()].filter((v) => v.trainable);
    for (const v of trainable) expect(Math.max(...Array.from(grads[v.name].dataSync(), Math.abs)), v.name).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.tidy(() => void lossNode.forward(feeds, { training: true }));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(feeds));
  });
});
