/**
 * tfjs-wasm caches an XNNPACK operator per filter (conv) or right-hand matrix (matMul), and that
 * operator holds its own packed copy of the weights until the filter tensor is disposed. In a
 * training step every filter lives on the gradient tape until the backward pass (and spectral
 * norm makes a new one per call, so the cache is never reused): the packed copies double the
 * weights' share of the 4 GiB wasm heap, which is what made a full-width 128×64 LGGAN step abort.
 * Packing is one pass over the weights, small next to the conv it serves, so while a gradient tape
 * records (the filter outlives the call) these wrappers drop the operator straight after each call.
 * Outside training the cache stays: generating again with the same variables reuses it.
 *
 * Dropping: the C++ side forgets the tensor id (deleting the operators made with it) and is told
 * about the same id, size and memory again; the JS side's data (and the memory) is untouched.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { WASM } from './kernel-calls.ts';

interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number; shape: number[] } | undefined };
  wasm: { tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, memoryOffset: number): void } };
}

/** Deletes the XNNPACK operators (and packed weights) cached for `t`; `t` stays as it is. */
export function releasePackedWeights(backend: unknown, t: TensorInfo): void {
  const wasmBackend = backend as WasmBackendLike;
  const data = wasmBackend.dataIdMap.get(t.dataId);
  if (!data) return;
  wasmBackend.wasm.tfjs.disposeData(data.id);
  wasmBackend.wasm.tfjs.registerTensor(data.id, tf.util.sizeFromShape(data.shape), data.memoryOffset);
}

/** Whether a gradient tape is recording (tf.grad / variableGrads in progress). */
function tapeRecording(): boolean {
  return ((tf.engine().state as unknown as { gradientDepth?: number }).gradientDepth ?? 0) > 0;
}

/** Kernels that cache an operator per weight input, and that input's name. */
export const PACKING_KERNELS: Readonly<Record<string, string>> = {
  Conv2D: 'filter',
  DepthwiseConv2dNative: 'filter',
  FusedConv2D: 'filter',
  FusedDepthwiseConv2D: 'filter',
  BatchMatMul: 'b',
};

/** `original` followed by dropping the operator cached for its weight input. */
export function withoutPackedCache(original: KernelConfig): KernelConfig {
  const weightInput = PACKING_KERNELS[original.kernelName];
  if (!weightInput) throw new Error(`${original.kernelName} caches no packed weights`);
  return {
    ...original,
    backendName: WASM,
    kernelFunc: (args) => {
      const out = original.kernelFunc(args);
      const weights = args.inputs[weightInput] as TensorInfo | undefined;
      if (weights && tapeRecording()) releasePackedWeights(args.backend, weights);
      return out;
    },
  };
}
