/**
 * The PyTorch checkpoint worker's session on tfjs-cpu: a .pth of the tiny cross-view graph's G is
 * imported into a whole-graph checkpoint that loads strictly and exports back to the same values;
 * strict mode refuses a file with missing / unexpected keys and returns the report, partial mode
 * imports the rest and leaves the missing variables at their initial values; bad bytes are named.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../compiler/program.ts';
import { officialStateDict } from '../compiler/official.ts';
import { registry, plausibleStateDict, resolveShipped, shippedDoc } from '../interop/pytorch/graphs.test-util.ts';
import { readTorchCheckpoint } from '../interop/pytorch/read.ts';
import { extractStateDict } from '../interop/pytorch/state-dict.ts';
import { tensorToFloat32 } from '../interop/pytorch/tensor.ts';
import { writeTorchCheckpoint, type TensorToSave } from '../interop/pytorch/write.ts';
import { loadCheckpoint, readCheckpointRecord } from '../runtime/checkpoint/checkpoint.ts';
import { readSafetensors } from '../formats/safetensors.ts';
import type { ExportedMessage, ImportedMessage, ImportRefusedMessage, PytorchWorkerMessage } from './pytorch-protocol.ts';
import { IMPORT_EXTRA_KEY, PytorchSession } from './pytorch-session.ts';

const GRAPH = 'lggan-crossview-dayton-tiny.json';
const graph = () => JSON.parse(shippedDoc(GRAPH));
const ir = resolveShipped(GRAPH);
const entries = officialStateDict(ir, 'G');
const stateDict = plausibleStateDict(entries, 11);

function session() {
  const messages: PytorchWorkerMessage[] = [];
  const backends: string[] = [];
  const s = new PytorchSession({
    post: (m) => messages.push(m),
    selectBackend: async (setting) => {
      backends.push(setting);
      return { backend: 'cpu', attempts: [{ name: 'cpu', ok: true }] };
    },
    nodePackVersion: '0.0.0-test',
    registry,
  });
  return { s, messages, backends };
}

const pth = (tensors: TensorToSave[]) => writeTorchCheckpoint(tensors) as Uint8Array<ArrayBuffer>;

describe('PytorchSession', () => {
  it('imports a .pth into a whole-graph checkpoint that loads strictly, and exports it back to the same values', async () => {
    const { s, messages, backends } = session();
    const before = tf.memory().numTensors;
    await s.handle({ type: 'import-pth', id: 1, graph: graph(), bytes: pth(stateDict), fileName: 'G.pth' });
    expect(tf.memory().numTensors).toBe(before);
    expect(backends).toEqual(['cpu']);
    const imported = messages[0] as ImportedMessage;
    expect(imported).toMatchObject({ type: 'imported', id: 1, report: { network: 'G', mode: 'strict', missing: [], unexpected: [], misshaped: [] } });
    expect(imported.report.mapped.length).toBe(entries.filter((e) => e.variableName !== null).length);
    expect(imported.lines[0]).toMatch(/^network G: \d+ keys mapped, .* 0 missing, 0 unexpected, 0 misshaped/);
    const record = readCheckpointRecord(imported.checkpoint)!;
    expect(record).toMatchObject({ step: 0, graphName: graph().meta.name, extra: { [IMPORT_EXTRA_KEY]: { file: 'G.pth', network: 'G', mode: 'strict', mapped: imported.report.mapped.length, missing: 0 } } });

    // The whole graph (D1 and D2 too) loads strictly from it.
    const program = compileProgram(ir);
    try {
      expect(loadCheckpoint(program, imported.checkpoint).missing).toEqual([]);
    } finally {
      program.dispose();
    }

    await s.handle({ type: 'export-pth', id: 2, graph: graph(), checkpoint: imported.checkpoint.slice() });
    const exported = messages[1] as ExportedMessage;
    expect(exported).toMatchObject({ type: 'exported', id: 2, report: { network: 'G', missing: [], misshaped: [] } });
    expect(exported.lines[0]).toMatch(/^network G: \d+ official keys written from the weights/);
    const back = extractStateDict(readTorchCheckpoint(exported.bytes).root).tensors;
    let compared = 0;
    for (const t of stateDict) {
      if (t.dtype !== 'float32' || !exported.report.written.includes(t.key)) continue;
      expect(Array.from(tensorToFloat32(back.get(t.key)!, t.key)), t.key).toEqual(Array.from(t.values as Float32Array));
      compared++;
    }
    expect(compared).toBe(exported.report.written.length);
  });

  it('strict mode refuses missing and unexpected keys with the report; partial imports the rest, the missing keep their initial values', async () => {
    const { s, messages } = session();
    const dropped = entries.find((e) => e.variableName !== null && e.key.endsWith('weight'))!;
    const damaged = [...stateDict.filter((t) => t.key !== dropped.key), { key: 'extra.layer.weight', dtype: 'float32' as const, shape: [2], values: Float32Array.of(1, 2) }];
    const bytes = pth(damaged);

    await s.handle({ type: 'import-pth', id: 1, graph: graph(), bytes, fileName: 'damaged.pth' });
    const refused = messages[0] as ImportRefusedMessage;
    expect(refused).toMatchObject({ type: 'import-refused', id: 1, report: { mode: 'strict', missing: [dropped.key], unexpected: ['extra.layer.weight'] } });
    expect(refused.message).toMatch(/^damaged\.pth: checkpoint does not match network 'G' \(strict mode; partial mode imports what matches\)/);
    expect(refused.lines).toContainEqual(`missing 1: ${dropped.key}`);

    await s.handle({ type: 'import-pth', id: 2, graph: graph(), bytes, fileName: 'damaged.pth', mode: 'partial' });
    const partial = messages[1] as ImportedMessage;
    expect(partial).toMatchObject({ type: 'imported', id: 2, report: { mode: 'partial', missing: [dropped.key], unexpected: ['extra.layer.weight'] } });
    const file = readSafetensors(partial.checkpoint);
    const initial = compileProgram(ir);
    try {
      const name = dropped.variableName!;
      expect(Array.from(file.tensors.get(name)!.values)).toEqual(Array.from(initial.variables.get(name)!.dataSync()));
    } finally {
      initial.dispose();
    }
  });

  it('names the file that is not a PyTorch checkpoint, an unknown network and a checkpoint of another graph', async () => {
    const { s, messages } = session();
    await s.handle({ type: 'import-pth', id: 1, graph: graph(), bytes: new TextEncoder().encode('not a pickle') as Uint8Array<ArrayBuffer>, fileName: 'notes.pth' });
    expect(messages[0]).toMatchObject({ type: 'error', id: 1, error: { kind: 'checkpoint', message: expect.stringMatching(/^notes\.pth: /) } });
    await s.handle({ type: 'import-pth', id: 2, graph: graph(), bytes: pth(stateDict), fileName: 'G.pth', network: 'Q' });
    expect(messages[1]).toMatchObject({ type: 'error', id: 2, error: { kind: 'checkpoint', message: "G.pth: the graph has no network 'Q' (networks: G, D1, D2)" } });

    const other = graph();
    other.template.ngf = 4;
    await s.handle({ type: 'import-pth', id: 3, graph: graph(), bytes: pth(stateDict), fileName: 'G.pth' });
    await s.handle({ type: 'export-pth', id: 4, graph: other, checkpoint: (messages[2] as ImportedMessage).checkpoint });
    expect(messages[3]).toMatchObject({ type: 'error', id: 4, error: { kind: 'checkpoint', message: expect.stringMatching(/cannot export network 'G' \(strict mode\):\n {2}'[\w.]+' is \[[\d, ]+\] but the official key needs/) } });
    await s.handle({ type: 'export-pth', id: 5, graph: graph(), checkpoint: new Uint8Array(4) });
    expect(messages[4]).toMatchObject({ type: 'error', id: 5, error: { kind: 'checkpoint', message: expect.stringMatching(/not a readable \.safetensors file/) } });
  });
});
