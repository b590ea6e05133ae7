import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { inputPorts } from '../../contract.ts';
import type { TensorType } from '../../contract.ts';
import { dim, scaleDim } from '../../dims.ts';
import { buildNode, spatialType } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { activationNode } from '../../core/activation/activation.ts';
import { convTranspose2dNode } from '../../core/conv/conv-transpose2d.ts';
import { instanceNormNode } from '../../core/norm/instance-norm.ts';
import { residualBlockNode } from '../../core/conv/residual-block.ts';
import { expectClose, expectRuleError, shapeOf, valuesOf } from '../../core/assertions.test-util.ts';
import { allocatedParams, costAt, expectGradients, expectKeyVariables, expectNoLeaks, expectOfficialKeys, groupParams, weightedSum } from './local-path.test-util.ts';
import { localTrunkNode } from './local-trunk.ts';
import { sauUpsampleNode } from './sau.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

/** B×H/4×W/4×C with the H and W symbols, as the encoder emits x_encode. */
function quarterMap(b: number, h: number, w: number, c: number): TensorType {
  return { kind: 'feature', shape: [dim(b, 'B'), scaleDim(dim(h, 'H'), 1, 4), scaleDim(dim(w, 'W'), 1, 4), dim(c)] };
}

const B = 2;
const C = 4;
const x = quarterMap(B, 12, 16, C); // 3×4 at H/4
const small = { blocks: 1, up_channels: 3, out_channels: 2 };

describe('lggan/local-trunk: shapes and rules', () => {
  it('keeps H/4 for middle and upsamples ×4 to F', () => {
    const node = build(localTrunkNode, small, { x_encode: x });
    expect(shapeOf(node.outputs.middle)).toBe('H/4×W/4×4');
    expect(shapeOf(node.outputs.features)).toBe('H×W×2');
    // Defaults come from the template: ngf*2 and ngf (ngf = 4 in tests).
    expect(shapeOf(build(localTrunkNode, { blocks: 0 }, { x_encode: x }).outputs.features)).toBe('H×W×4');
  });

  it('asks for labels only when label-gated, and checks their size', () => {
    const params = { blocks: 0, up_channels: 3, out_channels: 2, upsampling: 'sau-label-gated', sau_kernel: 3, sau_mid_channels: 4 };
    expect(inputPorts(localTrunkNode, params).map((p) => p.name)).toEqual(['x_encode', 'labels']);
    expect(inputPorts(localTrunkNode, { ...params, upsampling: 'sau' }).map((p) => p.name)).toEqual(['x_encode']);
    const infer = (inputs: Record<string, TensorType>) => localTrunkNode.infer({ inputs, params, template: {} });
    expectRuleError(() => infer({ x_encode: x }), { port: 'labels' }, "input 'labels' is not connected");
    // 6×8 fits the first stage (6×8) but not the second (12×16).
    expectRuleError(() => infer({ x_encode: x, labels: spatialType('semantic', B, 6, 8, 5) }), { port: 'labels' }, '6×8', '12×16');
    expect(shapeOf(infer({ x_encode: x, labels: spatialType('semantic', B, 12, 16, 5) }).features)).toBe('H×W×2');
  });

  it('rejects maps too small for the reflect-padded blocks and an even SAU kernel', () => {
    const tiny = quarterMap(1, 4, 4, C); // 1×1 at H/4
    expectRuleError(() => localTrunkNode.infer({ inputs: { x_encode: tiny }, params: { ...small, upsampling: 'transposed', sau_kernel: 5, sau_mid_channels: 4 }, template: {} }), { param: 'padding' }, 'reflect padding 1');
    expectRuleError(
      () => localTrunkNode.infer({ inputs: { x_encode: x }, params: { ...small, upsampling: 'sau', sau_kernel: 4, sau_mid_channels: 4 }, template: {} }),
      { param: 'sau_kernel' },
      'odd',
    );
  });
});

