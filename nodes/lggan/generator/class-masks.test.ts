import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { inputPorts } from '../../contract.ts';
import type { TensorType } from '../../contract.ts';
import { dim } from '../../dims.ts';
import { buildNode, spatialType, TEST_TEMPLATE } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { expectClose, expectRuleError, shapeOf, valuesOf } from '../../core/assertions.test-util.ts';
import { expectNoLeaks } from './local-path.test-util.ts';
import { classMasksNode } from './class-masks.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

/** One-hot semantic map with the template's num_classes symbol plus `extra` channels. */
function semanticType(b: number, h: number, w: number, classes: number, extra: number): TensorType {
  const c = extra === 0 ? dim(classes, 'num_classes') : { value: classes + extra, sym: { name: 'num_classes', num: 1, den: 1, add: extra } };
  return { kind: 'semantic', shape: [dim(b, 'B'), dim(h, 'H'), dim(w, 'W'), c] };
}

/** A label image as the cross-view loader makes it: uint8 grey v → v/255 → (x − 0.5)/0.5, in float32. */
function greyImage(values: number[], b: number, h: number, w: number): tf.Tensor4D {
  const f = Math.fround;
  const pixels = values.map((v) => f(f(f(v / 255) - 0.5) / 0.5));
  return tf.tensor4d(pixels.flatMap((p) => [p, p, p]), [b, h, w, 3]);
}

describe('lggan/class-masks: one-hot', () => {
  it('takes the first `classes` channels (instance edge excluded), keeping the num_classes symbol', () => {
    const semantic = semanticType(2, 2, 2, 4, 1); // 4 classes + instance edge
    const node = build(classMasksNode, {}, { semantic });
    expect(shapeOf(node.outputs.masks)).toBe('H×W×num_classes');
    expect(node.outputs.masks.kind).toBe('mask');
    expect(node.cost).toEqual({ params: 0, macs: 0, buffers: 0 });
    const x = tf.randomUniform([2, 2, 2, 5], 0, 1, 'float32', 1);
    const expected = valuesOf(tf.slice(x, [0, 0, 0, 0], [2, 2, 2, 4]));
    expectClose(node.run({ semantic: x }).masks, expected, 0);
  });

  it('rejects a map with fewer channels than classes, naming port and param', () => {
    const infer = () => classMasksNode.infer({ inputs: { semantic: spatialType('semantic', 1, 2, 2, 3) }, params: { mode: 'one-hot', classes: 4, separate: 51, dontcare_in_other: true, grey_classes: 6 }, template: TEST_TEMPLATE });
    expectRuleError(infer, { port: 'semantic' }, 'at least 4 class channels', "param 'classes'", 'H×W×3');
  });

  it('wants a semantic map, not an image', () => {
    expect(inputPorts(classMasksNode, { mode: 'one-hot' })).toEqual([expect.objectContaining({ name: 'semantic', kind: 'semantic' })]);
    const infer = () => classMasksNode.infer({ inputs: { semantic: spatialType('image', 1, 2, 2, 3) }, params: { mode: 'one-hot', classes: 3, separate: 51, dontcare_in_other: true, grey_classes: 6 }, template: TEST_TEMPLATE });
    expectRuleError(infer, { port: 'semantic' }, 'semantic map');
  });
});

