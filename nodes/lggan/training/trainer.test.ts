import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { TensorType } from '../../contract.ts';
import { buildNode, spatialType, TEST_TEMPLATE } from '../../testing.test-util.ts';
import type { TestNode } from '../../testing.test-util.ts';
import { expectRuleError } from '../../core/assertions.test-util.ts';
import { learningRateAt, trainerNode as node, trainerSettings } from './trainer.ts';

const built: TestNode[] = [];
function build(...args: Parameters<typeof buildNode>): TestNode {
  const n = buildNode(...args);
  built.push(n);
  return n;
}
afterEach(() => built.splice(0).forEach((n) => n.dispose()));

const loss: TensorType = { kind: 'loss', shape: [] };

describe('lggan/trainer', () => {
  it('has g_loss_i and d_loss_j ports by count, no outputs, and the official defaults', () => {
    const n = build(node, { g_losses: 2, d_losses: 1 }, { g_loss_0: loss, g_loss_1: loss, d_loss_0: loss }, { ...TEST_TEMPLATE, batch: 8 });
    expect((node.inputs as (p: typeof n.params) => { name: string }[])(n.params).map((p) => p.name)).toEqual(['g_loss_0', 'g_loss_1', 'd_loss_0']);
    expect(node.outputs).toEqual([]);
    expect(n.outputs).toEqual({});
    expect(n.cost).toEqual({ params: 0, macs: 0, buffers: 0 });
    expect(trainerSettings(n.params)).toEqual({
      gLosses: 2,
      dLosses: 1,
      gLr: 1e-4,
      dLr: 4e-4,
      beta1: 0,
      beta2: 0.9,
      epsilon: 1e-8,
      dStepsPerG: 1,
      order: 'g-then-d',
      niter: 100,
      niterDecay: 100,
      scheduleUnit: 'epoch',
      decayRule: 'spade',
      batchSize: 8, // the template batch
      seed: 0,
    });
  });

  it('sums the G and the D losses', () => {
    const n = build(node, { g_losses: 2, d_losses: 2 }, { g_loss_0: loss, g_loss_1: loss, d_loss_0: loss, d_loss_1: loss });
    const values = { g_loss_0: tf.scalar(1.5), g_loss_1: tf.scalar(-0.25), d_loss_0: tf.scalar(2), d_loss_1: tf.scalar(3) };
    const before = tf.memory().numTensors;
    const { g_total, d_total } = n.run(values);
    expect(g_total.dataSync()[0]).toBe(1.25);
    expect(d_total.dataSync()[0]).toBe(5);
    tf.dispose([g_total, d_total]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(values));
  });

  it('sums only the connected losses', () => {
    const n = build(node, { g_losses: 3, d_losses: 2 }, { g_loss_0: loss, g_loss_2: loss, d_loss_1: loss });
    const [a, b, c] = [tf.scalar(2), tf.scalar(5), tf.scalar(7)];
    const out = n.run({ g_loss_0: a, g_loss_2: b, d_loss_1: c });
    expect(out.g_total.dataSync()[0]).toBe(7);
    expect(out.d_total.dataSync()[0]).toBe(7);
    tf.dispose([a, b, c, out.g_total, out.d_total]);
  });

  it('gives a zero D total without D losses', () => {
    const n = build(node, { d_losses: 0 }, { g_loss_0: loss });
    const g = tf.scalar(2);
    const out = n.run({ g_loss_0: g });
    expect(out.d_total.dataSync()[0]).toBe(0);
    tf.dispose([g, out.g_total, out.d_total]);
  });

  it('accepts only scalar losses on its ports', () => {
    const params = { g_losses: 1, d_losses: 1 } as never;
    expect(node.infer({ inputs: { g_loss_0: loss }, params, template: {} })).toEqual({}); // an open d_loss port: D is not trained
    expectRuleError(() => node.infer({ inputs: { d_loss_0: loss }, params, template: {} }), { port: 'g_loss_0' }, 'no generator loss is connected');
    expectRuleError(() => node.infer({ inputs: { g_loss_0: spatialType('image', 1, 4, 4, 3), d_loss_0: loss }, params, template: {} }), { port: 'g_loss_0' }, 'scalar loss');
  });
});

describe('learningRateAt', () => {
  const official = { gLr: 1e-4, dLr: 4e-4, niter: 100, niterDecay: 100 };

  it('keeps the rates for niter steps, then lowers them by base/niter_decay per step (SPADE)', () => {
    expect(learningRateAt(0, official)).toEqual({ g: 1e-4, d: 4e-4 });
    expect(learningRateAt(100, official)).toEqual({ g: 1e-4, d: 4e-4 }); // epoch 101 still runs at the base rate
    const at = (step: number) => learningRateAt(step, official);
    expect(at(101).g).toBeCloseTo(0.99e-4, 12);
    expect(at(150).d).toBeCloseTo(2e-4, 12);
    expect(at(199).g).toBeCloseTo(1e-6, 12); // the last epoch: base/niter_decay
    expect(at(200)).toEqual({ g: 0, d: 0 });
    expect(at(1000)).toEqual({ g: 0, d: 0 });
    for (let s = 100; s < 200; s++) expect(at(s).d / at(s).g).toBeCloseTo(4, 9); // the TTUR ratio holds
  });

  it("follows pix2pix's LambdaLR rule for the cross-view setting", () => {
    const crossView = { gLr: 2e-4, dLr: 2e-4, niter: 20, niterDecay: 15, decayRule: 'pix2pix' as const };
    expect(learningRateAt(18, crossView).g).toBe(2e-4);
    expect(learningRateAt(19, crossView).g).toBeCloseTo(2e-4, 12); // 1 − max(0, 19 + 1 − 20)/16
    expect(learningRateAt(20, crossView).g).toBeCloseTo(2e-4 * (1 - 1 / 16), 12);
    expect(learningRateAt(34, crossView).g).toBeCloseTo(2e-4 / 16, 12); // the 35th and last epoch
    expect(learningRateAt(35, crossView)).toEqual({ g: 0, d: 0 });
  });

  it('handles no decay and refuses invalid steps', () => {
    const constant = { gLr: 2e-4, dLr: 2e-4, niter: 10, niterDecay: 0 };
    expect(learningRateAt(9, constant)).toEqual({ g: 2e-4, d: 2e-4 });
    expect(learningRateAt(10, constant)).toEqual({ g: 0, d: 0 });
    expect(() => learningRateAt(-1, official)).toThrow('step');
    expect(() => learningRateAt(1.5, official)).toThrow('step');
  });
});
