import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildNode, spatialType } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { outputNode } from './output.ts';
import { expectRuleError } from '../assertions.test-util.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const node = buildNode(...args);
  built.push(node);
  return node;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const infer = (params: Record<string, string>, value: ReturnType<typeof spatialType>) => () =>
  outputNode.infer({ inputs: { value }, params: { name: 'fake', role: 'any', ...params }, template: {} });

describe('core/output', () => {
  it('passes the value through unchanged', () => {
    const node = build(outputNode, { name: 'fake_image', role: 'image' }, { value: spatialType('feature', 1, 2, 2, 3) });
    expect(node.outputs).toEqual({});
    expect(outputNode.outputs).toEqual([]);
    const x = tf.ones([1, 2, 2, 3]);
    expect(node.run({ value: x }).value).toBe(x);
    expect(node.cost).toEqual({ params: 0, macs: 0, buffers: 0 });
  });

  it('accepts any spatial map for roles any, feature and logits', () => {
    const patch = spatialType('feature', 1, 8, 8, 1);
    for (const role of ['any', 'feature', 'logits']) expect(infer({ role }, patch)()).toEqual({});
  });

  it('checks what the role needs, and the name', () => {
    expectRuleError(infer({ role: 'image' }, spatialType('feature', 1, 8, 8, 64)), { port: 'value' }, "role 'image'", 'H×W×64 feature map');
    expectRuleError(infer({ role: 'attention' }, spatialType('feature', 1, 8, 8, 2)), { port: 'value' }, "role 'attention'", 'H×W×2 feature map');
    expectRuleError(infer({ name: '2nd image' }, spatialType('image', 1, 8, 8, 3)), { param: 'name' }, "name '2nd image'");
    expectRuleError(() => outputNode.infer({ inputs: {}, params: { name: 'x', role: 'any' }, template: {} }), { port: 'value' }, "input 'value' is not connected");
  });
});
