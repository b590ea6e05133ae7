/**
 * TensorFlow.js in the browser: core with every gradient registered, and four backends in order
 * of preference — webgpu, wasm, webgl, cpu (the policy, including when a software WebGPU adapter
 * is timed against wasm, is browser/backend.ts). `initBrowserBackend` says which one it got and
 * why each one before it was not used, so the UI can show the user (and a run record can keep)
 * what actually ran.
 *
 * wasm: the .wasm binaries are served by the app itself (Vite emits them as assets through the
 * `?url` imports below; no CDN), SIMD is used where the browser has it, threads where the page is
 * cross-origin isolated (vite.config.ts sends COOP/COEP; on hosts that cannot,
 * public/isolation-sw.js adds them), as many as there are cores unless `?wasm-threads=N` says
 * otherwise (wasm-threads.ts), and runtime/wasm/ adds the gradient
 * kernels tfjs-wasm lacks, so wasm trains as well as generates.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { BackendUnavailableError, selectBackend, type BackendAttempt, type BackendChoice, type BackendMeasure, type BrowserBackend } from './backend.ts';

export type { BackendAttempt, BackendChoice, BrowserBackend };
import { installLeanGradients } from '../runtime/lean-gradients.ts';
import { gpuOf, softwareWebgpu } from './webgpu-adapter.ts';
import { registerWasmTrainingKernels } from '../runtime/wasm/register.ts';
import { pageWasmThreads, planWasmThreads, startWasm, type WasmThreadsPlan } from './wasm-threads.ts';

setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd });
registerWasmTrainingKernels();
// Backpropagation that frees activations' gradients as it goes, on every backend.
installLeanGradients();

/** The `?wasm-threads=` this realm follows: the page's own, or what a worker's start / load message brought. */
let wasmThreadsRequest: unknown = pageWasmThreads();
/** How the wasm backend of this realm was started (undefined until it was). */
let wasmThreadsPlan: WasmThreadsPlan | undefined;

/**
 * A worker's `?wasm-threads=` from the page (as written; checked when wasm starts). Only the first
 * wasm start in a realm sets the pool: call it before the backend is chosen.
 */
export function requestWasmThreads(requested: unknown): void {
  wasmThreadsRequest = requested;
}

async function setWasmBackend(): Promise<boolean> {
  const [simd, multithread] = await Promise.all([tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')]);
  const plan = planWasmThreads({ cores: globalThis.navigator?.hardwareConcurrency, threaded: Boolean(simd && multithread) }, wasmThreadsRequest);
  const ok = await startWasm(plan.threads, {
    navigator: globalThis.navigator,
    setThreadsCount,
    start: async () => {
      const set = await tf.setBackend('wasm');
      if (set) await tf.ready();
      return set;
    },
  });
  wasmThreadsPlan ??= plan;
  return ok;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Checks tfjs cannot phrase well itself: is WebGPU there at all, and is there an adapter? */
async function webgpuUnavailable(): Promise<string | undefined> {
  const gpu = gpuOf();
  if (!gpu) {
    // globalThis, not window: this also runs in the workers.
    return globalThis.isSecureContext
      ? 'navigator.gpu is absent: this browser has WebGPU off (Chromium: --enable-unsafe-webgpu)'
      : 'navigator.gpu is absent: WebGPU needs a secure context (https:// or http://127.0.0.1)';
  }
  try {
    if (!(await gpu.requestAdapter())) return 'the browser offers no WebGPU adapter';
  } catch (e) {
    return `requesting a WebGPU adapter failed: ${message(e)}`;
  }
  return undefined;
}

/**
 * Makes `name` tfjs's backend and proves it computes; resolves with why it cannot be used, or
 * undefined when it is in use. Works on the page and in a worker.
 */
export async function probeBackend(name: BrowserBackend): Promise<string | undefined> {
  if (name === 'webgpu') {
    const why = await webgpuUnavailable();
    if (why) return why;
  }
  try {
    if (!(await (name === 'wasm' ? setWasmBackend() : tf.setBackend(name)))) return `tfjs could not initialise the ${name} backend (see the console)`;
    await tf.ready();
    // One tiny op read back proves the device works, not just that it was created.
    const probe = tf.add(tf.scalar(1), tf.scalar(2));
    const value = (await probe.data())[0];
    probe.dispose();
    if (value !== 3) return `the ${name} backend computed 1 + 2 = ${value}`;
  } catch (e) {
    return message(e);
  }
  return undefined;
}

/**
 * One fixed small training step (two 3×3 convs on 32×32×8, forward and both filter and input
 * gradients), timed on the active backend after a warm-up that also compiles any shaders.
 */
export async function timeTrainingStep(): Promise<number> {
  const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);
  const x = tf.tensor4d(values(32 * 32 * 8, 1), [1, 32, 32, 8]);
  const w1 = tf.tensor4d(values(3 * 3 * 8 * 16, 2), [3, 3, 8, 16]);
  const w2 = tf.tensor4d(values(3 * 3 * 16 * 8, 3), [3, 3, 16, 8]);
  const step = async () => {
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(tf.conv2d(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')), c as tf.Tensor4D, 2, 'same'))))([x, w1, w2]);
    await Promise.all(grads.map((g) => g.data()));
    tf.dispose(grads);
  };
  try {
    await step();
    let best = Infinity;
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      await step();
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  } finally {
    tf.dispose([x, w1, w2]);
  }
}

/**
 * SIMD and threads of the active wasm backend, e.g. "SIMD, 4 threads (cross-origin isolated)"; the
 * thread count is the pool's own (getThreadsCount), and a `?wasm-threads=` follows the isolation.
 */
export async function wasmDetails(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const threads = threaded ? getThreadsCount() : 1;
  const isolation = globalThis.crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated: no threads';
  const notice = wasmThreadsPlan?.notice ? `; ${wasmThreadsPlan.notice}` : '';
  return `${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'} (${isolation}${notice})`;
}

/** The measurements selectBackend uses to settle an unclear order, on tfjs in this realm. */
export const backendMeasure: BackendMeasure = {
  softwareWebgpu,
  timeStep: () => timeTrainingStep(),
  details: async (name) => (name === 'wasm' ? wasmDetails() : undefined),
};

let current: { preferred: BrowserBackend | undefined; choice: Promise<BackendChoice> } | undefined;

/**
 * Picks the backend as a training run's 'auto' does (browser/backend.ts), trying `preferred` first
 * when given. Idempotent for the same preference: later calls return the first call's result.
 */
export function initBrowserBackend(preferred?: BrowserBackend): Promise<BackendChoice> {
  if (current && current.preferred === preferred) return current.choice;
  const choice = (async () => {
    let failed: BackendAttempt[] = [];
    if (preferred) {
      try {
        return await selectBackend(preferred, probeBackend, backendMeasure);
      } catch (e) {
        if (!(e instanceof BackendUnavailableError)) throw e;
        failed = e.attempts;
      }
    }
    const auto = await selectBackend('auto', probeBackend, backendMeasure);
    return { backend: auto.backend, attempts: [...failed, ...auto.attempts.filter((a) => a.ok || a.name !== preferred)] };
  })();
  current = { preferred, choice };
  return choice;
}

export { tf };
