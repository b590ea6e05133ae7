/**
 * Gradient of a conv with respect to its filter, on the wasm backend.
 *
 * dW[ty, tx, c, o] = Σ_{b, y, x} xPadded[b, y·s_h + ty, x·s_w + tx, c] · dy[b, y, x, o]. The padded
 * input is transposed once to [C, B, H, W]; every filter tap's window is then a plain block
 * [C, B, H_out, W_out] = [C, N] (for strides > 1, of one of the s_h·s_w phase planes, split once).
 * The windows of a chunk of taps are copied to [taps·C, N] (im2col, in chunks that bound memory)
 * and one XNNPACK matMul with dy [N, O] gives those taps' [taps·C, O] rows of dW, already in
 * filter order. Nothing is transposed inside a matMul (the wasm BatchMatMul is several times slower
 * when it must), and no kernel with a per-element loop (StridedSlice, GatherV2 on the last axis,
 * 5-d transposes) runs.
 */
import { backend_util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { KernelCalls, WASM, withKernelCalls, type ConvKernelAttrs } from './kernel-calls.ts';
import { HeapCopier, type WasmHeapBackend } from './heap.ts';

/**
 * Largest im2col chunk, in floats (default 16 MiB): enough to batch all taps of the small layers
 * while a 7×7 filter over a large map goes a few taps at a time. Mutable for tests and benchmarks.
 */
export const im2colLimits = { chunkFloats: 4 * 2 ** 20 };

interface FilterGeometry {
  batch: number;
  outHeight: number;
  outWidth: number;
  strideHeight: number;
  strideWidth: number;
  filterHeight: number;
  filterWidth: number;
  padTop: number;
  padLeft: number;
}

function geometry(info: backend_util.Conv2DInfo): FilterGeometry {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error(`wasm training kernels: dilated conv gradients are not supported (dilation ${info.dilationHeight}×${info.dilationWidth})`);
  }
  if (info.dataFormat !== 'channelsLast') throw new Error(`wasm training kernels: only NHWC convs are supported, got ${info.dataFormat}`);
  return {
    batch: info.batchSize,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/**
 * Every tap's input window, as [C, N] with N = B·H_out·W_out in dy's (b, y, x) order. Holds the
 * transposed padded input (and its phase planes) until `release`.
 */
class TapWindows {
  private readonly planes: TensorInfo[] = [];

  constructor(
    private readonly k: KernelCalls,
    x: TensorInfo,
    private readonly g: FilterGeometry,
  ) {
    const [, h, w] = x.shape;
    // Rows the windows reach, rounded up to whole strides so every phase plane has the same size.
    const rows = roundUp(Math.max((g.outHeight - 1) * g.strideHeight + g.filterHeight, g.padTop + h), g.strideHeight);
    const cols = roundUp(Math.max((g.outWidth - 1) * g.strideWidth + g.filterWidth, g.padLeft + w), g.strideWidth);
    const padded = k.pad(x, [
      [0, 0],
      [g.padTop, rows - g.padTop - h],
      [g.padLeft, cols - g.padLeft - w],
      [0, 0],
    ]);
    if (g.strideHeight === 1 && g.strideWidth === 1) {
      this.planes.push(k.transpose(padded, [3, 0, 1, 2])); // [C, B, rows, cols]
      k.free(padded);
      return;
    }
    // Phase plane (py, px) = padded[:, py::s_h, px::s_w, :], sliced from the padded input viewed as
    // [B·rows/s_h, s_h, cols/s_w, s_w·C] (copies of C contiguous floats), then transposed.
    const [b, , , c] = padded.shape;
    const hh = rows / g.strideHeight;
    const wh = cols / g.strideWidth;
    const blocks = k.reshape(padded, [b * hh, g.strideHeight, wh, g.strideWidth * c]);
    for (let py = 0; py < g.strideHeight; py++) {
      for (let px = 0; px < g.strideWidth; px++) {
        const plane = k.reshapeFreeing(k.slice(blocks, [0, py, 0, px * c], [b * hh, 1, wh, c]), [b, hh, wh, c]);
        this.planes.push(k.transpose(plane, [3, 0, 1, 2])); // [C, B, hh, wh]
        k.free(plane);
      }
    }
    k.free(blocks);
    k.free(padded);
  }

  /**
   * The windows of taps [t0, t1) stacked as rows (t, c) of [taps·C, N], written straight into one
   * new tensor: a memmove per window row (heap.ts), no tensor per tap and no concat.
   */
  stack(t0: number, t1: number): TensorInfo {
    const g = this.g;
    const [channels, batch] = this.planes[0].shape;
    const n = batch * g.outHeight * g.outWidth;
    const out = this.k.empty([(t1 - t0) * channels, n]);
    const heap = new HeapCopier(this.k.backend as unknown as WasmHeapBackend, 'float32'); // after the allocation
    const to0 = heap.start(out);
    for (let t = t0; t < t1; t++) {
      const ty = Math.floor(t / g.filterWidth);
      const tx = t % g.filterWidth;
      const plane = this.planes[(ty % g.strideHeight) * g.strideWidth + (tx % g.strideWidth)];
      const [, , hh, wh] = plane.shape;
      const from0 = heap.start(plane) + Math.floor(ty / g.strideHeight) * wh + Math.floor(tx / g.strideWidth);
      for (let c = 0; c < channels; c++) {
        for (let b = 0; b < batch; b++) {
          const from = from0 + (c * batch + b) * hh * wh;
          const to = to0 + ((t - t0) * channels + c) * n + b * g.outHeight * g.outWidth;
          for (let y = 0; y < g.outHeight; y++) heap.copy(to + y * g.outWidth, from + y * wh, g.outWidth);
        }
      }
    }
    return out;
  }

  release(): void {
    for (const p of this.planes) this.k.free(p);
  }
}

/** Consecutive chunks of taps, each with at most `chunkFloats` floats of windows (≥ 1 tap). */
function tapChunks(taps: number, floatsPerTap: number): Array<[number, number]> {
  const perChunk = Math.max(1, Math.floor(im2colLimits.chunkFloats / floatsPerTap));
  const chunks: Array<[number, number]> = [];
  for (let t0 = 0; t0 < taps; t0 += perChunk) chunks.push([t0, Math.min(taps, t0 + perChunk)]);
  return chunks;
}

/** Conv2DBackpropFilter's attrs: the conv's, plus the shape of the filter. */
type FilterAttrs = ConvKernelAttrs & { filterShape: [number, number, number, number] };

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: WASM,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as FilterAttrs;
    const format = backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC');
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, format);
    const g = geometry(info);
    const [kh, kw, inChannels, outChannels] = a.filterShape;
    return withKernelCalls(backend, (k) => {
      const n = g.batch * g.outHeight * g.outWidth;
      const dyRows = k.reshape(dy, [n, outChannels]);
      const windows = new TapWindows(k, x, g);
      const parts: TensorInfo[] = [];
      for (const [t0, t1] of tapChunks(kh * kw, n * inChannels)) {
        const cols = windows.stack(t0, t1);
        parts.push(k.matMul(cols, dyRows)); // [taps·C, O], rows (t, c)
        k.free(cols);
      }
      windows.release();
      const all = parts.length === 1 ? parts[0] : k.concat(parts, 0);
      return k.keep(k.reshape(all, [kh, kw, inChannels, outChannels]));
    });
  },
};

