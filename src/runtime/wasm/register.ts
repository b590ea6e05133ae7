/**
 * Makes the tfjs wasm backend able to train: registers the gradient kernels it lacks
 * (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropInput/Filter, UnsortedSegmentSum) and
 * replaces its Conv2DBackpropInput, a plain loop ~8× slower than XNNPACK's forward conv, with the
 * polyphase form (which is also the forward pass of every transposed conv). All are built from the
 * backend's own fast kernels (XNNPACK conv and matMul, pad, slice, transpose). Identity is replaced
 * too: tfjs-wasm's copies, and the engine clones every tensor it keeps for the backward pass.
 * BatchMatMul with a transposed operand (every matMul gradient) is routed around tfjs-wasm's slow
 * transposed loop, and during training the convs and matMuls drop XNNPACK's packed copy of their
 * weights after each call (packed-weights.ts). Slice, SplitV and Concat copy inside the heap
 * (heap.ts) instead of through a copy of each whole input or a typed array per run; AvgPoolGrad
 * without padding is one JS pass over heap views (avg-pool-grad.ts).
 *
 * Import the wasm backend before calling this; call it before or after tf.setBackend('wasm').
 */
import * as tf from '@tensorflow/tfjs-core';
import { transposeFreeBatchMatMulConfig } from './batch-matmul.ts';
import { conv2dBackpropFilterConfig, depthwiseBackpropFilterConfig } from './conv-backprop-filter.ts';
import { conv2dBackpropInputConfig, depthwiseBackpropInputConfig } from './conv-backprop-input.ts';
import { sharedIdentityConfig } from './identity.ts';
import { WASM } from './kernel-calls.ts';
import { PACKING_KERNELS, withoutPackedCache } from './packed-weights.ts';
import { unsortedSegmentSumConfig } from './segment-sum.ts';
import { viewSliceConfig, viewSplitVConfig } from './slice.ts';
import { heapConcatConfig } from './concat.ts';
import { viewAvgPoolGradConfig } from './avg-pool-grad.ts';

export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropInputConfig,
  conv2dBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  unsortedSegmentSumConfig,
  sharedIdentityConfig,
];

/** Kernel functions of our wrappers, so registering twice never wraps a wrapper. */
const ourWrappers = new WeakSet<tf.KernelFunc>();

/** Replaces the backend's `name` kernel by `wrap(it)`, once. */
function wrapKernel(name: string, wrap: (original: tf.KernelConfig) => tf.KernelConfig): void {
  const current = tf.getKernel(name, WASM);
  if (!current) throw new Error(`the wasm backend has no '${name}' kernel to wrap`);
  if (ourWrappers.has(current.kernelFunc)) return;
  const wrapped = wrap(current);
  ourWrappers.add(wrapped.kernelFunc);
  tf.unregisterKernel(name, WASM);
  tf.registerKernel(wrapped);
}

/** Registers (or re-registers) every wasm training kernel; safe to call more than once. */
export function registerWasmTrainingKernels(): void {
  if (!tf.getKernelsForBackend(WASM).some((k) => k.kernelName === 'Conv2D')) {
    throw new Error('the tfjs wasm backend is not loaded: import @tensorflow/tfjs-backend-wasm before registering its training kernels');
  }
  wrapKernel('BatchMatMul', (original) => transposeFreeBatchMatMulConfig(withoutPackedCache(original)));
  for (const name of Object.keys(PACKING_KERNELS)) if (name !== 'BatchMatMul') wrapKernel(name, withoutPackedCache);
  wrapKernel('Slice', viewSliceConfig);
  wrapKernel('SplitV', viewSplitVConfig);
  wrapKernel('Concat', heapConcatConfig);
  wrapKernel('AvgPoolGrad', viewAvgPoolGradConfig);
  for (const config of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(config.kernelName, WASM) === config) continue;
    // The registry warns when a name is taken: drop the old kernel (the backend's own
    // Conv2DBackpropInput) first.
    if (tf.getKernel(config.kernelName, WASM)) tf.unregisterKernel(config.kernelName, WASM);
    tf.registerKernel(config);
  }
}
