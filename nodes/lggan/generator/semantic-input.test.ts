import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { outputPorts } from '../../contract.ts';
import { TEST_TEMPLATE } from '../../testing.test-util.ts';
import { expectClose, expectRuleError, shapeOf } from '../../core/assertions.test-util.ts';
import { describeNode, expectNoLeaks, nodeTracker } from './global-path.test-util.ts';
import { instanceEdges, semanticInputFeedType, semanticInputNode } from './semantic-input.ts';

const { build, disposeAll } = nodeTracker();
afterEach(disposeAll);

const valuesAt = (t: tf.Tensor, channel: number): number[] => {
  const c = t.shape[3]!;
  return Array.from(t.dataSync()).filter((_, i) => i % c === channel);
};

describe('lggan/semantic-input: types', () => {
  it('outputs labels first (the compiler checks a feed against the first output), then the one-hot map', () => {
    const { outputs, params } = describeNode(semanticInputNode, {}, {});
    expect(outputPorts(semanticInputNode, params).map((p) => p.name)).toEqual(['labels', 'semantic']);
    expect(Object.keys(outputs)).toEqual(['labels', 'semantic']);
    expect(outputs.labels.kind).toBe('labels');
    expect(shapeOf(outputs.labels)).toBe('H×W×1');
    expect(shapeOf(outputs.semantic)).toBe('H×W×num_classes');
  });

  it("adds the don't-care and instance-edge channels after the classes (Cityscapes 35 + 1, ADE20K 150 + 1)", () => {
    const cityscapes = { batch: 1, height: 256, width: 512, num_classes: 35 };
    expect(shapeOf(describeNode(semanticInputNode, { instance_edge: true }, {}, cityscapes).outputs.semantic)).toBe('H×W×num_classes+1');
    expect(describeNode(semanticInputNode, { instance_edge: true }, {}, cityscapes).outputs.semantic.shape[3].value).toBe(36);
    const ade = { batch: 1, height: 256, width: 256, num_classes: 150 };
    expect(describeNode(semanticInputNode, { dontcare: true }, {}, ade).outputs.semantic.shape[3].value).toBe(151);
    expect(describeNode(semanticInputNode, { dontcare: true, instance_edge: true, num_classes: 3 }, {}).outputs.semantic.shape[3].value).toBe(5);
  });

  it('states the fed layout: ids, or (ids, instance ids)', () => {
    const plain = describeNode(semanticInputNode, {}, {}).params;
    const edges = describeNode(semanticInputNode, { instance_edge: true }, {}).params;
    expect(shapeOf(semanticInputFeedType(plain, TEST_TEMPLATE))).toBe('H×W×1');
    expect(shapeOf(semanticInputFeedType(edges, TEST_TEMPLATE))).toBe('H×W×2');
  });

  it('has no cost and no official keys', () => {
    expect(describeNode(semanticInputNode, {}, {}).cost).toEqual({ params: 0, macs: 0, buffers: 0 });
    expect(semanticInputNode.officialKeys).toBeUndefined();
  });
});

describe('lggan/semantic-input: forward', () => {
  it("one-hot by hand: id 3 is don't-care, ids 4, 9 and −1 give all-zero vectors", () => {
    const node = build(semanticInputNode, { num_classes: 3, dontcare: true, height: 2, width: 3 }, {});
    const ids = tf.tensor4d([0, 1, 2, 3, 4, -1], [1, 2, 3, 1], 'int32');
    const { labels, semantic } = node.run({ value: ids });
    expect(labels.dtype).toBe('int32');
    expect(Array.from(labels.dataSync())).toEqual([0, 1, 2, 3, 4, -1]);
    expect(semantic.dtype).toBe('float32');
    // prettier-ignore
    expectClose(semantic, [
      1, 0, 0, 0,   0, 1, 0, 0,   0, 0, 1, 0,
      0, 0, 0, 1,   0, 0, 0, 0,   0, 0, 0, 0,
    ]);
    const floats = node.run({ value: tf.tensor4d([2, 0, 1, 1, 9, 3], [1, 2, 3, 1]) });
    expect(Array.from(floats.labels.dataSync())).toEqual([2, 0, 1, 1, 9, 3]);
    expect(valuesAt(floats.semantic, 3)).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('instance edges as get_edges: both pixels of every differing right/bottom pair (by hand)', () => {
    // prettier-ignore
    const instances = tf.tensor4d([
      1, 1, 2, 2,
      1, 1, 2, 2,
      3, 3, 3, 2,
    ], [1, 3, 4, 1]);
    // prettier-ignore
    expectClose(instanceEdges(instances), [
      0, 1, 1, 0,
      1, 1, 1, 0,
      1, 1, 1, 1,
    ]);
    expectClose(instanceEdges(tf.tensor4d([5, 5, 7], [1, 1, 3, 1])), [0, 1, 1]);
    expectClose(instanceEdges(tf.tensor4d([5, 6], [1, 2, 1, 1])), [1, 1]);
  });

  it('with instance_edge, the fed B×H×W×2 gives the class channels plus the edge channel last', () => {
    const node = build(semanticInputNode, { num_classes: 2, instance_edge: true, height: 2, width: 2 }, {}, { ...TEST_TEMPLATE, batch: 2 });
    // Two samples; channel 0 ids, channel 1 instance ids.
    // prettier-ignore
    const fed = tf.tensor4d([
      0, 7,  1, 7,
      1, 7,  1, 8,
      1, 4,  1, 4,
      0, 4,  0, 4,
    ], [2, 2, 2, 2], 'int32');
    const { labels, semantic } = node.run({ value: fed });
    expect(semantic.shape).toEqual([2, 2, 2, 3]);
    expect(Array.from(labels.dataSync())).toEqual([0, 1, 1, 1, 1, 1, 0, 0]);
    expect(valuesAt(semantic, 0)).toEqual([1, 0, 0, 0, 0, 0, 1, 1]);
    expect(valuesAt(semantic, 1)).toEqual([0, 1, 1, 1, 1, 1, 0, 0]);
    expect(valuesAt(semantic, 2)).toEqual([0, 1, 1, 1, 0, 0, 0, 0]); // only sample 0 has two instances
  });

  it('rejects a fed tensor of the wrong layout, naming the labels port and the expected shape', () => {
    const node = build(semanticInputNode, { num_classes: 2, instance_edge: true, height: 2, width: 2 }, {});
    expectRuleError(() => node.run({ value: tf.zeros([1, 2, 2, 1], 'int32') }), { port: 'labels' }, 'B×2×2×2', '1×2×2×1');
  });

  it('leaves no tensors behind over repeated calls', () => {
    const node = build(semanticInputNode, { num_classes: 3, dontcare: true, instance_edge: true, height: 4, width: 4 }, {});
    const fed = tf.randomUniform([1, 4, 4, 2], 0, 5, 'int32');
    expectNoLeaks(() => node.run({ value: fed }));
    fed.dispose();
  });
});
