import { describe, expect, it } from 'vitest';
import { addToDim, dim, formatDim } from '../dims.ts';
import { spatialType, vectorOf } from '../testing.test-util.ts';
import { conv2dNode } from './conv/conv2d.ts';
import {
  describeType,
  enumParam,
  intParam,
  requireChannels,
  requireSpatial,
  sumDims,
  templateDim,
} from './rules.ts';
import { expectRuleError } from './assertions.test-util.ts';

describe('rules', () => {
  it('words channel conflicts with both numbers and the shape', () => {
    expectRuleError(() => requireChannels(spatialType('feature', 1, 8, 8, 64), 'x', 256), { port: 'x' }, "port 'x' expects 256 channels, got 64", 'H×W×64');
    expect(() => requireChannels(spatialType('feature', 1, 8, 8, 64), 'x', 64)).not.toThrow();
  });

  it('refuses kinds a feature port does not take, and vectors', () => {
    expectRuleError(() => requireSpatial({ x: spatialType('labels', 1, 8, 8, 1) }, 'x'), { port: 'x' }, 'feature map', 'H×W×1 labels map');
    expectRuleError(() => requireSpatial({ x: vectorOf('noise', 1, 8) }, 'x'), { port: 'x' }, 'rank 4', 'vector of 8 (noise)');
    expectRuleError(
      () => conv2dNode.infer({ inputs: { x: spatialType('labels', 1, 8, 8, 1) }, params: { out_channels: 2, kernel: 3, stride: 1, padding: -1, padding_mode: 'zero', bias: true, spectral_norm: false }, template: {} }),
      { port: 'x' },
      'labels',
    );
  });

  it('describes types as people read them', () => {
    expect(describeType(spatialType('image', 1, 8, 8, 3))).toBe('H×W×3 image map');
    expect(describeType(vectorOf('logits', 2, 35))).toBe('vector of 35 (logits)');
    expect(describeType({ kind: 'loss', shape: [] })).toBe('scalar loss');
  });

  it('keeps a symbolic channel sum when one term is symbolic', () => {
    expect(formatDim(sumDims([dim(35, 'num_classes'), dim(1), dim(3)]))).toBe('num_classes+4');
    expect(formatDim(sumDims([dim(3), dim(4)]))).toBe('7');
    expect(formatDim(sumDims([dim(4, 'H'), dim(4, 'W')]))).toBe('8');
    expect(formatDim(sumDims([addToDim(dim(35, 'num_classes'), 1), dim(3)]))).toBe('num_classes+4');
  });

  it('keeps template symbols only while a param equals the template value', () => {
    expect(formatDim(templateDim(8, { height: 8 }, 'height', 'H'))).toBe('H');
    expect(formatDim(templateDim(4, { height: 8 }, 'height', 'H'))).toBe('4');
  });

  it('reads params with their types, pointing at the param otherwise', () => {
    expect(intParam({ k: 3 }, 'k')).toBe(3);
    expectRuleError(() => intParam({ k: 2.5 }, 'k'), { param: 'k' }, 'whole number');
    expectRuleError(() => intParam({}, 'k'), { param: 'k' }, 'no value');
    expectRuleError(() => enumParam({ mode: 'cubic' }, 'mode', ['nearest', 'bilinear']), { param: 'mode' }, 'nearest, bilinear', "'cubic'");
  });
});
