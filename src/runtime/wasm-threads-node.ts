/**
 * tfjs-wasm's threaded SIMD build under Node, off unless asked for (LGGAN_WASM_THREADS=N, N ≥ 2).
 *
 * tfjs 4.22 offers no threads in Node (WASM_HAS_MULTITHREAD_SUPPORT is false there), and forcing the
 * flag fails: its loader hands emscripten the pthread worker script as a blob: URL, which
 * worker_threads refuse (ERR_WORKER_PATH). Emscripten's own Node pthread path works once the worker
 * is a file, so while the backend starts this module
 * - answers tfjs's URL.createObjectURL for that one Blob with wasm-pthread-worker.cjs, a file that
 *   runs tfjs's worker script from the package;
 * - reports 2 × N cores to the module (os.cpus), which caps its pool at half the cores it sees
 *   (1 thread on a 2-core machine otherwise);
 * and afterwards unrefs the pool's running workers: they wait for work forever and would keep the
 * process from exiting. The module preloads 8 pthread workers and the main thread blocks while a
 * kernel runs, so more than 8 threads could never start: wasm-thread-count.ts stops N there.
 * The workers inherit Node's flags: under `node --input-type=module -e …` they cannot start, and
 * emscripten ends the process ("worker sent an error!"); `node -e` and `--import tsx` are fine.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const workerScript = fileURLToPath(new URL('./wasm-pthread-worker.cjs', import.meta.url));

/** The size of the Blob tfjs makes of its pthread worker script (tfjs escapes the script's newlines). */
function workerBlobSize(): number {
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as { wasmWorkerContents: string };
  return Buffer.byteLength(wasmWorkerContents.replace(/\n/g, '\\n'));
}

interface EmscriptenWorkers {
  PThread?: { runningWorkers: { unref(): void }[] };
}

/**
 * Runs `start` (the wasm backend's first initialisation) on the threaded build with `threads`
 * threads, then lets its workers idle without holding the process. Returns what `start` returns.
 */
export async function withWasmThreads<T>(threads: number, start: () => Promise<T>): Promise<T> {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  const blobSize = workerBlobSize();
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  URL.createObjectURL = (obj) => (obj instanceof Blob && obj.type === 'application/javascript' && obj.size === blobSize ? workerScript : createObjectURL(obj));
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: 2 * threads }, (_, i) => real[i % Math.max(real.length, 1)]);
  };
  try {
    return await start();
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
    const backend = tf.findBackend('wasm') as { wasm?: EmscriptenWorkers } | null;
    for (const worker of backend?.wasm?.PThread?.runningWorkers ?? []) worker.unref();
  }
}

/** The threads tfjs-wasm runs kernels on (1 on the default build). */
export function wasmThreadsInUse(): number {
  return getThreadsCount();
}
