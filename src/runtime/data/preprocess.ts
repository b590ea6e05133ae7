/**
 * Preprocessing as the official pipelines do it, on raw fields (images 0..255, ids):
 *   1. resize every field to `resize` (images bicubic, or bilinear as an option; ids nearest);
 *   2. crop to `crop`: at a random offset when augmenting, centred otherwise (one offset for all fields);
 *   3. flip left–right with probability ½ when augmenting and `flip` is on (all fields together);
 *   4. images to [-1, 1].
 * The presets give the official settings, scaled to a graph's size:
 *   Cityscapes ('fixed'): resize to 512×256, flip in training;
 *   ADE20K: training resize 286×286, random crop 256, flip; test resize 256;
 *   cross-view: each panel resized to loadSize (286, or 72 for fineSize 64), cropped to fineSize, no flip.
 */
import type { SampleField } from './dataset.ts';
import { crop, flipHorizontal, isIdRaster, normalizeImage, type Raster } from './raster.ts';
import { resizeImage, resizeNearest, type ImageFilter } from './resample.ts';

export interface Size {
  width: number;
  height: number;
}

export interface Preprocess {
  resize?: Size;
  crop?: Size;
  /**
   * How random crop offsets are drawn: 'spade' draws 0 … load − fine (SPADE's get_params),
   * 'pix2pix' draws 0 … load − fine − 1 (the cross-view AlignedDataset's randint bound). Default 'spade'.
   */
  cropOffsets?: 'spade' | 'pix2pix';
  flip?: boolean;
  /** Image resampling; label and instance ids are always resized nearest. Default bicubic. */
  filter?: ImageFilter;
}

/** The size a raw sample of `input` size comes out at. */
export function outputSize(p: Preprocess, input: Size): Size {
  return p.crop ?? p.resize ?? input;
}

/** The draws one sample's augmentation takes: always three uniforms (x, y, flip), used or not. */
export interface Augmentation {
  x: number;
  y: number;
  flip: boolean;
}

export function drawAugmentation(p: Preprocess, resized: Size, uniform: (() => number) | undefined): Augmentation {
  const c = p.crop ?? resized;
  const spanX = resized.width - c.width;
  const spanY = resized.height - c.height;
  if (!uniform) return { x: Math.floor(spanX / 2), y: Math.floor(spanY / 2), flip: false };
  const bound = (span: number) => Math.max(0, p.cropOffsets === 'pix2pix' ? span - 1 : span);
  const [u, v, w] = [uniform(), uniform(), uniform()];
  return { x: Math.floor(u * (bound(spanX) + 1)), y: Math.floor(v * (bound(spanY) + 1)), flip: p.flip === true && w < 0.5 };
}

/**
 * Preprocess every field of one raw sample; `uniform` (augmentation draws) is absent when not
 * augmenting. All fields must have the same size (loaders check this and name the file first).
 */
export function preprocessFields(raw: Record<string, SampleField>, p: Preprocess, uniform?: () => number): Record<string, SampleField> {
  const first = Object.values(raw)[0];
  if (!first) return {};
  const resized: Size = p.resize ?? { width: first.width, height: first.height };
  const c = p.crop ?? resized;
  if (c.width > resized.width || c.height > resized.height) {
    throw new RangeError(`crop ${c.width}×${c.height} is larger than the resized ${resized.width}×${resized.height}`);
  }
  const aug = drawAugmentation(p, resized, uniform);
  const out: Record<string, SampleField> = {};
  for (const [name, field] of Object.entries(raw)) {
    let r: Raster = isIdRaster(field)
      ? resizeNearest(field, resized.width, resized.height)
      : resizeImage(field, resized.width, resized.height, p.filter ?? 'bicubic');
    r = crop(r, aug.x, aug.y, c.width, c.height);
    if (aug.flip) r = flipHorizontal(r);
    out[name] = isIdRaster(r) ? r : normalizeImage(r as Raster<Float32Array>);
  }
  return out;
}

/** A source size scaled by the official load/fine ratio (286/256), rounded half up as Python's int(x + .5). */
function load(fine: number): number {
  return Math.floor((fine * 286) / 256 + 0.5);
}

export const presets = {
  /** 'fixed' resize to the graph size (official 512×256); flips in training. */
  cityscapes(size: Size = { width: 512, height: 256 }, train = true): Preprocess {
    return { resize: size, flip: train };
  },
  /** Training: resize to 286/256 of the size, random crop, flip. Test: resize to the size. */
  ade20k(size: Size = { width: 256, height: 256 }, train = true): Preprocess {
    return train ? { resize: { width: load(size.width), height: load(size.height) }, crop: size, flip: true } : { resize: size };
  },
  /**
   * Each panel resized to loadSize = 286/256 of fineSize (72 for 64), cropped to fineSize, never
   * flipped (--no_flip in every official script). The official test also crops at a random offset;
   * without augmentation the crop here is centred.
   */
  crossView(size: Size = { width: 256, height: 256 }): Preprocess {
    return { resize: { width: load(size.width), height: load(size.height) }, crop: size, cropOffsets: 'pix2pix', flip: false };
  },
  /** Generic image/label pairs: resize to the size, flips in training. */
  generic(size: Size, train = true): Preprocess {
    return { resize: size, flip: train };
  },
} as const;
