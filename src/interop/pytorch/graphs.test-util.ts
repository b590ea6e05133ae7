/** Test helpers: shipped graphs resolved, seeded random state_dicts, layout checks by index arithmetic. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import type { OfficialKey } from '../../../nodes/contract.ts';
import type { GraphIR } from '../../compiler/ir.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { loadGraph } from '../../graph/load.ts';
import type { ImportedWeight } from './import.ts';
import type { TensorToSave } from './write.ts';
import { uniformStream } from '../../compiler/rng.ts';

export const root = join(import.meta.dirname, '..', '..', '..');
export const registry = createRegistry();

export function shippedDoc(file: string, template: Record<string, number> = {}): string {
  const doc = JSON.parse(readFileSync(join(root, 'graphs', file), 'utf8'));
  Object.assign(doc.template, template);
  return JSON.stringify(doc);
}

export function resolveShipped(file: string, template: Record<string, number> = {}): GraphIR {
  const loaded = loadGraph(shippedDoc(file, template), { registry });
  if (!loaded.ok) throw new Error(`${file} does not load`);
  return resolveGraph(loaded.doc, registry, { batch: 1 });
}

export interface ReferenceEntry {
  key: string;
  shape: number[];
  dtype: 'float32' | 'int64';
}

export function referenceEntries(name: string): ReferenceEntry[] {
  return JSON.parse(readFileSync(join(root, 'nodes', 'lggan', 'reference', `${name}.json`), 'utf8')).entries;
}

/** A seeded generator of values in (-1, 1), from the compiler's weight-init stream. */
export function seededRandom(seed: number): () => number {
  const uniform = uniformStream(seed);
  return () => uniform() * 2 - 1;
}

/** A state_dict with random values: float32 entries uniform in (-1, 1), int64 entries small counters. */
export function randomStateDict(entries: readonly { key: string; shape: number[]; dtype?: string; layout?: string }[], seed: number): TensorToSave[] {
  const random = seededRandom(seed);
  return entries.map((e) => {
    const count = e.shape.reduce((n, d) => n * d, 1);
    const int = e.dtype === 'int64' || e.layout === 'scalar';
    return int
      ? { key: e.key, dtype: 'int64', shape: e.shape, values: BigInt64Array.from({ length: count }, (_, i) => BigInt(i + 17)) }
      : { key: e.key, dtype: 'float32', shape: e.shape, values: Float32Array.from({ length: count }, random) };
  });
}

/** Checks an imported tfjs-layout weight against the PyTorch values element by element, with the index arithmetic written out. */
export function expectLaidOut(weight: ImportedWeight, torch: Float32Array, torchShape: number[], layout: OfficialKey['layout'], what: string): void {
  let mismatches = 0;
  if (layout === 'conv2d' || layout === 'conv2d-transpose') {
    const [a, b, kh, kw] = torchShape; // conv2d [out, in, kh, kw] → [kh, kw, in, out]; transposed [in, out, kh, kw] → [kh, kw, out, in]
    expect(weight.shape, what).toEqual([kh, kw, b, a]);
    for (let i = 0; i < a; i++)
      for (let j = 0; j < b; j++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) {
            if (torch[((i * b + j) * kh + y) * kw + x] !== weight.values[((y * kw + x) * b + j) * a + i]) mismatches++;
          }
  } else if (layout === 'linear') {
    const [out, inp] = torchShape;
    expect(weight.shape, what).toEqual([inp, out]);
    for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) if (torch[o * inp + i] !== weight.values[i * out + o]) mismatches++;
  } else {
    expect(weight.shape, what).toEqual(torchShape);
    for (let i = 0; i < torch.length; i++) if (torch[i] !== weight.values[i]) mismatches++;
  }
  expect(mismatches, `${what}: elements that differ`).toBe(0);
}

/**
 * A state_dict with values a trained network could have: weights scaled by their fan-in, small
 * biases, running_var in [0.5, 1.5], unit u and v = normalize(mat(W)ᵀu) (so σ = uᵀWv is the
 * positive ‖mat(W)ᵀu‖), int64 counters. Entries must come in state_dict order (weight_orig before weight_v).
 */
export function plausibleStateDict(entries: readonly { key: string; shape: number[]; layout: OfficialKey['layout'] }[], seed: number): TensorToSave[] {
  const random = seededRandom(seed);
  const fill = (count: number, scale: number, offset = 0) => Float32Array.from({ length: count }, () => offset + scale * random());
  const unit = (v: Float32Array) => {
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  const byKey = new Map<string, Float32Array>();
  return entries.map((e) => {
    const count = e.shape.reduce((n, d) => n * d, 1);
    const name = e.key.slice(e.key.lastIndexOf('.') + 1);
    const base = e.key.slice(0, e.key.length - name.length);
    if (e.layout === 'scalar') return { key: e.key, dtype: 'int64', shape: e.shape, values: BigInt64Array.of(3n) };
    let values: Float32Array;
    if (name === 'running_var') values = fill(count, 0.5, 1);
    else if (name === 'running_mean' || name === 'bias') values = fill(count, 0.2);
    else if (name === 'weight_u') values = unit(fill(count, 1));
    else if (name === 'weight_v') {
      const w = byKey.get(`${base}weight_orig`)!;
      const u = byKey.get(`${base}weight_u`)!;
      const cols = count;
      const t = new Float32Array(cols);
      for (let r = 0; r < u.length; r++) for (let c = 0; c < cols; c++) t[c] += w[r * cols + c] * u[r];
      values = unit(t);
    } else {
      const [a, b, kh = 1, kw = 1] = e.shape;
      const fanIn = e.layout === 'conv2d-transpose' ? (a * kh * kw) / 4 : (b ?? 1) * kh * kw;
      values = fill(count, Math.sqrt(3 / Math.max(1, fanIn)));
    }
    byKey.set(e.key, values);
    return { key: e.key, dtype: 'float32', shape: e.shape, values };
  });
}
