import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { outputPorts } from '../../contract.ts';
import { spatialType, TEST_TEMPLATE } from '../../testing.test-util.ts';
import { activationNode } from '../../core/activation/activation.ts';
import { conv2dNode } from '../../core/conv/conv2d.ts';
import { instanceNormNode } from '../../core/norm/instance-norm.ts';
import { expectClose, expectRuleError, shapeOf, valuesOf } from '../../core/assertions.test-util.ts';
import { encoderNode } from './encoder.ts';
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

const { build, disposeAll } = nodeTracker();
afterEach(disposeAll);

const CITYSCAPES = { batch: 1, height: 256, width: 512, num_classes: 35, ngf: 64, ndf: 64 };
const ADE20K = { batch: 1, height: 256, width: 256, num_classes: 150, ngf: 64, ndf: 64 };
const cityscapesInput = spatialType('semantic', 1, 256, 512, 36);

describe('lggan/encoder: shapes', () => {
  it('gives the official Cityscapes stages with symbolic sizes and the SPADE latent', () => {
    const { outputs } = describeNode(
      encoderNode,
      { latent_height: 'height/64', latent_width: 'width/64' },
      { x: cityscapesInput },
      CITYSCAPES,
    );
    expect(shapeOf(outputs.features)).toBe('H/16×W/16×1024');
    expect(shapeOf(outputs.x_encode)).toBe('H/4×W/4×256');
    expect(shapeOf(outputs.latent)).toBe('H/64×W/64×1024');
    expect(outputs.latent.shape.map((d) => d.value)).toEqual([1, 4, 8, 1024]);
  });

  it('cross-view: two downsamples, features = x_encode, no latent port', () => {
    const params = { downsamples: 2 };
    const { outputs, params: resolved } = describeNode(encoderNode, params, { x: spatialType('feature', 2, 64, 64, 6) }, CITYSCAPES);
    expect(shapeOf(outputs.features)).toBe('H/4×W/4×256');
    expect(shapeOf(outputs.x_encode)).toBe('H/4×W/4×256');
    expect(outputs.latent).toBeUndefined();
    expect(outputPorts(encoderNode, resolved).map((p) => p.name)).toEqual(['features', 'x_encode']);
  });

  it('lists x_encode only with two or more downsamples and latent only when sized', () => {
    const ports = (params: Record<string, number>) =>
      outputPorts(encoderNode, describeNode(encoderNode, params, { x: spatialType('feature', 1, 16, 16, 3) }).params).map((p) => p.name);
    expect(ports({ downsamples: 1 })).toEqual(['features']);
    expect(ports({ downsamples: 1, latent_height: 2, latent_width: 2 })).toEqual(['features', 'latent']);
    expect(ports({ downsamples: 3, latent_height: 1, latent_width: 1 })).toEqual(['features', 'x_encode', 'latent']);
  });

  it('caps the doubling at max_channels', () => {
    const { outputs } = describeNode(encoderNode, { ngf: 8, downsamples: 3, max_channels: 16 }, { x: spatialType('feature', 1, 16, 16, 3) });
    expect(shapeOf(outputs.features)).toBe('H/8×W/8×16');
  });

  it('rejects inputs too small for the reflect padding or the instance norms, naming port x', () => {
    expectRuleError(() => describeNode(encoderNode, {}, { x: spatialType('feature', 1, 3, 8, 3) }), { port: 'x' }, "port 'x' is H×W×3", 'reflect padding of 3');
    expectRuleError(
      () => describeNode(encoderNode, { downsamples: 3 }, { x: spatialType('feature', 1, 8, 8, 3) }),
      { port: 'x' },
      'after 3 downsamples conv4 gives a 1×1 map',
    );
  });

  it('rejects a latent size with one side left at 0', () => {
    expectRuleError(() => describeNode(encoderNode, { latent_height: 2 }, { x: spatialType('feature', 1, 32, 32, 3) }), { param: 'latent_width' }, 'latent_width is 0');
  });

  it('warns when the latent resize ratio is not a whole number', () => {
    const x = spatialType('feature', 1, 48, 48, 3);
    const args = (h: number) => ({ inputs: { x }, params: describeNode(encoderNode, { downsamples: 2, latent_height: h, latent_width: 6 }, { x }).params, template: TEST_TEMPLATE });
    expect(encoderNode.warnings!(args(6))).toEqual([]);
    expect(encoderNode.warnings!(args(5))[0]).toContain('12×12 features resize to 5×6');
  });
});

