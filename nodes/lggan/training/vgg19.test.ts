import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { writeSafetensors } from '../../../src/formats/safetensors.ts';
import { expectClose } from '../../core/assertions.test-util.ts';
import {
  VGG19_WIDTHS,
  disposeVgg19Weights,
  ensureVgg19Weights,
  imagenetNormalize,
  loadVgg19Weights,
  registerVgg19Weights,
  releaseVgg19Weights,
  vgg19Convs,
  vgg19Features,
  vgg19Macs,
  vgg19WeightsFor,
} from './vgg19.ts';
import type { Vgg19Weights, Vgg19Widths } from './vgg19.ts';
import { SMALL_VGG_WIDTHS as SMALL, identityTap, vggFile } from '../losses/vgg.test-util.ts';

const loaded: Vgg19Weights[] = [];
afterEach(() => loaded.splice(0).forEach(disposeVgg19Weights));

describe('VGG19 layout', () => {
  it("uses torchvision's feature indices up to conv5_1 and the real widths", () => {
    const convs = vgg19Convs();
    expect(convs.map((c) => c.index)).toEqual([0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28]);
    expect(convs.map((c) => `${c.inChannels}→${c.outChannels}`)).toEqual([
      '3→64', '64→64', '64→128', '128→128', '128→256', '256→256', '256→256', '256→256', '256→512', '512→512', '512→512', '512→512', '512→512',
    ]);
    expect(VGG19_WIDTHS).toEqual([64, 128, 256, 512, 512]);
  });

  it('counts MACs per conv at each block resolution (16×16, by hand)', () => {
    const expected =
      256 * 9 * (3 * 64 + 64 * 64) + // block 1 at 16×16
      64 * 9 * (64 * 128 + 128 * 128) + // block 2 at 8×8
      16 * 9 * (128 * 256 + 3 * 256 * 256) + // block 3 at 4×4
      4 * 9 * (256 * 512 + 3 * 512 * 512) + // block 4 at 2×2
      1 * 9 * 512 * 512; // conv5_1 at 1×1
    expect(vgg19Macs(1, 16, 16)).toBe(expected);
    expect(vgg19Macs(2, 16, 16)).toBe(2 * expected);
  });
});

describe('loadVgg19Weights', () => {
  it('reads torchvision names, transposes to [3, 3, in, out] and ignores later layers', () => {
    const file = vggFile(SMALL, (n, o, i, ky, kx) => 1000 * n + 100 * o + 10 * i + 3 * ky + kx, {
      'classifier.0.weight': { shape: [2, 2], values: [1, 2, 3, 4] },
    });
    const weights = loadVgg19Weights(file, SMALL);
    loaded.push(weights);
    expect(weights.convs.map((c) => c.weight.shape)).toEqual(vgg19Convs(SMALL).map((c) => [3, 3, c.inChannels, c.outChannels]));
    // tfjs [ky][kx][i][o] of conv 2 holds PyTorch w[o][i][ky][kx]
    const w = weights.convs[2].weight.arraySync() as number[][][][];
    expect(w[2][1][1][0]).toBe(2000 + 0 + 10 + 6 + 1);
    expect(w[0][2][0][2]).toBe(2000 + 200 + 0 + 0 + 2);
  });

  it('names a missing or misshaped conv', () => {
    const full = vggFile(SMALL, () => 0);
    expect(() => loadVgg19Weights(full, VGG19_WIDTHS)).toThrow("'features.0.weight' has shape [2, 3, 3, 3], expected [64, 3, 3, 3]");
    const missing = writeSafetensors({ 'features.0.weight': { shape: [2, 3, 3, 3], values: new Array(54).fill(0) } });
    expect(() => loadVgg19Weights(missing, SMALL)).toThrow("'features.0.bias' is missing");
  });
});

describe('vgg19Features', () => {
  it('returns relu1_1 … relu5_1 with the right sizes', () => {
    const weights = loadVgg19Weights(vggFile(SMALL, (n, o, i, ky, kx) => Math.sin(n + o + i + ky + kx)), SMALL);
    loaded.push(weights);
    tf.tidy(() => {
      const features = vgg19Features(tf.randomNormal([2, 16, 16, 3]), weights);
      expect(features.map((f) => f.shape)).toEqual([
        [2, 16, 16, 2],
        [2, 8, 8, 3],
        [2, 4, 4, 4],
        [2, 2, 2, 5],
        [2, 1, 1, 5],
      ]);
    });
  });

  it('applies ReLU and 2×2 max-pools between blocks (identity convs, by hand)', () => {
    const weights = loadVgg19Weights(vggFile(SMALL, identityTap), SMALL);
    loaded.push(weights);
    const r = Array.from({ length: 256 }, (_, p) => ((p * 37) % 101) - 50); // R channel, some negative
    const x = tf.stack([tf.tensor(r, [16, 16]), tf.fill([16, 16], 9), tf.fill([16, 16], 9)], 2).expandDims(0) as tf.Tensor4D;
    const features = tf.tidy(() => vgg19Features(x, weights).map((f) => Array.from(tf.slice(f, [0, 0, 0, 0], [1, f.shape[1], f.shape[2], 1]).dataSync())));
    expectClose(features[0], r.map((v) => Math.max(v, 0)));
    const pool = (values: number[], n: number) =>
      Array.from({ length: (n / 2) ** 2 }, (_, p) => {
        const [y, xx] = [Math.floor(p / (n / 2)) * 2, (p % (n / 2)) * 2];
        return Math.max(values[y * n + xx], values[y * n + xx + 1], values[(y + 1) * n + xx], values[(y + 1) * n + xx + 1]);
      });
    expectClose(features[1], pool(features[0], 16));
    expectClose(features[4], [Math.max(...r)]);
    x.dispose();
  });

  it('normalises [-1, 1] images as torchvision', () => {
    const x = tf.tensor4d([-1, 0, 1], [1, 1, 1, 3]);
    expectClose(imagenetNormalize(x), [(0 - 0.485) / 0.229, (0.5 - 0.456) / 0.224, (1 - 0.406) / 0.225]);
    x.dispose();
  });
});

describe('loaded VGG19 weights by source', () => {
  it('loads each source once, shares it and releases it', async () => {
    let reads = 0;
    const bytes = vggFile(VGG19_WIDTHS.map(() => 1) as unknown as Vgg19Widths, () => 0);
    // A real-width file is ~80 MB; register a small one directly and check the loader path fails loudly on widths.
    await expect(ensureVgg19Weights('small.safetensors', async () => (reads++, bytes))).rejects.toThrow('expected [64, 3, 3, 3]');
    expect(reads).toBe(1);
    expect(vgg19WeightsFor('small.safetensors')).toBeUndefined();
    const weights = loadVgg19Weights(vggFile(SMALL, () => 0), SMALL);
    registerVgg19Weights('small.safetensors', weights);
    expect(await ensureVgg19Weights('small.safetensors', async () => (reads++, bytes))).toBe(weights);
    expect(reads).toBe(1);
    const before = tf.memory().numTensors;
    releaseVgg19Weights('small.safetensors');
    expect(vgg19WeightsFor('small.safetensors')).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before - 26);
  });
});
