/**
 * Gradient of a conv with respect to its input (also the forward pass of a transposed conv), on
 * the wasm backend, as stride-1 forward convolutions that XNNPACK runs fast.
 *
 * For stride s the input gradient splits into s_h·s_w phases by output position modulo the stride
 * (the polyphase form of a transposed conv): the pixels of one phase only meet the filter taps
 * k ≡ (phase + pad) mod s, so each phase is one valid stride-1 conv of a window of dy with that
 * sub-filter, flipped and with in/out channels swapped. No zeros are interleaved into dy, so the
 * multiply-adds are exactly those of the forward conv. Along one axis (pad p, kernel k):
 *   phase φ: r = (φ + p) mod s, c = ⌊(φ + p) / s⌋, taps r, r + s, … (J of them),
 *   dx[u·s + φ] = Σ_j dy[c + u − j] · w[r + j·s]   for u = 0 … ⌈n / s⌉ − 1,
 * i.e. a valid correlation of dy[c − (J − 1) … c + U − 1] with the flipped sub-filter. The phases
 * are interleaved by two concats and reshapes; a crop gives the input size.
 *
 * Only kernels that are fast on wasm are used: the sub-filters are picked as row slices and a concat
 * (tfjs-wasm's GatherV2 and Reverse go element by element), and phases are interleaved without DepthToSpace or a 6-d
 * transpose (all per-element loops in the wasm backend, 10–50× slower).
 */
import { backend_util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { KernelCalls, WASM, withKernelCalls, type ConvKernelAttrs } from './kernel-calls.ts';

/** One axis of the phase split. */
interface AxisPhase {
  /** First filter tap of the phase. */
  tap: number;
  /** Taps in the phase (0 when the kernel is shorter than the stride). */
  taps: number;
  /** First window position of dy, which may lie before 0 (zeros). */
  start: number;
}

function axisPhases(stride: number, pad: number, kernel: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let phase = 0; phase < stride; phase++) {
    const tap = (phase + pad) % stride;
    const first = Math.floor((phase + pad) / stride);
    const taps = tap < kernel ? Math.ceil((kernel - tap) / stride) : 0;
    phases.push({ tap, taps, start: first - (taps - 1) });
  }
  return phases;
}

/** dy[start … start + length) along both spatial axes, zero outside dy: one pad and one slice. */
function window2d(k: KernelCalls, dy: TensorInfo, rows: [number, number], cols: [number, number]): TensorInfo {
  const [b, h, w, c] = dy.shape;
  const before = (start: number) => Math.max(0, -start);
  const after = (start: number, length: number, size: number) => Math.max(0, start + length - size);
  const padded = k.pad(dy, [
    [0, 0],
    [before(rows[0]), after(rows[0], rows[1], h)],
    [before(cols[0]), after(cols[0], cols[1], w)],
    [0, 0],
  ]);
  return k.slice(padded, [0, rows[0] + before(rows[0]), cols[0] + before(cols[0]), 0], [b, rows[1], cols[1], c]);
}

/**
 * The phase's taps of `filter` [kh, kw, a, b], spatially flipped: [Jh, Jw, a, b]: rows of the
 * filter seen as [kh·kw, a·b].
 */
function flippedTaps(k: KernelCalls, filter: TensorInfo, py: AxisPhase, px: AxisPhase, strideH: number, strideW: number): TensorInfo {
  const [kh, kw, a, b] = filter.shape;
  const rows: number[] = [];
  for (let jy = py.taps - 1; jy >= 0; jy--) {
    for (let jx = px.taps - 1; jx >= 0; jx--) rows.push((py.tap + jy * strideH) * kw + px.tap + jx * strideW);
  }
  const taps = k.rows(k.reshape(filter, [kh * kw, a * b]), rows);
  return k.reshapeFreeing(taps, [py.taps, px.taps, a, b]);
}

