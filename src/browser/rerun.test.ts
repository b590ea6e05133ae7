/**
 * Re-run from a run record: a tiny run trained by the worker session (tfjs-cpu, in-memory stores),
 * its stored record turned into a plan (rerunPlan) and trained again gives the same per-step losses,
 * exactly; the same plan with another seed does not. Plans for dropped data refuse without the
 * same data loaded.
 */
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import { loadGraphValue } from '../graph/load.ts';
import { MemoryCheckpointStore } from '../runtime/checkpoint/store.ts';
import type { DroppedDataset } from '../runtime/data/browser-files.ts';
import { greyPng, rgbPng } from '../runtime/data/fixtures.test-util.ts';
import { tinyTrainingGraph } from './tiny-training-graph.test-util.ts';
import type { RunSpec, WorkerMessage } from './protocol.ts';
import { droppedFingerprint, rerunPlan, type RerunPlan } from './rerun.ts';
import type { BrowserRun } from '../runs/browser-run.ts';
import { MemoryRunStore } from './run-store.ts';
import { TrainingSession } from './session.ts';

/** Trains `graph` with `spec` as run `runId`; resolves with its stored record. */
async function train(graph: unknown, spec: RunSpec, runId: string): Promise<BrowserRun> {
  const runs = new MemoryRunStore();
  const messages: WorkerMessage[] = [];
  const s = new TrainingSession({
    post: (m) => messages.push(m),
    store: new MemoryCheckpointStore(),
    runs,
    selectBackend: async (setting) => {
      if (setting !== 'auto' && setting !== 'cpu') throw new Error(`test host has cpu only, asked for ${setting}`);
      return { backend: 'cpu', attempts: [{ name: 'cpu', ok: true }] };
    },
    nodePackVersion: '0.0.0-test',
  });
  s.handle({ type: 'start', graph, spec, runId });
  await s.done;
  expect(messages.find((m) => m.type === 'error')).toBeUndefined();
  const record = await runs.load(runId);
  if (!record) throw new Error(`run ${runId} left no record`);
  return record;
}

const planOf = (record: BrowserRun): RerunPlan => {
  const result = rerunPlan(record);
  if (!result.ok) throw new Error(result.problem);
  return result.plan;
};

// A seed other than the graph's own init seed, so a plan that dropped it would train other weights.
const original: RunSpec = { steps: 3, seed: 11, dataset: { kind: 'synthetic', seed: 5, count: 3 }, batchSize: 1, backend: 'auto', autosaveEvery: 0, sampleEvery: 0, evalEvery: 0, heldOut: 1 };

