/**
 * TensorFlow.js for Node (CLI, vitest, benchmarks): every gradient registered, and two backends.
 *
 * - wasm (the default): XNNPACK with SIMD on one thread, plus our training kernels
 *   (runtime/wasm/) for the conv gradients tfjs-wasm lacks. Tens of times faster than cpu on convs.
 *   Its heap is 32-bit: everything must fit in 4 GiB.
 *   No threads in Node (tfjs 4.22): tfjs-wasm reports WASM_HAS_MULTITHREAD_SUPPORT false under Node
 *   (tensorflow/tfjs#3830), and forcing the flag fails at start: its loader gives emscripten's
 *   pthread worker script as a blob: URL (and the module's source as a Blob), which Node's
 *   worker_threads refuse (ERR_WORKER_PATH). Threads would need a patched loader, not a setting.
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
  if (!(await tf.setBackend(name))) throw new Error(`could not initialise the tfjs ${name} backend`);
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
