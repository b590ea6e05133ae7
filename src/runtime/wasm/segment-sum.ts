/**
 * UnsortedSegmentSum on the wasm backend (the gradient of gather): out[s, …] = Σ_{i: ids[i] = s} x[i, …],
 * as one ScatterNd, whose updates to the same row accumulate. Ids outside [0, numSegments) are
 * dropped, as on the cpu backend.
 */
import { util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { WASM, withKernelCalls } from './kernel-calls.ts';

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: WASM,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const numSegments = (attrs as { numSegments: number }).numSegments;
    if (!Number.isInteger(numSegments) || numSegments < 0) throw new Error(`UnsortedSegmentSum: numSegments must be a whole number ≥ 0, got ${numSegments}`);
    const idsRank = segmentIds.shape.length;
    if (util.arraysEqual(x.shape.slice(0, idsRank), segmentIds.shape) === false) {
      throw new Error(`UnsortedSegmentSum: segmentIds of shape [${segmentIds.shape}] must be a prefix of x's shape [${x.shape}]`);
    }
    const rows = util.sizeFromShape(segmentIds.shape);
    const rowShape = x.shape.slice(idsRank);
    const outShape = [numSegments, ...rowShape];
    return withKernelCalls(backend, (k) => {
      if (rows === 0 || numSegments === 0) return k.keep(k.zeros(outShape, x.dtype));
      const ids = k.backend.readSync(segmentIds.dataId) as Int32Array;
      const valid: number[] = [];
      for (let i = 0; i < rows; i++) if (ids[i] >= 0 && ids[i] < numSegments) valid.push(i);
      let updates = k.reshape(x, [rows, ...rowShape]);
      let indices = k.reshape(segmentIds, [rows, 1]);
      if (valid.length < rows) {
        if (valid.length === 0) return k.keep(k.zeros(outShape, x.dtype));
        const positions = k.fromValues(Int32Array.from(valid), [valid.length], 'int32');
        updates = k.run('GatherV2', { x: updates, indices: positions }, { axis: 0, batchDims: 0 });
        indices = k.fromValues(Int32Array.from(valid, (i) => ids[i]), [valid.length, 1], 'int32');
      }
      return k.keep(k.run('ScatterNd', { indices, updates }, { shape: outShape }));
    });
  },
};