describe('lggan/local-trunk: cost and official keys', () => {
  it('counts blocks and up stages exactly, equal to the allocated variables', () => {
    const node = build(localTrunkNode, small, { x_encode: x });
    const block = 2 * (9 * C * C + C);
    const deconv3 = 9 * C * 3 + 3;
    const deconv4 = 9 * 3 * 2 + 2;
    expect(node.cost.params).toBe(block + deconv3 + deconv4);
    expect(allocatedParams(node)).toBe(node.cost.params);
    const low = B * 3 * 4;
    // block: two convs + two IN (one MAC per element); stages: k²·in·out per input pixel + IN
    const blockMacs = 2 * low * 9 * C * C + 2 * low * C;
    const stageMacs = low * 9 * C * 3 + 4 * low * 3 + 4 * low * 9 * 3 * 2 + 16 * low * 2;
    expect(node.cost).toEqual({ params: block + deconv3 + deconv4, macs: blockMacs + stageMacs, buffers: 0 });
    const sau = build(localTrunkNode, { ...small, upsampling: 'sau', sau_kernel: 3, sau_mid_channels: 2 }, { x_encode: x });
    expect(allocatedParams(sau)).toBe(sau.cost.params);
  });

  it('matches the official group totals at full size (Cityscapes, ADE20K, cross-view)', () => {
    const xEncode = quarterMap(1, 256, 512, 256);
    const full = costAt(localTrunkNode, {}, { x_encode: xEncode });
    const decoderOnly = costAt(localTrunkNode, { blocks: 0 }, { x_encode: xEncode });
    for (const network of ['cityscapes_G', 'ade20k_G'] as const) {
      expect(full.cost.params).toBe(groupParams(network, 'local_trunk_resblocks', 'local_decoder'));
      expect(decoderOnly.cost.params).toBe(groupParams(network, 'local_decoder'));
      expect(full.cost.params - decoderOnly.cost.params).toBe(10_621_440);
      expectOfficialKeys(full.keys, network, 'local_trunk_resblocks', 'local_decoder');
    }
    expect(full.cost.params).toBe(groupParams('crossview_G', 'trunk_resblocks', 'local_decoder'));
    expectOfficialKeys(full.keys, 'crossview_G', 'trunk_resblocks', 'local_decoder');
    expect(decoderOnly.cost.params).toBe(368_832);
    expect(shapeOf(full.outputs.features)).toBe('H×W×64');
  });

  it('names variables after the official keys; SAU stages have none', () => {
    const node = build(localTrunkNode, { ...small, blocks: 2 }, { x_encode: x });
    const keys = localTrunkNode.officialKeys!({ inputs: { x_encode: x }, outputs: node.outputs, params: node.params, template: {} });
    expect(keys.map((k) => k.key)).toEqual([
      'resnet_blocks1.conv1.weight',
      'resnet_blocks1.conv1.bias',
      'resnet_blocks1.conv2.weight',
      'resnet_blocks1.conv2.bias',
      'resnet_blocks2.conv1.weight',
      'resnet_blocks2.conv1.bias',
      'resnet_blocks2.conv2.weight',
      'resnet_blocks2.conv2.bias',
      'deconv3_local.weight',
      'deconv3_local.bias',
      'deconv4_local.weight',
      'deconv4_local.bias',
    ]);
    expectKeyVariables(node, keys);
    expect(node.variables.size).toBe(keys.length);
    const sau = build(localTrunkNode, { ...small, upsampling: 'sau', sau_kernel: 3, sau_mid_channels: 2 }, { x_encode: x });
    const sauKeys = localTrunkNode.officialKeys!({ inputs: { x_encode: x }, outputs: sau.outputs, params: sau.params, template: {} });
    expect(sauKeys.map((k) => k.key).filter((k) => k.startsWith('deconv'))).toEqual([]);
    expect([...sau.variables.keys()].filter((k) => k.startsWith('deconv')).sort()).toEqual([
      'deconv3_local_sau.compress.bias',
      'deconv3_local_sau.compress.weight',
      'deconv3_local_sau.kernel.bias',
      'deconv3_local_sau.kernel.weight',
      'deconv3_local_sau.project.bias',
      'deconv3_local_sau.project.weight',
      'deconv4_local_sau.compress.bias',
      'deconv4_local_sau.compress.weight',
      'deconv4_local_sau.kernel.bias',
      'deconv4_local_sau.kernel.weight',
      'deconv4_local_sau.project.bias',
      'deconv4_local_sau.project.weight',
    ]);
  });
});

