import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkHandle, TensorType } from '../../contract.ts';
import { plainSpatialType } from '../../testing.test-util.ts';
import { expectClose, expectRuleError } from '../../core/assertions.test-util.ts';
import { discriminatorNetworkType } from '../discriminators/signature.ts';
import { buildWithHandles, plan, scriptedHandle } from '../discriminators/handles.test-util.ts';
import type { BuiltTestNode } from '../discriminators/handles.test-util.ts';
import { patchDiscriminatorNode } from '../discriminators/patch-discriminator.ts';
import { featureMatchingLossNode as node } from './feature-matching-loss.ts';

const built: BuiltTestNode[] = [];
function build(...args: Parameters<typeof buildWithHandles>): BuiltTestNode {
  const n = buildWithHandles(...args);
  built.push(n);
  return n;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const image = () => plainSpatialType('image', 1, 1, 2, 3);
const out = plainSpatialType('feature', 1, 1, 2, 1);
const types: Record<string, TensorType> = {
  discriminator: discriminatorNetworkType('scripted', plainSpatialType('feature', 1, 1, 2, 4), [out, out], false),
  condition: plainSpatialType('semantic', 1, 1, 2, 1),
  fake0: image(),
  real: image(),
};

const channel = (x: tf.Tensor, c: number) => {
  const [b, h, w] = (x as tf.Tensor4D).shape;
  return tf.slice(x, [0, 0, 0, c], [b, h, w, 1]);
};
// scale 0 blocks: [x, 2·R, B (patch map)]; scale 1 blocks: [G, R (patch map)]
const scripted: NetworkHandle = scriptedHandle(({ x }) => {
  const features = [
    [x, tf.mul(channel(x, 1), 2), channel(x, 3)],
    [channel(x, 2), channel(x, 1)],
  ];
  return { outputs: features.map((f) => f[f.length - 1]), features };
});

const cond = () => tf.tensor4d([0.3, -0.3], [1, 1, 2, 1]);
const fake = () => tf.tensor4d([0.5, 1, -1, 1.5, 0, 2], [1, 1, 2, 3]);
const real = () => tf.tensor4d([1, 0, 1, -1, 0.5, 0.5], [1, 1, 2, 3]);

describe('lggan/feature-matching-loss', () => {
  it('sums L1 over every block but the last, divided by the number of scales (by hand)', () => {
    // scale 0, block 0: |x diff| = 0, 0 (condition), 0.5, 1, 2, 2.5, 0.5, 1.5 → mean 1
    // scale 0, block 1: |2·R diff| = 1, 5 → mean 3;  scale 1, block 0: |G diff| = 1, 0.5 → mean 0.75
    const n = build(node, {}, types, { discriminator: scripted });
    const loss = tf.tidy(() => n.forward({ condition: cond(), fake0: fake(), real: real() }, { training: false }).loss.dataSync()[0]);
    expect(loss).toBeCloseTo(10 * ((1 + 3) / 2 + 0.75 / 2), 5);
  });

  it('is zero for identical images and sums over several fakes', () => {
    const n = build(node, { images: 2, weight: 1 }, { ...types, fake1: image() }, { discriminator: scripted });
    const same = tf.tidy(() => n.forward({ condition: cond(), fake0: real(), fake1: real(), real: real() }, { training: false }).loss.dataSync()[0]);
    expect(same).toBe(0);
    const twice = tf.tidy(() => n.forward({ condition: cond(), fake0: fake(), fake1: fake(), real: real() }, { training: false }).loss.dataSync()[0]);
    expect(twice).toBeCloseTo(2 * 2.375, 5);
  });

  it('detaches the real features: gradient reaches the fake, not the real image', () => {
    const n = build(node, { weight: 1 }, types, { discriminator: scripted });
    const c = cond();
    const [gFake, gReal] = tf.grads((f: tf.Tensor, r: tf.Tensor) => n.forward({ condition: c, fake0: f, real: r }, { training: true }).loss)([fake(), real()]);
    expect(Math.max(...Array.from(gFake.dataSync(), Math.abs))).toBeGreaterThan(0);
    expectClose(gReal, [0, 0, 0, 0, 0, 0], 0);
    tf.dispose([c, gFake, gReal]);
  });

  it('checks its wiring against the discriminator', () => {
    expect(plan(node, {}, types).outputs.loss.kind).toBe('loss');
    expectRuleError(() => plan(node, {}, { ...types, condition: plainSpatialType('semantic', 1, 1, 2, 3) }), { port: 'condition' }, 'reads 4');
    expectRuleError(() => plan(node, {}, { ...types, fake0: plainSpatialType('image', 1, 2, 2, 3) }), { port: 'fake0' }, 'spatial sizes must agree');
  });

  it('runs on a real patch discriminator with finite values and no leaks', () => {
    const pairTypes = { condition: plainSpatialType('image', 1, 32, 32, 3), image: plainSpatialType('image', 1, 32, 32, 3) };
    const d = build(patchDiscriminatorNode, { ndf: 2 }, pairTypes);
    const n = build(node, {}, { discriminator: d.outputs.network, condition: pairTypes.condition, fake0: pairTypes.image, real: pairTypes.image }, { discriminator: d.handles.network });
    const feeds = { condition: tf.randomUniform([1, 32, 32, 3], -1, 1), fake0: tf.randomUniform([1, 32, 32, 3], -1, 1), real: tf.randomUniform([1, 32, 32, 3], -1, 1) };
    const before = tf.memory().numTensors;
    const value = tf.tidy(() => n.forward(feeds, { training: true }).loss.dataSync()[0]);
    expect(Number.isFinite(value) && value > 0).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(feeds));
  });
});