describe('re-run from a run record', () => {
  it('repeats the recorded per-step losses exactly, and another seed does not', async () => {
    const first = await train(tinyTrainingGraph(), original, 'run-first');
    expect(first.losses.steps).toEqual([1, 2, 3]);

    const plan = planOf(first);
    expect(plan.spec).toEqual({ steps: 3, seed: 11, dataset: { kind: 'synthetic', seed: 5, count: 3 }, batchSize: 1, backend: 'cpu', heldOut: 1, sampleEvery: 0, evalEvery: 0, autosaveEvery: 0 });
    expect(plan.graphHash).toBe(first.graph.hash);
    expect(plan.label).toMatch(/^graph of run 'tiny training GAN \(worker\)' \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/);

    const again = await train(plan.graph, plan.spec, 'run-again');
    expect(again.graph.hash).toBe(first.graph.hash);
    expect(again.lossTerms).toEqual(first.lossTerms);
    expect(again.losses.steps).toEqual(first.losses.steps);
    expect(again.losses.values).toEqual(first.losses.values);

    // The seed is what the plan must carry: with another one the same plan trains to other losses.
    const otherSeed = await train(plan.graph, { ...plan.spec, seed: plan.spec.seed + 1 }, 'run-other-seed');
    expect(otherSeed.losses.values).not.toEqual(first.losses.values);
  });

  it('re-runs a run on dropped files with the same files dropped again, and refuses other files', async () => {
    /** A generic images/ + labels/ folder of `count` 16×16 pairs (label ids 0–4, as the tiny graph's 5 classes). */
    const folder = (count: number): DroppedDataset => ({
      kind: 'folder',
      name: 'pairs',
      files: Array.from({ length: count }, (_, k) => [
        { path: `images/${k}.png`, blob: new Blob([rgbPng(16, 16, (x, y) => [x * 16, y * 16, k * 40]) as Uint8Array<ArrayBuffer>]) },
        { path: `labels/${k}.png`, blob: new Blob([greyPng(16, 16, (x, y) => (x + y + k) % 5) as Uint8Array<ArrayBuffer>]) },
      ]).flat(),
    });
    const first = await train(tinyTrainingGraph(), { ...original, dataset: { kind: 'files', name: 'pairs', layout: 'auto', dropped: folder(4) } }, 'run-files');
    expect(first.data).toMatchObject({ kind: 'files', name: 'pairs', layout: 'auto', trainSamples: 3, heldOutSamples: 1 });

    const registry = createRegistry();
    const loaded = loadGraphValue(first.graph.document, { registry });
    if (!loaded.ok) throw new Error('the recorded graph does not load');
    const again = folder(4);
    const fingerprint = await droppedFingerprint(again, 'auto', loaded.doc, registry);
    expect(fingerprint).toBe(first.data.fingerprint);
    const result = rerunPlan(first, { name: 'pairs', fingerprint, dropped: again });
    if (!result.ok) throw new Error(result.problem);
    const rerun = await train(result.plan.graph, result.plan.spec, 'run-files-again');
    expect(rerun.losses.values).toEqual(first.losses.values);

    const other = folder(5);
    const otherPrint = await droppedFingerprint(other, 'auto', loaded.doc, registry);
    expect(rerunPlan(first, { name: 'pairs', fingerprint: otherPrint, dropped: other })).toMatchObject({ ok: false, problem: expect.stringContaining(`drop the data 'pairs' again (fingerprint ${first.data.fingerprint})`) });
  });

  it('takes dropped data only with the recorded fingerprint, and otherwise says what to drop', () => {
    const record = (over: Partial<BrowserRun['data']>, run: Partial<BrowserRun> = {}): BrowserRun => ({
      format: 'lggan-studio.browser-run',
      version: 2,
      id: 'r',
      status: 'finished',
      graph: { name: 'g', hash: 'a'.repeat(64), document: {} },
      seed: 2,
      backend: 'wasm',
      batch: 2,
      data: { kind: 'files', description: 'pairs', name: 'pairs', layout: 'generic', syntheticSeed: null, syntheticCount: null, fingerprint: 'generic:4:abc', trainSamples: 3, heldOutSamples: 1, ...over },
      steps: { requested: 10, done: 10, resumedFrom: 0 },
      lossTerms: [],
      losses: { stride: 1, steps: [], values: [], last: null },
      metrics: [],
      samples: [],
      startedAt: '2026-12-05T00:12:00.000Z',
      endedAt: null,
      wallSeconds: null,
      ...run,
    });
    const dropped = { kind: 'folder' as const, name: 'pairs', files: [] };
    expect(rerunPlan(record({}))).toEqual({ ok: false, problem: "run 'g' (2026-12-05 00:12 UTC) trained on dropped data that is not loaded now: drop the data 'pairs' again (fingerprint generic:4:abc)" });
    expect(rerunPlan(record({}), { name: 'other', fingerprint: 'generic:5:def', dropped })).toEqual({
      ok: false,
      problem: "run 'g' (2026-12-05 00:12 UTC) trained on other data than 'other' loaded now (fingerprint generic:5:def): drop the data 'pairs' again (fingerprint generic:4:abc)",
    });
    // A record from before fingerprints covered sizes is refused as such, not as other data.
    expect(rerunPlan(record({}), { name: 'pairs', fingerprint: 'generic:4:def+sizes', dropped })).toEqual({
      ok: false,
      problem: "run 'g' (2026-12-05 00:12 UTC) was recorded before fingerprints covered file sizes (fingerprint generic:4:abc), so the data loaded now cannot be matched to it: start a new run on 'pairs' instead",
    });
    const same = rerunPlan(record({}), { name: 'renamed', fingerprint: 'generic:4:abc', dropped });
    expect(same).toMatchObject({ ok: true, plan: { spec: { dataset: { kind: 'files', name: 'pairs', layout: 'generic', dropped }, seed: 2, batchSize: 2, backend: 'wasm', heldOut: 1, steps: 10 }, notes: [] } });
    // A record from before the cadence was kept leaves the panel's own; one without held-out samples scores nothing.
    expect(same.ok && Object.keys(same.plan.spec)).not.toContain('sampleEvery');
    expect(rerunPlan(record({ heldOutSamples: 0 }), { name: 'p', fingerprint: 'generic:4:abc', dropped })).toMatchObject({ ok: true, plan: { spec: { heldOut: 0, evalEvery: 0 } } });

    expect(rerunPlan(record({}, { steps: { requested: 10, done: 10, resumedFrom: 4 } }), { name: 'p', fingerprint: 'generic:4:abc', dropped })).toMatchObject({
      ok: true,
      plan: { notes: [expect.stringMatching(/continued from step 4 .* the re-run trains from step 0/)] },
    });
    expect(rerunPlan(record({}, { graph: { name: 'n'.repeat(4000), hash: 'a'.repeat(64), document: {} } }))).toMatchObject({ ok: false, problem: expect.stringMatching(/^run 'n{59}…' \(/) });
    expect(rerunPlan(record({}, { backend: 'tpu' }))).toEqual({ ok: false, problem: "run 'g' (2026-12-05 00:12 UTC) was trained on 'tpu', which is not a backend this page can train on (webgpu, wasm, webgl, cpu)" });
  });
});
