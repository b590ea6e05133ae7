/**
 * AvgPoolGrad on the wasm backend for pools without padding (how resample.ts pools: it pads
 * explicitly and pools 'valid'), as one pass over dy in JS on heap views: each dy value is spread
 * over its window, channels innermost. tfjs-wasm's own kernel took ≈ 7 ms for the discriminator's
 * 3×3 stride-2 pool of a 66×130×39 map, ≈ 4× this. Padded pools still go to tfjs-wasm's kernel.
 */
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { WASM } from './kernel-calls.ts';

interface HeapViews {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

type PoolAttrs = { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number | backend_util.ExplicitPadding; dimRoundingMode?: 'floor' | 'round' | 'ceil' };

export function viewAvgPoolGradConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const a = args.attrs as unknown as PoolAttrs;
    const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const { top, left, bottom, right } = info.padInfo;
    if (top !== 0 || left !== 0 || bottom !== 0 || right !== 0 || input.dtype !== 'float32') return original.kernelFunc(args);
    const backend = args.backend as unknown as HeapViews;
    const dx = backend.makeOutput([...input.shape], 'float32');
    // Views after the allocation: growing the heap detaches older ones.
    const out = backend.typedArrayFromHeap(dx);
    const grad = backend.typedArrayFromHeap(dy);
    out.fill(0);
    const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
    const scale = 1 / (filterHeight * filterWidth);
    let from = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let oy = 0; oy < outHeight; oy++) {
        for (let ox = 0; ox < outWidth; ox++, from += c) {
          for (let fy = 0; fy < filterHeight; fy++) {
            const row = (b * inHeight + oy * strideHeight + fy) * inWidth;
            for (let fx = 0; fx < filterWidth; fx++) {
              const to = (row + ox * strideWidth + fx) * c;
              for (let ch = 0; ch < c; ch++) out[to + ch] += grad[from + ch] * scale;
            }
          }
        }
      }
    }
    return dx;
  };
  return { kernelName: 'AvgPoolGrad', backendName: WASM, kernelFunc };
}
