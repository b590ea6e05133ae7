/** The global `--backend wasm|cpu` option: taken from anywhere on the line, checked, and used. */
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend } from '../runtime/tf-node.ts';
import { takeBackendOption } from './args.ts';
import { cli } from './cli.test-util.ts';
import { nodeMemoryLimits } from './load-program.ts';

const graph = new URL('../../graphs/tiny-pix2pix.json', import.meta.url).pathname;

afterEach(async () => {
  await initNodeBackend('cpu');
});

describe('--backend', () => {
  it('is taken out of the command line in either spelling', () => {
    expect(takeBackendOption(['compile', 'g.json', '--backend', 'wasm', '--seed', '3'])).toEqual({ backend: 'wasm', rest: ['compile', 'g.json', '--seed', '3'] });
    expect(takeBackendOption(['--backend=cpu', 'g.json'])).toEqual({ backend: 'cpu', rest: ['g.json'] });
    expect(takeBackendOption(['g.json'])).toEqual({ rest: ['g.json'] });
    expect(() => takeBackendOption(['g.json', '--backend'])).toThrow('--backend needs a value: wasm, cpu or webgpu');
  });

  it('runs a command on the backend asked for', async () => {
    const r = await cli(['compile', graph, '--backend', 'wasm']);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(tf.getBackend()).toBe('wasm');
    expect(nodeMemoryLimits()).toMatchObject({ backend: 'wasm', totalBytes: expect.any(Number) });
    expect(nodeMemoryLimits().totalBytes).toBeLessThanOrEqual(2 ** 32);
  });

  it('refuses an unknown backend with one usage line', async () => {
    const r = await cli(['compile', graph, '--backend=webgl']);
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['lggan compile: unknown --backend "webgl": use wasm, cpu or webgpu']);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('refuses a bad LGGAN_WASM_THREADS with one usage line, before any backend starts', async () => {
    const before = process.env.LGGAN_WASM_THREADS;
    process.env.LGGAN_WASM_THREADS = 'all';
    try {
      const r = await cli(['compile', graph, '--backend', 'wasm']);
      expect(r.code).toBe(2);
      expect(r.err).toEqual(['lggan compile: LGGAN_WASM_THREADS must be a whole number from 1 to 8, not "all"']);
      expect(tf.getBackend()).toBe('cpu');
    } finally {
      if (before === undefined) delete process.env.LGGAN_WASM_THREADS;
      else process.env.LGGAN_WASM_THREADS = before;
    }
  });
});