describe('lggan/encoder: cost and official keys', () => {
  it('counts convs and instance norms exactly (hand-computed)', () => {
    const node = build(encoderNode, { ngf: 2, downsamples: 2 }, { x: spatialType('feature', 2, 8, 8, 3) });
    // conv1 3→2 7×7 at 8×8; conv2 2→4 3×3 at 4×4; conv3 4→8 at 2×2; three non-affine norms.
    const params = 3 * 2 * 49 + 2 + (2 * 4 * 9 + 4) + (4 * 8 * 9 + 8);
    const macs = 2 * 64 * 49 * 3 * 2 + 2 * 64 * 2 + (2 * 16 * 9 * 2 * 4 + 2 * 16 * 4) + (2 * 4 * 9 * 4 * 8 + 2 * 4 * 8);
    expect(node.cost).toEqual({ params, macs, buffers: 0, unusedParams: 0 });
    expect(params).toBe(668);
    expectCostMatchesAllocation(node);
  });

  it('matches the official encoder group totals at full size', () => {
    expect(describeNode(encoderNode, {}, { x: cityscapesInput }, CITYSCAPES).cost.params).toBe(6_381_760);
    expect(referenceGroup('cityscapes_G', 'encoder').parameters).toBe(6_381_760);
    expect(describeNode(encoderNode, {}, { x: spatialType('semantic', 1, 256, 256, 151) }, ADE20K).cost.params).toBe(
      referenceGroup('ade20k_G', 'encoder').parameters,
    );
    expect(describeNode(encoderNode, { downsamples: 2 }, { x: spatialType('feature', 1, 64, 64, 6) }, CITYSCAPES).cost.params).toBe(
      referenceGroup('crossview_G', 'encoder').parameters,
    );
  });

  it('maps conv1 … conv5 onto the official keys in order (Cityscapes, ADE20K, cross-view)', () => {
    expectKeysMatch(describeNode(encoderNode, {}, { x: cityscapesInput }, CITYSCAPES).keys, referenceEntries('cityscapes_G', ['encoder']));
    expectKeysMatch(describeNode(encoderNode, {}, { x: spatialType('semantic', 1, 256, 256, 151) }, ADE20K).keys, referenceEntries('ade20k_G', ['encoder']));
    expectKeysMatch(
      describeNode(encoderNode, { downsamples: 2 }, { x: spatialType('feature', 1, 64, 64, 6) }, CITYSCAPES).keys,
      referenceEntries('crossview_G', ['encoder']),
    );
  });

  it('names its variables as the official keys say, in tfjs layout', () => {
    const node = build(encoderNode, { ngf: 2, downsamples: 3 }, { x: spatialType('feature', 1, 16, 16, 3) });
    const keys = encoderNode.officialKeys!({ inputs: { x: spatialType('feature', 1, 16, 16, 3) }, outputs: node.outputs, params: node.params, template: TEST_TEMPLATE });
    expect(keys.map((k) => k.key)).toEqual(['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'conv3.weight', 'conv3.bias', 'conv4.weight', 'conv4.bias']);
    expectVariablesMatchKeys(node, keys);
    expect(node.variables.get('conv1.weight')!.shape).toEqual([7, 7, 3, 2]);
  });
});

describe('lggan/encoder: forward', () => {
  it('conv1 as identity: IN + ReLU of a ramp, then the nearest latent picks every other pixel (by hand)', () => {
    const node = build(encoderNode, { ngf: 1, downsamples: 0, latent_height: 2, latent_width: 2 }, { x: spatialType('feature', 1, 4, 4, 1) });
    const kernel = new Array(49).fill(0);
    kernel[24] = 1; // centre tap: conv1(x) = x
    node.setVariable('conv1.weight', kernel);
    const x = tf.tensor4d([...Array(16).keys()], [1, 4, 4, 1]);
    const out = node.run({ x });
    // mean 7.5, biased variance (16² − 1)/12 = 21.25
    const std = Math.sqrt(21.25 + 1e-5);
    expectClose(out.features, [...Array(16).keys()].map((v) => Math.max(0, (v - 7.5) / std)));
    // rows 0, 2 and columns 0, 2: values 0, 2, 8, 10
    expectClose(out.latent, [0, 0, 0.5 / std, 2.5 / std]);
  });

  it('equals reflect-conv7 → IN → ReLU → (conv3 s2 → IN → ReLU)×2 built from core nodes', () => {
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1);
    const node = build(encoderNode, { ngf: 2, downsamples: 2 }, { x: spatialType('feature', 2, 8, 8, 3) });
    const conv1 = build(conv2dNode, { out_channels: 2, kernel: 7, padding: 3, padding_mode: 'reflect' }, { x: spatialType('feature', 2, 8, 8, 3) });
    const conv2 = build(conv2dNode, { out_channels: 4, stride: 2 }, { x: spatialType('feature', 2, 8, 8, 2) });
    const conv3 = build(conv2dNode, { out_channels: 8, stride: 2 }, { x: spatialType('feature', 2, 4, 4, 4) });
    const norm = build(instanceNormNode, {}, { x: spatialType('feature', 2, 8, 8, 2) });
    const relu = build(activationNode, {}, { x: spatialType('feature', 2, 8, 8, 2) });
    for (const [name, conv] of [['conv1', conv1], ['conv2', conv2], ['conv3', conv3]] as const) {
      conv.setVariable('weight', node.variables.get(`${name}.weight`)!);
      const bias = tf.randomNormal(node.variables.get(`${name}.bias`)!.shape, 0, 0.5, 'float32', name.length);
      conv.setVariable('bias', bias);
      node.setVariable(`${name}.bias`, bias);
    }
    const stage = (conv: typeof conv1, h: tf.Tensor) => relu.run({ x: norm.run({ x: conv.run({ x: h }).y }).y }).y;
    const h1 = stage(conv1, x);
    const h3 = stage(conv3, stage(conv2, h1));
    const out = node.run({ x });
    expectClose(out.features, valuesOf(h3), 1e-5);
    expectClose(out.x_encode, valuesOf(h3), 1e-5);
  });

  it('trains: finite gradients, non-zero for every weight (biases before instance norm get ~0)', () => {
    const node = build(encoderNode, { ngf: 2, downsamples: 2, latent_height: 1, latent_width: 1 }, { x: spatialType('feature', 2, 8, 8, 3) });
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 2);
    const target = tf.randomNormal([2, 2, 2, 8], 0, 1, 'float32', 3);
    const missing = checkGradients(node, () => tf.mean(tf.square(tf.sub(node.run({ x }, true).features, target))) as tf.Scalar, {
      nearZero: ['conv1.bias', 'conv2.bias', 'conv3.bias'],
    });
    expect(missing).toEqual([]);
  });

  it('leaves no tensors behind over repeated forward calls', () => {
    const node = build(encoderNode, { ngf: 2, downsamples: 2, latent_height: 1, latent_width: 1 }, { x: spatialType('feature', 2, 8, 8, 3) });
    const x = tf.randomNormal([2, 8, 8, 3]);
    expectNoLeaks((training) => node.run({ x }, training));
    x.dispose();
  });
});
