/**
 * The fused host standardisation (wasm, cpu) against the kernel form the other backends use:
 * outputs, statistics and gradients of instance and batch norm, and their running statistics.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hostPaths } from '../host-values.ts';
import { hostStandardize } from './host-standardize.ts';
import { createBatchNorm, createInstanceNorm } from './norm-layers.ts';
import type { BuildContext, Initializer } from '../../contract.ts';

const values = (shape: [number, number, number, number], seed: number, offset = 0) =>
  tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.91 + seed) * (1 + (i % 3)) + offset), shape);

const worst = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** A build context that keeps its variables in `owned`. */
function context(owned: tf.Variable[]): BuildContext {
  const made = new Map<string, tf.Variable>();
  return {
    nodeId: 'n',
    network: 'G',
    variable(name: string, shape: number[], init: Initializer, options) {
      if (!made.has(name)) {
        const v = tf.tidy(() => tf.variable(init.kind === 'ones' ? tf.ones(shape) : init.kind === 'normal' ? tf.fill(shape, 1.1) : tf.zeros(shape), options?.trainable ?? true, `hs-${Math.random()}-${name}`));
        made.set(name, v);
        owned.push(v);
      }
      return made.get(name)!;
    },
  };
}

describe('hostStandardize', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the per-group statistics and (x − mean)/√(var + eps), with the exact gradient', () => {
    tf.tidy(() => {
      const x = values([2, 3, 4, 5], 1, 40); // a large mean, where float32 sums drift
      for (const axes of ['spatial', 'batch-spatial'] as const) {
        const reduce = axes === 'spatial' ? [1, 2] : [0, 1, 2];
        const { mean, variance } = tf.moments(x, reduce, true);
        const reference = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
        const host = hostStandardize(x, axes, 1e-5);
        expect(host.mean.shape).toEqual(mean.shape);
        expect(worst(host.mean, mean)).toBeLessThan(1e-5);
        expect(worst(host.variance, variance)).toBeLessThan(1e-4);
        expect(worst(host.y, reference)).toBeLessThan(1e-5);
        const upstream = values([2, 3, 4, 5], 7);
        const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(hostStandardize(t as tf.Tensor4D, axes, 1e-5).y, upstream)))(x);
        const theirs = tf.grad((t: tf.Tensor) => {
          const m = tf.moments(t, reduce, true);
          return tf.sum(tf.mul(tf.div(tf.sub(t, m.mean), tf.sqrt(tf.add(m.variance, 1e-5))), upstream));
        })(x);
        expect(worst(ours, theirs)).toBeLessThan(1e-4);
      }
    });
  });

  it('makes instance and batch norm layers (outputs, gradients, running statistics) match the kernel path', () => {
    const run = (onHost: boolean) => {
      vi.spyOn(hostPaths, 'onHost').mockReturnValue(onHost);
      const owned: tf.Variable[] = [];
      const ctx = context(owned);
      const spec = { channels: 5, affine: true, eps: 1e-5, momentum: 0.1 };
      const instance = createInstanceNorm(ctx, 'in', { kind: 'instance', ...spec });
      const batch = createBatchNorm(ctx, 'bn', { kind: 'batch', ...spec });
      const x = values([2, 3, 4, 5], 3, 2);
      const upstream = values([2, 3, 4, 5], 5);
      const f = (t: tf.Tensor) => tf.sum(tf.mul(batch(instance(t as tf.Tensor4D, { training: true }), { training: true }), upstream));
      const grad = tf.grad(f)(x);
      const result = { grad: grad.arraySync(), variables: owned.map((v) => Array.from(v.dataSync())) };
      tf.dispose([x, upstream, grad, ...owned]);
      vi.restoreAllMocks();
      return result;
    };
    const before = tf.memory().numTensors;
    const host = run(true);
    const kernels = run(false);
    expect(tf.memory().numTensors).toBe(before);
    expect(worst(tf.tensor(host.grad), tf.tensor(kernels.grad))).toBeLessThan(1e-4);
    host.variables.forEach((v, i) => expect(worst(tf.tensor(v), tf.tensor(kernels.variables[i]))).toBeLessThan(1e-5));
  });
});
