import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { spatialType, TEST_TEMPLATE } from '../../testing.test-util.ts';
import { conv2dNode } from '../../core/conv/conv2d.ts';
import { nearestUpsample } from '../../core/resample/resample.ts';
import { expectClose, expectRuleError, shapeOf, valuesOf } from '../../core/assertions.test-util.ts';
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
import type { ReferenceNetwork } from './global-path.test-util.ts';
import { globalGeneratorBlocks, globalGeneratorNode } from './global-generator.ts';
import type { GlobalGeneratorSpec } from './global-generator.ts';
import { spadeResBlockNode } from './spade.ts';

const { build, disposeAll } = nodeTracker();
afterEach(disposeAll);

const CITYSCAPES = { batch: 1, height: 256, width: 512, num_classes: 35, ngf: 64, ndf: 64 };
const ADE20K = { batch: 1, height: 256, width: 256, num_classes: 150, ngf: 64, ndf: 64 };
const cityscapes = { latent: spatialType('feature', 1, 4, 8, 1024), semantic: spatialType('semantic', 1, 256, 512, 36) };
const ade20k = { latent: spatialType('feature', 1, 8, 8, 1024), semantic: spatialType('semantic', 1, 256, 256, 151) };
const GLOBAL_GROUPS = ['unused_fc', 'global_spade_resblocks/conv', 'global_spade_resblocks/spade_norm', 'global_output_conv'];

/** A tiny generator: ngf 1 (16 channels at the latent), SPADE hidden 4, 3-channel semantic map. */
const TINY = { ngf: 1, spade_hidden: 4 };
const tiny = (batch: number, size: number) => ({
  latent: spatialType('feature', batch, size / 32, size / 32, 16),
  semantic: spatialType('semantic', batch, size, size, 3),
});

describe('lggan/global-generator: shapes', () => {
  it('Cityscapes: a 4×8×1024 latent and a 256×512 map give a 256×512 image with "more" upsampling', () => {
    const { outputs } = describeNode(globalGeneratorNode, { upsampling_mode: 'more' }, cityscapes, CITYSCAPES);
    expect(outputs.image.kind).toBe('image');
    expect(shapeOf(outputs.image)).toBe('H×W×3');
  });

  it('rejects a latent whose size times 2^ups is not the map’s, naming both ports', () => {
    expectRuleError(
      () => describeNode(globalGeneratorNode, { upsampling_mode: 'normal' }, cityscapes, CITYSCAPES),
      { port: 'latent' },
      "port 'latent' is H×W×1024",
      "port 'semantic' is H×W×36",
      "upsampling_mode 'normal' upsamples 5 times (×32)",
      "'latent' must be 8×16",
    );
    expectRuleError(
      () => describeNode(globalGeneratorNode, {}, { latent: spatialType('feature', 1, 1, 1, 16), semantic: spatialType('semantic', 1, 40, 40, 3) }, { ...TEST_TEMPLATE, ngf: 1 }),
      { port: 'latent' },
      "'semantic' must be a multiple of 32",
    );
  });

  it('rejects a latent that is not 16·ngf wide and a batch that differs', () => {
    expectRuleError(
      () => describeNode(globalGeneratorNode, { ngf: 32, upsampling_mode: 'more' }, cityscapes, CITYSCAPES),
      { port: 'latent' },
      "port 'latent' expects 512 channels, got 1024",
    );
    expectRuleError(
      () => describeNode(globalGeneratorNode, TINY, { ...tiny(1, 32), semantic: spatialType('semantic', 2, 32, 32, 3) }),
      { port: 'latent' },
      "port 'latent' has batch 1 but port 'semantic' has batch 2",
    );
  });

  it('warns that the batch norms cannot train on a 1×1 latent at batch 1', () => {
    const inputs = tiny(1, 32);
    const { params } = describeNode(globalGeneratorNode, TINY, inputs);
    expect(globalGeneratorNode.warnings!({ inputs, params, template: TEST_TEMPLATE })[0]).toContain('cannot train');
    expect(globalGeneratorNode.warnings!({ inputs: tiny(2, 32), params, template: TEST_TEMPLATE })).toEqual([]);
  });

  it('lays out the official blocks: widths in ngf units and where the upsamples go', () => {
    const spec = (mode: 'normal' | 'more'): GlobalGeneratorSpec => ({
      ngf: 64,
      labelChannels: 36,
      hidden: 128,
      paramFreeNorm: 'batch',
      spectralNorm: true,
      upsamplingMode: mode,
      keepUnusedOfficial: false,
    });
    const describe = (mode: 'normal' | 'more') =>
      globalGeneratorBlocks(spec(mode)).map((b) => `${b.upsampleBefore ? 'up,' : ''}${b.name}:${b.spec.inChannels}→${b.spec.outChannels}`);
    expect(describe('more')).toEqual([
      'head_0:1024→1024',
      'up,G_middle_0:1024→1024',
      'up,G_middle_1:1024→1024',
      'up,up_0:1024→512',
      'up,up_1:512→256',
      'up,up_2:256→128',
      'up,up_3:128→64',
    ]);
    expect(describe('normal')[2]).toBe('G_middle_1:1024→1024');
  });
});

