import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { officialStateDict } from '../../compiler/official.ts';
import { compileProgram } from '../../compiler/program.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { loadGraph } from '../../graph/load.ts';
import { graphHash } from '../../graph/hash.ts';
import { randomStateDict } from '../../interop/pytorch/graphs.test-util.ts';
import { extractStateDict, readTorchCheckpoint, tensorToFloat32, writeTorchCheckpoint } from '../../interop/pytorch/index.ts';
import { checkpointRecord, loadCheckpoint } from '../../runtime/checkpoint/index.ts';
import { readSafetensors } from '../../formats/safetensors.ts';
import { concat, craftedCheckpoint, picklePth, repeated } from '../../interop/pytorch/hostile.test-util.ts';
import { cli, tempDir, writeTinyLggan } from '../cli.test-util.ts';
import { CliProblem, UsageError, type CliIO } from '../io.ts';
import { exportCheckpoint } from './export-checkpoint.ts';
import { importCheckpoint } from './import-checkpoint.ts';

const registry = createRegistry();

function recorder(): CliIO & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(...l.split('\n')), err: (l) => errors.push(...l.split('\n')), readFile: async (p) => readFileSync(p, 'utf8') };
}

describe('lggan import-checkpoint / export-checkpoint', () => {
  const { dir, cleanup } = tempDir('lggan-pth-cli-');
  afterAll(cleanup);
  const graph = writeTinyLggan(dir);
  const loaded = loadGraph(readFileSync(graph, 'utf8'), { registry });
  if (!loaded.ok) throw new Error('tiny graph does not load');
  const ir = resolveGraph(loaded.doc, registry, { batch: 1 });
  const entries = officialStateDict(ir, 'G');
  const stateDict = randomStateDict(entries.map((e) => ({ key: e.key, shape: e.shape, layout: e.layout })), 5);
  const pth = join(dir, '200_net_G.pth');
  writeFileSync(pth, writeTorchCheckpoint(stateDict));

  it('imports an official G checkpoint into a safetensors checkpoint that loads into the compiled graph', async () => {
    const io = recorder();
    const out = join(dir, 'imported.safetensors');
    expect(await importCheckpoint([graph, pth, '-o', out], registry, io)).toBe(0);
    const kept = entries.filter((e) => e.variableName !== null).length;
    expect(io.lines[0]).toBe(`network G: ${kept} keys mapped, 0 converted, ${entries.length - kept} ignored, 0 missing, 0 unexpected, 0 misshaped, 0 uncovered (zip checkpoint, strict)`);
    expect(io.lines).toContain(`wrote ${kept} variables of network G to ${out}`);
    const file = readSafetensors(new Uint8Array(readFileSync(out)));
    const record = checkpointRecord(file)!;
    expect(record.graphHash).toBe(graphHash(loaded.doc));
    expect(record.extra).toEqual({ importedFrom: '200_net_G.pth', network: 'G', format: 'zip', mode: 'strict' });
    const program = compileProgram(ir);
    try {
      const report = loadCheckpoint(program, file, { mode: 'partial', networks: ['G'] });
      expect(report.missing).toEqual([]);
      expect(report.misshaped).toEqual([]);
      expect(report.loaded).toHaveLength(kept);
    } finally {
      program.dispose();
    }
  });

  it('exports the imported weights back to the same official state_dict', async () => {
    const io = recorder();
    const weights = join(dir, 'imported.safetensors');
    const out = join(dir, 'exported.pth');
    expect(await exportCheckpoint([graph, weights, '-o', out, '--network', 'G'], registry, io)).toBe(0);
    expect(io.lines.at(-1)).toBe(`wrote ${entries.length} official keys of network G (${entries.filter((e) => e.variableName !== null).length} from variables) to ${out}`);
    expect(io.lines[0]).toBe('filled 2 with zeros: an official layer that forward never uses, not kept by this graph: fc.weight, fc.bias');
    expect(io.lines[1]).toMatch(/^filled 18 with int64 0: batches are not counted here/);
    const back = extractStateDict(readTorchCheckpoint(new Uint8Array(readFileSync(out))).root);
    expect([...back.tensors.keys()]).toEqual(entries.map((e) => e.key));
    for (const t of stateDict) {
      if (t.dtype !== 'float32' || t.key.startsWith('fc.')) continue; // fc: never used, not kept, written as zeros
      expect(tensorToFloat32(back.tensors.get(t.key)!), t.key).toEqual(Float32Array.from(t.values as Float32Array));
    }
  });

  it('prints the report and fails in strict mode when keys are missing; --partial imports the rest', async () => {
    const broken = join(dir, 'broken.pth');
    writeFileSync(broken, writeTorchCheckpoint(stateDict.filter((t) => t.key !== 'conv_img.bias')));
    const io = recorder();
    await expect(importCheckpoint([graph, broken, '-o', join(dir, 'x.safetensors')], registry, io)).rejects.toThrow(
      new CliProblem(`${broken}: checkpoint does not match network 'G' (strict mode; partial mode imports what matches): (see the report above; --partial imports what matches)`),
    );
    expect(io.lines).toContain('missing 1: conv_img.bias');
    const partial = recorder();
    expect(await importCheckpoint([graph, broken, '-o', join(dir, 'partial.safetensors'), '--partial'], registry, partial)).toBe(0);
    expect(partial.lines[0]).toMatch(/1 missing, .*\(zip checkpoint, partial\)$/);
  });

  it('gives one clear line for bad command lines and unreadable files', async () => {
    await expect(importCheckpoint([graph, pth], registry, recorder())).rejects.toThrow(new UsageError('import-checkpoint needs -o WEIGHTS.safetensors'));
    await expect(importCheckpoint([graph], registry, recorder())).rejects.toThrow(UsageError);
    await expect(importCheckpoint([graph, join(dir, 'none.pth'), '-o', 'x'], registry, recorder())).rejects.toThrow(`cannot read checkpoint '${join(dir, 'none.pth')}': no such file`);
    const junk = join(dir, 'junk.pth');
    writeFileSync(junk, 'not a checkpoint at all');
    await expect(importCheckpoint([graph, junk, '-o', 'x'], registry, recorder())).rejects.toThrow(/^.*junk\.pth: not a PyTorch checkpoint: neither a zip archive nor a legacy torch\.save stream/);
    await expect(importCheckpoint([graph, pth, '-o', 'x', '--network', 'D9'], registry, recorder())).rejects.toThrow("the graph has no network 'D9' (networks: G, D)");
    await expect(exportCheckpoint([graph, pth, '-o', join(dir, 'y.pth')], registry, recorder())).rejects.toThrow(/is not a readable checkpoint/);
  });

  it('an output path that cannot be written is exit 1 naming it, not an internal error', async () => {
    const out = join(dir, 'no-such-folder', 'w.safetensors');
    const r = await cli(['import-checkpoint', graph, pth, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.err.at(-1)).toBe(`error ENOENT: no such file or directory, open '${out}'`);
  });

  it('a hostile checkpoint is bad input (exit 1, one located line), not an internal error', async () => {
    // A 20 MB storage for a graph whose variables need a few KB, deflated to ~20 KB; and a pickle nested 200k deep.
    const bomb = join(dir, 'bomb.pth');
    writeFileSync(bomb, craftedCheckpoint([{ key: 'conv_img.bias', storage: '0', numel: 5_000_000, size: [3], stride: [1] }], { '0': { data: new Uint8Array(20_000_000), deflate: true } }));
    const refused = await cli(['import-checkpoint', graph, bomb, '-o', join(dir, 'bomb.safetensors')]);
    expect(refused.code).toBe(1);
    expect(refused.err.at(-1)).toEqual(expect.stringMatching(new RegExp(`^error ${bomb}: storage '0' \\(persistent id at byte \\d+ of archive/data\\.pkl\\) declares 5000000 × float32 \\(20000000 bytes\\), more than the \\d+ bytes the target's variables can use: refused before reading it$`)));
    expect(refused.err.slice(0, -1).every((l) => l.startsWith('warning '))).toBe(true); // the graph's own warnings, kept
    const deep = join(dir, 'deep.pth');
    writeFileSync(deep, picklePth(concat([0x80, 2], repeated(200_000, 0x5d), repeated(199_999, 0x61), [0x2e])));
    const nested = await cli(['import-checkpoint', graph, deep, '-o', join(dir, 'deep.safetensors')]);
    expect(nested.code).toBe(1);
    expect(nested.err.at(-1)).toBe(`error ${deep}: pickle: the list of 1 made at byte 102 of archive/data.pkl is nested more than 100 levels deep: not a state_dict`);
  });
});
