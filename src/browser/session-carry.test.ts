/**
 * The worker session's "continue with weights kept": a run's end checkpoint carried over into an
 * edited graph (gen1's kernel 3 → 5), on tfjs-cpu with an in-memory store.
 */
import { describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../runtime/checkpoint/store.ts';
import { tinyTrainingGraph } from './tiny-training-graph.test-util.ts';
import type { CarriedMessage, EndMessage, ProgressMessage, RunSpec, StartedMessage, StartMessage, WorkerMessage } from './protocol.ts';
import { TrainingSession } from './session.ts';

const spec = (steps: number): RunSpec => ({ steps, seed: 3, dataset: { kind: 'synthetic', seed: 7, count: 3 }, batchSize: 1, backend: 'cpu', autosaveEvery: 0, sampleEvery: 0, evalEvery: 0, heldOut: 1 });

async function run(message: StartMessage): Promise<WorkerMessage[]> {
  const messages: WorkerMessage[] = [];
  const s = new TrainingSession({
    post: (m) => messages.push(m),
    store: new MemoryCheckpointStore(),
    selectBackend: async () => ({ backend: 'cpu', attempts: [{ name: 'cpu', ok: true }] }),
    nodePackVersion: '0.0.0-test',
  });
  s.handle(message);
  await s.done;
  return messages;
}

function editedGraph() {
  const doc = tinyTrainingGraph();
  doc.nodes.find((n) => n.id === 'gen1')!.params.kernel = 5;
  return doc;
}

describe('TrainingSession carry-over', () => {
  it('trains an edited graph on from a run of the original, reporting what was kept', async () => {
    const first = await run({ type: 'start', graph: tinyTrainingGraph(), spec: spec(2), runId: 'run-1' });
    const end = first.at(-1) as EndMessage;
    expect(end).toMatchObject({ type: 'finished', step: 2 });

    const strict = await run({ type: 'start', graph: editedGraph(), spec: spec(3), runId: 'run-2', checkpoint: end.checkpoint!.slice() });
    expect(strict.find((m) => m.type === 'error')).toMatchObject({ error: { kind: 'checkpoint' } });

    const carried = await run({ type: 'start', graph: editedGraph(), spec: spec(3), runId: 'run-3', checkpoint: end.checkpoint!.slice(), carryOver: true });
    const report = carried.find((m): m is CarriedMessage => m.type === 'carried')!;
    expect(report).toMatchObject({ step: 2, totals: { reinitialised: 1, dropped: 0 } });
    expect(report.lines).toContain('  gen1: partial — 1 variable kept; weight re-initialised (shape [3, 3, 5, 4] → [5, 5, 5, 4])');
    expect(carried.find((m): m is StartedMessage => m.type === 'started')!.fromStep).toBe(2);
    const steps = carried.filter((m): m is ProgressMessage => m.type === 'progress');
    expect(steps.map((p) => p.step)).toEqual([3]);
    for (const v of Object.values(steps[0].losses)) expect(Number.isFinite(v)).toBe(true);
    expect(carried.at(-1)).toMatchObject({ type: 'finished', step: 3 });
  });
});
