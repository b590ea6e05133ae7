/**
 * The worker's training session on tfjs-cpu in Node, with an in-memory checkpoint store: what it
 * streams (held-out metrics included, checked against a separate computation), that it leaks no
 * tensors, that pause / resume / stop act between steps, that the end message carries the end
 * weights, and that a run resumed from its autosave repeats the uninterrupted run's losses exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import { generatorOutputs } from '../compiler/outputs.ts';
import { compileProgram } from '../compiler/program.ts';
import { DEFAULT_INIT } from '../graph/document.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import { loadCheckpoint, readCheckpointRecord } from '../runtime/checkpoint/checkpoint.ts';
import { MemoryCheckpointStore } from '../runtime/checkpoint/store.ts';
import { FIELD, type Dataset } from '../runtime/data/dataset.ts';
import { graphInputs, toFeeds } from '../runtime/data/feeds.ts';
import type { ImageRaster } from '../runtime/data/raster.ts';
import { psnrPerImage, ssimPerImage } from '../runtime/metrics/index.ts';
import { datasetFor } from './data.ts';
import { heldOutSeed, splitRunData } from './held-out.ts';
import { listAutosaves } from './autosave.ts';
import { tinyTrainingGraph } from './tiny-training-graph.test-util.ts';
import type { EndMessage, MetricsMessage, PageMessage, ProgressMessage, RunSpec, WorkerMessage } from './protocol.ts';
import { TrainingSession } from './session.ts';
import type { MemoryLimits } from '../compiler/memory.ts';

const spec = (over: Partial<RunSpec> = {}): RunSpec => ({
  steps: 4,
  seed: 3,
  dataset: { kind: 'synthetic', seed: 7, count: 3 },
  batchSize: 1,
  backend: 'cpu',
  autosaveEvery: 2,
  sampleEvery: 2,
  evalEvery: 2,
  heldOut: 2,
  ...over,
});

function session(store = new MemoryCheckpointStore(), onPost?: (m: WorkerMessage, s: TrainingSession) => void, memoryLimits?: (backend: string) => MemoryLimits) {
  const messages: WorkerMessage[] = [];
  const s: TrainingSession = new TrainingSession({
    post: (m) => {
      messages.push(m);
      onPost?.(m, s);
    },
    store,
    selectBackend: async (setting) => {
      if (setting !== 'auto' && setting !== 'cpu') throw new Error(`test host has cpu only, asked for ${setting}`);
      return { backend: 'cpu', attempts: [{ name: 'cpu', ok: true }] };
    },
    nodePackVersion: '0.0.0-test',
    memoryLimits,
  });
  return { s, messages, store };
}

async function runOnce(message: PageMessage, ...args: Parameters<typeof session>) {
  const t = session(...args);
  t.s.handle(message);
  await t.s.done;
  return t;
}

const start = (over: Partial<RunSpec> = {}, fromAutosave = false, graph: unknown = tinyTrainingGraph()): PageMessage => ({
  type: 'start',
  graph,
  spec: spec(over),
  runId: 'run-1',
  fromAutosave,
});
const progress = (messages: WorkerMessage[]) => messages.filter((m): m is ProgressMessage => m.type === 'progress');
const errorOf = (messages: WorkerMessage[]) => messages.find((m) => m.type === 'error');
const metricsOf = (messages: WorkerMessage[]) => messages.filter((m): m is MetricsMessage => m.type === 'metrics');
const endOf = (messages: WorkerMessage[]) => messages.at(-1) as EndMessage;

/** Mean PSNR and SSIM of the final image over held-out scenes, computed apart from the session: a fresh program with the checkpoint's weights. */
async function scoreApart(bytes: Uint8Array, heldOut: Dataset): Promise<{ psnr: number; ssim: number }> {
  const registry = createRegistry();
  const doc = tinyTrainingGraph();
  const program = compileProgram(resolveGraph(doc, registry, { batch: 1 }), { init: { ...(doc.init ?? DEFAULT_INIT), seed: 3 } });
  try {
    loadCheckpoint(program, bytes);
    const inputs = graphInputs(program);
    const samples = await Promise.all(Array.from({ length: heldOut.size }, (_, i) => heldOut.sample(i)));
    const [psnr, ssim] = tf.tidy(() => {
      const feeds = toFeeds(samples, inputs);
      const key = generatorOutputs(program).final.key;
      const fake = program.run(feeds, { outputs: [key], training: false })[key];
      const real = tf.stack(samples.map((s) => { const r = s.fields[FIELD.real] as ImageRaster; return tf.tensor3d(r.data, [r.height, r.width, r.channels]); }));
      return [psnrPerImage(fake, real).mean().arraySync() as number, ssimPerImage(fake, real).mean().arraySync() as number];
    });
    return { psnr, ssim };
  } finally {
    program.dispose();
  }
}

