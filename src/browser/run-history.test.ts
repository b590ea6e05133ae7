/**
 * The browser run record: built by the worker session from a finished tiny run (tfjs-cpu), stored
 * and read back through the fake IndexedDB, its loss curve bounded, and hostile or oversized
 * stored records refused with the field named.
 */
import { describe, expect, it } from 'vitest';
import { graphHash } from '../graph/hash.ts';
import { loadGraphValue } from '../graph/load.ts';
import { createRegistry } from '../../nodes/index.ts';
import { IDBFactory as FakeIndexedDb } from 'fake-indexeddb';
import { openDatabase, request } from '../runtime/indexeddb.ts';
import { MemoryCheckpointStore } from '../runtime/checkpoint/store.ts';
import { tinyTrainingGraph } from './tiny-training-graph.test-util.ts';
import type { ProgressMessage, SamplesMessage, WorkerMessage } from './protocol.ts';
import { writePng } from '../formats/png.ts';
import { decodeImage } from '../runtime/data/codecs.ts';
import { addLosses, addSamples, BROWSER_RUN_LIMITS, browserRunData, MAX_LOSS_POINTS, MAX_SAMPLE_SNAPSHOTS, parseBrowserRun, type BrowserRun } from '../runs/browser-run.ts';
import { IndexedDbRunStore, MemoryRunStore } from './run-store.ts';
import { TrainingSession } from './session.ts';

async function trainTiny(runs: IndexedDbRunStore, steps = 3, sampleEvery = 0) {
  const messages: WorkerMessage[] = [];
  const s = new TrainingSession({
    post: (m) => messages.push(m),
    store: new MemoryCheckpointStore(),
    runs,
    selectBackend: async () => ({ backend: 'cpu', attempts: [{ name: 'cpu', ok: true }] }),
    nodePackVersion: '0.0.0-test',
  });
  s.handle({
    type: 'start',
    graph: tinyTrainingGraph(),
    spec: { steps, seed: 3, dataset: { kind: 'synthetic', seed: 7, count: 3 }, batchSize: 1, backend: 'cpu', autosaveEvery: 2, sampleEvery, evalEvery: 2, heldOut: 2 },
    runId: 'run-tiny',
  });
  await s.done;
  return messages;
}