describe('lggan/global-generator: official parity at full size', () => {
  const cases: Array<[ReferenceNetwork, Record<string, string>, typeof cityscapes, Record<string, number>]> = [
    ['cityscapes_G', { upsampling_mode: 'more' }, cityscapes, CITYSCAPES],
    ['ade20k_G', { upsampling_mode: 'normal' }, ade20k, ADE20K],
  ];

  it.each(cases)('%s: cost equals the group totals (SN weight_orig in params, u/v and running stats in buffers)', (network, params, inputs, template) => {
    const group = (name: string) => referenceGroup(network, name);
    const used = group('global_spade_resblocks/conv').parameters + group('global_spade_resblocks/spade_norm').parameters + group('global_output_conv').parameters;
    // The group buffers include one int64 num_batches_tracked per SPADE (18), which we do not keep.
    const buffers = group('global_spade_resblocks/conv').buffers + group('global_spade_resblocks/spade_norm').buffers - 18;
    const lean = describeNode(globalGeneratorNode, params, inputs, template).cost;
    expect(lean.params).toBe(used);
    expect(lean.buffers).toBe(buffers);
    expect(lean.unusedParams).toBe(0);
    const full = describeNode(globalGeneratorNode, { ...params, keep_unused_official: true }, inputs, template).cost;
    expect(full.params).toBe(used + group('unused_fc').parameters);
    expect(full.unusedParams).toBe(group('unused_fc').parameters);
    expect(full.macs).toBe(lean.macs);
  });

  it('Cityscapes totals are the documented ones', () => {
    const cost = describeNode(globalGeneratorNode, { upsampling_mode: 'more', keep_unused_official: true }, cityscapes, CITYSCAPES).cost;
    expect(cost.params).toBe(66_727_808 + 25_985_664 + 1_731 + 332_800);
    expect(cost.unusedParams).toBe(332_800);
    expect(cost.buffers).toBe(92_160 + 21_888);
  });

  it.each(cases)('%s: officialKeys list fc, the seven blocks and conv_img in state_dict order', (network, params, inputs, template) => {
    const lean = describeNode(globalGeneratorNode, params, inputs, template).keys;
    expectKeysMatch(lean, referenceEntries(network, GLOBAL_GROUPS));
    expect(lean.filter((k) => k.key.startsWith('fc.')).map((k) => k.variable)).toEqual([null, null]);
    const full = describeNode(globalGeneratorNode, { ...params, keep_unused_official: true }, inputs, template).keys;
    expectKeysMatch(full, referenceEntries(network, GLOBAL_GROUPS));
    expect(full.filter((k) => k.key.startsWith('fc.')).map((k) => k.variable)).toEqual(['fc.weight', 'fc.bias']);
    expect(full.filter((k) => k.variable === null)).toHaveLength(18); // the num_batches_tracked counters
  });
});

