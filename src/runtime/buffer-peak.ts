/**
 * Peak memory of a tfjs computation counted in distinct data buffers. tf.memory().numBytes and
 * tf.profile's peakBytes count every tensor handle, so a reshape, a clone kept for the gradient
 * tape, or a slice view sharing its buffer is counted again — several times the real figure for
 * code full of views. Here only a new data buffer (a new dataId in the engine) adds bytes, and only
 * freeing that buffer takes them away.
 */
import * as tf from '@tensorflow/tfjs-core';

interface BufferInfo {
  bytes: number;
}

/** The engine's per-buffer table (a WeakMap keyed by dataId); internal to tfjs-core 4.x. */
function bufferTable(): WeakMap<object, BufferInfo> {
  const table = (tf.engine().state as unknown as { tensorInfo?: WeakMap<object, BufferInfo> }).tensorInfo;
  if (!table || typeof table.set !== 'function') throw new Error('this tfjs-core has no engine.state.tensorInfo to watch buffers with');
  return table;
}

export interface BufferPeak<T> {
  result: T;
  /** Highest sum of newly allocated buffer bytes while `run` ran (buffers alive before are not counted). */
  peakBytes: number;
  /** Bytes of new buffers still alive when `run` returned (its result, usually). */
  endBytes: number;
}

/** Runs `run` (sync or async) and reports the peak bytes of the data buffers it allocated. */
export async function measureBufferPeak<T>(run: () => T | Promise<T>): Promise<BufferPeak<T>> {
  const table = bufferTable();
  const originalSet = table.set;
  const originalDelete = table.delete;
  const sizes = new Map<object, number>();
  let current = 0;
  let peak = 0;
  table.set = function (key: object, info: BufferInfo) {
    if (!sizes.has(key)) {
      sizes.set(key, info.bytes);
      current += info.bytes;
      peak = Math.max(peak, current);
    }
    return originalSet.call(this, key, info);
  };
  table.delete = function (key: object) {
    const bytes = sizes.get(key);
    if (bytes !== undefined) {
      current -= bytes;
      sizes.delete(key);
    }
    return originalDelete.call(this, key);
  };
  try {
    const result = await run();
    return { result, peakBytes: peak, endBytes: current };
  } finally {
    table.set = originalSet;
    table.delete = originalDelete;
  }
}
