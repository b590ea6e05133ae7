import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { TensorType } from '../../contract.ts';
import { dim } from '../../dims.ts';
import { buildNode } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { expectClose, expectRuleError } from '../../core/assertions.test-util.ts';
import { classificationLossNode as node } from './classification-loss.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const n = buildNode(...args);
  built.push(n);
  return n;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const logitsType = (b: number, k: number, c: number): TensorType => ({ kind: 'logits', shape: [dim(b, 'B'), dim(k), dim(c)] });
const validType = (b: number, k: number): TensorType => ({ kind: 'vector', shape: [dim(b, 'B'), dim(k)] });

/** −log softmax(row)[target] */
function crossEntropy(row: number[], target: number): number {
  const max = Math.max(...row);
  const logSum = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
  return logSum - row[target];
}

describe('lggan/classification-loss', () => {
  it('is Σ CE(row k, class k)·valid / Σ valid (by hand)', () => {
    const n = build(node, { weight: 2 }, { logits: logitsType(2, 2, 3), valid: validType(2, 2) });
    const rows = [
      [2, 0, -1], // sample 0, mask 0 → target 0
      [0, 1, 3], // sample 0, mask 1 → target 1
      [1, 1, 1], // sample 1, mask 0
      [5, -5, 0], // sample 1, mask 1 (not present)
    ];
    const logits = tf.tensor3d(rows.flat(), [2, 2, 3]);
    const valid = tf.tensor2d([1, 1, 1, 0], [2, 2]);
    const expected = (crossEntropy(rows[0], 0) + crossEntropy(rows[1], 1) + crossEntropy(rows[2], 0)) / 3;
    expect(n.run({ logits, valid }).loss.dataSync()[0]).toBeCloseTo(2 * expected, 5);
    // rows with flag 0 get no gradient
    const grad = tf.grad((l: tf.Tensor) => n.run({ logits: l, valid }).loss)(logits);
    expectClose(Array.from(grad.dataSync()).slice(9), [0, 0, 0], 0);
    expect(Array.from(grad.dataSync()).slice(0, 9).some((v) => v !== 0)).toBe(true);
    tf.dispose([logits, valid, grad]);
  });

  it('is 0 when no class is present', () => {
    const n = build(node, {}, { logits: logitsType(1, 2, 2), valid: validType(1, 2) });
    const logits = tf.tensor3d([1, 2, 3, 4], [1, 2, 2]);
    const valid = tf.zeros([1, 2]);
    expect(n.run({ logits, valid }).loss.dataSync()[0]).toBe(0);
    const before = tf.memory().numTensors;
    tf.tidy(() => void n.run({ logits, valid }));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, valid]);
  });

  it('reports logits of the wrong rank, too few classes and mismatched flags', () => {
    const infer = (logits: TensorType, valid: TensorType) => () => node.infer({ inputs: { logits, valid }, params: { weight: 1 }, template: {} });
    expectRuleError(infer({ kind: 'logits', shape: [dim(1), dim(4)] }, validType(1, 4)), { port: 'logits' }, 'rank 3');
    expectRuleError(infer(logitsType(1, 4, 3), validType(1, 4)), { port: 'logits' }, 'at least 4');
    // One class: the cross-entropy has nothing to choose between (and tf.oneHot refuses depth 1 at run time).
    expectRuleError(infer(logitsType(1, 1, 1), validType(1, 1)), { port: 'logits' }, 'at least 2 classes');
    expectRuleError(infer(logitsType(1, 4, 4), validType(1, 3)), { port: 'valid' }, '1×4');
    expect(infer(logitsType(2, 51, 51), validType(2, 51))()).toEqual({ loss: { kind: 'loss', shape: [] } });
  });
});
