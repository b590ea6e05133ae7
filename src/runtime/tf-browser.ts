/**
 * TensorFlow.js in the browser: core with every gradient registered, and the three training
 * backends in order of preference — webgpu, webgl, cpu. Never wasm: it has no conv backprop.
 * `initBrowserBackend` says which one it got and why each one before it failed, so the UI can
 * show the user (and a run record can keep) what actually ran.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-cpu';

export type BrowserBackend = 'webgpu' | 'webgl' | 'cpu';

export const BACKEND_ORDER: readonly BrowserBackend[] = ['webgpu', 'webgl', 'cpu'];

export interface BackendAttempt {
  name: BrowserBackend;
  ok: boolean;
  /** Why the backend could not be used (absent when ok). */
  reason?: string;
}

export interface BackendChoice {
  backend: BrowserBackend;
  attempts: BackendAttempt[];
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Checks tfjs cannot phrase well itself: is WebGPU there at all, and is there an adapter? */
async function webgpuUnavailable(): Promise<string | undefined> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) {
    // globalThis, not window: this also runs in the training worker.
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
    if (!(await tf.setBackend(name))) return `tfjs could not initialise the ${name} backend (see the console)`;
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

let current: { preferred: BrowserBackend | undefined; choice: Promise<BackendChoice> } | undefined;

/**
 * Picks the first backend that works, trying `preferred` first and then webgpu → webgl → cpu.
 * Idempotent for the same preference: later calls return the first call's result.
 */
export function initBrowserBackend(preferred?: BrowserBackend): Promise<BackendChoice> {
  if (current && current.preferred === preferred) return current.choice;
  const order = preferred ? [preferred, ...BACKEND_ORDER.filter((b) => b !== preferred)] : [...BACKEND_ORDER];
  const choice = (async () => {
    const attempts: BackendAttempt[] = [];
    for (const name of order) {
      const reason = await probeBackend(name);
      attempts.push(reason === undefined ? { name, ok: true } : { name, ok: false, reason });
      if (reason === undefined) return { backend: name, attempts };
    }
    throw new Error(`no tfjs backend works here: ${attempts.map((a) => `${a.name}: ${a.reason}`).join('; ')}`);
  })();
  current = { preferred, choice };
  return choice;
}

export { tf };