describe('lggan/class-masks: grouped (ADE20K)', () => {
  it('keeps the first `separate` classes and sums the rest plus don\'t-care into one mask', () => {
    // 5 classes + don't-care = 6 channels; separate = 2 → K = 3
    const node = build(classMasksNode, { mode: 'grouped', classes: 5, separate: 2 }, { semantic: semanticType(1, 1, 3, 5, 1) });
    expect(shapeOf(node.outputs.masks)).toBe('H×W×3');
    const pixels = [
      [1, 0, 0, 0, 0, 0], // class 0
      [0, 0, 0, 1, 0, 0], // class 3 → other
      [0, 0, 0, 0, 0, 1], // don't-care → other
    ];
    const out = node.run({ semantic: tf.tensor4d(pixels.flat(), [1, 1, 3, 6]) }).masks;
    expectClose(out, [1, 0, 0, 0, 0, 1, 0, 0, 1], 0);
    // Without the don't-care channel it stays out of 'other'.
    const noDc = build(classMasksNode, { mode: 'grouped', classes: 5, separate: 2, dontcare_in_other: false }, { semantic: semanticType(1, 1, 3, 5, 1) });
    expectClose(noDc.run({ semantic: tf.tensor4d(pixels.flat(), [1, 1, 3, 6]) }).masks, [1, 0, 0, 0, 0, 1, 0, 0, 0], 0);
  });

  it('gives ADE20K its 52 masks from 151 channels', () => {
    const semantic = semanticType(1, 4, 4, 150, 1);
    const outputs = classMasksNode.infer({ inputs: { semantic }, params: { mode: 'grouped', classes: 150, separate: 51, dontcare_in_other: true, grey_classes: 6 }, template: { ...TEST_TEMPLATE, num_classes: 150 } });
    expect(outputs.masks.shape[3].value).toBe(52);
  });

  it('rejects a split that leaves no "other" channel, and a map without the don\'t-care channel', () => {
    const params = { mode: 'grouped', classes: 5, separate: 6, dontcare_in_other: true, grey_classes: 6 };
    expectRuleError(() => classMasksNode.infer({ inputs: { semantic: semanticType(1, 2, 2, 5, 1) }, params, template: TEST_TEMPLATE }), { param: 'separate' }, "'other'");
    expectRuleError(
      () => classMasksNode.infer({ inputs: { semantic: semanticType(1, 2, 2, 5, 0) }, params: { ...params, separate: 2 }, template: TEST_TEMPLATE }),
      { port: 'semantic' },
      "5 class channels plus don't-care",
    );
  });
});

describe('lggan/class-masks: grey values (cross-view)', () => {
  it('maps the [-1, 1] label image back to 0..255 and matches 10, 20, …, 60 exactly after rounding', () => {
    const params = { mode: 'grey-values' };
    expect(inputPorts(classMasksNode, { ...params })).toEqual([expect.objectContaining({ name: 'label_image', kind: 'image' })]);
    const node = build(classMasksNode, params, { label_image: spatialType('image', 2, 2, 4, 3) });
    expect(shapeOf(node.outputs.masks)).toBe('H×W×6');
    const greys = [10, 20, 30, 40, 50, 60, 0, 255, 15, 11, 9, 60, 30, 30, 10, 20];
    const image = greyImage(greys, 2, 2, 4);
    const masks = valuesOf(node.run({ label_image: image }).masks);
    const expected = greys.flatMap((g) => [10, 20, 30, 40, 50, 60].map((t) => (g === t ? 1 : 0)));
    expect(masks).toEqual(expected);
    // A value a float hair away from 30 still counts (the official exact test could miss it).
    const nearly = tf.fill([1, 1, 1, 3], (30 / 255) * 2 - 1 + 1e-7) as tf.Tensor4D;
    const single = build(classMasksNode, params, { label_image: spatialType('image', 1, 1, 1, 3) });
    expect(valuesOf(single.run({ label_image: nearly }).masks)).toEqual([0, 0, 1, 0, 0, 0]);
  });

  it('leaves no tensors behind in any mode', () => {
    expectNoLeaks(build(classMasksNode, { mode: 'grey-values' }, { label_image: spatialType('image', 1, 2, 2, 3) }), { label_image: greyImage([10, 20, 30, 0], 1, 2, 2) });
    expectNoLeaks(build(classMasksNode, { mode: 'grouped', classes: 5, separate: 2 }, { semantic: semanticType(1, 2, 2, 5, 1) }), { semantic: tf.ones([1, 2, 2, 6]) });
    expectNoLeaks(build(classMasksNode, {}, { semantic: semanticType(1, 2, 2, 4, 0) }), { semantic: tf.ones([1, 2, 2, 4]) });
  });
});