describe('lggan/local-trunk: numerics', () => {
  const input = () => tf.randomNormal([B, 3, 4, C], 0, 1, 'float32', 21) as tf.Tensor4D;

  it('equals residual block → ConvT + IN + ReLU → ConvT + IN + ReLU built from the core nodes', () => {
    const trunk = build(localTrunkNode, small, { x_encode: x });
    const block = build(residualBlockNode, {}, { x });
    const deconv3 = build(convTranspose2dNode, { out_channels: 3 }, { x });
    const mid = spatialType('feature', B, 6, 8, 3);
    const deconv4 = build(convTranspose2dNode, { out_channels: 2 }, { x: mid });
    const norm3 = build(instanceNormNode, {}, { x: mid });
    const norm4 = build(instanceNormNode, {}, { x: spatialType('feature', B, 12, 16, 2) });
    const relu = build(activationNode, { function: 'relu' }, { x: mid });
    const copy = (from: string, to: TestNode, name: string, seed: number) => {
      const v = tf.randomNormal(trunk.variables.get(from)!.shape, 0, 0.5, 'float32', seed);
      trunk.setVariable(from, v);
      to.setVariable(name, v);
    };
    copy('resnet_blocks1.conv1.weight', block, 'conv1.weight', 1);
    copy('resnet_blocks1.conv1.bias', block, 'conv1.bias', 2);
    copy('resnet_blocks1.conv2.weight', block, 'conv2.weight', 3);
    copy('resnet_blocks1.conv2.bias', block, 'conv2.bias', 4);
    copy('deconv3_local.weight', deconv3, 'weight', 5);
    copy('deconv3_local.bias', deconv3, 'bias', 6);
    copy('deconv4_local.weight', deconv4, 'weight', 7);
    copy('deconv4_local.bias', deconv4, 'bias', 8);
    const xIn = input();
    const middle = block.run({ x: xIn }).y;
    const h = relu.run({ x: norm3.run({ x: deconv3.run({ x: middle }).y }).y }).y;
    const f = relu.run({ x: norm4.run({ x: deconv4.run({ x: h }).y }).y }).y;
    const out = trunk.run({ x_encode: xIn });
    expectClose(out.middle, valuesOf(middle), 1e-5);
    expectClose(out.features, valuesOf(f), 1e-5);
  });

  it('with blocks = 0 passes x_encode through as middle', () => {
    const trunk = build(localTrunkNode, { ...small, blocks: 0 }, { x_encode: x });
    const xIn = input();
    expectClose(trunk.run({ x_encode: xIn }).middle, valuesOf(xIn), 0);
  });

  it('SAU stages equal SAU → IN → ReLU built from the sau-upsample node', () => {
    const trunk = build(localTrunkNode, { ...small, blocks: 0, upsampling: 'sau', sau_kernel: 3, sau_mid_channels: 2 }, { x_encode: x });
    const sau3 = build(sauUpsampleNode, { kernel: 3, mid_channels: 2, out_channels: 3 }, { x });
    const mid = spatialType('feature', B, 6, 8, 3);
    const sau4 = build(sauUpsampleNode, { kernel: 3, mid_channels: 2, out_channels: 2 }, { x: mid });
    const norm = build(instanceNormNode, {}, { x: mid });
    for (const [stage, node] of [['deconv3_local_sau', sau3], ['deconv4_local_sau', sau4]] as const) {
      for (const [name, v] of node.variables) {
        const value = tf.randomNormal(v.shape, 0, 0.5, 'float32', name.length + stage.length);
        trunk.setVariable(`${stage}.${name}`, value);
        node.setVariable(name, value);
      }
    }
    const xIn = input();
    const h = tf.relu(norm.run({ x: sau3.run({ x: xIn }).y }).y);
    const f = tf.relu(norm.run({ x: sau4.run({ x: h }).y }).y);
    expectClose(trunk.run({ x_encode: xIn }).features, valuesOf(f), 1e-5);
  });
});

describe('lggan/local-trunk: gradients and memory', () => {
  // A bias right before an InstanceNorm is cancelled by the mean subtraction (gradient ~0).
  const beforeNorm = (name: string) => /(resnet_blocks\d+\.conv\d|deconv\d_local)\.bias$|project\.bias$/.test(name);

  it('trains every weight (transposed and label-gated SAU)', () => {
    const xIn = tf.randomNormal([B, 3, 4, C], 0, 1, 'float32', 22) as tf.Tensor4D;
    const trunk = build(localTrunkNode, small, { x_encode: x });
    expectGradients(trunk, () => weightedSum(trunk.run({ x_encode: xIn }, true).features), (n) => !beforeNorm(n));
    const labelsType = spatialType('semantic', B, 12, 16, 3);
    const gated = build(localTrunkNode, { ...small, upsampling: 'sau-label-gated', sau_kernel: 3, sau_mid_channels: 2 }, { x_encode: x, labels: labelsType });
    const labels = tf.oneHot(tf.randomUniformInt([B * 12 * 16], 0, 3, 5), 3).reshape([B, 12, 16, 3]).toFloat();
    expectGradients(gated, () => weightedSum(gated.run({ x_encode: xIn, labels }, true).features), (n) => !beforeNorm(n));
  });

  it('leaves no tensors behind', () => {
    const xIn = tf.randomNormal([B, 3, 4, C], 0, 1, 'float32', 23) as tf.Tensor4D;
    expectNoLeaks(build(localTrunkNode, small, { x_encode: x }), { x_encode: xIn });
    const labels = tf.zeros([B, 12, 16, 1]);
    expectNoLeaks(
      build(localTrunkNode, { ...small, upsampling: 'sau-label-gated', sau_kernel: 3, sau_mid_channels: 2 }, { x_encode: x, labels: spatialType('feature', B, 12, 16, 1) }),
      { x_encode: xIn, labels },
    );
  });
});
