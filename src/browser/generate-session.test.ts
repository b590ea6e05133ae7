/**
 * Generation and the session's new requests on tfjs-cpu in Node: a generator loaded with initial
 * or checkpoint weights gives images from a label map without leaking tensors; a checkpoint of
 * another graph is refused naming the variables; a training run answers snapshots, continues from
 * checkpoint bytes, and trains on a dropped folder (whose bad file it names).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import { MemoryCheckpointStore } from '../runtime/checkpoint/store.ts';
import { graphInputs } from '../runtime/data/feeds.ts';
import { datasetFor } from './data.ts';
import { encodePng } from '../runtime/data/codecs.ts';
import { tinyTrainingGraph } from './tiny-training-graph.test-util.ts';
import type { GenerateWorkerMessage, GeneratedMessage, LoadedMessage } from './generate-protocol.ts';
import { GenerateSession } from './generate-session.ts';
import type { PageMessage, RunSpec, SnapshotMessage, WorkerMessage } from './protocol.ts';
import { TrainingSession } from './session.ts';

const cpu = async () => ({ backend: 'cpu' as const, attempts: [{ name: 'cpu' as const, ok: true }] });

function generator() {
  const messages: GenerateWorkerMessage[] = [];
  return { messages, session: new GenerateSession({ post: (m) => messages.push(m), selectBackend: cpu }) };
}

function trainer(onPost?: (m: WorkerMessage, s: TrainingSession) => void) {
  const messages: WorkerMessage[] = [];
  const s: TrainingSession = new TrainingSession({
    post: (m) => {
      messages.push(m);
      onPost?.(m, s);
    },
    store: new MemoryCheckpointStore(),
    selectBackend: cpu,
    nodePackVersion: '0.0.0-test',
  });
  return { s, messages };
}

const spec = (over: Partial<RunSpec> = {}): RunSpec => ({ steps: 2, seed: 3, dataset: { kind: 'synthetic', seed: 7, count: 3 }, batchSize: 1, backend: 'cpu', autosaveEvery: 0, sampleEvery: 0, ...over });
const start = (over: Partial<RunSpec> = {}, extra: Partial<Extract<PageMessage, { type: 'start' }>> = {}): PageMessage => ({ type: 'start', graph: tinyTrainingGraph(), spec: spec(over), runId: 'r', ...extra });

/** Trains `steps` and takes a snapshot after the first step. */
async function trainedCheckpoint(): Promise<SnapshotMessage> {
  const t = trainer((m, s) => m.type === 'progress' && m.step === 1 && s.handle({ type: 'snapshot', id: 5 }));
  t.s.handle(start());
  await t.s.done;
  const shot = t.messages.find((m): m is SnapshotMessage => m.type === 'snapshot');
  expect(shot).toMatchObject({ id: 5, step: 1 });
  return shot!;
}

