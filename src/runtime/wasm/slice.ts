/**
 * Slice and SplitV on the wasm backend without copying the whole input first. tfjs-wasm's Slice
 * reads its input with readSync, which copies every byte of it out of the heap, and then copies
 * the slice; its SplitV calls that Slice once per part. Slicing a few rows off a large tensor (a
 * class's rows, a concat's gradient) therefore cost a full copy each time. Here the input is read
 * through a view of the heap, and the slice is copied as runs of contiguous elements: the
 * trailing axes a slice takes whole merge into one run.
 */
import { slice_util, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { WASM } from './kernel-calls.ts';

/** The parts of the wasm backend these kernels use. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Copies x[begin : begin + size] into out, one contiguous run at a time. */
export function copySlice(x: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }, shape: readonly number[], begin: readonly number[], size: readonly number[], out: { set(values: ArrayLike<number>, offset: number): void }): void {
  const rank = shape.length;
  if (rank === 0) {
    out.set(x.subarray(0, 1), 0);
    return;
  }
  const strides = util.computeStrides([...shape]);
  // The run spans axes `first`..rank-1: every axis after `first` is taken whole.
  let first = rank - 1;
  let run = size[rank - 1];
  while (first > 0 && size[first] === shape[first]) {
    first--;
    run *= size[first];
  }
  const stride = (axis: number) => (axis === rank - 1 ? 1 : strides[axis]);
  const start = begin.reduce((offset, b, axis) => offset + b * stride(axis), 0);
  const outer = size.slice(0, first);
  const count = outer.reduce((n, s) => n * s, 1);
  const index = new Array<number>(first).fill(0);
  for (let i = 0, outOffset = 0; i < count; i++, outOffset += run) {
    let offset = start;
    for (let axis = 0; axis < first; axis++) offset += index[axis] * stride(axis);
    out.set(x.subarray(offset, offset + run), outOffset);
    for (let axis = first - 1; axis >= 0; axis--) {
      if (++index[axis] < outer[axis]) break;
      index[axis] = 0;
    }
  }
}

function sliceOne(backend: WasmHeapBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (util.sizeFromShape(size) === 0) return out;
  // Views taken after makeOutput: allocating may grow the heap, which detaches older views.
  copySlice(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
  return out;
}

/** Wraps tfjs-wasm's kernel: strings still go to it (they are not in the heap). */
export function viewSliceConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return original.kernelFunc(args);
    const attrs = args.attrs as { begin: number | number[]; size?: number | number[] };
    const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size);
    slice_util.assertParamsValid(x, begin, size);
    return sliceOne(args.backend as unknown as WasmHeapBackend, x, begin, size);
  };
  return { kernelName: 'Slice', backendName: WASM, kernelFunc };
}

export function viewSplitVConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return original.kernelFunc(args);
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number | number[] };
    const rank = x.shape.length;
    const along = util.parseAxisParam(axis, x.shape)[0];
    const length = x.shape[along];
    let sizes: number[];
    if (typeof numOrSizeSplits === 'number') {
      if (length % numOrSizeSplits !== 0) throw new Error(`SplitV: ${length} does not split into ${numOrSizeSplits} equal parts`);
      sizes = new Array<number>(numOrSizeSplits).fill(length / numOrSizeSplits);
    } else {
      const known = numOrSizeSplits.filter((n) => n !== -1).reduce((a, n) => a + n, 0);
      sizes = numOrSizeSplits.map((n) => (n === -1 ? length - known : n));
    }
    const parts: TensorInfo[] = [];
    let offset = 0;
    for (const n of sizes) {
      const begin = new Array<number>(rank).fill(0);
      const size = [...x.shape];
      begin[along] = offset;
      size[along] = n;
      parts.push(sliceOne(args.backend as unknown as WasmHeapBackend, x, begin, size));
      offset += n;
    }
    return parts;
  };
  return { kernelName: 'SplitV', backendName: WASM, kernelFunc };
}
