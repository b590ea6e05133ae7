import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MemoryEstimate } from '../compiler/memory.ts';
import { initNodeBackend } from '../runtime/tf-node.ts';
import { memoryHint } from './load-program.ts';
import { main } from './main.ts';

const GRAPHS = join(import.meta.dirname, '..', '..', 'graphs');

function recorder() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), readFile: async (p: string) => readFileSync(p, 'utf8') } };
}

/** The official Cityscapes graph at 4096×2048: about 9.6 GiB of activations at batch 1, past wasm's 4 GiB heap. */
function hugeGraph(dir: string): string {
  const doc = JSON.parse(readFileSync(join(GRAPHS, 'lggan-cityscapes.json'), 'utf8'));
  Object.assign(doc.template, { height: 2048, width: 4096 });
  const file = join(dir, 'huge.lggan.json');
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

afterAll(async () => {
  await initNodeBackend('cpu');
});

describe('memory safety valve', () => {
  it('refuses a run whose estimate exceeds the machine before allocating anything, naming estimate and limit', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lggan-mem-')), 'run');
    const { err, io } = recorder();
    const graph = join(GRAPHS, 'lggan-cityscapes.json');
    const code = await main(['train', graph, '--synthetic', '--steps', '1', '--out', out, '--batch', '4096'], io);
    expect(code).toBe(1);
    const line = err.find((l) => l.includes('[memory]'))!;
    expect(line).toMatch(/training this graph needs about [\d.]+ GiB \(weights 445\.8 MiB, optimizer 890\.5 MiB, activations [\d.]+ GiB at batch 4096\), more than the cpu backend's [\d.]+ GiB/);
    expect(existsSync(out)).toBe(false); // nothing written, nothing trained
  });

  it('compile refuses the same way before building the program (no variables, no forward pass)', async () => {
    const { out, err, io } = recorder();
    const code = await main(['compile', join(GRAPHS, 'lggan-cityscapes.json'), '--batch', '4096'], io);
    expect(code).toBe(1);
    const line = err.find((l) => l.includes('[memory]'))!;
    expect(line).toMatch(/lggan-cityscapes\.json:\d+:\d+: error: \[memory\] \(\/template\): running this graph needs about [\d.]+ GiB \(weights 445\.8 MiB, activations [\d.]+ GiB at batch 4096\), more than the cpu backend's [\d.]+ GiB; lower the batch size/);
    expect(out).toEqual([]); // no "N variables" line, no forward pass
  });

  it('generate on wasm refuses a graph past the 4 GiB heap before reading the checkpoint, and says what --backend cpu would do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lggan-mem-'));
    const { out, err, io } = recorder();
    const code = await main(['generate', hugeGraph(dir), '--weights', join(dir, 'absent.safetensors'), '--labels', dir, '--out', join(dir, 'out'), '--backend', 'wasm'], io);
    expect(code).toBe(1);
    expect(err.some((l) => l.includes('cannot read checkpoint'))).toBe(false); // refused first
    const line = err.find((l) => l.includes('[memory]'))!;
    expect(line).toMatch(/huge\.lggan\.json:\d+:\d+: error: \[memory\] \(\/template\): running this graph needs about 9\.6 GiB \(weights 445\.8 MiB, activations 9\.2 GiB at batch 1\), more than the wasm backend's 4\.0 GiB/);
    // Which suggestion depends on this machine's memory; either way it is one of the two.
    expect(line).toMatch(/heap of at most 4 GiB(; --backend cpu is slower but has no such limit|, and --backend cpu would not fit either: .*)\)$/);
    expect(out).toEqual([]);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('memoryHint', () => {
  const estimate = (totalGiB: number, largestGiB = 1): MemoryEstimate => ({
    batch: 1,
    training: false,
    weightBytes: 0,
    optimizerBytes: 0,
    activationBytes: totalGiB * 2 ** 30,
    largestTensorBytes: largestGiB * 2 ** 30,
    totalBytes: totalGiB * 2 ** 30,
  });
  const wasm = { backend: 'wasm', totalBytes: 4 * 2 ** 30, maxTensorBytes: 4 * 2 ** 30 };
  const cpu = { backend: 'cpu', totalBytes: 12 * 2 ** 30, maxTensorBytes: 2 ** 32 - 1 };

  it('suggests --backend cpu on wasm only when the estimate fits the cpu backend here', () => {
    expect(memoryHint(estimate(9), wasm, cpu)).toBe(' (the wasm backend keeps every tensor in a heap of at most 4 GiB; --backend cpu is slower but has no such limit)');
    expect(memoryHint(estimate(20), wasm, cpu)).toBe(' (the wasm backend keeps every tensor in a heap of at most 4 GiB, and --backend cpu would not fit either: this machine gives it 12.0 GiB)');
    expect(memoryHint(estimate(9, 5), wasm, cpu)).toBe(' (the wasm backend keeps every tensor in a heap of at most 4 GiB, and --backend cpu would not fit either: its largest buffer holds 4.0 GiB)');
    expect(memoryHint(estimate(20), cpu, cpu)).toBe('');
  });
});