describe('lggan/global-generator: build and forward (tiny)', () => {
  it('allocates exactly what cost and officialKeys say, fc included only when kept', () => {
    for (const keep of [false, true]) {
      const params = { ...TINY, keep_unused_official: keep };
      const node = build(globalGeneratorNode, params, tiny(2, 32));
      expectCostMatchesAllocation(node);
      expectVariablesMatchKeys(node, describeNode(globalGeneratorNode, params, tiny(2, 32)).keys);
      expect(node.variables.has('fc.weight')).toBe(keep);
      expect(node.cost.unusedParams).toBe(keep ? 9 * 3 * 16 + 16 : 0);
    }
  });

  it('conv_img with zero weights gives tanh(bias) everywhere (by hand)', () => {
    const node = build(globalGeneratorNode, TINY, tiny(1, 32));
    node.setVariable('conv_img.weight', new Array(9 * 3).fill(0));
    node.setVariable('conv_img.bias', [0.5, -0.5, 0]);
    const image = node.run({ latent: tf.randomNormal([1, 1, 1, 16]), semantic: tf.randomUniform([1, 32, 32, 3]) }).image;
    expect(image.shape).toEqual([1, 32, 32, 3]);
    expectClose(image, Array.from({ length: 32 * 32 }, () => [Math.tanh(0.5), Math.tanh(-0.5), 0]).flat());
  });

  it('equals seven SPADE residual block nodes with nearest upsamples, LeakyReLU, conv and tanh wired by hand', () => {
    const inputs = tiny(2, 32);
    const node = build(globalGeneratorNode, TINY, inputs);
    const latent = tf.randomNormal([2, 1, 1, 16], 0, 1, 'float32', 1);
    const semantic = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 2);
    // Distinct biases and running means, so a mix-up between blocks would show.
    for (const [name, v] of node.variables) {
      if (name.endsWith('bias') || name.endsWith('running_mean')) node.setVariable(name, tf.randomNormal(v.shape, 0, 0.3));
    }
    const blocks = [
      ['head_0', 16, false],
      ['G_middle_0', 16, true],
      ['G_middle_1', 16, false],
      ['up_0', 8, true],
      ['up_1', 4, true],
      ['up_2', 2, true],
      ['up_3', 1, true],
    ] as const;
    let x = latent as tf.Tensor4D;
    for (const [name, out, upsample] of blocks) {
      if (upsample) x = nearestUpsample(x, 2);
      const [b, h, w, c] = x.shape;
      const block = build(spadeResBlockNode, { out_channels: out, hidden: 4 }, { x: spatialType('feature', b, h, w, c), semantic: inputs.semantic });
      for (const local of block.variables.keys()) block.setVariable(local, node.variables.get(`${name}.${local}`)!);
      x = block.run({ x, semantic }).y as tf.Tensor4D;
    }
    const convImg = build(conv2dNode, { out_channels: 3 }, { x: spatialType('feature', 2, 32, 32, 1) });
    convImg.setVariable('weight', node.variables.get('conv_img.weight')!);
    convImg.setVariable('bias', node.variables.get('conv_img.bias')!);
    const expected = tf.tanh(convImg.run({ x: tf.leakyRelu(x, 0.2) }).y);
    expectClose(node.run({ latent, semantic }).image, valuesOf(expected), 1e-5);
  });

  it("'more' mode upsamples six times", () => {
    const node = build(globalGeneratorNode, { ...TINY, upsampling_mode: 'more' }, { latent: spatialType('feature', 1, 1, 1, 16), semantic: spatialType('semantic', 1, 64, 64, 3) });
    const image = node.run({ latent: tf.randomNormal([1, 1, 1, 16]), semantic: tf.randomUniform([1, 64, 64, 3]) }).image;
    expect(image.shape).toEqual([1, 64, 64, 3]);
  });

  it('trains every used weight (the unused fc gets no gradient) and leaves no tensors behind', () => {
    const inputs = tiny(2, 32);
    const node = build(globalGeneratorNode, { ...TINY, keep_unused_official: true }, inputs);
    const latent = tf.randomNormal([2, 1, 1, 16], 0, 1, 'float32', 3);
    const semantic = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 4);
    const target = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 5);
    const loss = (training: boolean) => () => tf.mean(tf.abs(tf.sub(node.run({ latent, semantic }, training).image, target))) as tf.Scalar;
    // In training the batch norms remove per-channel constants: every bias whose effect reaches
    // only batch norms (conv_0's, mlp_beta's, and those of every block output but up_3's) gets ~0.
    expect(checkGradients(node, loss(true), { finiteOnly: (name) => name.endsWith('bias') })).toEqual(['fc.weight', 'fc.bias']);
    // Eval mode uses the stored u, v: only meaningful after training steps ran the power
    // iteration (with the random initial u, v, σ is arbitrary and the image saturates).
    for (let i = 0; i < 3; i++) tf.tidy(() => void node.run({ latent, semantic }, true));
    expect(checkGradients(node, loss(false))).toEqual(['fc.weight', 'fc.bias']);
    expectNoLeaks((training) => node.run({ latent, semantic }, training), 2);
  });
});
