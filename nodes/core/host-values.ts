/**
 * Reading float32 tensors on the backends whose tensors live in this thread (wasm, cpu) without
 * copying them: the one-pass Adam and the gradient check read every gradient and moment of a step,
 * and a readSync copy of each (tfjs-wasm slices its heap) costs as much as the arithmetic.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-wasm's backend read here (as src/runtime/wasm/heap.ts does). */
interface WasmMemory {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { has(dataId: object): boolean };
  getMemoryOffset(dataId: object): number;
}

/** Where per-variable work runs in one pass over the values; a field of an object so tests can take either path on any backend. */
export const hostPaths = {
  onHost: (backend: string): boolean => backend === 'wasm' || backend === 'cpu',
};

/**
 * The values of a float32 tensor of the active backend. On wasm a view into the module's heap:
 * read it before anything allocates a tensor (a growing heap detaches the view), and never write
 * to it (tensors share data). Elsewhere the backend's own read (cpu: its array).
 */
export function valuesInPlace(t: tf.Tensor): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`valuesInPlace: float32 tensors only, got ${t.dtype}`);
  if (tf.getBackend() === 'wasm') {
    const backend = tf.backend() as unknown as WasmMemory;
    // Data still held by another backend (made before a switch) moves over on its first read.
    if (backend.dataIdMap.has(t.dataId)) return new Float32Array(backend.wasm.HEAPU8.buffer, backend.getMemoryOffset(t.dataId), t.size);
  }
  return t.dataSync() as Float32Array;
}

/** Whether every value is a finite number (no NaN, no ±Infinity). */
export function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) {
    // x − x is 0 for finite x and NaN for NaN and ±Infinity.
    if (values[i] - values[i] !== 0) return false;
  }
  return true;
}
