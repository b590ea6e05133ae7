/**
 * Concat on the wasm backend as heap memmoves (heap.ts). tfjs-wasm's own copies each run through a
 * new typed-array view (subarray + set), which dominates when the runs are short: joining along
 * channels copies C floats per pixel per input.
 */
import { backend_util, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { WASM } from './kernel-calls.ts';
import { HeapCopier, type WasmHeapBackend } from './heap.ts';

export function heapConcatConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const inputs = args.inputs as unknown as TensorInfo[];
    const backend = args.backend as unknown as WasmHeapBackend;
    const nonEmpty = inputs.filter((t) => util.sizeFromShape(t.shape) > 0);
    // Strings, and the cases tfjs-wasm answers without copying, stay with it.
    if (inputs[0].dtype === 'string' || nonEmpty.length <= 1) return original.kernelFunc(args);
    const axis = util.parseAxisParam((args.attrs as { axis: number | number[] }).axis, inputs[0].shape)[0];
    backend_util.assertParamsConsistent(inputs.map((t) => t.shape), axis);
    const outShape = backend_util.computeOutShape(inputs.map((t) => t.shape), axis);
    const out = backend.makeOutput(outShape, inputs[0].dtype);
    const heap = new HeapCopier(backend, inputs[0].dtype); // after the allocation
    const outer = util.sizeFromShape(nonEmpty[0].shape.slice(0, axis));
    const inner = nonEmpty.map((t) => util.sizeFromShape(t.shape.slice(axis)));
    const total = inner.reduce((a, n) => a + n, 0);
    const starts = nonEmpty.map((t) => heap.start(t));
    const to0 = heap.start(out);
    for (let b = 0; b < outer; b++) {
      let to = to0 + b * total;
      for (let i = 0; i < nonEmpty.length; i++) {
        heap.copy(to, starts[i] + b * inner[i], inner[i]);
        to += inner[i];
      }
    }
    return out;
  };
  return { kernelName: 'Concat', backendName: WASM, kernelFunc };
}
