import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WASM_PRELOADED_WORKERS, wasmThreadsFromEnv } from './wasm-thread-count.ts';
import { withWasmThreads } from './wasm-threads-node.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('LGGAN_WASM_THREADS', () => {
  it('asks for the threaded build from 2 threads up to the preloaded workers', () => {
    expect(wasmThreadsFromEnv({})).toBeUndefined();
    expect(wasmThreadsFromEnv({ LGGAN_WASM_THREADS: '' })).toBeUndefined();
    expect(wasmThreadsFromEnv({ LGGAN_WASM_THREADS: '1' })).toBeUndefined();
    expect(wasmThreadsFromEnv({ LGGAN_WASM_THREADS: '2' })).toBe(2);
    expect(wasmThreadsFromEnv({ LGGAN_WASM_THREADS: String(WASM_PRELOADED_WORKERS) })).toBe(WASM_PRELOADED_WORKERS);
  });

  it('refuses what is not a thread count, naming the value', () => {
    for (const bad of ['0', '9', '2.5', 'two', '-2']) {
      expect(() => wasmThreadsFromEnv({ LGGAN_WASM_THREADS: bad })).toThrow(`LGGAN_WASM_THREADS must be a whole number from 1 to 8, not "${bad}"`);
    }
  });
});

describe('withWasmThreads', () => {
  it('reports twice the threads as cores and answers only the worker blob while the backend starts, then restores both', async () => {
    const createObjectURL = URL.createObjectURL;
    const cpus = os.cpus;
    const failed = withWasmThreads(3, async () => {
      expect(os.cpus()).toHaveLength(6);
      expect(URL.createObjectURL(new Blob(['other'], { type: 'application/javascript' }))).toMatch(/^blob:/);
      throw new Error('no wasm');
    });
    await expect(failed).rejects.toThrow('no wasm');
    expect(URL.createObjectURL).toBe(createObjectURL);
    expect(os.cpus).toBe(cpus);
  });
});

/** A fresh Node with LGGAN_WASM_THREADS=2: a 256×256 matmul on threaded wasm against the cpu backend. */
const child = `(async () => {
  const { initNodeBackend, tf } = await import('./src/runtime/tf-node.ts');
  const { wasmThreadsInUse } = await import('./src/runtime/wasm-threads-node.ts');
  await initNodeBackend('wasm');
  const a = tf.randomUniform([256, 256], -1, 1, 'float32', 1);
  const b = tf.randomUniform([256, 256], -1, 1, 'float32', 2);
  const onWasm = tf.matMul(a, b).dataSync();
  const threads = wasmThreadsInUse();
  const [av, bv] = [a.dataSync(), b.dataSync()];
  await initNodeBackend('cpu');
  const onCpu = tf.matMul(tf.tensor2d(av, [256, 256]), tf.tensor2d(bv, [256, 256])).dataSync();
  const maxDiff = onWasm.reduce((m, v, i) => Math.max(m, Math.abs(v - onCpu[i])), 0);
  console.log(JSON.stringify({ backend: 'wasm', threads, maxDiff }));
})();`;

describe('the threaded build in Node', () => {
  it('computes what the cpu backend computes on 2 threads, and lets the process exit by itself', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', child], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LGGAN_WASM_THREADS: '2' },
      // Only a hang detector: idle pool workers must not keep the process alive.
      timeout: 120_000,
    });
    expect(run.signal).toBeNull();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { threads: number; maxDiff: number };
    expect(result.threads).toBe(2);
    expect(result.maxDiff).toBeLessThan(1e-3);
  }, 150_000);
});