export interface BackpropInputGeometry {
  /** [batch, height, width, channels] of x. */
  inShape: [number, number, number, number];
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * Places phase images [B, U_h, U_w, C] (row-major over (φ_h, φ_w)) at rows u·s_h + φ_h, columns
 * u·s_w + φ_w, with two concats and no data shuffling kernel: NHWC [U_w, s_w·C] is [U_w·s_w, C]
 * with column u·s_w + φ_w, and [U_h, s_h·W] is [U_h·s_h, W] with row u·s_h + φ_h. (The wasm
 * DepthToSpace and 6-d transposes would do the same in per-element loops, ~50× slower.)
 */
function interleave(k: KernelCalls, phases: TensorInfo[], strideH: number, strideW: number): TensorInfo {
  if (phases.length === 1) return phases[0];
  const [b, uh, uw, c] = phases[0].shape;
  const rows: TensorInfo[] = [];
  for (let py = 0; py < strideH; py++) {
    const row = phases.slice(py * strideW, (py + 1) * strideW);
    rows.push(row.length === 1 ? row[0] : k.reshape(k.concat(row, 3), [b, uh, uw * strideW, c]));
  }
  return rows.length === 1 ? rows[0] : k.reshape(k.concat(rows, 2), [b, uh * strideH, uw * strideW, c]);
}

/**
 * Shared by the dense and the depthwise kernel: `phaseConv(window, taps)` computes one phase from
 * a window of dy and the phase's flipped filter taps [Jh, Jw, …].
 */
function polyphaseBackprop(k: KernelCalls, dy: TensorInfo, filter: TensorInfo, g: BackpropInputGeometry, phaseConv: (window: TensorInfo, taps: TensorInfo) => TensorInfo): TensorInfo {
  const [batch, height, width, inChannels] = g.inShape;
  const [kh, kw] = filter.shape;
  const unitsH = Math.ceil(height / g.strideHeight);
  const unitsW = Math.ceil(width / g.strideWidth);
  const phases: TensorInfo[] = [];
  for (const py of axisPhases(g.strideHeight, g.padTop, kh)) {
    for (const px of axisPhases(g.strideWidth, g.padLeft, kw)) {
      if (py.taps === 0 || px.taps === 0) {
        phases.push(k.zeros([batch, unitsH, unitsW, inChannels]));
        continue;
      }
      const window = window2d(k, dy, [py.start, unitsH + py.taps - 1], [px.start, unitsW + px.taps - 1]);
      const phase = phaseConv(window, flippedTaps(k, filter, py, px, g.strideHeight, g.strideWidth));
      k.free(window);
      phases.push(phase);
    }
  }
  const interleaved = interleave(k, phases, g.strideHeight, g.strideWidth);
  const cropped = k.slice(interleaved, [0, 0, 0, 0], [batch, height, width, inChannels]);
  // The engine gets a tensor of its own even when neither interleave nor crop made one.
  return k.keep(cropped === interleaved ? k.reshape(interleaved, g.inShape) : cropped);
}

function geometry(info: backend_util.Conv2DInfo): BackpropInputGeometry {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error(`wasm training kernels: dilated conv gradients are not supported (dilation ${info.dilationHeight}×${info.dilationWidth})`);
  }
  if (info.dataFormat !== 'channelsLast') throw new Error(`wasm training kernels: only NHWC convs are supported, got ${info.dataFormat}`);
  return { inShape: info.inShape, strideHeight: info.strideHeight, strideWidth: info.strideWidth, padTop: info.padInfo.top, padLeft: info.padInfo.left };
}

/** Conv2DBackpropInput's attrs: the conv's, plus the shape of x. */
type ConvAttrs = ConvKernelAttrs & { inputShape: [number, number, number, number] };

