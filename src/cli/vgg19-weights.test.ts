/**
 * The CLI loads the VGG19 weights a perceptual loss names before compiling, from the graph file's
 * folder; tools/convert_vgg19.py writes that file from a torchvision vgg19 state_dict (checked here
 * on a seeded stand-in with VGG19's names and shapes, through torch, where torch is installed).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { perceptualLossNode } from '../../nodes/lggan/losses/perceptual-loss.ts';
import { releaseVgg19Weights, vgg19WeightsFor } from '../../nodes/lggan/training/vgg19.ts';
import type { GraphIR } from '../compiler/ir.ts';
import { PYTHON, torchAvailable } from '../interop/pytorch/python.test-util.ts';
import { CliProblem } from './io.ts';
import { loadVgg19WeightsFor, vgg19WeightsPath } from './vgg19-weights.ts';

const CONVERTER = join(import.meta.dirname, '../../tools/convert_vgg19.py');

/** Just enough of a resolved graph: one perceptual loss naming `weights`. */
function irWith(weights: string): GraphIR {
  const node = { id: 'g_vgg', def: perceptualLossNode, params: { weight: 10, images: 1, weights, input_normalization: 'imagenet' } };
  return { nodes: new Map([['g_vgg', node]]) } as unknown as GraphIR;
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lggan-vgg19-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A seeded state_dict with torchvision vgg19's names and shapes (features and a stand-in classifier); `breakAt` gives one conv a wrong shape. */
const FAKE_VGG19 = `
import sys, torch
torch.manual_seed(0)
cfg = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M']
sd, i, c = {}, 0, 3
for v in cfg:
    if v == 'M':
        i += 1
        continue
    out = v - 1 if i == int(sys.argv[2]) else v
    sd[f'features.{i}.weight'] = torch.randn(out, c, 3, 3)
    sd[f'features.{i}.bias'] = torch.randn(out)
    c, i = v, i + 2
sd['classifier.0.weight'] = torch.zeros(4, 4)
torch.save(sd, sys.argv[1])
w = sd['features.5.weight']
print(float(w[7, 3, 1, 2]))
`;

describe('VGG19 weights in the CLI', () => {
  it('takes a relative path from the graph file’s folder', () => {
    expect(vgg19WeightsPath('vgg19.safetensors', '/data/graphs/g.json')).toBe('/data/graphs/vgg19.safetensors');
    expect(vgg19WeightsPath('/w/vgg19.safetensors', '/data/graphs/g.json')).toBe('/w/vgg19.safetensors');
  });

  it('refuses a missing file and a URL, naming the node and the file', async () => {
    const dir = tempDir();
    const graph = join(dir, 'g.json');
    const missing = loadVgg19WeightsFor(irWith('nowhere.safetensors'), graph);
    await expect(missing).rejects.toBeInstanceOf(CliProblem);
    await expect(loadVgg19WeightsFor(irWith('nowhere.safetensors'), graph)).rejects.toThrow(`node 'g_vgg' param weights: VGG19 weights ${join(dir, 'nowhere.safetensors')}: no such file`);
    await expect(loadVgg19WeightsFor(irWith('https://example.org/vgg19.safetensors'), graph)).rejects.toThrow('is a URL; the CLI reads files');
  });

  it('skips a perceptual loss without weights', async () => {
    await expect(loadVgg19WeightsFor(irWith(''), '/nowhere/g.json')).resolves.toBeUndefined();
  });

  it.skipIf(!torchAvailable())('tools/convert_vgg19.py writes the file the loss reads (names, shapes, layout)', async () => {
    const dir = tempDir();
    const pth = join(dir, 'vgg19.pth');
    const made = spawnSync(PYTHON, ['-c', FAKE_VGG19, pth, '-1'], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(made.status, made.stderr).toBe(0);
    const probe = Number(made.stdout.trim());
    const converted = spawnSync(PYTHON, [CONVERTER, pth, '-o', join(dir, 'vgg19.safetensors')], { encoding: 'utf8' });
    expect(converted.status, converted.stderr).toBe(0);
    expect(converted.stdout).toContain('26 tensors (conv1_1 … conv5_1), 12,944,960 float32 values');

    try {
      await loadVgg19WeightsFor(irWith('vgg19.safetensors'), join(dir, 'g.json'));
      const weights = vgg19WeightsFor('vgg19.safetensors');
      expect(weights?.convs).toHaveLength(13);
      // features.5 is conv2_1 (the third conv): PyTorch [out, in, kh, kw] became tfjs [kh, kw, in, out].
      const conv = weights!.convs[2].weight;
      expect(conv.shape).toEqual([3, 3, 64, 128]);
      const value = tf.tidy(() => conv.slice([1, 2, 3, 7], [1, 1, 1, 1]).dataSync()[0]);
      expect(value).toBeCloseTo(probe, 6);
    } finally {
      releaseVgg19Weights('vgg19.safetensors');
    }
  }, 120_000);

  it.skipIf(!torchAvailable())('tools/convert_vgg19.py refuses a state_dict whose shapes are not VGG19’s, naming the tensor', () => {
    const dir = tempDir();
    const pth = join(dir, 'odd.pth');
    const made = spawnSync(PYTHON, ['-c', FAKE_VGG19, pth, '28'], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const converted = spawnSync(PYTHON, [CONVERTER, pth, '-o', join(dir, 'odd.safetensors')], { encoding: 'utf8' });
    expect(converted.status).toBe(1);
    expect(converted.stderr).toContain("'features.28.weight' has shape [511, 512, 3, 3], expected [512, 512, 3, 3]");
  }, 120_000);
});
