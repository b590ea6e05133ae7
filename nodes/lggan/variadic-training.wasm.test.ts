/**
 * The default graph with its local branch deleted trains: one step is finite and the G step sums
 * only the losses connected to the trainer. On tfjs-wasm (the CLI's training backend): this graph
 * takes over a minute a step on tfjs-cpu. The process's one engine switches to wasm here and back after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import type { GraphDocument } from '../../src/graph/document.ts';
import { resolveGraph } from '../../src/compiler/resolve.ts';
import { compileProgram } from '../../src/compiler/program.ts';
import { sampleFeeds } from '../../src/compiler/sample-inputs.ts';
import { compileTraining } from '../../src/runtime/training/training-run.ts';
import { registerWasmTrainingKernels } from '../../src/runtime/wasm/register.ts';
import { LOCAL_BRANCH, deleteBranch, registry, shipped } from './variadic.test-util.ts';

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('the default graph without its local branch', () => {
  it('trains: one step at a small size is finite; the G step sums the connected losses', () => {
    const { doc } = deleteBranch(shipped('lggan-cityscapes-tiny.json'), LOCAL_BRANCH);
    const small: GraphDocument = { ...doc, template: { ...doc.template, height: 64, width: 64, num_classes: 8 } };
    const program = compileProgram(resolveGraph(small, registry, { batch: 2 }));
    const run = compileTraining(program);
    const feeds = sampleFeeds(program, 3);
    try {
      // g_loss_2 (the perceptual loss) has no VGG19 weights here, so it is skipped; g_loss_3 and g_loss_4 are open.
      expect(run.plan.g.losses.map((l) => l.trainerPort)).toEqual(['g_loss_0', 'g_loss_1']);
      expect(run.plan.skipped.map((l) => l.node)).toEqual(['g_vgg']);
      const report = run.step(feeds);
      expect(report.phases).toEqual(['G', 'D']);
      expect(Number.isFinite(report.gTotal)).toBe(true);
      expect(Number.isFinite(report.dTotal)).toBe(true);
      expect(report.gTotal).toBeCloseTo(report.losses.g_adv + report.losses.g_feat, 4);
      expect(report.dTotal).toBe(report.losses.d_adv);
    } finally {
      tf.dispose(Object.values(feeds));
      run.dispose();
      program.dispose();
    }
  });
});
