/**
 * The training step on a tiny GAN through the real compiler and node pack (tiny-gan.test-util.ts):
 * side derivation, learning, determinism, D:G ratio and order, the NaN safety valve, memory and
 * optimizer state. Node's tfjs-cpu backprop is slow: a step here takes ~0.2 s.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { learningRateAt } from '../../../nodes/lggan/training/trainer.ts';
import type { Feeds, Program } from '../../compiler/program.ts';
import { compileGraph, compileTinyGan, syntheticBatch, tinyGanGraph, type TinyGanOptions } from './tiny-gan.test-util.ts';
import { NonFiniteLossError } from './non-finite.ts';
import { TrainingGraphError } from './plan.ts';
import { compileTraining, type PhaseEvent, type TrainingRun } from './training-run.ts';

const batch = syntheticBatch();
afterAll(() => tf.dispose(Object.values(batch)));

function training(o: TinyGanOptions = {}, extra: Parameters<typeof compileTraining>[1] = {}): { program: Program; run: TrainingRun; done: () => void } {
  const program = compileTinyGan(o);
  const run = compileTraining(program, extra);
  return { program, run, done: () => (run.dispose(), program.dispose()) };
}

/** Every variable's values by stable name (trainable or not). */
function valuesOf(program: Program, only?: (name: string) => boolean): Map<string, number[]> {
  return new Map([...program.variables].filter(([name]) => !only || only(name)).map(([name, v]) => [name, Array.from(v.dataSync())]));
}

function changed(before: Map<string, number[]>, after: Map<string, number[]>): string[] {
  return [...before.keys()].filter((name) => before.get(name)!.some((x, i) => !Object.is(x, after.get(name)![i])));
}

describe('compileTraining: what each side trains', () => {
  it('derives the sides from the graph: G = the generator network, D = the networks of the handles wired into the D losses', () => {
    const log: string[] = [];
    const { program, run, done } = training({}, { log: (m) => log.push(m) });
    expect(run.plan.trainer).toBe('trainer');
    expect(run.plan.g.losses.map((l) => l.node)).toEqual(['g_adv', 'g_l1']);
    expect(run.plan.d.losses.map((l) => l.output)).toEqual(['d_adv:loss']);
    expect(run.plan.g.networks).toEqual(['G']);
    expect(run.plan.d.networks).toEqual(['D']);
    expect(run.plan.g.variables).toEqual(program.trainableNames('G'));
    expect(run.plan.d.variables).toEqual(program.trainableNames('D'));
    expect(run.plan.d.variables.every((n) => n.startsWith('disc.'))).toBe(true);
    // The D step reads the generated image computed outside its gradient tape; the G step reads only inputs.
    expect(run.plan.d.detached).toEqual(['tanh:y']);
    expect(run.plan.g.detached).toEqual([]);
    expect(run.plan.skipped).toEqual([{ node: 'g_vgg', side: 'G', reason: expect.stringMatching(/no VGG19 weights/) }]);
    expect(log).toEqual([expect.stringMatching(/^The generator loss 'g_vgg' is left out: no VGG19 weights/)]);
    expect(run.settings).toMatchObject({ beta1: 0.5, beta2: 0.999, epsilon: 1e-8, order: 'g-then-d', dStepsPerG: 1 });
    done();
  });

  it('names the problem when there is no trainer, several trainers, or a loss on the wrong side', () => {
    const noTrainer = tinyGanGraph();
    noTrainer.nodes = noTrainer.nodes.filter((n) => n.id !== 'trainer');
    noTrainer.edges = noTrainer.edges.filter((e) => e.to.node !== 'trainer');
    const p1 = compileGraph(noTrainer);
    expect(() => compileTraining(p1)).toThrow(/the graph has no lggan\/trainer node/);
    p1.dispose();

    const twoTrainers = tinyGanGraph();
    const trainer = twoTrainers.nodes.find((n) => n.id === 'trainer')!;
    twoTrainers.nodes.push({ ...trainer, id: 'trainer2' });
    twoTrainers.edges.push(...twoTrainers.edges.filter((e) => e.to.node === 'trainer').map((e) => ({ from: e.from, to: { ...e.to, node: 'trainer2' } })));
    const p2 = compileGraph(twoTrainers);
    expect(() => compileTraining(p2)).toThrow(/2 lggan\/trainer nodes \('trainer', 'trainer2'\): say which one/);
    expect(compileTraining(p2, { trainerNode: 'trainer2' }).plan.trainer).toBe('trainer2');
    expect(() => compileTraining(p2, { trainerNode: 'g_l1' })).toThrow(/'g_l1' is a 'lggan\/l1-loss', not a lggan\/trainer node/);
    p2.dispose();

    const swapped = tinyGanGraph();
    for (const e of swapped.edges) {
      if (e.to.node === 'trainer' && e.to.port === 'g_loss_0') e.from = { node: 'd_adv', port: 'loss' };
    }
    const p3 = compileGraph(swapped);
    expect(() => compileTraining(p3)).toThrow(TrainingGraphError);
    expect(() => compileTraining(p3)).toThrow(/loss 'd_adv' is a discriminator-side loss but is wired into 'trainer'.g_loss_0/);
    p3.dispose();
  });
});

