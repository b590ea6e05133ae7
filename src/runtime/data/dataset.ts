/**
 * The dataset model, the same in the browser and in Node. A Dataset is a numbered list of samples;
 * a Sample holds one raster per field, already preprocessed to the training size:
 *
 *   labels              Int32 H×W×1 class ids (ids ≥ num_classes: don't-care / unknown, see DatasetInfo)
 *   instances           Int32 H×W×1 instance ids (Cityscapes instanceIds convention), when the dataset has them
 *   real                Float32 H×W×3 image in [-1, 1]: the image the generator should produce
 *   aerial              cross-view: the source (aerial) view, panel A
 *   ground_semantic     cross-view: the target view's colour semantic map, panel D
 *   grey_labels         cross-view: the target view's grey label image (10..60), panel F
 *   aerial_semantic     cross-view: panel C;  aerial_grey_labels: panel E
 *
 * toFeeds (feeds.ts) batches samples into the tensors a compiled graph takes.
 */
import { hashString, uniformStream } from '../../compiler/rng.ts';
import { sha256Hex } from '../../graph/sha256.ts';
import { canonicalJson } from '../../graph/hash.ts';
import type { FileSource } from './file-source.ts';
import type { IdRaster, ImageRaster } from './raster.ts';

export const FIELD = {
  labels: 'labels',
  instances: 'instances',
  real: 'real',
  aerial: 'aerial',
  groundSemantic: 'ground_semantic',
  greyLabels: 'grey_labels',
  aerialSemantic: 'aerial_semantic',
  aerialGreyLabels: 'aerial_grey_labels',
} as const;

/**
 * Cross-view panel order, left to right (the official A … F), as sample fields. Kept here, not in
 * crossview.ts, so the synthetic scenes can name the panels without importing the file codecs.
 */
export const CROSS_VIEW_PANELS = [
  FIELD.aerial,
  FIELD.real,
  FIELD.aerialSemantic,
  FIELD.groundSemantic,
  FIELD.aerialGreyLabels,
  FIELD.greyLabels,
] as const;

export type SampleField = IdRaster | ImageRaster;

export interface Sample {
  /** Stable id within the dataset: the file key (Cityscapes city_seq_frame, a file stem) or "scene-<n>". */
  id: string;
  width: number;
  height: number;
  fields: Record<string, SampleField>;
}

export interface DatasetInfo {
  /** 'synthetic-scene', 'cityscapes', 'ade20k', 'cross-view', 'generic', or a derived name. */
  layout: string;
  /** Sample size after preprocessing. */
  width: number;
  height: number;
  /** Fields every sample has. */
  fields: readonly string[];
  /**
   * Class ids 0 … numClasses−1; id numClasses marks unknown pixels (ADE20K's 0, Cityscapes' 255).
   * Absent for datasets without label ids (cross-view).
   */
  numClasses?: number;
  /**
   * Whether id numClasses is meant for a don't-care channel of its own (ADE20K: the graph's
   * dontcare param); otherwise it one-hot encodes to all zeros, as in the official Cityscapes setup.
   */
  dontcare?: boolean;
}

export interface SampleOptions {
  /** Random crop offsets and flips (training); off: centred crops, no flips (evaluation). */
  augment?: boolean;
  /**
   * Seed of the augmentation draws. A sample's draws depend only on (seed, index), so a run that
   * passes e.g. hash(run seed, epoch) replays exactly. Default 0.
   */
  seed?: number;
}

export interface Dataset {
  readonly name: string;
  readonly size: number;
  /** Identifies the data and its preprocessing, for run records. */
  readonly fingerprint: string;
  readonly info: DatasetInfo;
  sample(index: number, options?: SampleOptions): Promise<Sample>;
}

/**
 * Read every sample (or the first `limit`) once, so bad files fail before training starts rather
 * than mid-run. Resolves with the number of samples read; rejects with the first DatasetError.
 */
