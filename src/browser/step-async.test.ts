/**
 * The worker trains with TrainingRun.stepAsync (asynchronous read-backs, which WebGPU needs): it
 * must be the same step as step(), safety valve included.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { compileTinyGan, syntheticBatch } from '../runtime/training/tiny-gan.test-util.ts';
import { NonFiniteLossError } from '../runtime/training/non-finite.ts';
import { compileTraining } from '../runtime/training/training-run.ts';
import { toRunError } from './errors.ts';

const batch = syntheticBatch();
afterAll(() => tf.dispose(Object.values(batch)));

function training() {
  const program = compileTinyGan();
  const run = compileTraining(program);
  return { program, run, done: () => (run.dispose(), program.dispose()) };
}

describe('TrainingRun.stepAsync', () => {
  it('gives the same reports as step()', async () => {
    const sync = training();
    const viaSync = [0, 1, 2].map(() => sync.run.step(batch));
    sync.done();
    const async = training();
    const viaAsync = [];
    for (let i = 0; i < 3; i++) viaAsync.push(await async.run.stepAsync(batch));
    async.done();
    const strip = (r: { ms: number }) => ({ ...r, ms: 0 });
    expect(viaAsync.map(strip)).toEqual(viaSync.map(strip));
  });

  it('stops a non-finite step the same way, names the loss and the node, and leaks nothing', async () => {
    const { program, run, done } = training();
    await run.stepAsync(batch);
    const weight = program.variables.get('gen1.weight')!;
    weight.assign(tf.fill(weight.shape, NaN));
    const tensors = tf.memory().numTensors;
    const error = await run.stepAsync(batch).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect(error).toMatchObject({ step: 1, side: 'G', lossNode: 'g_adv', node: 'gen1', port: 'y', variables: ['gen1.weight'] });
    expect(tf.memory().numTensors).toBe(tensors);
    // What the page receives names the loss node and the first non-finite node.
    expect(toRunError(error)).toMatchObject({ kind: 'non-finite', step: 1, side: 'G', lossNode: 'g_adv', node: 'gen1', port: 'y', message: expect.stringMatching(/loss 'g_adv' is NaN; the first non-finite output is 'gen1'.y/) });
    done();
  });
});
