import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import type { NetworkHandle, NetworkResult } from '../../nodes/contract.ts';
import { applyDiscriminator, discriminate } from '../../nodes/lggan/discriminators/discriminate.ts';
import { powerIteration, weightMatrix } from '../../nodes/core/conv/spectral-norm.ts';
import { reducedCityscapes } from '../interop/pytorch-export/parity.test-util.ts';
import { RunJudge } from './judge.ts';
import { compileProgram } from './program.ts';
import { resolveGraph } from './resolve.ts';
import { sampleFeeds } from './sample-inputs.ts';

/** A two-scale stand-in discriminator, x·w per scale (the second on x·2w), that counts its calls and batch sizes. */
function countingHandle(w: tf.Tensor) {
  const batches: number[] = [];
  const handle: NetworkHandle = {
    network: 'D',
    apply({ x }) {
      batches.push(x.shape[0]);
      const a = tf.mul(x, w);
      const b = tf.mul(x, tf.mul(w, 2));
      return { outputs: [tf.sum(a, 3, true), tf.sum(b, 3, true)], features: [[a, tf.sum(a, 3, true)], [b, tf.sum(b, 3, true)]] };
    },
  };
  return { handle, batches };
}

const seeded = (shape: [number, number, number, number], seed: number) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.7 + seed)), shape);

function expectSameResult(a: NetworkResult, b: NetworkResult): void {
  expect(a.outputs.length).toBe(b.outputs.length);
  a.outputs.forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(b.outputs[i].dataSync())));
  a.features.forEach((scale, s) => scale.forEach((t, j) => expect(Array.from(t.dataSync())).toEqual(Array.from(b.features[s][j].dataSync()))));
}

describe('the run Judge', () => {
  it('applies each discriminator once to all asked pairs, shares repeated asks, and answers what separate calls give', () => {
    tf.tidy(() => {
      const w = seeded([1, 1, 1, 4], 1);
      const { handle, batches } = countingHandle(w);
      const condition = seeded([2, 3, 5, 1], 2);
      const [fake0, fake1, real] = [seeded([2, 3, 5, 3], 3), seeded([2, 3, 5, 3], 4), seeded([2, 3, 5, 3], 5)];
      const asks = [
        { handle, condition, image: fake0, detached: false },
        { handle, condition, image: fake1, detached: false },
        { handle, condition, image: fake0, detached: false }, // feature matching asks again for the adversarial loss's fake
        { handle, condition, image: real, detached: false },
        { handle, condition, image: fake0, detached: true }, // detached alike or not: a different pair
      ];
      const judge = new RunJudge();
      const run = { training: true, judge };
      asks.forEach((a) => judge.ask(a));
      judge.settle(run);
      expect(batches).toEqual([8]); // one call, four distinct pairs of batch 2

      for (const ask of asks) expectSameResult(discriminate(ask, run), applyDiscriminator(ask, { training: true }));
      expect(batches).toEqual([8, ...asks.map(() => 2)]); // the answers came from the judge; only the references ran

      const unasked = { handle, condition, image: fake1, detached: true };
      expectSameResult(discriminate(unasked, run), applyDiscriminator(unasked, { training: true }));
      expect(batches.at(-2)).toBe(2); // a pair nobody named runs on its own
    });
  });

  it('gives the gradients of separate applications, and none through a detached image', () => {
    tf.tidy(() => {
      const w = seeded([1, 1, 1, 4], 1);
      const condition = seeded([1, 2, 2, 1], 2);
      const lossOf = (fake: tf.Tensor, real: tf.Tensor, weights: tf.Tensor, judged: boolean) => {
        const { handle: h } = countingHandle(weights);
        const asks = [
          { handle: h, condition, image: fake, detached: false },
          { handle: h, condition, image: real, detached: false },
          { handle: h, condition, image: fake, detached: true },
        ];
        const judge = judged ? new RunJudge() : undefined;
        const run = { training: true, judge };
        asks.forEach((a) => judge?.ask(a));
        judge?.settle(run);
        const [f, r, d] = asks.map((a) => discriminate(a, run));
        return tf.addN([tf.sum(f.outputs[1]), tf.mul(tf.sum(tf.abs(tf.sub(f.features[0][0], r.features[0][0]))), 3), tf.sum(tf.square(d.outputs[0]))]) as tf.Scalar;
      };
      const fake = seeded([1, 2, 2, 3], 3);
      const real = seeded([1, 2, 2, 3], 4);
      const judged = tf.grads((f, r, weights) => lossOf(f, r, weights, true))([fake, real, w]);
      const separate = tf.grads((f, r, weights) => lossOf(f, r, weights, false))([fake, real, w]);
      judged.forEach((g, i) => {
        const diff = tf.max(tf.abs(tf.sub(g, separate[i]))).dataSync()[0];
        expect(diff).toBeLessThan(1e-5);
      });
    });
  });

  it("makes a training pass of the LGGAN graph's losses run each spectral norm's power iteration once", () => {
    const program = compileProgram(resolveGraph(reducedCityscapes(), createRegistry(), { batch: 1 }));
    const feeds = sampleFeeds(program, 3);
    try {
      const uName = [...program.variables.keys()].find((n) => n.startsWith('discriminator.') && n.endsWith('.weight_u'))!;
      const origName = uName.replace(/weight_u$/, 'weight_orig');
      const u0 = program.variables.get(uName)!.clone();
      const expected = tf.tidy(() => powerIteration(weightMatrix(program.variables.get(origName)!, 'conv2d'), u0 as tf.Tensor1D).u);
      const before = tf.memory().numTensors;
      const losses = [...program.ir.nodes.values()].filter((n) => n.def?.category === 'loss' && n.def.type !== 'lggan/perceptual-loss').map((n) => `${n.id}:loss`);
      tf.dispose(Object.values(program.run(feeds, { outputs: losses, training: true })));
      expect(tf.memory().numTensors).toBe(before);
      const moved = program.variables.get(uName)!;
      expect(tf.max(tf.abs(tf.sub(moved, expected))).dataSync()[0]).toBeLessThan(1e-5);
      expect(tf.max(tf.abs(tf.sub(moved, u0))).dataSync()[0]).toBeGreaterThan(1e-4); // it did iterate
      tf.dispose([u0, expected]);
    } finally {
      tf.dispose(Object.values(feeds));
      program.dispose();
    }
  });
});
