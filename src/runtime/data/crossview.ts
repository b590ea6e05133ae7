/**
 * Cross-view datasets (Dayton, CVUSA, SVA as prepared for LGGAN, §5): <root>/{train,test}/*.png|jpg,
 * each one image of six equal panels side by side, A aerial, B ground, C and D colour semantic
 * maps (aerial, ground), E and F grey label maps (values 10…60). As the official AlignedDataset:
 * each panel is cut at width/6, resized bicubic to loadSize × loadSize, all six cropped at one
 * offset to fineSize, normalised to [-1, 1]; no flips.
 */
import { readRgb } from './image-decoder.ts';
import { imageLimitsFor, inspectImage } from './image-header.ts';
import { augmentationStream, checkIndex, CROSS_VIEW_PANELS, fingerprintOf, knownSizes, SIZES_MARK, type Dataset, type DatasetInfo, type SampleField, type SampleOptions } from './dataset.ts';
import { DatasetError } from './errors.ts';
import type { FileSource } from './file-source.ts';
import { findRoot, stem } from './paired.ts';
import { outputSize, preprocessFields, presets, type Preprocess, type Size } from './preprocess.ts';
import { crop, type ImageRaster } from './raster.ts';

export { CROSS_VIEW_PANELS };

export interface CrossViewOptions {
  split?: 'train' | 'test';
  /** Folder holding train/ and test/ (default: found in the source). */
  root?: string;
  /** fineSize (default 256×256; the loadSize is 286/256 of it, 72 for 64). */
  size?: Size;
  preprocess?: Preprocess;
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;

/** Fails when a strip of `width`×`height` is not six panels side by side; the panel width otherwise. */
export function checkPanelStrip(width: number, height: number, file: string): number {
  const panel = width / 6;
  if (!Number.isInteger(panel) || panel < 1 || panel / height < 0.5 || panel / height > 2) {
    throw new DatasetError(
      'size',
      file,
      `is ${width}×${height}, not six panels side by side: a cross-view sample is {A aerial, B ground, C, D colour semantics, E, F grey labels}, ` +
        `so its width is 6 × the panel width (e.g. 1536×256)`,
    );
  }
  return panel;
}

/** The six panels of a decoded strip; fails when the strip is not six panels wide. */
export function splitPanels(strip: ImageRaster, file: string): ImageRaster[] {
  const panel = checkPanelStrip(strip.width, strip.height, file);
  return CROSS_VIEW_PANELS.map((_, i) => crop(strip, i * panel, 0, panel, strip.height));
}

export function loadCrossView(source: FileSource, options: CrossViewOptions = {}): Dataset {
  const split = options.split ?? 'train';
  const root = findRoot(source, split, options.root);
  if (root === undefined) throw new DatasetError('layout', source.name, `no ${split}/ folder: expected ${split}/ with six-panel images`);
  const dir = `${root}${split}/`;
  // Every image below <split>/, sorted (make_dataset walks sub-folders too).
  const files = source.list(dir).filter((p) => IMAGE_EXTENSIONS.test(p));
  if (files.length === 0) throw new DatasetError('layout', dir, 'no .png or .jpg six-panel images');
  const size = options.size ?? { width: 256, height: 256 };
  const preprocess = options.preprocess ?? presets.crossView(size);
  const out = outputSize(preprocess, size);
  const limits = imageLimitsFor(preprocess.resize ?? out, 6);
  const info: DatasetInfo = { layout: 'cross-view', width: out.width, height: out.height, fields: [...CROSS_VIEW_PANELS] };
  const sizes = knownSizes(source, files);
  const dataset: Dataset = {
    name: `cross-view/${split}`,
    size: files.length,
    fingerprint: `cross-view:${files.length}:${fingerprintOf({ files, preprocess, split, ...(sizes ? { sizes } : {}) })}${sizes ? SIZES_MARK : ''}`,
    info,
    async sample(index: number, options: SampleOptions = {}) {
      checkIndex(dataset, index);
      const file = files[index];
      const bytes = await source.read(file);
      // Size and panel layout from the header, before decoding.
      const declared = inspectImage(bytes, file, limits);
      checkPanelStrip(declared.width, declared.height, file);
      const panels = splitPanels(await readRgb(bytes, file, limits), file);
      const raw: Record<string, SampleField> = {};
      CROSS_VIEW_PANELS.forEach((name, i) => (raw[name] = panels[i]));
      const uniform = options.augment ? augmentationStream(index, options) : undefined;
      const fields = preprocessFields(raw, preprocess, uniform);
      return { id: stem(file), width: out.width, height: out.height, fields };
    },
  };
  return dataset;
}
