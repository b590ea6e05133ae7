/**
 * Slice and SplitV on the wasm backend without copying the whole input first. tfjs-wasm's Slice
 * reads its input with readSync, which copies every byte of it out of the heap, and then copies
 * the slice; its SplitV calls that Slice once per part. Slicing a few rows off a large tensor (a
 * class's rows, a concat's gradient) therefore cost a full copy each time. Here the slice is
 * copied inside the heap as runs of contiguous elements (heap.ts): the trailing axes a slice takes
 * whole merge into one run.
 */
import { slice_util, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { WASM } from './kernel-calls.ts';
import { HeapCopier, type WasmHeapBackend } from './heap.ts';

/**
 * Copies x[begin : begin + size] (x of `shape`, starting at heap index `from`) to `to`, one
 * contiguous run at a time; the trailing axes the slice takes whole merge into one run.
 */
export function copySlice(copy: (to: number, from: number, count: number) => void, shape: readonly number[], begin: readonly number[], size: readonly number[], from: number, to: number): void {
  const rank = shape.length;
  if (rank === 0) return copy(to, from, 1);
  const strides = [...util.computeStrides([...shape]), 1]; // element strides, innermost 1
  // The run spans axes `first`..rank-1: every axis after `first` is taken whole.
  let first = rank - 1;
  let run = size[rank - 1];
  while (first > 0 && size[first] === shape[first]) {
    first--;
    run *= size[first];
  }
  const start = from + begin.reduce((offset, b, axis) => offset + b * strides[axis], 0);
  const count = size.slice(0, first).reduce((n, s) => n * s, 1);
  const index = new Array<number>(first).fill(0);
  let offset = start;
  for (let i = 0; i < count; i++) {
    copy(to + i * run, offset, run);
    // Next outer index, odometer-style, keeping `offset` in step.
    for (let axis = first - 1; axis >= 0; axis--) {
      offset += strides[axis];
      if (++index[axis] < size[axis]) break;
      offset -= strides[axis] * size[axis];
      index[axis] = 0;
    }
  }
}

function sliceOne(backend: WasmHeapBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (util.sizeFromShape(size) === 0) return out;
  const heap = new HeapCopier(backend, x.dtype); // after makeOutput: growing the heap detaches older views
  copySlice((to, from, n) => heap.copy(to, from, n), x.shape, begin, size, heap.start(x), heap.start(out));
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
