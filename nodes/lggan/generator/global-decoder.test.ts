import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { dim, scaleDim } from '../../dims.ts';
import { spatialType } from '../../testing.test-util.ts';
import { activationNode } from '../../core/activation/activation.ts';
import { convTranspose2dNode } from '../../core/conv/conv-transpose2d.ts';
import { conv2dNode } from '../../core/conv/conv2d.ts';
import { instanceNormNode } from '../../core/norm/instance-norm.ts';
import { expectClose, shapeOf, valuesOf } from '../../core/assertions.test-util.ts';
import { mapType } from '../../core/rules.ts';
import {
  checkGradients,
  describeNode,
  expectCostMatchesAllocation,
  expectKeysMatch,
  expectNoLeaks,
  expectVariablesMatchKeys,
  nodeTracker,
  referenceEntries,
  referenceGroup,
} from './global-path.test-util.ts';
import { globalDecoderNode } from './global-decoder.ts';

const { build, disposeAll } = nodeTracker();
afterEach(disposeAll);

const CROSSVIEW = { batch: 4, height: 256, width: 256, num_classes: 6, ngf: 64, ndf: 64 };
/** The trunk output of the cross-view generator: B×H/4×W/4×256. */
const trunk = mapType('feature', dim(4, 'B'), scaleDim(dim(256, 'H'), 1, 4), scaleDim(dim(256, 'W'), 1, 4), 256);

describe('lggan/global-decoder', () => {
  it('turns H/4×W/4×256 trunk features into an H×W RGB image', () => {
    const { outputs } = describeNode(globalDecoderNode, {}, { x: trunk }, CROSSVIEW);
    expect(outputs.image.kind).toBe('image');
    expect(shapeOf(outputs.image)).toBe('H×W×3');
  });

  it('costs two transposed convs, two instance norms and the 7×7 conv exactly (hand-computed)', () => {
    const node = build(globalDecoderNode, { ngf: 2 }, { x: spatialType('feature', 2, 2, 2, 4) });
    // deconv3 4→4 at 2×2 in; IN at 4×4×4; deconv4 4→2 at 4×4 in; IN at 8×8×2; conv 7×7 2→3 at 8×8.
    const params = 4 * 4 * 9 + 4 + (4 * 2 * 9 + 2) + (2 * 3 * 49 + 3);
    const macs = 2 * 4 * 9 * 4 * 4 + 2 * 16 * 4 + 2 * 16 * 9 * 4 * 2 + 2 * 64 * 2 + 2 * 64 * 49 * 2 * 3;
    expect(node.cost).toEqual({ params, macs, buffers: 0, unusedParams: 0 });
    expect(params).toBe(519);
    expectCostMatchesAllocation(node);
  });

  it('matches the official cross-view global_decoder group: total and keys in order', () => {
    const { cost, keys } = describeNode(globalDecoderNode, {}, { x: trunk }, CROSSVIEW);
    expect(cost.params).toBe(378_243);
    expect(cost.params).toBe(referenceGroup('crossview_G', 'global_decoder').parameters);
    expectKeysMatch(keys, referenceEntries('crossview_G', ['global_decoder']));
  });

  it('names its variables as the official keys say, in tfjs layout (transposed: [k, k, out, in])', () => {
    const inputs = { x: spatialType('feature', 1, 2, 2, 4) };
    const node = build(globalDecoderNode, { ngf: 2 }, inputs);
    expectVariablesMatchKeys(node, describeNode(globalDecoderNode, { ngf: 2 }, inputs).keys);
    expect(node.variables.get('deconv3_global.weight')!.shape).toEqual([3, 3, 4, 4]);
    expect(node.variables.get('deconv4_global.weight')!.shape).toEqual([3, 3, 2, 4]);
  });

  it('zero weights give tanh(bias) everywhere (by hand)', () => {
    const node = build(globalDecoderNode, { ngf: 2 }, { x: spatialType('feature', 1, 2, 2, 4) });
    node.setVariable('deconv5_global.weight', new Array(2 * 3 * 49).fill(0));
    node.setVariable('deconv5_global.bias', [1, 0, -2]);
    const image = node.run({ x: tf.randomNormal([1, 2, 2, 4]) }).image;
    expect(image.shape).toEqual([1, 8, 8, 3]);
    expectClose(image, Array.from({ length: 64 }, () => [Math.tanh(1), 0, Math.tanh(-2)]).flat());
  });

  it('equals ConvT → IN → ReLU → ConvT → IN → ReLU → reflect conv 7×7 → tanh built from core nodes', () => {
    const node = build(globalDecoderNode, { ngf: 2 }, { x: spatialType('feature', 2, 2, 3, 4) });
    const deconv3 = build(convTranspose2dNode, { out_channels: 4 }, { x: spatialType('feature', 2, 2, 3, 4) });
    const deconv4 = build(convTranspose2dNode, { out_channels: 2 }, { x: spatialType('feature', 2, 4, 6, 4) });
    const conv5 = build(conv2dNode, { out_channels: 3, kernel: 7, padding: 3, padding_mode: 'reflect' }, { x: spatialType('feature', 2, 8, 12, 2) });
    const norm = build(instanceNormNode, {}, { x: spatialType('feature', 2, 4, 6, 4) });
    const relu = build(activationNode, {}, { x: spatialType('feature', 2, 4, 6, 4) });
    const tanh = build(activationNode, { function: 'tanh' }, { x: spatialType('feature', 2, 8, 12, 3) });
    for (const [name, layer] of [['deconv3_global', deconv3], ['deconv4_global', deconv4], ['deconv5_global', conv5]] as const) {
      layer.setVariable('weight', node.variables.get(`${name}.weight`)!);
      const bias = tf.randomNormal(node.variables.get(`${name}.bias`)!.shape, 0, 0.5);
      layer.setVariable('bias', bias);
      node.setVariable(`${name}.bias`, bias);
    }
    const x = tf.randomNormal([2, 2, 3, 4], 0, 1, 'float32', 1);
    const h1 = relu.run({ x: norm.run({ x: deconv3.run({ x }).y }).y }).y;
    const h2 = relu.run({ x: norm.run({ x: deconv4.run({ x: h1 }).y }).y }).y;
    const expected = tanh.run({ x: conv5.run({ x: h2 }).y }).y;
    expectClose(node.run({ x }).image, valuesOf(expected), 1e-5);
  });

  it('trains every weight (transposed-conv biases feed instance norms: ~0) and leaves no tensors behind', () => {
    const node = build(globalDecoderNode, { ngf: 2 }, { x: spatialType('feature', 2, 2, 2, 4) });
    const x = tf.randomNormal([2, 2, 2, 4], 0, 1, 'float32', 2);
    const target = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 3);
    const loss = () => tf.mean(tf.square(tf.sub(node.run({ x }, true).image, target))) as tf.Scalar;
    expect(checkGradients(node, loss, { nearZero: ['deconv3_global.bias', 'deconv4_global.bias'] })).toEqual([]);
    expectNoLeaks((training) => node.run({ x }, training));
  });
});