/**
 * dW[ty, tx, c, q] = Σ_n window_t[c, n] · dy[n, c·m + q]: dy is transposed once to [C, m, N]; per
 * chunk of taps one broadcast multiply [taps, C, 1, N] × [C, m, N] and a sum over the innermost N.
 */
export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: WASM,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as FilterAttrs;
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
    const g = geometry(info);
    const [kh, kw, channels, multiplier] = a.filterShape;
    return withKernelCalls(backend, (k) => {
      const n = g.batch * g.outHeight * g.outWidth;
      const dyT = k.transpose(k.reshape(dy, [n, channels, multiplier]), [1, 2, 0]); // [C, m, N]
      const windows = new TapWindows(k, x, g);
      const parts: TensorInfo[] = [];
      for (const [t0, t1] of tapChunks(kh * kw, n * channels * multiplier)) {
        const stacked = k.reshapeFreeing(windows.stack(t0, t1), [t1 - t0, channels, 1, n]);
        const products = k.mul(stacked, dyT); // [taps, C, m, N]
        k.free(stacked);
        parts.push(k.sum(products, [3])); // [taps, C, m]
        k.free(products);
      }
      windows.release();
      const all = parts.length === 1 ? parts[0] : k.concat(parts, 0);
      return k.keep(k.reshape(all, [kh, kw, channels, multiplier]));
    });
  },
};