/** dx of conv2d(x, filter [kh, kw, in, out]): each phase convolves dy with taps transposed to [Jh, Jw, out, in]. */
export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: WASM,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as ConvAttrs;
    const format = backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC');
    const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode, false, format);
    const g = geometry(info);
    return withKernelCalls(backend, (k) => {
      if (g.strideHeight === 1 && g.strideWidth === 1 && dy.shape[0] * dy.shape[1] * dy.shape[2] < TINY_MAP_PIXELS) return k.keep(tinyMapBackprop(k, dy, filter, g));
      return polyphaseBackprop(k, dy, filter, g, (window, taps) => k.convValid(window, k.transpose(taps, [0, 1, 3, 2])));
    });
  },
};

/**
 * Below this many dy pixels a stride-1 input gradient skips the polyphase conv, whose filter
 * preparation (taps, transpose, XNNPACK packing: ≈ 0.5 s for 3×3×1024×1024) outweighs the products
 * on small maps. Measured per call (3×3 filters): 4×8 at 1024→1024 563 → 236 ms, 8×16 at
 * 1024→512 295 → 213 ms; from 16×32 at 256→256 on the polyphase conv is faster (53 against 76 ms).
 */
const TINY_MAP_PIXELS = 256;

/**
 * dx for a stride-1 conv on a small map, without rearranging the filter's taps: the columns
 * dy [N, out] · W[kh·kw·in, out]ᵀ (one matMul: tfjs-wasm's loop below 16 rows, else a transpose
 * and XNNPACK), then
 * each tap's block of columns shifted into place and summed (col2im): input pixel i gets output
 * pixel o = i + pad − tap.
 */
function tinyMapBackprop(k: KernelCalls, dy: TensorInfo, filter: TensorInfo, g: BackpropInputGeometry): TensorInfo {
  const [batch, outH, outW, outChannels] = dy.shape;
  const [kh, kw, inChannels] = filter.shape;
  const [, height, width] = g.inShape;
  const rows = batch * outH * outW;
  const columns = k.run('BatchMatMul', { a: k.reshape(dy, [1, rows, outChannels]), b: k.reshape(filter, [1, kh * kw * inChannels, outChannels]) }, { transposeA: false, transposeB: true });
  const perTap = k.reshape(columns, [batch, outH, outW, kh * kw * inChannels]);
  let dx: TensorInfo | undefined;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      // Input rows i = o − padTop + ky for o in [0, outH): keep those inside [0, height).
      const top = ky - g.padTop;
      const left = kx - g.padLeft;
      const rowsFrom = Math.max(0, -top);
      const rowsTo = Math.min(outH, height - top);
      const colsFrom = Math.max(0, -left);
      const colsTo = Math.min(outW, width - left);
      if (rowsTo <= rowsFrom || colsTo <= colsFrom) continue;
      const block = k.slice(perTap, [0, rowsFrom, colsFrom, (ky * kw + kx) * inChannels], [batch, rowsTo - rowsFrom, colsTo - colsFrom, inChannels]);
      const placed = k.pad(block, [
        [0, 0],
        [top + rowsFrom, height - (top + rowsTo)],
        [left + colsFrom, width - (left + colsTo)],
        [0, 0],
      ]);
      dx = dx ? k.run('Add', { a: dx, b: placed }) : placed;
    }
  }
  return dx ?? k.zeros(g.inShape);
}

/**
 * dx of depthwiseConv2d(x [.., C], filter [kh, kw, C, m]): dy has C·m channels (c·m + q). Each
 * phase is one depthwise conv over those C·m channels with the flipped taps, then a sum over q.
 */
export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: WASM,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as ConvAttrs;
    const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
    const [, , channels, multiplier] = filter.shape;
    return withKernelCalls(backend, (k) =>
      polyphaseBackprop(k, dy, filter, geometry(info), (window, taps) => {
        const [jh, jw] = taps.shape;
        const perChannel = k.depthwiseValid(window, k.reshape(taps, [jh, jw, channels * multiplier, 1]));
        if (multiplier === 1) return perChannel;
        const [b, h, w] = perChannel.shape;
        return k.sum(k.reshape(perChannel, [b, h, w, channels, multiplier]), [4]);
      }),
    );
  },
};
