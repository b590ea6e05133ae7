/**
 * Copies between tensors inside the wasm heap as memmoves (copyWithin on one view of the whole
 * heap): no readSync copy of a whole input and no typed-array object per run, which is what made
 * copying many short runs (a slice's rows, an im2col's windows) slow.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The parts of tfjs-wasm's backend this uses. */
export interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  getMemoryOffset(dataId: object): number;
  makeOutput(shape: number[], dtype: string): TensorInfo;
}

export class HeapCopier {
  private readonly view: Float32Array | Uint8Array;
  private readonly bytes: number;

  /**
   * Take it after the last allocation of the copy: growing the heap detaches older views.
   * float32 and int32 move as 4-byte elements (copyWithin copies bytes, so bits are kept), bool as 1.
   */
  constructor(
    private readonly backend: WasmHeapBackend,
    dtype: string,
  ) {
    this.bytes = dtype === 'bool' ? 1 : 4;
    const buffer = backend.wasm.HEAPU8.buffer;
    this.view = this.bytes === 4 ? new Float32Array(buffer) : new Uint8Array(buffer);
  }

  /** Index of a tensor's first element in this view. */
  start(t: TensorInfo): number {
    return this.backend.getMemoryOffset(t.dataId) / this.bytes;
  }

  /** Copies `count` elements from index `from` to index `to`. */
  copy(to: number, from: number, count: number): void {
    this.view.copyWithin(to, from, from + count);
  }
}