describe('GenerateSession', () => {
  it('generates the final image from a label map, with initial or checkpoint weights, leaking nothing', async () => {
    const { messages, session } = generator();
    await session.handle({ type: 'load', id: 1, graph: tinyTrainingGraph() });
    const loaded = messages[0] as LoadedMessage;
    expect(loaded).toMatchObject({ type: 'loaded', id: 1, backend: 'cpu', weights: { source: 'initial' }, generator: { width: 16, height: 16, numClasses: 5, crossView: false, images: ['final'], perClass: false } });

    const labels = { width: 8, height: 8, data: Int32Array.from({ length: 64 }, (_, p) => p % 5) };
    await session.handle({ type: 'generate', id: 2, labels });
    const before = tf.memory().numTensors;
    await session.handle({ type: 'generate', id: 3, labels });
    expect(tf.memory().numTensors).toBe(before);
    const out = messages.at(-1) as GeneratedMessage;
    expect(out.type).toBe('generated');
    expect(out.images.map((i) => [i.name, i.width, i.height, i.rgba.length])).toEqual([['final', 16, 16, 1024]]);
    expect(new Set(out.images[0].rgba).size).toBeGreaterThan(2);
    expect(out.notes).toEqual(['the label map is 8×8; resized (nearest) to the generator\'s 16×16']);

    const shot = await trainedCheckpoint();
    await session.handle({ type: 'load', id: 4, graph: tinyTrainingGraph(), checkpoint: shot.bytes });
    expect(messages.at(-1)).toMatchObject({ type: 'loaded', id: 4, weights: { source: 'checkpoint', step: 1, graphName: 'tiny training GAN (worker)' } });
    await session.handle({ type: 'generate', id: 6, labels });
    const trained = messages.at(-1) as GeneratedMessage;
    expect(Array.from(trained.images[0].rgba)).not.toEqual(Array.from(out.images[0].rgba));

    await session.handle({ type: 'generate', id: 7, labels: { width: 2, height: 1, data: Int32Array.from([0, 9]) } });
    expect(messages.at(-1)).toMatchObject({ type: 'error', id: 7, error: { kind: 'spec', message: expect.stringMatching(/holds id 9, beyond the generator's 5 classes/) } });
    session.dispose();
  });

  it('generates from a dataset sample (inspect sample): its condition and real image come back, the outputs equal a label-map generation', async () => {
    const shot = await trainedCheckpoint();
    const { messages, session } = generator();
    await session.handle({ type: 'load', id: 1, graph: tinyTrainingGraph(), checkpoint: shot.bytes });
    const dataset = { kind: 'synthetic' as const, seed: 7, count: 3 };
    await session.handle({ type: 'generate-sample', id: 2, dataset, index: 1 }); // warms the dataset cache
    const before = tf.memory().numTensors;
    await session.handle({ type: 'generate-sample', id: 3, dataset, index: 1 });
    expect(tf.memory().numTensors).toBe(before);
    const inspected = messages.at(-1) as GeneratedMessage;
    expect(inspected).toMatchObject({ type: 'generated', id: 3, sample: { index: 1, count: 3, condition: { name: 'condition', width: 16, height: 16 }, real: { name: 'real', width: 16, height: 16 } } });
    expect(new Set(inspected.sample!.condition!.rgba).size).toBeGreaterThan(2);

    // The same sample's label ids, sent as a drawn map, give the same final image.
    const registry = createRegistry();
    const sample = await datasetFor(graphInputs(resolveGraph(tinyTrainingGraph(), registry, { batch: 1 })), dataset).sample(1);
    const ids = sample.fields.labels as { width: number; height: number; data: Int32Array<ArrayBuffer> };
    await session.handle({ type: 'generate', id: 4, labels: { width: ids.width, height: ids.height, data: ids.data } });
    expect(Array.from((messages.at(-1) as GeneratedMessage).images[0].rgba)).toEqual(Array.from(inspected.images[0].rgba));

    await session.handle({ type: 'generate-sample', id: 5, dataset, index: 3 });
    expect(messages.at(-1)).toMatchObject({ type: 'error', id: 5, error: { kind: 'spec', message: expect.stringMatching(/sample 3 is not in dataset .*: it has 3 samples \(0 … 2\)/) } });
    session.dispose();
  });

  it('refuses a checkpoint of another graph, naming the misshaped variables', async () => {
    const shot = await trainedCheckpoint();
    const { messages, session } = generator();
    const wider = tinyTrainingGraph();
    wider.template = { ...wider.template, ngf: 8 };
    const before = tf.memory().numTensors;
    await session.handle({ type: 'load', id: 1, graph: wider, checkpoint: shot.bytes });
    expect(messages[0]).toMatchObject({ type: 'error', id: 1, error: { kind: 'checkpoint', message: expect.stringMatching(/does not fit this graph's generator[\s\S]*misshaped: '[\w.]+' is \[[\d, ]+\] in the graph but \[[\d, ]+\] in the file/) } });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('TrainingSession: snapshots, checkpoints and dropped folders', () => {
  it('continues from checkpoint bytes at their step, with the optimiser state', async () => {
    const shot = await trainedCheckpoint();
    const t = trainer();
    t.s.handle(start({ steps: 3 }, { checkpoint: shot.bytes }));
    await t.s.done;
    expect(t.messages.find((m) => m.type === 'error')).toBeUndefined();
    expect(t.messages.find((m) => m.type === 'started')).toMatchObject({ fromStep: 1 });
    expect(t.messages.filter((m) => m.type === 'progress').map((m) => (m as { step: number }).step)).toEqual([2, 3]);

    const other = tinyTrainingGraph();
    other.template = { ...other.template, ndf: 8 };
    const bad = trainer();
    bad.s.handle({ ...start({}, { checkpoint: shot.bytes }), graph: other } as PageMessage);
    await bad.s.done;
    expect(bad.messages.find((m) => m.type === 'error')).toMatchObject({ error: { kind: 'checkpoint', message: expect.stringMatching(/misshaped: '/) } });
  });

  it('trains on a dropped generic folder without reading it ahead, and stops naming a bad file when training reaches it', async () => {
    const grey = (v: (p: number) => number) => encodePng({ width: 16, height: 16, channels: 1, data: Uint8Array.from({ length: 256 }, (_, p) => v(p)) });
    const rgb = encodePng({ width: 16, height: 16, channels: 3, data: Uint8Array.from({ length: 768 }, (_, i) => (i * 7) % 256) });
    const files = [0, 1].flatMap((k) => [
      { path: `images/${k}.png`, blob: new Blob([rgb as Uint8Array<ArrayBuffer>]) },
      { path: `labels/${k}.png`, blob: new Blob([grey((p) => (p + k) % 5) as Uint8Array<ArrayBuffer>]) },
    ]);
    const dataset = { kind: 'files' as const, name: 'pairs', layout: 'auto' as const, dropped: { kind: 'folder' as const, name: 'pairs', files } };
    const t = trainer();
    t.s.handle(start({ steps: 1, dataset }));
    await t.s.done;
    expect(t.messages.find((m) => m.type === 'error')).toBeUndefined();
    expect(t.messages.find((m) => m.type === 'notice' && /Dataset pairs \(generic \(detected\), 2 samples at 16×16\): images are read as training reaches them\./.test(m.message))).toBeDefined();
    expect(t.messages.at(-1)).toMatchObject({ type: 'finished', step: 1 });

    // Sample 1 is bad: nothing reads it before training does (no scan ahead), then the run stops naming it.
    const broken = { ...dataset, dropped: { ...dataset.dropped, files: [...files.slice(0, 3), { path: 'labels/1.png', blob: new Blob([grey(() => 40) as Uint8Array<ArrayBuffer>]) }] } };
    const bad = trainer();
    bad.s.handle(start({ steps: 4, heldOut: 0, evalEvery: 0, dataset: broken }));
    await bad.s.done;
    expect(bad.messages.find((m) => m.type === 'error')).toMatchObject({ error: { kind: 'dataset', file: 'labels/1.png', message: expect.stringMatching(/label ids go up to 40, beyond num_classes 5/) } });
    expect(bad.messages.some((m) => m.type === 'started')).toBe(true);
    expect(bad.messages.some((m) => m.type === 'finished')).toBe(false);

    const withoutFiles = trainer();
    withoutFiles.s.handle(start({ dataset: { kind: 'files', name: 'pairs', layout: 'auto' } }));
    await withoutFiles.s.done;
    expect(withoutFiles.messages[0]).toMatchObject({ type: 'error', error: { kind: 'spec', message: expect.stringMatching(/drop the same folder or archive again/) } });
  });
});
