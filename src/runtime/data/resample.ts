/**
 * Resizing as the official PyTorch/PIL pipelines do it:
 * - labels: nearest neighbour, source pixel ⌊(x + ½)·in/out⌋ (PIL's NEAREST), so ids stay ids;
 *   checked against Pillow 12: nearest identical, bicubic/bilinear equal to its float ('F') mode;
 * - images: separable convolution with a bicubic kernel (a = −½, PIL's BICUBIC) or a triangle
 *   kernel (bilinear, a documented cheaper option). When shrinking, the kernel is stretched by the
 *   scale factor, which antialiases (as PIL does); taps outside the image are dropped and the
 *   remaining weights renormalised. Values are kept as floats (PIL rounds to bytes between passes)
 *   and clamped to [0, 255] at the end.
 */
import type { IdRaster, ImageRaster, PixelArray, Raster } from './raster.ts';

export type ImageFilter = 'bicubic' | 'bilinear';

interface Kernel {
  support: number;
  weight(x: number): number;
}

const BICUBIC_A = -0.5;

const KERNELS: Record<ImageFilter, Kernel> = {
  bicubic: {
    support: 2,
    weight(t) {
      const x = Math.abs(t);
      if (x < 1) return ((BICUBIC_A + 2) * x - (BICUBIC_A + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * BICUBIC_A;
      return 0;
    },
  },
  bilinear: {
    support: 1,
    weight(t) {
      const x = Math.abs(t);
      return x < 1 ? 1 - x : 0;
    },
  },
};

/** For each output index: the first input index and the normalised weights of its taps. */
interface Taps {
  first: Int32Array;
  count: Int32Array;
  /** outSize × stride weights. */
  weights: Float64Array;
  stride: number;
}

function taps(inSize: number, outSize: number, kernel: Kernel): Taps {
  const scale = inSize / outSize;
  const stretch = Math.max(scale, 1);
  const support = kernel.support * stretch;
  const stride = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * stride);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(0, Math.floor(centre - support + 0.5));
    const hi = Math.min(inSize, Math.floor(centre + support + 0.5));
    let total = 0;
    for (let i = lo; i < hi; i++) {
      const w = kernel.weight((i + 0.5 - centre) / stretch);
      weights[o * stride + i - lo] = w;
      total += w;
    }
    if (total !== 0) for (let i = lo; i < hi; i++) weights[o * stride + i - lo] /= total;
    first[o] = lo;
    count[o] = hi - lo;
  }
  return { first, count, weights, stride };
}

/** Resize an image (values 0..255, any channel count) with a bicubic or bilinear kernel. */
export function resizeImage(r: ImageRaster, width: number, height: number, filter: ImageFilter = 'bicubic'): ImageRaster {
  if (width === r.width && height === r.height) return r;
  const kernel = KERNELS[filter];
  const c = r.channels;
  // Horizontal pass: r.height rows of `width` pixels.
  const h = taps(r.width, width, kernel);
  const mid = new Float32Array(r.height * width * c);
  for (let y = 0; y < r.height; y++) {
    const row = y * r.width * c;
    for (let x = 0; x < width; x++) {
      const base = h.first[x];
      for (let k = 0; k < c; k++) {
        let sum = 0;
        for (let t = 0; t < h.count[x]; t++) sum += h.weights[x * h.stride + t] * r.data[row + (base + t) * c + k];
        mid[(y * width + x) * c + k] = sum;
      }
    }
  }
  // Vertical pass.
  const v = taps(r.height, height, kernel);
  const out = new Float32Array(height * width * c);
  const rowLength = width * c;
  for (let y = 0; y < height; y++) {
    const base = v.first[y];
    for (let i = 0; i < rowLength; i++) {
      let sum = 0;
      for (let t = 0; t < v.count[y]; t++) sum += v.weights[y * v.stride + t] * mid[(base + t) * rowLength + i];
      out[y * rowLength + i] = sum < 0 ? 0 : sum > 255 ? 255 : sum;
    }
  }
  return { width, height, channels: c, data: out };
}

/**
 * Source index of each output index: ⌊(o + ½)·in/out⌋, accumulated in doubles the way PIL's
 * ImagingScaleAffine steps through them, so ties (e.g. 7.5 · 1.6 = 12) round down exactly as PIL's do.
 */
function nearestIndices(inSize: number, outSize: number): Int32Array {
  const scale = inSize / outSize;
  const out = new Int32Array(outSize);
  let pos = scale * 0.5;
  for (let o = 0; o < outSize; o++, pos += scale) out[o] = Math.min(inSize - 1, Math.floor(pos));
  return out;
}

/** Nearest-neighbour resize (labels, instance ids; works on any raster). */
export function resizeNearest<T extends PixelArray>(r: Raster<T>, width: number, height: number): Raster<T> {
  if (width === r.width && height === r.height) return r;
  const c = r.channels;
  const out = (r.data instanceof Int32Array ? new Int32Array(width * height * c) : new Float32Array(width * height * c)) as T;
  const xs = nearestIndices(r.width, width);
  const ys = nearestIndices(r.height, height);
  for (let y = 0; y < height; y++) {
    const sy = ys[y];
    for (let x = 0; x < width; x++) {
      const from = (sy * r.width + xs[x]) * c;
      const to = (y * width + x) * c;
      for (let k = 0; k < c; k++) out[to + k] = r.data[from + k];
    }
  }
  return { width, height, channels: c, data: out };
}

export function resizeLabels(r: IdRaster, width: number, height: number): IdRaster {
  return resizeNearest(r, width, height);
}