describe('TrainingSession', () => {
  it('refuses a graph whose memory estimate exceeds the backend before allocating, naming estimate and limit', async () => {
    const before = tf.memory().numTensors;
    const { messages } = await runOnce(start(), new MemoryCheckpointStore(), undefined, (backend) => ({ backend, totalBytes: 1024 }));
    expect(errorOf(messages)).toMatchObject({ type: 'error', error: { kind: 'spec', message: expect.stringMatching(/^training this graph needs about [\d.]+ KiB \(weights .*\), more than the cpu backend's 1\.0 KiB/) } });
    expect(progress(messages)).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('streams started, progress every step, samples and autosaves, then finished; tensors stay flat', async () => {
    const before = tf.memory().numTensors;
    const { messages, store } = await runOnce(start());
    expect(errorOf(messages)).toBeUndefined();
    const started = messages[messages.findIndex((m) => m.type === 'started')];
    expect(started).toMatchObject({ type: 'started', runId: 'run-1', backend: 'cpu', fromStep: 0, steps: 4, batchSize: 1, images: ['final'], trainSamples: 3, heldOutSamples: 2, evalEvery: 2 });
    expect(messages.filter((m) => m.type === 'notice').map((m) => (m as { message: string }).message)).toContainEqual(expect.stringMatching(/The generator loss 'g_vgg' is left out/));

    const steps = progress(messages);
    expect(steps.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    for (const p of steps) {
      expect(Object.keys(p.losses).sort()).toEqual(['d_adv', 'g_adv', 'g_l1']);
      expect(p).toMatchObject({ backend: 'cpu', lrG: 0.01, lrD: 0.002 });
      expect(p.imagesPerSecond).toBeGreaterThan(0);
    }
    // Optimizer slots appear in the first step; after it every step frees what it makes.
    expect(new Set(steps.slice(1).map((p) => p.numTensors)).size).toBe(1);

    const samples = messages.filter((m) => m.type === 'samples');
    expect(samples.map((m) => m.step)).toEqual([2, 4]);
    const [image] = samples[0].type === 'samples' ? samples[0].images : [];
    expect(image).toMatchObject({ name: 'final', width: 16, height: 16 });
    expect(image.rgba.length).toBe(16 * 16 * 4);
    expect(new Set(image.rgba).size).toBeGreaterThan(2);

    const metrics = metricsOf(messages);
    expect(metrics.map((m) => [m.step, m.count])).toEqual([[2, 2], [4, 2]]);
    for (const m of metrics) {
      expect(m.psnr).toBeGreaterThan(0);
      expect(m.psnr).toBeLessThan(60);
      expect(m.ssim).toBeGreaterThan(-1);
      expect(m.ssim).toBeLessThan(1);
      expect(Number.isFinite(m.sd)).toBe(true);
    }
    expect(metrics[1].psnr).not.toBe(metrics[0].psnr);

    expect(messages.filter((m) => m.type === 'autosaved').map((m) => m.step)).toEqual([2, 4]);
    const end = endOf(messages);
    expect(end).toMatchObject({ type: 'finished', step: 4 });
    expect(readCheckpointRecord(end.checkpoint!)).toMatchObject({ step: 4, graphName: 'tiny training GAN (worker)', seed: 3 });
    // The step-4 scores are those of the end weights on the held-out scenes (own seed), computed apart.
    const heldOut = datasetFor(graphInputs(resolveGraph(tinyTrainingGraph(), createRegistry(), { batch: 1 })), { kind: 'synthetic', seed: heldOutSeed(7), count: 2 });
    const apart = await scoreApart(end.checkpoint!, heldOut);
    expect(metrics[1].psnr).toBeCloseTo(apart.psnr, 4);
    expect(metrics[1].ssim).toBeCloseTo(apart.ssim, 4);
    const [autosave] = await listAutosaves(store);
    expect(autosave).toMatchObject({ step: 4, runId: 'run-1', graphName: 'tiny training GAN (worker)', backend: 'cpu' });
    expect(autosave.spec).toEqual({ ...spec(), sampleEvery: 2, autosaveEvery: 2 });
    // Everything the run made is freed when it ends.
    expect(tf.memory().numTensors).toBe(before);
  });

  it('resuming from the autosave repeats the uninterrupted losses exactly', async () => {
    const uninterrupted = progress((await runOnce(start())).messages);
    const store = new MemoryCheckpointStore();
    await runOnce(start({ steps: 2 }), store);
    const resumed = await runOnce(start({ steps: 4 }, true), store);
    expect(errorOf(resumed.messages)).toBeUndefined();
    expect(resumed.messages.find((m) => m.type === 'started')).toMatchObject({ fromStep: 2 });
    const after = progress(resumed.messages);
    expect(after.map((p) => p.step)).toEqual([3, 4]);
    expect(after.map((p) => p.losses)).toEqual(uninterrupted.slice(2).map((p) => p.losses));
  });

  it('refuses to resume an autosave made with other data, or when there is none', async () => {
    const none = await runOnce(start({}, true));
    expect(errorOf(none.messages)).toMatchObject({ error: { kind: 'checkpoint', message: expect.stringMatching(/no autosave of graph/) } });

    const store = new MemoryCheckpointStore();
    await runOnce(start({ steps: 1 }), store);
    const other = await runOnce(start({ dataset: { kind: 'synthetic', seed: 8, count: 3 } }, true), store);
    expect(errorOf(other.messages)).toMatchObject({ error: { kind: 'checkpoint', message: expect.stringMatching(/resuming would not continue the same run/) } });
  });

  it('pauses and resumes between steps, and a stop ends the run with an autosave', async () => {
    let t!: ReturnType<typeof session>;
    const done = new Promise<void>((resolve) => {
      t = session(new MemoryCheckpointStore(), (m, s) => {
        if (m.type === 'progress' && m.step === 1) s.handle({ type: 'pause' });
        if (m.type === 'state' && m.state === 'paused') setTimeout(() => s.handle({ type: 'resume' }), 20);
        if (m.type === 'progress' && m.step === 2) s.handle({ type: 'stop' });
        if (m.type === 'stopped' || m.type === 'finished' || m.type === 'error') resolve();
      });
    });
    t.s.handle(start({ steps: 10, autosaveEvery: 5, sampleEvery: 0, evalEvery: 0 }));
    await done;
    const kinds = t.messages.filter((m) => m.type !== 'notice').map((m) => (m.type === 'progress' ? `progress ${m.step}` : m.type === 'state' ? m.state : m.type));
    expect(kinds).toEqual(['started', 'progress 1', 'pausing', 'paused', 'running', 'progress 2', 'autosaved', 'stopped']);
    expect(t.messages.filter((m) => m.type === 'state')).toEqual([
      { type: 'state', state: 'pausing', step: 1 },
      { type: 'state', state: 'paused', step: 1 },
      { type: 'state', state: 'running', step: 1 },
    ]);
    expect(endOf(t.messages)).toMatchObject({ type: 'stopped', step: 2 });
    expect(readCheckpointRecord(endOf(t.messages).checkpoint!)).toMatchObject({ step: 2 });
  });

  it('says at once which step a pause waits for when it comes while a step is under way', async () => {
    const messages: WorkerMessage[] = [];
    let pauseDuringStep = 0;
    let s!: TrainingSession;
    const stopped = new Promise<void>((resolve) => {
      s = new TrainingSession({
        post: (m) => {
          messages.push(m);
          if (m.type === 'progress' && m.step === 1) pauseDuringStep = 1;
          if (m.type === 'state' && m.state === 'paused') s.handle({ type: 'stop' });
          if (m.type === 'stopped' || m.type === 'error') resolve();
        },
        store: new MemoryCheckpointStore(),
        selectBackend: async () => ({ backend: 'cpu', attempts: [{ name: 'cpu', ok: true }] }),
        nodePackVersion: '0.0.0-test',
        // The session reads the clock as a step begins: the pause arrives while step 2 is under way.
        now: () => {
          if (pauseDuringStep === 1) {
            pauseDuringStep = 2;
            s.handle({ type: 'pause' });
          }
          return performance.now();
        },
      });
    });
    s.handle(start({ steps: 5, autosaveEvery: 0, sampleEvery: 0, evalEvery: 0 }));
    await stopped;
    const order = messages.filter((m) => m.type === 'state' || m.type === 'progress').map((m) => (m.type === 'state' ? `${m.state} ${m.step}` : `progress ${(m as ProgressMessage).step}`));
    expect(order).toEqual(['progress 1', 'pausing 2', 'progress 2', 'paused 2']);
  });

  it('holds out synthetic scenes of their own seed, and splits a dropped dataset; metrics off without held-out samples', async () => {
    const inputs = graphInputs(resolveGraph(tinyTrainingGraph(), createRegistry(), { batch: 1 }));
    const spec = { kind: 'synthetic' as const, seed: 7, count: 6 };
    const whole = datasetFor(inputs, spec);
    const { train, heldOut } = splitRunData(whole, spec, inputs, 3, 3);
    expect(train).toBe(whole);
    expect(heldOut?.size).toBe(3);
    const pixels = async (d: Dataset, i: number) => Array.from(((await d.sample(i)).fields[FIELD.real] as ImageRaster).data).join();
    const trained = new Set(await Promise.all(Array.from({ length: 6 }, (_, i) => pixels(whole, i))));
    for (let i = 0; i < 3; i++) expect(trained.has(await pixels(heldOut!, i))).toBe(false);

    const files = { kind: 'files' as const, name: 'pairs', layout: 'auto' as const };
    const split = splitRunData(whole, files, inputs, undefined, 3);
    expect([split.train.size, split.heldOut?.size]).toEqual([5, 1]);
    expect(() => splitRunData(whole, files, inputs, 6, 3)).toThrow(/'pairs' has 6 samples: too few to hold out 6/);

    const none = await runOnce(start({ steps: 1, heldOut: 0, evalEvery: 0 }));
    expect(none.messages.find((m) => m.type === 'started')).toMatchObject({ heldOutSamples: 0, evalEvery: 0 });
    expect(metricsOf(none.messages)).toEqual([]);
    expect(errorOf((await runOnce(start({ heldOut: 0 }))).messages)).toMatchObject({ error: { kind: 'spec', message: expect.stringMatching(/evalEvery needs held-out samples/) } });
  });

  it('reports a bad spec, a graph the synthetic data cannot feed and an unknown backend as typed errors', async () => {
    expect(errorOf((await runOnce(start({ steps: 0 }))).messages)).toMatchObject({ error: { kind: 'spec', message: expect.stringMatching(/steps must be/) } });
    expect(errorOf((await runOnce(start({ backend: 'tpu' as never }))).messages)).toMatchObject({ error: { kind: 'spec', message: expect.stringMatching(/unknown backend "tpu"/) } });
    const fourClasses = { ...tinyTrainingGraph(), template: { ...tinyTrainingGraph().template, num_classes: 4 } };
    expect(errorOf((await runOnce(start({}, false, fourClasses))).messages)).toMatchObject({
      error: { kind: 'spec', message: expect.stringMatching(/'labels' has num_classes 4.*at least 5/) },
    });
    expect(errorOf((await runOnce(start({}, false, { format: 'nope' }))).messages)).toMatchObject({ error: { kind: 'graph', message: expect.stringMatching(/not an LGGAN Studio graph/) } });
  });
});
