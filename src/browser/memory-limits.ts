import * as tf from '@tensorflow/tfjs-core';
import type { MemoryLimits } from '../compiler/memory.ts';

/**
 * The active backend's memory limits, as far as the browser tells them: WebGPU's largest storage
 * buffer binding, WebGL's largest RGBA float texture, and half the device memory the browser
 * reports (navigator.deviceMemory, rounded down by browsers) as the total. Unknown limits stay absent.
 */
export function browserMemoryLimits(backend: string): MemoryLimits {
  const limits: MemoryLimits = { backend };
  const deviceGiB = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  if (deviceGiB) limits.totalBytes = (deviceGiB * 2 ** 30) / 2;
  if (backend === 'webgpu') {
    const device = (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device;
    const max = device?.limits?.maxStorageBufferBindingSize;
    if (max) limits.maxTensorBytes = max;
  } else if (backend === 'wasm') {
    // Every wasm tensor lives in one 32-bit heap: at most 4 GiB, less emscripten's last page.
    const heap = 4294901760;
    limits.totalBytes = Math.min(limits.totalBytes ?? heap, heap);
    limits.maxTensorBytes = heap;
  } else if (backend === 'webgl') {
    const side = tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
    if (side) limits.maxTensorBytes = side * side * 4 * 4;
  }
  return limits;
}
