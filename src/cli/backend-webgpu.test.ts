/** `--backend webgpu` where WebGPU cannot start: one line with the cause, exit 1, the previous backend kept. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend } from '../runtime/tf-node.ts';
import { cli } from './cli.test-util.ts';

const cause = vi.hoisted(() => ({ message: '' }));

// The start on Dawn itself is tested with fakes in runtime/webgpu-node.test.ts; here it refuses.
vi.mock('../runtime/webgpu-node.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../runtime/webgpu-node.ts')>();
  return { ...original, initWebGpuBackend: async () => Promise.reject(new original.WebGpuUnavailable(cause.message)) };
});

const graph = new URL('../../graphs/tiny-pix2pix.json', import.meta.url).pathname;

afterEach(async () => {
  await initNodeBackend('cpu');
});

describe('--backend webgpu', () => {
  it('ends with the one line that names the cause, and the bad-environment exit code', async () => {
    await initNodeBackend('cpu');
    cause.message = 'webgpu backend: no GPU adapter (Dawn found no Vulkan device): use --backend wasm, or run on a machine with a GPU';
    const r = await cli(['compile', graph, '--backend', 'webgpu']);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`lggan compile: ${cause.message}`]);
    expect(r.out).toEqual([]);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('tries again on the next call rather than keeping the failure', async () => {
    cause.message = 'webgpu backend: first';
    expect((await cli(['compile', graph, '--backend=webgpu'])).err).toEqual(['lggan compile: webgpu backend: first']);
    cause.message = 'webgpu backend: second';
    expect((await cli(['compile', graph, '--backend=webgpu'])).err).toEqual(['lggan compile: webgpu backend: second']);
  });
});
