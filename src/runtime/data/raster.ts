/**
 * Rasters: row-major H×W×C typed arrays with channels interleaved (the NHWC order of a fed tensor,
 * without the batch). Images are Float32 (0..255 while being preprocessed, [-1, 1] in a sample),
 * label and instance ids are Int32.
 */

export type PixelArray = Float32Array | Int32Array;

export interface Raster<T extends PixelArray = PixelArray> {
  width: number;
  height: number;
  channels: number;
  data: T;
}

export type ImageRaster = Raster<Float32Array>;
export type IdRaster = Raster<Int32Array>;

function like<T extends PixelArray>(data: T, length: number): T {
  return (data instanceof Int32Array ? new Int32Array(length) : new Float32Array(length)) as T;
}

export function isIdRaster(r: Raster): r is IdRaster {
  return r.data instanceof Int32Array;
}

/** The w×h window whose top-left corner is (x, y); it must lie inside the raster. */
export function crop<R extends Raster>(r: R, x: number, y: number, width: number, height: number): R {
  if (x < 0 || y < 0 || x + width > r.width || y + height > r.height) {
    throw new RangeError(`crop ${width}×${height} at (${x}, ${y}) leaves the ${r.width}×${r.height} raster`);
  }
  if (x === 0 && y === 0 && width === r.width && height === r.height) return r;
  const c = r.channels;
  const out = like(r.data, width * height * c);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * r.width + x) * c;
    out.set(r.data.subarray(from, from + width * c), row * width * c);
  }
  return { width, height, channels: c, data: out } as R;
}

/** Mirror left to right. */
export function flipHorizontal<R extends Raster>(r: R): R {
  const { width, height, channels: c } = r;
  const out = like(r.data, r.data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width * c;
    for (let x = 0; x < width; x++) {
      const from = row + x * c;
      const to = row + (width - 1 - x) * c;
      for (let k = 0; k < c; k++) out[to + k] = r.data[from + k];
    }
  }
  return { width, height, channels: c, data: out } as R;
}

/** 0..255 → [-1, 1] (torchvision's ToTensor then Normalize(0.5, 0.5)). */
export function normalizeImage(r: ImageRaster): ImageRaster {
  const out = new Float32Array(r.data.length);
  for (let i = 0; i < out.length; i++) out[i] = r.data[i] / 127.5 - 1;
  return { ...r, data: out };
}

/** [-1, 1] → bytes 0..255 (rounded, clamped): for previews and for writing images. */
export function imageToBytes(r: ImageRaster): Uint8Array {
  const out = new Uint8Array(r.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, Math.round((r.data[i] + 1) * 127.5)));
  return out;
}

/** Channel `channel` of a multi-channel raster. */
export function channelOf<T extends PixelArray>(r: Raster<T>, channel: number): Raster<T> {
  const n = r.width * r.height;
  const out = like(r.data, n);
  for (let i = 0; i < n; i++) out[i] = r.data[i * r.channels + channel];
  return { width: r.width, height: r.height, channels: 1, data: out };
}
