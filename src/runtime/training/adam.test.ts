import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { NamedAdam, adamPaths } from './adam.ts';

afterEach(async () => {
  vi.restoreAllMocks();
  await tf.setBackend('cpu');
});

const SETTINGS = { learningRate: 0.01, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 };

/** A fixed gradient sequence for two variables. */
function gradientAt(step: number, shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: size }, (_, i) => Math.sin(1 + i * 0.7 + step * 1.3) * (i + 1)), shape);
}

describe('NamedAdam', () => {
  it("matches tf.train.adam bit for bit, with an explicit epsilon and a changing learning rate", () => {
    const shapes = { a: [2, 3], b: [4] };
    const ours = new Map(Object.entries(shapes).map(([n, s]) => [n, tf.variable(tf.linspace(-1, 1, s.reduce((x, y) => x * y)).reshape(s))]));
    const theirs = Object.fromEntries(Object.entries(shapes).map(([n, s]) => [n, tf.variable(tf.linspace(-1, 1, s.reduce((x, y) => x * y)).reshape(s))]));
    const adam = new NamedAdam(SETTINGS);
    const reference = tf.train.adam(SETTINGS.learningRate, SETTINGS.beta1, SETTINGS.beta2, SETTINGS.epsilon);
    for (let step = 0; step < 4; step++) {
      const lr = step < 2 ? 0.01 : 0.004;
      adam.learningRate = lr;
      (reference as unknown as { learningRate: number }).learningRate = lr;
      const grads = new Map(Object.entries(shapes).map(([n, s]) => [n, gradientAt(step, s)]));
      adam.apply(ours, grads);
      reference.applyGradients(Object.keys(shapes).map((n) => ({ name: theirs[n].name, tensor: grads.get(n)! })));
      tf.dispose([...grads.values()]);
    }
    for (const name of Object.keys(shapes)) expect(Array.from(ours.get(name)!.dataSync())).toEqual(Array.from(theirs[name].dataSync()));
    expect(adam.updateCount).toBe(4);
    adam.dispose();
    reference.dispose();
    tf.dispose([...ours.values(), ...Object.values(theirs)]);
  });

  it('leaves a variable without a gradient alone and resumes exactly from its exported state', () => {
    const make = () => new Map([['w', tf.variable(tf.tensor1d([1, -2, 3]))], ['unused', tf.variable(tf.tensor1d([5]))]]);
    const uninterrupted = make();
    const resumed = make();
    const a = new NamedAdam(SETTINGS);
    const first = new NamedAdam(SETTINGS);
    for (let step = 0; step < 3; step++) {
      const g = new Map([['w', gradientAt(step, [3])]]);
      a.apply(uninterrupted, g);
      if (step < 2) first.apply(resumed, g);
      else {
        // Hand the state to a fresh optimizer, as a checkpoint would.
        const second = new NamedAdam(SETTINGS);
        const entries = first.momentEntries('x.');
        expect(entries.map((e) => e.name)).toEqual(['x.w.m', 'x.w.v']);
        second.load(first.updateCount, new Map([['w', { m: entries[0].tensor, v: entries[1].tensor }]]), resumed);
        first.dispose();
        second.apply(resumed, g);
        second.dispose();
      }
      tf.dispose([...g.values()]);
    }
    expect(Array.from(resumed.get('w')!.dataSync())).toEqual(Array.from(uninterrupted.get('w')!.dataSync()));
    expect(Array.from(uninterrupted.get('unused')!.dataSync())).toEqual([5]);
    expect(a.momentEntries('').map((e) => e.name)).toEqual(['w.m', 'w.v']);
    a.dispose();
    tf.dispose([...uninterrupted.values(), ...resumed.values()]);
  });

  it.each(['cpu', 'wasm'])('on %s, the one-pass host update equals the tensor-op update bit for bit', async (backend) => {
    expect(await tf.setBackend(backend)).toBe(true);
    const run = (onHost: boolean) => {
      vi.spyOn(adamPaths, 'onHost').mockReturnValue(onHost);
      const vars = new Map([['w', tf.tidy(() => tf.variable(tf.linspace(-2, 2, 257).reshape([257])))]]);
      const adam = new NamedAdam({ learningRate: 2e-4, beta1: 0, beta2: 0.9, epsilon: 1e-8 });
      for (let step = 0; step < 5; step++) {
        const g = new Map([['w', gradientAt(step, [257])]]);
        adam.apply(vars, g);
        tf.dispose([...g.values()]);
      }
      const values = Array.from(vars.get('w')!.dataSync());
      const moments = adam.momentEntries('').map((e) => Array.from(e.tensor.dataSync()));
      adam.dispose();
      tf.dispose([...vars.values()]);
      vi.restoreAllMocks();
      return { values, moments };
    };
    const before = tf.memory().numTensors;
    expect(run(true)).toEqual(run(false));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects state whose shape does not match the variable', () => {
    const vars = new Map([['w', tf.variable(tf.zeros([3]))]]);
    const adam = new NamedAdam(SETTINGS);
    const m = tf.zeros([2]);
    expect(() => adam.load(1, new Map([['w', { m, v: m }]]), vars)).toThrow(/'w' \(m\) has shape \[2\], the variable has \[3\]/);
    tf.dispose([m, ...vars.values()]);
  });
});
