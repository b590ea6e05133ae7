import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { TensorType } from '../../contract.ts';
import { formatShape } from '../../dims.ts';
import { buildNode, spatialType, TEST_TEMPLATE } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { expectClose, expectRuleError, valuesOf } from '../../core/assertions.test-util.ts';
import { allocatedParams, costAt, expectGradients, expectKeyVariables, expectNoLeaks, expectOfficialKeys, groupParams, weightedSum } from './local-path.test-util.ts';
import { classificationNode } from './classification.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const featuresType = (b: number, h: number, w: number, c: number) => spatialType('feature', b, h, w, c);
const masksType = (b: number, h: number, w: number, k: number): TensorType => spatialType('mask', b, h, w, k);

describe('lggan/classification: shapes and rules', () => {
  it('scores every classified mask: logits B×K×K, valid B×K', () => {
    const node = build(classificationNode, {}, { features: featuresType(2, 4, 4, 3), masks: masksType(2, 4, 4, 4) });
    expect(formatShape(node.outputs.logits.shape, true)).toBe('B×num_classes×num_classes');
    expect(node.outputs.logits.kind).toBe('logits');
    expect(formatShape(node.outputs.valid.shape, true)).toBe('B×num_classes');
  });

  it('rejects fewer masks than classes and masks of another size', () => {
    const infer = (inputs: Record<string, TensorType>) => classificationNode.infer({ inputs, params: { classes: 5 }, template: TEST_TEMPLATE });
    expectRuleError(() => infer({ features: featuresType(1, 4, 4, 3), masks: masksType(1, 4, 4, 4) }), { port: 'masks' }, '4 masks', "'classes' asks for 5");
    expectRuleError(() => infer({ features: featuresType(1, 4, 4, 3), masks: masksType(1, 2, 4, 6) }), { port: 'masks' }, 'spatial sizes must agree');
  });
});

describe('lggan/classification: cost and official keys', () => {
  it('counts fc2 and the pooling matMul exactly', () => {
    const node = build(classificationNode, { classes: 3 }, { features: featuresType(2, 4, 5, 6), masks: masksType(2, 4, 5, 4) });
    expect(node.cost).toEqual({ params: 6 * 3 + 3, macs: 2 * 20 * 3 * 6 + 2 * 3 * 6 * 3, buffers: 0 });
    expect(allocatedParams(node)).toBe(21);
  });

  it('matches the official classifier: Cityscapes 35 (2,275), ADE20K 51 of 52 masks (3,315)', () => {
    const f = featuresType(1, 256, 512, 64);
    const city = costAt(classificationNode, { classes: 35 }, { features: f, masks: masksType(1, 256, 512, 35) });
    expect(city.cost.params).toBe(groupParams('cityscapes_G', 'classifier'));
    expect(city.cost.params).toBe(2275);
    expectOfficialKeys(city.keys, 'cityscapes_G', 'classifier');
    const ade = costAt(classificationNode, { classes: 51 }, { features: featuresType(1, 256, 256, 64), masks: masksType(1, 256, 256, 52) });
    expect(ade.cost.params).toBe(groupParams('ade20k_G', 'classifier'));
    expect(ade.cost.params).toBe(3315);
    expectOfficialKeys(ade.keys, 'ade20k_G', 'classifier');
  });

  it('names its variables fc2.weight [C, K] and fc2.bias', () => {
    const node = build(classificationNode, { classes: 3 }, { features: featuresType(1, 2, 2, 4), masks: masksType(1, 2, 2, 3) });
    const keys = classificationNode.officialKeys!({ inputs: { features: featuresType(1, 2, 2, 4), masks: masksType(1, 2, 2, 3) }, outputs: node.outputs, params: node.params, template: {} });
    expectKeyVariables(node, keys);
    expect(node.variables.get('fc2.weight')!.shape).toEqual([4, 3]);
  });
});

describe('lggan/classification: numerics', () => {
  it('pools F ⊙ M_k over the full H×W (not the mask area) and flags masks per sample, by hand', () => {
    // B = 2, 1×2 pixels, C = 2, K = 2 masks + a third that is not classified.
    const node = build(classificationNode, { classes: 2 }, { features: featuresType(2, 1, 2, 2), masks: masksType(2, 1, 2, 3) });
    node.setVariable('fc2.weight', [1, 0, 0, 1]); // identity: logits = pooled features + bias
    node.setVariable('fc2.bias', [0.5, -0.5]);
    const features = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 1, 2, 2]);
    // sample 0: pixel 0 → class 0, pixel 1 → class 1; sample 1: both pixels class 0 (class 1 absent)
    const masks = tf.tensor4d([1, 0, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0], [2, 1, 2, 3]);
    const { logits, valid } = node.run({ features, masks });
    expectClose(logits, [
      // sample 0: class 0 pools [1,2]/2, class 1 pools [3,4]/2
      0.5 + 0.5, 1 - 0.5, 1.5 + 0.5, 2 - 0.5,
      // sample 1: class 0 pools ([5,6]+[7,8])/2, class 1 pools nothing
      6 + 0.5, 7 - 0.5, 0 + 0.5, 0 - 0.5,
    ]);
    expectClose(valid, [1, 1, 1, 0], 0);
  });

  it('equals GAP of the K masked copies followed by the linear layer', () => {
    const node = build(classificationNode, { classes: 3 }, { features: featuresType(2, 3, 4, 5), masks: masksType(2, 3, 4, 4) });
    const f = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 41);
    const m = tf.randomUniform([2, 3, 4, 4], 0, 1, 'float32', 42).round();
    const w = node.variables.get('fc2.weight')!;
    const b = node.variables.get('fc2.bias')!;
    const expected: number[] = [];
    for (let s = 0; s < 2; s++)
      for (let k = 0; k < 3; k++) {
        const masked = tf.mul(tf.slice(f, [s, 0, 0, 0], [1, 3, 4, 5]), tf.slice(m, [s, 0, 0, k], [1, 3, 4, 1]));
        expected.push(...valuesOf(tf.add(tf.matMul(tf.mean(masked, [1, 2]), w), b)));
      }
    expectClose(node.run({ features: f, masks: m }).logits, expected, 1e-5);
  });
});

describe('lggan/classification: gradients and memory', () => {
  it('trains fc2 and passes gradients to the features', () => {
    const f = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 43) as tf.Tensor4D;
    const m = tf.randomUniform([2, 3, 4, 3], 0, 1, 'float32', 44).round() as tf.Tensor4D;
    const node = build(classificationNode, { classes: 3 }, { features: featuresType(2, 3, 4, 5), masks: masksType(2, 3, 4, 3) });
    expectGradients(node, () => weightedSum(node.run({ features: f, masks: m }, true).logits));
    const g = tf.grad((x: tf.Tensor) => weightedSum(node.run({ features: x as tf.Tensor4D, masks: m }, true).logits))(f);
    expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
  });

  it('leaves no tensors behind', () => {
    const node = build(classificationNode, { classes: 3 }, { features: featuresType(2, 3, 4, 5), masks: masksType(2, 3, 4, 3) });
    expectNoLeaks(node, { features: tf.ones([2, 3, 4, 5]), masks: tf.ones([2, 3, 4, 3]) });
  });
});