describe('TrainingRun.step', () => {
  it('learns: the L1 loss falls over 20 steps; tensors stay constant; unreached variables are reported once', () => {
    const log: string[] = [];
    const { run, done } = training({}, { log: (m) => log.push(m) });
    const l1: number[] = [];
    const tensors: number[] = [];
    for (let i = 0; i < 20; i++) {
      const report = run.step(batch);
      expect(report.step).toBe(i);
      expect(report.phases).toEqual(['G', 'D']);
      expect(report.gTotal).toBeCloseTo(report.losses.g_adv + report.losses.g_l1, 5);
      expect(report.dTotal).toBe(report.losses.d_adv);
      expect(report.lrG).toBe(0.01);
      expect(report.skipped).toEqual(['g_vgg']);
      expect(report.ms).toBeGreaterThan(0);
      l1.push(report.losses.g_l1);
      tensors.push(tf.memory().numTensors);
    }
    // Optimizer slots appear in the first step; from then on every step frees what it makes.
    expect(tensors[4]).toBe(tensors[1]);
    expect(tensors[19]).toBe(tensors[1]);
    expect(l1[19]).toBeLessThan(0.5 * l1[0]);
    expect(Math.min(...l1.slice(15))).toBeLessThan(Math.min(...l1.slice(0, 5)));
    expect(run.stepCount).toBe(20);
    expect(run.updates).toEqual({ G: 20, D: 20 });
    expect(run.notTrained).toEqual(['compat.fc.weight']);
    expect(log.filter((m) => m.includes('not trained:'))).toEqual(['This weight is not trained: compat.fc.weight (no gradient of the generator losses reaches it).']);
    done();
  });

  it('is deterministic: same graph, seed and data give the same loss sequence', () => {
    const sequences = [0, 1].map(() => {
      const { run, done } = training();
      const losses = Array.from({ length: 4 }, () => run.step(batch).losses);
      done();
      return losses;
    });
    expect(sequences[1]).toEqual(sequences[0]);
    expect(sequences[0][3].g_l1).not.toBe(sequences[0][0].g_l1);
  });

  it('runs d_steps_per_g D updates per G update in the configured order, each changing only its own side, at the scheduled rates', () => {
    const events: { side: string; changed: string[] }[] = [];
    let last: Map<string, number[]> = new Map();
    const trainable = (program: Program) => (name: string) => program.variableInfo.get(name)!.trainable;
    const program = compileTinyGan({ order: 'd-then-g', dStepsPerG: 2, niter: 2, niterDecay: 2 });
    const onPhase = (e: PhaseEvent) => {
      const now = valuesOf(program, trainable(program));
      events.push({ side: e.side, changed: changed(last, now) });
      last = now;
    };
    const run = compileTraining(program, { onPhase });
    const reports = [];
    for (let i = 0; i < 5; i++) {
      last = valuesOf(program, trainable(program));
      reports.push(run.step(batch));
    }
    expect(reports.map((r) => r.phases)).toEqual([['D', 'G'], ['D'], ['D', 'G'], ['D'], ['D', 'G']]);
    expect(reports.map((r) => r.gTotal === undefined)).toEqual([false, true, false, true, false]);
    expect(run.updates).toEqual({ G: 3, D: 5 });
    const counters = Object.fromEntries(run.optimizerState().filter((e) => e.tensor.size === 1 && e.tensor.dtype === 'int32').map((e) => [e.name, e.tensor.dataSync()[0]]));
    expect(counters).toEqual({ 'optimizer.iteration': 5, 'optimizer.G.step': 3, 'optimizer.D.step': 5 });

    // Learning rates: constant for niter = 2 steps, then linear decay to 0 over 2.
    const settings = run.settings;
    expect(reports.map((r) => [r.lrG, r.lrD])).toEqual([0, 1, 2, 3, 4].map((s) => [learningRateAt(s, settings).g, learningRateAt(s, settings).d]));
    expect(reports.map((r) => r.lrG)).toEqual([0.01, 0.01, 0.01, 0.005, 0]);

    const gVars = new Set(run.plan.g.variables);
    const dVars = new Set(run.plan.d.variables);
    expect(events.map((e) => e.side)).toEqual(['D', 'G', 'D', 'D', 'G', 'D', 'D', 'G']);
    for (const [i, e] of events.entries()) {
      const own = e.side === 'G' ? gVars : dVars;
      expect(e.changed.filter((n) => !own.has(n)), `update #${i} (${e.side}) changed another side's variables`).toEqual([]);
      if (i < 6) {
        // Weights (biases can sit at a zero gradient: the hinge terms cancel at initialisation).
        const weights = [...own].filter((n) => !n.endsWith('.bias') && n !== 'compat.fc.weight');
        expect(weights.filter((n) => !e.changed.includes(n)), `update #${i} (${e.side}) left weights unchanged`).toEqual([]);
      }
    }
    // Step 4 runs at learning rate 0: nothing moves.
    expect(events.slice(6).flatMap((e) => e.changed)).toEqual([]);
    run.dispose();
    program.dispose();
  });

  it('stops a non-finite step before any update, names the loss and the first non-finite node, and keeps the weights', () => {
    const { program, run, done } = training();
    run.step(batch);
    const weight = program.variables.get('gen1.weight')!;
    const good = tf.clone(weight);
    weight.assign(tf.fill(weight.shape, NaN));
    const before = valuesOf(program);
    const optimizerBefore = run.optimizerState().map((e) => Array.from(e.tensor.dataSync()));
    const tensors = tf.memory().numTensors;

    let error: unknown;
    try {
      run.step(batch);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteLossError);
    const nan = error as NonFiniteLossError;
    expect(nan).toMatchObject({ step: 1, side: 'G', lossNode: 'g_adv', node: 'gen1', port: 'y', foundInEvalMode: true, appliedPhases: [], variables: ['gen1.weight'] });
    expect(Object.keys(nan.losses)).toEqual(['g_adv', 'g_l1']);
    expect(nan.message).toMatch(/loss 'g_adv' is NaN; the first non-finite output is 'gen1'.y; non-finite weights: 'gen1.weight'/);
    // No update, no buffer moved (spectral-norm u/v run a power iteration in training forwards).
    expect(changed(before, valuesOf(program))).toEqual([]);
    expect(run.optimizerState().map((e) => Array.from(e.tensor.dataSync()))).toEqual(optimizerBefore);
    expect(run.stepCount).toBe(1);
    expect(run.updates).toEqual({ G: 1, D: 1 });
    expect(tf.memory().numTensors).toBe(tensors);

    // Bad data: the input node is named, and training goes on once the data is good again.
    weight.assign(good);
    const bad: Feeds = { labels: batch.labels, real: tf.fill(batch.real.shape, NaN) };
    expect(() => run.step(bad)).toThrow(/loss 'g_l1' is NaN; the first non-finite output is 'real'.image/);
    expect(run.step(batch).step).toBe(1);
    tf.dispose([good, bad.real]);
    done();
  });

  it('exports and restores the optimizer state under stable names', () => {
    const a = training();
    a.run.step(batch);
    a.run.step(batch);
    const state = a.run.optimizerState();
    const names = state.map((e) => e.name);
    expect(names.slice(0, 2)).toEqual(['optimizer.iteration', 'optimizer.G.step']);
    expect(names).toContain('optimizer.G.gen1.weight.m');
    expect(names).toContain('optimizer.G.gen1.weight.v');
    expect(names).toContain('optimizer.D.step');
    expect(names).toContain('optimizer.D.disc.discriminator_0.model1.0.0.weight_orig.v');
    expect(names.some((n) => n.includes('compat.fc'))).toBe(false);
    expect(names.filter((n) => n.endsWith('.m')).length).toBe(4 + 5);

    // A fresh run with the same weights and this state continues exactly like the original.
    const b = training();
    for (const [name, v] of a.program.variables) b.program.variables.get(name)!.assign(v);
    b.run.loadOptimizerState(state);
    expect(b.run.stepCount).toBe(2);
    expect(b.run.updates).toEqual({ G: 2, D: 2 });
    const next = [a, b].map((t) => t.run.step(batch));
    expect(next[1].losses).toEqual(next[0].losses);
    expect(next[1].step).toBe(2);
    const after = [a, b].map((t) => valuesOf(t.program));
    expect(changed(after[0], after[1])).toEqual([]);

    expect(() => b.run.loadOptimizerState([{ name: 'optimizer.G.nope.m', tensor: state[0].tensor }])).toThrow(/'optimizer.G.nope.m' names nothing this training run optimises/);
    const m = state.find((e) => e.name === 'optimizer.G.gen1.weight.m')!;
    expect(() => b.run.loadOptimizerState([{ name: 'optimizer.G.step', tensor: state[1].tensor }, m])).toThrow(/'gen1.weight' \(G\) has m but not v/);
    expect(b.run.updates).toEqual({ G: 3, D: 3 }); // a rejected state changes nothing
    a.done();
    b.done();
  });
});
