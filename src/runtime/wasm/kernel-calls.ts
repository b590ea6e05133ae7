/**
 * Calls the wasm backend's own registered kernels from inside another wasm kernel, the way the
 * backend's kernels call each other: straight to the kernel function, on TensorInfos, without the
 * engine (so nothing is taped and no engine tensors are made). Every result is owned by the
 * KernelCalls that made it and freed by `release()`, except the one handed back with `keep()`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataType, KernelBackend, NamedAttrMap, NamedTensorInfoMap, TensorInfo, backend_util } from '@tensorflow/tfjs-core';

export const WASM = 'wasm';

type Paddings = Array<[number, number]>;

/** The attrs every conv gradient kernel gets (strides, padding, layout, dilations). */
export type ConvKernelAttrs = NamedAttrMap & {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
};

export class KernelCalls {
  private readonly owned = new Set<TensorInfo>();

  constructor(readonly backend: KernelBackend) {}

  /** Runs a registered wasm kernel; its (first) output is owned by this object. */
  run(kernelName: string, inputs: NamedTensorInfoMap | TensorInfo[], attrs: NamedAttrMap = {}): TensorInfo {
    const config = tf.getKernel(kernelName, WASM);
    if (!config) throw new Error(`the wasm backend has no '${kernelName}' kernel, which the wasm training kernels are built from`);
    const out = config.kernelFunc({ inputs: inputs as NamedTensorInfoMap, backend: this.backend, attrs });
    const first = Array.isArray(out) ? out[0] : out;
    if (Array.isArray(out)) for (const extra of out.slice(1)) this.backend.disposeData(extra.dataId);
    this.owned.add(first);
    return first;
  }

  /** A new tensor holding `values` (owned). */
  fromValues(values: Float32Array | Int32Array, shape: number[], dtype: DataType): TensorInfo {
    const t: TensorInfo = { dataId: this.backend.write(values, shape, dtype), shape, dtype };
    this.owned.add(t);
    return t;
  }

  /** A new tensor whose values the caller writes (owned). */
  empty(shape: number[], dtype: DataType = 'float32'): TensorInfo {
    const t = (this.backend as unknown as { makeOutput(shape: number[], dtype: DataType): TensorInfo }).makeOutput(shape, dtype);
    this.owned.add(t);
    return t;
  }

  /** Hands `t` to the caller: release() leaves it alone. */
  keep(t: TensorInfo): TensorInfo {
    this.owned.delete(t);
    return t;
  }

  /** Frees `t` now (it must be one of ours). */
  free(t: TensorInfo): void {
    if (this.owned.delete(t)) this.backend.disposeData(t.dataId);
  }

  /** Frees every result not kept. Shared data (reshape outputs) is reference-counted by the backend. */
  release(): void {
    for (const t of this.owned) this.backend.disposeData(t.dataId);
    this.owned.clear();
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /** reshape(x) that also lets go of x (when ours), so the data lives only as long as the result. */
  reshapeFreeing(x: TensorInfo, shape: number[]): TensorInfo {
    const out = this.reshape(x, shape);
    this.free(x);
    return out;
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** Zero padding; returns x itself (not owned) when there is none. */
  pad(x: TensorInfo, paddings: Paddings): TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  /** Returns x itself (not owned) when the slice is all of it. */
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    if (begin.every((b) => b === 0) && size.every((s, i) => s === x.shape[i])) return x;
    return this.run('Slice', { x }, { begin, size });
  }

  /**
   * Rows `indices` of a 2-d x, in that order: one slice per row and a concat (both plain copies).
   * tfjs-wasm's GatherV2 moves element by element: ≈ 650 ms for nine rows of a 3×3×1024×1024
   * filter, against ≈ 20 ms this way.
   */
  rows(x: TensorInfo, indices: number[]): TensorInfo {
    const width = x.shape[1];
    const picked = indices.map((row) => this.slice(x, [row, 0], [1, width]));
    if (picked.length === 1) return picked[0] === x ? this.reshape(x, [1, width]) : picked[0];
    const out = this.concat(picked, 0);
    for (const p of picked) this.free(p);
    return out;
  }

  concat(xs: TensorInfo[], axis: number): TensorInfo {
    return this.run('Concat', xs, { axis });
  }

  /** NHWC: blocks of s·s·C channels become s×s pixels of C channels. */
  depthToSpace(x: TensorInfo, blockSize: number): TensorInfo {
    return this.run('DepthToSpace', { x }, { blockSize, dataFormat: 'NHWC' });
  }

  zeros(shape: number[], dtype: DataType = 'float32'): TensorInfo {
    return this.run('Fill', {}, { shape, value: 0, dtype });
  }

  /** NHWC conv, stride 1, valid padding. */
  convValid(x: TensorInfo, filter: TensorInfo): TensorInfo {
    return this.run('Conv2D', { x, filter }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] });
  }

  /** NHWC depthwise conv, stride 1, valid padding. */
  depthwiseValid(x: TensorInfo, filter: TensorInfo): TensorInfo {
    return this.run('DepthwiseConv2dNative', { x, filter }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] });
  }

  /** a [M, K] · b [K, N] with no transposes: the wasm BatchMatMul is slow when it has to transpose. */
  matMul(a: TensorInfo, b: TensorInfo): TensorInfo {
    const [m, k] = a.shape;
    const n = b.shape[1];
    const out = this.run('BatchMatMul', { a: this.reshape(a, [1, m, k]), b: this.reshape(b, [1, k, n]) }, { transposeA: false, transposeB: false });
    return this.reshape(out, [m, n]);
  }

  mul(a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.run('Multiply', { a, b });
  }

  sum(x: TensorInfo, axis: number[]): TensorInfo {
    return this.run('Sum', { x }, { axis, keepDims: false });
  }
}

/**
 * Runs `body` with a KernelCalls on `backend` and frees every intermediate afterwards (also when it
 * throws). `body` returns the result it kept.
 */
export function withKernelCalls(backend: unknown, body: (k: KernelCalls) => TensorInfo): TensorInfo {
  const calls = new KernelCalls(backend as KernelBackend);
  try {
    return body(calls);
  } finally {
    calls.release();
  }
}
