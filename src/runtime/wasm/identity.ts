/**
 * Identity on the wasm backend as the cpu and webgl backends do it: the output shares the input's
 * data (reference-counted), no copy. The engine clones every tensor it saves for the backward pass
 * (engine.saveTensorsForBackwardMode → clone → Identity); tfjs-wasm's own Identity copies, which
 * doubled the memory of a training step (and the wasm heap is capped at 4 GiB) and cost a memcpy
 * per saved tensor. Tensors are immutable in tfjs (a Variable's assign swaps its data, never
 * writes into it), so sharing is safe.
 */
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { WASM } from './kernel-calls.ts';

export const sharedIdentityConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: WASM,
  kernelFunc: ({ inputs, backend }) => {
    const x = inputs.x as TensorInfo;
    (backend as KernelBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  },
};
