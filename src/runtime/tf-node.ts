/**
 * TensorFlow.js for Node (CLI, vitest, benchmarks): every gradient registered, and two backends.
 *
 * - wasm (the default): XNNPACK with SIMD on one thread, plus our training kernels
 *   (runtime/wasm/) for the conv gradients tfjs-wasm lacks. Tens of times faster than cpu on convs.
 *   Its heap is 32-bit: everything must fit in 4 GiB.
 *   One thread unless LGGAN_WASM_THREADS=N (2…8) asks for tfjs-wasm's threaded build: tfjs 4.22
 *   offers no threads in Node (tensorflow/tfjs#3830) and its loader hands worker_threads a blob:
 *   URL they refuse; wasm-threads-node.ts starts the pool from a file instead. Off by default: it
 *   pays ~8 worker threads at start and only helps where cores are idle.
 * - cpu: plain JavaScript, no size limit beyond the machine, and what the unit tests run on.
 * - webgpu: tfjs-backend-webgpu on Dawn (the optional `webgpu` package), for machines with a GPU.
 *   Loaded only when asked for (webgpu-node.ts); where it cannot start it says why.
 *
 * The union package is the one entry that registers gradients under Node's module resolution;
 * it shares the engine with `@tensorflow/tfjs-core` through tfjs's global registry.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installLeanGradients } from './lean-gradients.ts';
import { registerWasmTrainingKernels } from './wasm/register.ts';
import { DEFAULT_NODE_BACKEND, type NodeBackend } from './node-backend-name.ts';
import { wasmThreadsFromEnv } from './wasm-thread-count.ts';
import { withWasmThreads } from './wasm-threads-node.ts';

export { DEFAULT_NODE_BACKEND, NODE_BACKENDS, parseNodeBackend, type NodeBackend } from './node-backend-name.ts';

// Backpropagation that frees activations' gradients as it goes (lean-gradients.ts).
installLeanGradients();

// PROD silences tfjs's "install tfjs-node" banner, which would pollute CLI output.
tf.env().set('PROD', true);

/** Largest wasm heap (wasm32 addresses 4 GiB, less the last 64 KiB page emscripten keeps). */
export const WASM_HEAP_BYTES = 4294901760;

/** The WebGPU device, once it started: its adapter and the largest tensor it takes (its storage-buffer limit). */
let webGpuStarted: { maxTensorBytes: number; adapter: { vendor: string; architecture: string; device: string; description: string } } | undefined;
export function webGpuTensorLimit(): number | undefined {
  return webGpuStarted?.maxTensorBytes;
}
export function webGpuAdapter() {
  return webGpuStarted?.adapter;
}

let current: { name: NodeBackend; ready: Promise<NodeBackend>; settled: boolean } | undefined;

async function activate(name: NodeBackend): Promise<NodeBackend> {
  if (name === 'webgpu') {
    // Lazily: Dawn and tfjs-backend-webgpu are loaded only by those who ask for them.
    const { initWebGpuBackend } = await import('./webgpu-node.ts');
    const { maxTensorBytes, adapter } = await initWebGpuBackend();
    webGpuStarted = { maxTensorBytes, adapter };
    return name;
  }
  if (name === 'wasm') registerWasmTrainingKernels();
  const threads = name === 'wasm' && !tf.findBackend('wasm') ? wasmThreadsFromEnv(process.env) : undefined;
  const start = () => tf.setBackend(name);
  if (!(await (threads ? withWasmThreads(threads, start) : start()))) throw new Error(`could not initialise the tfjs ${name} backend`);
  await tf.ready();
  return name;
}

/**
 * Makes `backend` tfjs's backend. Without one, keeps whichever this module initialised already
 * (the unit tests pin cpu this way), else takes the default, wasm.
 */
export function initNodeBackend(backend?: NodeBackend): Promise<NodeBackend> {
  const name = backend ?? current?.name ?? DEFAULT_NODE_BACKEND;
  // Started and still pending, or done and still in use (a test may have switched tfjs since).
  const reusable = current?.name === name && (!current.settled || tf.getBackend() === name);
  if (!current || !reusable) {
    const started: NonNullable<typeof current> = { name, ready: activate(name), settled: false };
    current = started;
    started.ready.then(
      () => (started.settled = true),
      // A failed start must not stick: the next call tries again.
      () => current === started && (current = undefined),
    );
  }
  return current.ready;
}

export { tf };