export async function scanDataset(dataset: Dataset, options: { limit?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<number> {
  const total = Math.min(dataset.size, options.limit ?? dataset.size);
  for (let i = 0; i < total; i++) {
    await dataset.sample(i);
    options.onProgress?.(i + 1, total);
  }
  return total;
}

/** Uniform [0, 1) draws for sample `index`'s augmentation. */
export function augmentationStream(index: number, options: SampleOptions = {}): () => number {
  return uniformStream(hashString(`augment:${options.seed ?? 0}:${index}`));
}

/**
 * Ends the fingerprint of files whose sizes it covers as well as their names (dropped folders and
 * zips: a File's size and a zip's central directory tell them without reading). Records made
 * before it covered names only, so they never match a marked fingerprint: rerun.ts and the
 * autosave check say so rather than call the data different.
 */
export const SIZES_MARK = '+sizes';

/** Whether `recorded` is a names-only fingerprint from before SIZES_MARK, while the data now has sizes in its own. */
export function predatesSizes(recorded: string, now: string): boolean {
  return now.includes(SIZES_MARK) && !recorded.includes(SIZES_MARK);
}

/** The sizes of `paths` when `source` knows every one without reading; otherwise undefined. */
export function knownSizes(source: FileSource, paths: readonly string[]): number[] | undefined {
  if (!source.sizeOf) return undefined;
  const sizes: number[] = [];
  for (const path of paths) {
    const size = source.sizeOf(path);
    if (size === undefined) return undefined;
    sizes.push(size);
  }
  return sizes;
}

/** A short stable hash of any JSON value, for fingerprints. */
export function fingerprintOf(value: unknown): string {
  return sha256Hex(canonicalJson(value)).slice(0, 16);
}

export function checkIndex(dataset: { name: string; size: number }, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= dataset.size) {
    throw new RangeError(`sample index ${index} is outside dataset '${dataset.name}' (size ${dataset.size})`);
  }
}

/** The samples at `indices` of `dataset`, renumbered 0 … n−1 (augmentation still follows the original index). */
export function subsetDataset(dataset: Dataset, indices: readonly number[], name = `${dataset.name}[subset]`): Dataset {
  for (const i of indices) checkIndex(dataset, i);
  const picked = [...indices];
  const subset: Dataset = {
    name,
    size: picked.length,
    fingerprint: `${dataset.fingerprint}/${fingerprintOf(picked)}`,
    info: dataset.info,
    sample(index, options) {
      checkIndex(subset, index);
      return dataset.sample(picked[index], options);
    },
  };
  return subset;
}

export interface SplitOptions {
  /** Held-out share: a fraction in (0, 1) or a sample count ≥ 1. */
  heldOut: number;
  /** Seed of the shuffle that decides which samples are held out (default 0). */
  seed?: number;
}

/**
 * A seeded split into train and held-out parts, for datasets without an official one (synthetic,
 * generic). Both parts keep the original sample order. Datasets with official splits (Cityscapes
 * train/val, ADE20K training/validation, cross-view train/test) are loaded once per split instead.
 */
export function splitDataset(dataset: Dataset, options: SplitOptions): { train: Dataset; heldOut: Dataset } {
  const { heldOut, seed = 0 } = options;
  const count = heldOut < 1 ? Math.round(heldOut * dataset.size) : Math.floor(heldOut);
  if (!(heldOut > 0) || count < 1 || count >= dataset.size) {
    throw new RangeError(`cannot hold out ${heldOut} of the ${dataset.size} samples of '${dataset.name}'`);
  }
  const order = Array.from({ length: dataset.size }, (_, i) => i);
  const uniform = uniformStream(hashString(`split:${seed}`));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const held = order.slice(0, count).sort((a, b) => a - b);
  const train = order.slice(count).sort((a, b) => a - b);
  return {
    train: subsetDataset(dataset, train, `${dataset.name}[train]`),
    heldOut: subsetDataset(dataset, held, `${dataset.name}[held-out]`),
  };
}
