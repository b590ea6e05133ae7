/**
 * The page-side client against fake workers: it relays the protocol, tracks the run's state, frees
 * a finished worker, and restarts a crashed worker from the run's autosave.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RUN_RECORD_FORMAT, RUN_RECORD_VERSION, type RunRecord } from '../runtime/checkpoint/record.ts';
import type { CheckpointEntry } from '../runtime/checkpoint/store.ts';
import type { AutosaveExtra } from './autosave.ts';
import { TrainingClient, type ClientEvent, type WorkerLike } from './client.ts';
import { autosaveKey, type PageMessage, type RunSpec, type WorkerMessage } from './protocol.ts';

class FakeWorker implements WorkerLike {
  posted: PageMessage[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: ((event: MessageEvent) => void) | null = null;
  postMessage(message: PageMessage): void {
    this.posted.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(message: WorkerMessage): void {
    this.onmessage?.({ data: message } as MessageEvent<WorkerMessage>);
  }
  crash(message = 'Uncaught RangeError: out of memory'): void {
    this.onerror?.({ message, preventDefault() {} } as ErrorEvent);
  }
}

const HASH = 'a'.repeat(64);
const spec: RunSpec = { steps: 10, seed: 1, dataset: { kind: 'synthetic', seed: 2, count: 4 }, backend: 'auto', autosaveEvery: 2 };
const graph = { format: 'lggan-studio.graph', meta: { name: 'g' } };

function autosaveEntry(runId: string, step: number): CheckpointEntry {
  const extra: AutosaveExtra = { runId, spec: { ...spec, batchSize: 1, sampleEvery: 10 } as AutosaveExtra['spec'], graph };
  const record: RunRecord = {
    format: RUN_RECORD_FORMAT,
    version: RUN_RECORD_VERSION,
    graphHash: HASH,
    graphName: 'g',
    seed: 1,
    step,
    nodePackVersion: '0.1.0',
    tfjsVersion: '4.22.0',
    backend: 'webgpu',
    datasetFingerprint: 'synthetic-scene:4:x',
    created: '2025-01-01T00:00:00.000Z',
    extra: { autosave: extra },
  };
  return { name: autosaveKey(HASH), record, size: 100 };
}

function setUp(entries: CheckpointEntry[] = [], maxRestarts?: number) {
  const workers: FakeWorker[] = [];
  const client = new TrainingClient({
    createWorker: () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
    store: { list: async () => entries },
    maxRestarts,
  });
  const seen: ClientEvent[] = [];
  client.subscribe((e) => seen.push(e));
  return { client, workers, seen, entries };
}

const started = (runId: string): WorkerMessage => ({
  type: 'started',
  runId,
  backend: 'webgpu',
  attempts: [{ name: 'webgpu', ok: true }],
  graphName: 'g',
  graphHash: HASH,
  autosaveKey: autosaveKey(HASH),
  fromStep: 0,
  steps: 10,
  batchSize: 1,
  images: ['final'],
  trainSamples: 16,
  heldOutSamples: 4,
  evalEvery: 50,
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('TrainingClient', () => {
  it('starts a worker per run, relays controls and messages, tracks the state and frees the worker at the end', () => {
    const { client, workers, seen } = setUp();
    const runId = client.start(graph, spec);
    expect(client.state).toBe('starting');
    expect(workers[0].posted).toEqual([{ type: 'start', graph, spec, runId, fromAutosave: false }]);

    workers[0].reply(started(runId));
    expect(client.state).toBe('running');
    client.pause();
    workers[0].reply({ type: 'state', state: 'paused', step: 3 });
    expect(client.state).toBe('paused');
    client.resume();
    client.stop();
    expect(workers[0].posted.slice(1)).toEqual([{ type: 'pause' }, { type: 'resume' }, { type: 'stop' }]);
    workers[0].reply({ type: 'stopped', step: 4 });
    expect(client.state).toBe('stopped');
    expect(workers[0].terminated).toBe(true);
    expect(seen.map((e) => e.type)).toEqual(['started', 'state', 'stopped']);

    // A run error fails the run and frees its worker too.
    client.start(graph, spec);
    workers[1].reply({ type: 'error', error: { kind: 'dataset', message: 'a.png: corrupt', file: 'a.png', code: 'decode' } });
    expect(client.state).toBe('failed');
    expect(workers[1].terminated).toBe(true);
  });

  it('restarts a crashed worker from the run’s autosave, with the same run id, graph and spec', async () => {
    const { client, workers, seen, entries } = setUp();
    const runId = client.start(graph, spec);
    workers[0].reply(started(runId));
    entries.push(autosaveEntry(runId, 6));
    workers[0].crash();
    await settle();
    expect(workers[0].terminated).toBe(true);
    expect(seen.at(-1)).toEqual({ type: 'crashed', message: 'Uncaught RangeError: out of memory', action: 'resuming', fromStep: 6 });
    expect(workers[1].posted).toEqual([{ type: 'start', graph, spec, runId, fromAutosave: true }]);
    expect(client.state).toBe('starting');
  });

  describe('on a page with ?wasm-threads=', () => {
    afterEach(() => vi.unstubAllGlobals());

    it('passes it on as written to the worker, and again to a restarted one', async () => {
      vi.stubGlobal('document', {});
      vi.stubGlobal('location', { search: '?x=1&wasm-threads=1' });
      const { client, workers, entries } = setUp();
      const runId = client.start(graph, spec);
      expect(workers[0].posted).toEqual([{ type: 'start', graph, spec, runId, fromAutosave: false, wasmThreads: '1' }]);
      workers[0].reply(started(runId));
      entries.push(autosaveEntry(runId, 6));
      workers[0].crash();
      await settle();
      expect(workers[1].posted).toEqual([{ type: 'start', graph, spec, runId, fromAutosave: true, wasmThreads: '1' }]);
    });
  });

  it('does not resume another run’s autosave, and gives up after maxRestarts', async () => {
    const other = setUp([autosaveEntry('someone-else', 8)]);
    const runId = other.client.start(graph, spec);
    other.workers[0].reply(started(runId));
    other.workers[0].crash();
    await settle();
    expect(other.seen.at(-1)).toMatchObject({ type: 'crashed', action: 'no-autosave' });
    expect(other.client.state).toBe('failed');
    expect(other.workers).toHaveLength(1);

    const flaky = setUp([], 1);
    const id = flaky.client.start(graph, spec);
    flaky.entries.push(autosaveEntry(id, 2));
    flaky.workers[0].reply(started(id));
    flaky.workers[0].crash();
    await settle();
    flaky.workers[1].reply(started(id));
    flaky.workers[1].crash('Uncaught Error: device lost');
    await settle();
    expect(flaky.seen.filter((e) => e.type === 'crashed').map((e) => (e as { action: string }).action)).toEqual(['resuming', 'gave-up']);
    expect(flaky.client.state).toBe('failed');
  });

  it('lists autosaves and resumes one as the same run', async () => {
    const { client, workers } = setUp([autosaveEntry('run-7', 4)]);
    const found = await client.findAutosave(HASH);
    expect(found).toMatchObject({ key: autosaveKey(HASH), step: 4, runId: 'run-7', graphName: 'g', backend: 'webgpu' });
    expect(await client.findAutosave('b'.repeat(64))).toBeNull();
    client.resumeFrom(found!, { steps: 20 });
    expect(workers[0].posted).toEqual([{ type: 'start', graph, spec: { ...found!.spec, steps: 20 }, runId: 'run-7', fromAutosave: true }]);
  });
});
