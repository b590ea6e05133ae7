/**
 * Tensors and rasters → 8-bit images. Generated images are B×H×W×3 in [-1, 1] (tanh outputs);
 * maps such as attention weights are in [0, 1]. Values are rounded and clamped to 0 … 255. Reads
 * go through `await tensor.data()`, so this works on every backend (WebGPU included).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { IdRaster, ImageRaster } from '../data/raster.ts';
import { labelPalette } from './palette.ts';
import type { ByteImage } from './types.ts';

export type ValueRange = readonly [number, number];

/** Images at [-1, 1]; attention and other maps at [0, 1]. */
export const IMAGE_RANGE: ValueRange = [-1, 1];
export const UNIT_RANGE: ValueRange = [0, 1];

function toByte(value: number, [lo, hi]: ValueRange): number {
  const v = Math.round(((value - lo) / (hi - lo)) * 255);
  return v < 0 || Number.isNaN(v) ? 0 : v > 255 ? 255 : v;
}

/**
 * Channels `first … first + count − 1` of every pixel of `values` (H×W×C interleaved) as one
 * image: count 3 gives RGB, count 1 grey.
 */
export function pixelsToImage(values: ArrayLike<number>, width: number, height: number, channels: number, first: number, count: 1 | 3, range: ValueRange): ByteImage {
  if (first < 0 || first + count > channels) throw new RangeError(`channels ${first}…${first + count - 1} are outside a ${channels}-channel map`);
  const data = new Uint8Array(width * height * count);
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < count; k++) data[p * count + k] = toByte(values[p * channels + first + k], range);
  }
  return { width, height, channels: count, data };
}

function checkRank4(t: tf.Tensor): [number, number, number, number] {
  if (t.rank !== 4) throw new Error(`expected a B×H×W×C tensor, got shape [${t.shape.join(', ')}]`);
  return t.shape as [number, number, number, number];
}

/**
 * Each image of a batch, split into groups of `group` channels (3: RGB images, 1: grey maps):
 * result[b][g] is group g of image b. A B×H×W×3K tensor of per-class images gives K per image.
 */
export async function tensorToImages(t: tf.Tensor, options: { group?: 1 | 3; range?: ValueRange } = {}): Promise<ByteImage[][]> {
  const [batch, height, width, channels] = checkRank4(t);
  const group = options.group ?? 3;
  if (channels % group !== 0) throw new Error(`a ${channels}-channel map does not split into groups of ${group}`);
  const values = await t.data();
  const perImage = height * width * channels;
  const out: ByteImage[][] = [];
  for (let b = 0; b < batch; b++) {
    const image = values.subarray(b * perImage, (b + 1) * perImage);
    const groups: ByteImage[] = [];
    for (let first = 0; first < channels; first += group) groups.push(pixelsToImage(image, width, height, channels, first, group, options.range ?? IMAGE_RANGE));
    out.push(groups);
  }
  return out;
}

/** A sample field image ([-1, 1], 3 channels) as bytes. */
export function rasterToImage(r: ImageRaster): ByteImage {
  if (r.channels !== 3 && r.channels !== 1) throw new Error(`cannot show a ${r.channels}-channel image`);
  return pixelsToImage(r.data, r.width, r.height, r.channels, 0, r.channels as 1 | 3, IMAGE_RANGE);
}

/** A label map in colour (labelPalette); ids outside 0 … numClasses − 1 are black. */
export function colouriseLabels(ids: IdRaster, numClasses: number): ByteImage {
  const palette = labelPalette(numClasses);
  const n = ids.width * ids.height;
  const data = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    const id = ids.data[p * ids.channels];
    if (id >= 0 && id < numClasses) data.set(palette.subarray(id * 3, id * 3 + 3), p * 3);
  }
  return { width: ids.width, height: ids.height, channels: 3, data };
}