describe('browser run record', () => {
  it('a finished run records its graph, seed, backend, data, every step’s losses and metrics, and reads back from IndexedDB', async () => {
    const runs = new IndexedDbRunStore('runs-test', new FakeIndexedDb());
    const messages = await trainTiny(runs);
    expect(messages.find((m) => m.type === 'error')).toBeUndefined();
    const { runs: listed, refused } = await runs.list();
    expect(refused).toEqual([]);
    expect(listed).toHaveLength(1);
    const r = listed[0];
    expect(r).toEqual(await runs.load('run-tiny'));
    const doc = loadGraphValue(tinyTrainingGraph(), { registry: createRegistry() });
    if (!doc.ok) throw new Error('fixture does not load');
    expect(r.graph.hash).toBe(graphHash(doc.doc));
    // The stored document is the graph as trained: it loads and hashes the same.
    const back = loadGraphValue(r.graph.document, { registry: createRegistry() });
    expect(back.ok && graphHash(back.doc)).toBe(r.graph.hash);
    expect(r).toMatchObject({ id: 'run-tiny', status: 'finished', seed: 3, backend: 'cpu', batch: 1, steps: { requested: 3, done: 3, resumedFrom: 0 }, sampleEvery: 0, evalEvery: 2, autosaveEvery: 2 });
    expect(r.data).toMatchObject({ kind: 'synthetic', syntheticSeed: 7, syntheticCount: 3, name: null, layout: null, heldOutSamples: 2 });
    const progress = messages.filter((m): m is ProgressMessage => m.type === 'progress');
    expect(r.losses.steps).toEqual([1, 2, 3]);
    expect(r.lossTerms).toEqual(Object.keys(progress[0].losses));
    expect(r.losses.values).toEqual(progress.map((p) => r.lossTerms.map((t) => p.losses[t])));
    expect(r.losses.last).toEqual({ step: 3, values: r.losses.values[2] });
    expect(r.metrics.map((m) => m.step)).toEqual([2, 3]);
    expect(r.endedAt! >= r.startedAt).toBe(true);
    expect(r.wallSeconds).toBeGreaterThanOrEqual(0);
  });

  it('a stopped run is recorded as interrupted at the step it reached', async () => {
    const runs = new IndexedDbRunStore('runs-stop', new FakeIndexedDb());
    const s = new TrainingSession({
      post: (m) => {
        if (m.type === 'progress' && m.step === 1) s.handle({ type: 'stop' });
      },
      store: new MemoryCheckpointStore(),
      runs,
      selectBackend: async () => ({ backend: 'cpu', attempts: [{ name: 'cpu', ok: true }] }),
      nodePackVersion: '0.0.0-test',
    });
    s.handle({ type: 'start', graph: tinyTrainingGraph(), spec: { steps: 5, seed: 3, dataset: { kind: 'synthetic', seed: 7, count: 3 }, batchSize: 1, backend: 'cpu', autosaveEvery: 0, sampleEvery: 0, evalEvery: 0, heldOut: 0 }, runId: 'run-stop' });
    await s.done;
    const r = (await runs.load('run-stop'))!;
    expect(r).toMatchObject({ status: 'interrupted', steps: { requested: 5, done: 1, resumedFrom: 0 }, metrics: [] });
    expect(r.losses.steps).toEqual([1]);
    expect(r.endedAt).not.toBeNull();
  });

  it('describes a dropped dataset by its name and layout, synthetic data by its seed and count', () => {
    const found = { description: 'd', fingerprint: 'f', trainSamples: 9, heldOutSamples: 1 };
    const files = browserRunData({ kind: 'files', name: 'cityscapes.zip', layout: 'cityscapes' }, found);
    expect(files).toEqual({ kind: 'files', name: 'cityscapes.zip', layout: 'cityscapes', syntheticSeed: null, syntheticCount: null, ...found });
    expect(parseBrowserRun({ ...sampleRecord(), data: files }, 'r').data).toEqual(files);
    expect(() => parseBrowserRun({ ...sampleRecord(), data: { ...files, name: null } }, 'r')).toThrow("r: field 'data.name' must be a string, got null");
  });

  it('keeps at most MAX_LOSS_POINTS evenly spaced steps, and always the last', () => {
    const run = parseBrowserRun(
      {
        ...sampleRecord(),
        steps: { requested: 50_000, done: 0, resumedFrom: 0 },
      },
      'test',
    );
    for (let step = 1; step <= 25_001; step++) addLosses(run, step, { l1: step });
    expect(run.losses.steps.length).toBeLessThanOrEqual(MAX_LOSS_POINTS);
    expect(run.losses.stride).toBe(4);
    expect(run.losses.steps.every((s) => s % 4 === 0)).toBe(true);
    expect(run.losses.values.at(-1)).toEqual([25_000]);
    expect(run.losses.last).toEqual({ step: 25_001, values: [25_001] });
    expect(() => parseBrowserRun(run, 'thinned')).not.toThrow();
  });

  it('reads the reporting cadence when a record has it, and records without it as they were', () => {
    expect(parseBrowserRun({ ...sampleRecord(), sampleEvery: 5, evalEvery: 0, autosaveEvery: 50 }, 'r')).toMatchObject({ sampleEvery: 5, evalEvery: 0, autosaveEvery: 50 });
    expect(Object.keys(parseBrowserRun(sampleRecord(), 'r'))).not.toContain('sampleEvery');
  });

  it('refuses hostile and oversized stored records, naming the field', async () => {
    const bad = (patch: (r: Record<string, any>) => void) => {
      const r = sampleRecord() as Record<string, any>;
      patch(r);
      return r;
    };
    const cases: [Record<string, any>, string][] = [
      [bad((r) => (r.format = 'x')), "field 'format'"],
      [bad((r) => (r.graph.hash = '<script>')), "field 'graph.hash'"],
      [bad((r) => (r.graph.document = { big: 'x'.repeat(BROWSER_RUN_LIMITS.documentChars) })), "field 'graph.document' is"],
      [bad((r) => (r.losses.steps = new Array(MAX_LOSS_POINTS + 1).fill(1))), "field 'losses.steps' has 10001 entries"],
      [bad((r) => (r.losses.values[0] = ['NaN'])), "field 'losses.values[0][0]'"],
      [bad((r) => (r.losses.values[0] = [1, 2])), "field 'losses.values[0]'"],
      [bad((r) => (r.graph.name = 'n'.repeat(5000))), "field 'graph.name' is 5000 characters"],
      [bad((r) => (r.backend = 'cpu<img>')), "field 'backend'"],
      [bad((r) => (r.steps.done = 99)), "field 'steps.done'"],
      [bad((r) => (r.startedAt = 'yesterday')), "field 'startedAt'"],
      [bad((r) => (r.metrics = [{ step: 0, psnr: 1, ssim: 1, sd: 1 }])), "field 'metrics[0].step'"],
      [bad((r) => (r.evalEvery = -1)), "field 'evalEvery'"],
      [bad((r) => (r.sampleEvery = '10')), "field 'sampleEvery'"],
    ];
    for (const [value, message] of cases) expect(() => parseBrowserRun(value, "run record 'x'"), message).toThrow(`run record 'x': ${message}`);

    // A tampered row in the database is left out of the list, reported, and load() names it.
    const factory = new FakeIndexedDb();
    const runs = new IndexedDbRunStore('hostile', factory);
    await runs.save(sampleRecord());
    const db = await openDatabase(factory, 'hostile', 1, ['runs']);
    await request(db.transaction('runs', 'readwrite').objectStore('runs').put({ ...sampleRecord(), id: 'evil', seed: -1 }, 'evil'));
    db.close();
    const { runs: listed, refused } = await runs.list();
    expect(listed.map((r) => r.id)).toEqual(['r1']);
    expect(refused).toEqual([`run record "evil": field 'seed' must be a whole number ≥ 0, got -1`]);
    await expect(runs.load('evil')).rejects.toThrow("field 'seed'");
    // And the store refuses to write what it would refuse to read.
    await expect(new MemoryRunStore().save({ ...sampleRecord(), batch: 0 })).rejects.toThrow("field 'batch'");
  });
});

