/**
 * Shared by the export tests and the benchmark: a graph exported to a temp folder, the studio's
 * program and seeded feeds written as safetensors, and the package's Python run on them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createRegistry } from '../../../nodes/index.ts';
import type { Feeds, Program } from '../../compiler/program.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { loadGraph } from '../../graph/load.ts';
import { runRecordFor, saveCheckpoint } from '../../runtime/checkpoint/index.ts';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../formats/safetensors.ts';
import { NODE_PACK_VERSION } from '../../../nodes/version.ts';
import { exportPytorchPackage } from './index.ts';

/** Debian's Python with PyTorch (not a pyenv python3 that may come first on PATH). */
export const PYTHON = process.env.LGGAN_PYTHON ?? '/usr/bin/python3';

/** Throws a clear error when PyTorch cannot be imported. */
export function requireTorch(): string {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `PyTorch is missing: '${PYTHON} -c "import torch"' failed (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}). ` +
        'Install it with `apt-get install python3-torch` (or set LGGAN_PYTHON to a Python that has torch).',
    );
  }
  return probe.stdout.trim();
}

export function readShippedGraph(name: string): GraphDocument {
  const text = readFileSync(new URL(`../../../graphs/${name}`, import.meta.url), 'utf8');
  const loaded = loadGraph(text, { registry: createRegistry() });
  if (!loaded.ok) throw new Error(`graphs/${name} does not load`);
  return loaded.doc;
}

/** The shipped Cityscapes tiny graph with 3 classes and ngf = ndf = 2: the same structure, a faster tfjs forward. */
export function reducedCityscapes(): GraphDocument {
  const doc = readShippedGraph('lggan-cityscapes-tiny.json');
  Object.assign(doc.template, { num_classes: 3, ngf: 2, ndf: 2 });
  return doc;
}

export function tempDir(prefix = 'lggan-export-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes the package to `dir`. */
export function writePackage(doc: GraphDocument, dir: string): Map<string, string | Uint8Array> {
  const files = exportPytorchPackage(doc, createRegistry());
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return files;
}

/** Runs a script of the package with the test Python; throws with its stderr on failure. */
export function runPython(dir: string, args: string[], options: { env?: Record<string, string>; module?: boolean } = {}): string {
  const result = spawnSync(PYTHON, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', ...options.env } });
  if (result.status !== 0) throw new Error(`python ${args.join(' ')} failed (${result.status}):\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

export function writeFeeds(path: string, feeds: Feeds): void {
  const tensors = new Map<string, TensorToWrite>();
  for (const [name, t] of Object.entries(feeds)) tensors.set(name, { dtype: t.dtype === 'int32' ? 'I32' : 'F32', shape: [...t.shape], values: t.dataSync() });
  writeFileSync(path, writeSafetensors(tensors));
}

export async function writeWeights(path: string, program: Program): Promise<void> {
  writeFileSync(path, await saveCheckpoint(program, { record: runRecordFor(program, { nodePackVersion: NODE_PACK_VERSION }) }));
}

/** Largest |a − b| between a tfjs tensor and a stored one of the same shape. */
export function maxAbsDiff(ours: tf.Tensor, stored: { shape: number[]; values: ArrayLike<number> }): number {
  if (ours.shape.join(',') !== stored.shape.join(',')) throw new Error(`shape [${ours.shape}] vs [${stored.shape}]`);
  const a = ours.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - stored.values[i]));
  return worst;
}

export function readOutputs(path: string) {
  return readSafetensors(new Uint8Array(readFileSync(path))).tensors;
}

