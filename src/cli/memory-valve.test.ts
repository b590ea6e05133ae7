import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';

describe('memory safety valve', () => {
  it('refuses a run whose estimate exceeds the machine before allocating anything, naming estimate and limit', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lggan-mem-')), 'run');
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l), readFile: async (p: string) => readFileSync(p, 'utf8') };
    const graph = join(import.meta.dirname, '..', '..', 'graphs', 'lggan-cityscapes.json');
    const code = await main(['train', graph, '--synthetic', '--steps', '1', '--out', out, '--batch', '4096'], io);
    expect(code).toBe(1);
    const line = err.find((l) => l.includes('[memory]'))!;
    expect(line).toMatch(/training this graph needs about [\d.]+ GiB \(weights 445\.8 MiB, optimizer 890\.5 MiB, activations [\d.]+ GiB at batch 4096\), more than the cpu backend's [\d.]+ GiB/);
    expect(existsSync(out)).toBe(false); // nothing written, nothing trained
  });
});
