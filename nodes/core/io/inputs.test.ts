import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildNode, TEST_TEMPLATE } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { imageInputNode } from './image-input.ts';
import { noiseInputNode } from './noise-input.ts';
import { semanticInputNode } from './semantic-input.ts';
import { expectClose, expectRuleError, shapeOf, valuesOf } from '../assertions.test-util.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const template = { ...TEST_TEMPLATE, batch: 2, height: 4, width: 6, num_classes: 3 };

describe('core/semantic-input', () => {
  it('declares B×H×W×num_classes with template symbols, plus optional channels', () => {
    const node = build(semanticInputNode, {}, {}, template);
    expect(shapeOf(node.outputs.semantic)).toBe('H×W×num_classes');
    expect(node.outputs.semantic.kind).toBe('semantic');
    expect(node.outputs.semantic.shape.map((d) => d.value)).toEqual([2, 4, 6, 3]);
    expect(shapeOf(build(semanticInputNode, { dontcare: true }, {}, template).outputs.semantic)).toBe('H×W×num_classes+1');
    expect(shapeOf(build(semanticInputNode, { dontcare: true, instance_edge: true }, {}, template).outputs.semantic)).toBe('H×W×num_classes+2');
    expect(shapeOf(build(semanticInputNode, { height: 'height/2', num_classes: 5 }, {}, template).outputs.semantic)).toBe('2×W×5');
    expect(semanticInputNode.inputs).toEqual([]);
  });

  it('passes the fed tensor through, any batch size, and rejects other shapes', () => {
    const node = build(semanticInputNode, { instance_edge: true }, {}, template);
    const fed = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 4).reshape([1, 2, 2, 4]);
    const other = build(semanticInputNode, { instance_edge: true, height: 2, width: 2 }, {}, template);
    expect(other.run({ value: fed }).semantic).toBe(fed);
    expectRuleError(() => node.run({ value: fed }), { port: 'semantic' }, 'B×4×6×4', 'got 1×2×2×4');
    expectRuleError(() => node.run({}), { port: 'semantic' }, 'no tensor was fed');
  });
});

describe('core/image-input', () => {
  it('is an image with 3 channels and a feature map otherwise', () => {
    const rgb = build(imageInputNode, {}, {}, template);
    expect(rgb.outputs.image.kind).toBe('image');
    expect(shapeOf(rgb.outputs.image)).toBe('H×W×3');
    const six = build(imageInputNode, { channels: 6 }, {}, template);
    expect(six.outputs.image.kind).toBe('feature');
    const x = tf.zeros([3, 4, 6, 6]);
    expect(six.run({ value: x }).image).toBe(x);
    expectRuleError(() => rgb.run({ value: x }), { port: 'image' }, 'B×4×6×3', 'got 3×4×6×6');
  });
});

describe('core/noise-input', () => {
  it('is a B×N vector or a B×H×W×C map', () => {
    const vector = build(noiseInputNode, { channels: 8 }, {}, template);
    expect(vector.outputs.noise.shape.map((d) => d.value)).toEqual([2, 8]);
    expect(vector.outputs.noise.kind).toBe('noise');
    expect(shapeOf(build(noiseInputNode, { layout: 'spatial', channels: 2 }, {}, template).outputs.noise)).toBe('H×W×2');
  });

  it('draws seeded noise: replayable, fresh at every call, scaled by std', () => {
    const first = build(noiseInputNode, { channels: 256, std: 2, seed: 7 }, {}, template);
    const second = build(noiseInputNode, { channels: 256, std: 2, seed: 7 }, {}, template);
    const a1 = first.run({}).noise;
    const a2 = first.run({}).noise;
    expect(a1.shape).toEqual([2, 256]);
    expectClose(second.run({}).noise, valuesOf(a1), 0);
    expect(valuesOf(a2)).not.toEqual(valuesOf(a1));
    const { mean, variance } = tf.moments(a1);
    expect(Math.abs(mean.dataSync()[0])).toBeLessThan(0.3);
    expect(Math.sqrt(variance.dataSync()[0])).toBeGreaterThan(1.7);
    expect(Math.sqrt(variance.dataSync()[0])).toBeLessThan(2.3);
  });

  it('uses a fed tensor after checking its shape', () => {
    const node = build(noiseInputNode, { layout: 'spatial', channels: 2 }, {}, template);
    const fed = tf.ones([1, 4, 6, 2]);
    expect(node.run({ value: fed }).noise).toBe(fed);
    expectRuleError(() => node.run({ value: tf.ones([1, 4, 6, 3]) }), { port: 'noise' }, 'B×4×6×2');
  });
});
