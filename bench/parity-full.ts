/**
 * Parity of the full-width Cityscapes LGGAN generator (ngf 64, 35 classes, SPADE hidden 128) with
 * the PyTorch reference (src/interop/pytorch/fixtures), on each Node backend asked for: the same
 * plausible weights through a .pth, the same label map, every output (final, global, local,
 * attention, per-class images, logits) compared with max |tfjs − PyTorch| against the 1e-4 gate.
 * Too heavy for the test suite (at 512×256: ≈3 GB, minutes on wasm; cpu takes far longer), so a
 * script:
 *   node --import tsx bench/parity-full.ts [--size 128x64|512x256] [--backends wasm,cpu]
 * Needs /usr/bin/python3 with torch (or $LGGAN_PYTHON).
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { officialStateDict } from '../src/compiler/official.ts';
import { compileProgram } from '../src/compiler/program.ts';
import { plausibleStateDict, resolveShipped } from '../src/interop/pytorch/graphs.test-util.ts';
import { importCheckpointBytes } from '../src/interop/pytorch/import.ts';
import { permute } from '../src/interop/pytorch/layout.ts';
import { runTorchScript, torchAvailable } from '../src/interop/pytorch/python.test-util.ts';
import { readTorchCheckpoint } from '../src/interop/pytorch/read.ts';
import { extractStateDict } from '../src/interop/pytorch/state-dict.ts';
import { tensorToFloat32 } from '../src/interop/pytorch/tensor.ts';
import { writeTorchCheckpoint } from '../src/interop/pytorch/write.ts';
import { initNodeBackend, parseNodeBackend } from '../src/runtime/tf-node.ts';

const GATE = 1e-4;
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const [width, height] = flag('size', '128x64').split('x').map(Number);
const backends = flag('backends', 'wasm').split(',').map((b) => parseNodeBackend(b, '--backends entry'));
if (!torchAvailable()) throw new Error('needs PyTorch: /usr/bin/python3 -c "import torch" failed (set LGGAN_PYTHON)');

const ir = resolveShipped('lggan-cityscapes.json', { height, width });
const weights = plausibleStateDict(officialStateDict(ir, 'G'), 99);
const pth = writeTorchCheckpoint(weights);
// Label ids in 8×8 blocks (every class present), one class's instances split in two.
const fed = new Int32Array(height * width * 2);
for (let y = 0; y < height; y++)
  for (let x = 0; x < width; x++) {
    const label = (Math.floor(x / 8) + 16 * Math.floor(y / 8)) % 35;
    fed[(y * width + x) * 2] = label;
    fed[(y * width + x) * 2 + 1] = label === 26 ? 26000 + Math.floor(x / 40) : label;
  }
const ports = { final: 'fusion:image', global: 'global:image', local: 'local:local', attention: 'fusion:attention', class_images: 'local:class_images', logits: 'classifier:logits' };

const dir = mkdtempSync(join(tmpdir(), 'lggan-parity-full-'));
try {
  const ours = new Map<string, Record<string, { shape: number[]; values: Float32Array }>>();
  let semantic: { shape: number[]; values: Float32Array } | undefined;
  for (const backend of backends) {
    await initNodeBackend(backend);
    const program = compileProgram(ir);
    try {
      importCheckpointBytes(pth, program);
      const labels = tf.tensor4d(fed, [1, height, width, 2], 'int32');
      const started = performance.now();
      const results = program.run({ labels }, { outputs: [...Object.values(ports), 'labels:semantic'] });
      console.log(`${backend}: generator forward at ${width}×${height} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const out: Record<string, { shape: number[]; values: Float32Array }> = {};
      for (const [name, port] of Object.entries(ports)) out[name] = { shape: [...results[port].shape], values: results[port].dataSync() as Float32Array };
      ours.set(backend, out);
      semantic ??= { shape: [...results['labels:semantic'].shape], values: results['labels:semantic'].dataSync() as Float32Array };
      tf.dispose([labels, ...Object.values(results)]);
    } finally {
      program.dispose();
    }
  }
  const folder = join(dir, 'generator');
  mkdirSync(folder);
  const [, , , semanticNc] = semantic!.shape;
  writeFileSync(join(folder, 'case.json'), JSON.stringify({ kind: 'generator', config: { classes: 35, semantic_nc: semanticNc, ngf: 64, hidden: 128, more: true, latent: [height / 64, width / 64] }, inputs: ['seg'] }));
  writeFileSync(join(folder, 'weights.pth'), pth);
  writeFileSync(join(folder, 'inputs.pth'), writeTorchCheckpoint([{ key: 'seg', dtype: 'float32', shape: [1, semanticNc, height, width], values: permute(semantic!.values, semantic!.shape, [0, 3, 1, 2]) }]));
  runTorchScript('parity.py', [dir], 1_800_000);
  const theirs = extractStateDict(readTorchCheckpoint(new Uint8Array(readFileSync(join(folder, 'outputs.pth')))).root).tensors;
  for (const [backend, out] of ours) {
    for (const [name, mine] of Object.entries(out)) {
      const t = theirs.get(name)!;
      const reference = tensorToFloat32(t, name);
      const values = mine.shape.length === 4 ? permute(mine.values, mine.shape, [0, 3, 1, 2]) : mine.values;
      let worst = 0;
      for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i] - reference[i]));
      console.log(`  ${backend} ${name.padEnd(13)} max |tfjs − PyTorch| ${worst.toExponential(2)}${worst > GATE ? `  OVER the ${GATE} gate` : ''}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