/** One snapshot of `images` PNGs of width × height (grey stripes). */
function snapshot(step: number, images = 1, width = 4, height = 3) {
  const png = writePng({ width, height, channels: 3, data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7) & 0xff) });
  return { step, input: 'training sample 0', images: Array.from({ length: images }, (_, k) => ({ name: `image ${k}`, width, height, png })) };
}

describe('sample images in the run record (version 2)', () => {
  it('keeps a PNG of each sample image the run sent, on training sample 0', async () => {
    const runs = new IndexedDbRunStore('runs-samples', new FakeIndexedDb());
    const messages = await trainTiny(runs, 3, 1);
    const sent = messages.filter((m): m is SamplesMessage => m.type === 'samples');
    expect(sent.map((m) => m.step)).toEqual([1, 2, 3]);
    const r = (await runs.load('run-tiny'))!;
    expect(r.version).toBe(2);
    expect(r.samples.map((s) => [s.step, s.input])).toEqual([
      [1, 'training sample 0'],
      [2, 'training sample 0'],
      [3, 'training sample 0'],
    ]);
    r.samples.forEach((s, i) => {
      expect(s.images.map((x) => x.name)).toEqual(sent[i].images.map((x) => x.name));
      s.images.forEach((image, k) => {
        const decoded = decodeImage(image.png, image.name);
        expect([decoded.width, decoded.height]).toEqual([sent[i].images[k].width, sent[i].images[k].height]);
        expect(Array.from(decoded.rgba)).toEqual(Array.from(sent[i].images[k].rgba));
      });
    });
  });

  it('keeps at most MAX_SAMPLE_SNAPSHOTS steps spread over the run, the newest always', () => {
    const run = sampleRecord();
    for (let step = 1; step <= 200; step++) {
      addSamples(run, snapshot(step));
      expect(run.samples.at(-1)!.step).toBe(step);
      expect(run.samples.length).toBe(Math.min(step, MAX_SAMPLE_SNAPSHOTS));
      // Spread: no gap between kept steps beyond twice the even spacing over the run so far.
      const steps = run.samples.map((s) => s.step);
      const gaps = steps.slice(1).map((s, i) => s - steps[i]);
      expect(Math.max(0, ...gaps)).toBeLessThanOrEqual(Math.max(1, (2 * (step - 1)) / (MAX_SAMPLE_SNAPSHOTS - 1)));
    }
    expect(run.samples[0].step).toBe(1);
    expect(() => parseBrowserRun(run, 'thinned')).not.toThrow();
  });

  it('reads a version 1 record (no sample images) as version 2 with none', () => {
    const v1: Record<string, unknown> = { ...sampleRecord(), version: 1 };
    delete v1.samples;
    expect(parseBrowserRun(v1, 'old')).toEqual({ ...sampleRecord(), version: 2, samples: [] });
    // Only 1 → 2 is a migration: unknown versions and a version 1 record carrying bad samples are still refused.
    expect(() => parseBrowserRun({ ...sampleRecord(), version: 3 }, 'r')).toThrow("r: field 'version' 3 is not supported (this build reads version 2)");
    expect(() => parseBrowserRun({ ...sampleRecord(), samples: undefined }, 'r')).toThrow("r: field 'samples' must be an array, got nothing");
  });

  it('refuses hostile sample images, naming the field', () => {
    const withSample = (patch: (s: ReturnType<typeof snapshot>) => void, base = snapshot(1)) => {
      patch(base);
      return { ...sampleRecord(), samples: [base] };
    };
    const lying = writePng({ width: 4, height: 4, channels: 3, data: new Uint8Array(48) });
    const huge = writePng({ width: 1, height: 1, channels: 1, data: new Uint8Array(1) });
    new DataView(huge.buffer).setUint32(16, 100_000);
    const cases: [unknown, string][] = [
      [{ ...sampleRecord(), samples: Array.from({ length: MAX_SAMPLE_SNAPSHOTS + 1 }, (_, i) => snapshot(i + 1)) }, `field 'samples' has ${MAX_SAMPLE_SNAPSHOTS + 1} entries`],
      [{ ...sampleRecord(), samples: [snapshot(2), snapshot(2)] }, "field 'samples[1].step' (2) does not follow step 2"],
      [{ ...sampleRecord(), samples: [snapshot(1, BROWSER_RUN_LIMITS.sampleImages + 1)] }, `field 'samples[0].images' has ${BROWSER_RUN_LIMITS.sampleImages + 1} entries`],
      [withSample((s) => (s.images[0].width = 513)), "field 'samples[0].images[0].width' 513×3 is beyond 512 pixels a side"],
      [withSample((s) => ((s.images[0] as Record<string, unknown>).png = 'iVBORw0KGgo=')), "field 'samples[0].images[0].png' must be bytes (a Uint8Array), got \"iVBORw0KGgo=\""],
      [withSample((s) => (s.images[0].png = new Uint8Array(BROWSER_RUN_LIMITS.samplePngBytes + 1))), `field 'samples[0].images[0].png' is ${BROWSER_RUN_LIMITS.samplePngBytes + 1} bytes`],
      [withSample((s) => (s.images[0].png = new TextEncoder().encode('<svg onload=alert(1)>'))), "field 'samples[0].images[0].png' is not a PNG (no PNG signature)"],
      [withSample((s) => (s.images[0].png = lying)), "field 'samples[0].images[0].png' is 4×4 pixels by its header, but the record says 4×3"],
      [withSample((s) => (s.images[0].png = huge)), "field 'samples[0].images[0].png' declares 100000×1 pixels; 1 to 512 a side are allowed"],
      [withSample((s) => (s.input = 'x'.repeat(5000))), "field 'samples[0].input' is 5000 characters"],
      [withSample((s) => ((s.images[0] as Record<string, unknown>).name = 7)), "field 'samples[0].images[0].name' must be a string"],
    ];
    for (const [value, message] of cases) expect(() => parseBrowserRun(value, "run record 'x'"), message).toThrow(`run record 'x': ${message}`);
  });
});

function sampleRecord(): BrowserRun {
  return {
    format: 'lggan-studio.browser-run',
    version: 2,
    id: 'r1',
    status: 'finished',
    graph: { name: 'g', hash: 'a'.repeat(64), document: { format: 'x' } },
    seed: 1,
    backend: 'cpu',
    batch: 1,
    data: { kind: 'synthetic', description: 'synthetic', name: null, layout: null, syntheticSeed: 7, syntheticCount: 3, fingerprint: 'f', trainSamples: 3, heldOutSamples: 0 },
    steps: { requested: 2, done: 1, resumedFrom: 0 },
    lossTerms: ['l1'],
    losses: { stride: 1, steps: [1], values: [[0.5]], last: { step: 1, values: [0.5] } },
    metrics: [],
    samples: [],
    startedAt: '2026-12-04T23:00:00.000Z',
    endedAt: '2026-12-04T23:00:01.000Z',
    wallSeconds: 1,
  };
}
