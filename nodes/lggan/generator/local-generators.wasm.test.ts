/**
 * The disjoint-masks path at Cityscapes' width (K = 35 classes, C = 64 channels) on tfjs-wasm, the
 * backend the CLI trains on: its peak memory, forward and backward, against the K masked copies of
 * F it avoids, and its values and gradients against the cpu backend. wasm because this size takes
 * tens of seconds on tfjs-cpu. The process's one engine switches to wasm here and back after.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { measureBufferPeak } from '../../../src/runtime/buffer-peak.ts';
import { registerWasmTrainingKernels } from '../../../src/runtime/wasm/register.ts';
import { buildNode, spatialType } from '../../testing.test-util.ts';
import { weightedSum } from './local-path.test-util.ts';
import { localGeneratorsNode, windowMethods, type WindowMethod } from './local-generators.ts';

const [B, C, K] = [1, 64, 35];
const typesAt = (h: number, w: number) => ({ features: spatialType('feature', B, h, w, C), masks: spatialType('mask', B, h, w, K) });

/** Blocky one-hot class masks (4×4 tiles), every class present. */
function masks(h: number, w: number): tf.Tensor4D {
  const ids = Array.from({ length: B * h * w }, (_, i) => (Math.floor(i / w / 4) * 5 + ((i % w) >> 2)) % K);
  return tf.tidy(() => tf.oneHot(tf.tensor1d(ids, 'int32'), K).toFloat().reshape([B, h, w, K])) as tf.Tensor4D;
}

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterEach(() => vi.restoreAllMocks());

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('lggan/local-generators on wasm at Cityscapes width', () => {
  it.each(['scatter', 'host'] as WindowMethod[])('never holds all K masked copies of F, forward or backward (%s path)', async (method) => {
    vi.spyOn(windowMethods, 'forBackend').mockReturnValue(method);
    // The 128×64 map of bench/cpu.ts: pixels, not the 35 filters, dominate the memory.
    const [H, W] = [64, 128];
    const maskedCopies = B * H * W * K * C * 4;
    const f = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 36) as tf.Tensor4D;
    const m = masks(H, W);
    const peak: Record<string, number> = {};
    for (const chunk of [2, K]) {
      const node = buildNode(localGeneratorsNode, { algorithm: 'disjoint-masks', class_chunk: chunk }, typesAt(H, W));
      const vars = [...node.variables.values()];
      const forward = await measureBufferPeak(() => tf.tidy(() => node.run({ features: f, masks: m }).local.dataSync()));
      const training = await measureBufferPeak(() =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => weightedSum(node.run({ features: f, masks: m }, true).local), vars);
          return [value, ...Object.values(grads)].map((t) => t.dataSync()[0]);
        }),
      );
      peak[`forward ${chunk}`] = forward.peakBytes;
      peak[`training ${chunk}`] = training.peakBytes;
      node.dispose();
    }
    tf.dispose([f, m]);
    // Two classes at a time: well below the K masked copies in both directions.
    expect(peak['forward 2']).toBeLessThan(0.5 * maskedCopies);
    expect(peak['training 2']).toBeLessThan(0.8 * maskedCopies);
    if (method === 'scatter') {
      // The dense projection with all K at once holds them (and more): the chunk keeps the peak down.
      expect(peak[`forward ${K}`]).toBeGreaterThan(maskedCopies);
      expect(peak[`training ${K}`] - peak['training 2']).toBeGreaterThan(0.5 * maskedCopies);
    } else {
      // Projecting each pixel with its own class's filters never makes a masked copy, whatever the chunk.
      expect(peak[`forward ${K}`]).toBeLessThan(0.5 * maskedCopies);
      expect(peak[`training ${K}`]).toBeLessThan(0.8 * maskedCopies);
    }
  });

  it.each(['host', 'scatter', 'depthwise'] as WindowMethod[])('gives the cpu backend’s class images and gradients (features, filters, biases) with %s windows', async (method) => {
    const [H, W] = [8, 24]; // small: tfjs-cpu is slow at this width
    const results: Record<string, Float32Array[]> = {};
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
      // The cpu reference sums its windows in host loops (checked against per-class convs in local-generators.test.ts).
      vi.spyOn(windowMethods, 'forBackend').mockReturnValue(backend === 'wasm' ? method : 'host');
      const node = buildNode(localGeneratorsNode, { algorithm: 'disjoint-masks', combine: 'sum' }, typesAt(H, W));
      for (const [name, v] of node.variables) node.setVariable(name, tf.randomNormal(v.shape, 0, 0.05, 'float32', name.length * 3));
      const f = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 37) as tf.Tensor4D;
      const m = masks(H, W);
      const vars = [...node.variables.values()];
      const out = tf.tidy(() => {
        const images = node.run({ features: f, masks: m }).class_images;
        const dx = tf.grad((x: tf.Tensor) => weightedSum(node.run({ features: x as tf.Tensor4D, masks: m }, true).class_images))(f);
        const { grads } = tf.variableGrads(() => weightedSum(node.run({ features: f, masks: m }, true).class_images), vars);
        return [images, dx, ...vars.map((v) => grads[v.name])];
      });
      results[backend] = out.map((t) => Float32Array.from(t.dataSync()));
      tf.dispose([...out, f, m]);
      node.dispose();
      vi.restoreAllMocks();
    }
    await tf.setBackend('wasm');
    results.cpu.forEach((expected, i) => {
      let scale = 1e-6;
      let worst = 0;
      expected.forEach((v, j) => {
        scale = Math.max(scale, Math.abs(v));
        worst = Math.max(worst, Math.abs(results.wasm[i][j] - v));
      });
      expect(worst / scale, `output ${i}: max |wasm − cpu| / max |cpu|`).toBeLessThanOrEqual(1e-4);
    });
  });
});
