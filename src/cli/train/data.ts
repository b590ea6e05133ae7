/**
 * The dataset `lggan train` trains on, fitted to the graph: synthetic street scenes at the graph's
 * size and id space, or a directory in one of the official layouts (told apart by its files when
 * --layout is auto). Every sample is read once before training (scanDataset), so a bad file stops
 * the run before the first step, with the file named.
 */
import {
  ADE20K_CLASSES,
  DatasetError,
  loadAde20k,
  loadCityscapes,
  loadCrossView,
  loadGeneric,
  REQUIRED_CLASSES,
  SCENE_CLASSES,
  scanDataset,
  splitDataset,
  syntheticScenes,
  type Dataset,
  type FileSource,
  type GraphInput,
  type IdRaster,
  type Sample,
} from '../../runtime/data/index.ts';
import { dataNeeds as sharedDataNeeds, detectLayout, type DataNeeds } from '../../runtime/data/needs.ts';
import { NodeFileSource } from '../../runtime/data/node-file-source.ts';
import { CliProblem } from '../io.ts';

export { detectLayout, type DataNeeds };

export const LAYOUTS = ['cityscapes', 'ade20k', 'crossview', 'generic', 'auto'] as const;
export type Layout = (typeof LAYOUTS)[number];

/** What the graph's inputs ask of the data; a graph with nothing to feed is a CLI problem. */
export function dataNeeds(inputs: readonly GraphInput[], template: Record<string, number>): DataNeeds {
  try {
    return sharedDataNeeds(inputs, template);
  } catch (e) {
    if (e instanceof RangeError) throw new CliProblem(e.message);
    throw e;
  }
}

/** Cityscapes ids go up to 26 (car): graphs with at least 27 classes (Cityscapes 35, ADE20K 150) take them as they are. */
const CITYSCAPES_ID_LIMIT = 27;

/**
 * Label ids ≥ numClasses become numClasses, the unknown id (one-hot all zeros). Synthetic scenes
 * need their five required classes; a graph with fewer sees the extra ones as unknown.
 */
function unknownBeyond(dataset: Dataset, numClasses: number): Dataset {
  const fold = (ids: IdRaster): IdRaster => ({ ...ids, data: ids.data.map((v) => (v >= numClasses ? numClasses : v)) });
  return {
    name: dataset.name,
    size: dataset.size,
    fingerprint: `${dataset.fingerprint}/unknown-from-${numClasses}`,
    info: { ...dataset.info, numClasses },
    async sample(index, options): Promise<Sample> {
      const s = await dataset.sample(index, options);
      return { ...s, fields: { ...s.fields, labels: fold(s.fields.labels as IdRaster) } };
    },
  };
}

/** Synthetic scenes sized to the graph, in its id space; the cross-view variant for cross-view graphs. */
export function syntheticFor(needs: DataNeeds, seed: number): { dataset: Dataset; description: string } {
  const size = { width: needs.width, height: needs.height, seed, instances: needs.instances };
  if (needs.crossView) {
    return { dataset: syntheticScenes({ ...size, variant: 'cross-view', idSpace: 'compact' }), description: 'synthetic cross-view scenes' };
  }
  const nc = needs.numClasses ?? SCENE_CLASSES.length;
  if (nc === ADE20K_CLASSES) {
    return { dataset: syntheticScenes({ ...size, idSpace: 'ade20k', numClasses: nc }), description: `synthetic scenes, ADE20K ids (${nc} classes)` };
  }
  if (nc >= CITYSCAPES_ID_LIMIT) {
    return { dataset: syntheticScenes({ ...size, idSpace: 'cityscapes', numClasses: nc }), description: `synthetic scenes, Cityscapes ids (${nc} classes)` };
  }
  // Compact ids 0 … K−1: the required classes first, then optional ones while the graph has room.
  const optional = SCENE_CLASSES.filter((c) => !REQUIRED_CLASSES.includes(c));
  const classes = [...REQUIRED_CLASSES, ...optional.slice(0, Math.max(0, nc - REQUIRED_CLASSES.length))];
  const scenes = syntheticScenes({ ...size, idSpace: 'compact', classes, numClasses: Math.max(nc, classes.length) });
  if (nc >= classes.length) return { dataset: scenes, description: `synthetic scenes, compact ids (${classes.length} of ${nc} classes)` };
  const unknown = SCENE_CLASSES.filter((c) => classes.includes(c)).slice(nc); // compact ids follow SCENE_CLASSES order
  return {
    dataset: unknownBeyond(scenes, nc),
    description: `synthetic scenes, compact ids (${nc} classes; ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} unknown)`,
  };
}

/** The layout a directory is in, from its files; undefined when none fits. */
export function loadDirectory(dir: string, layout: Layout, needs: DataNeeds): { dataset: Dataset; description: string } {
  const source = new NodeFileSource(dir);
  const chosen = layout === 'auto' ? detectLayout(source) : layout;
  if (!chosen) {
    throw new DatasetError(
      'layout',
      dir,
      'cannot tell the dataset layout: expected leftImg8bit/ + gtFine/ (Cityscapes), ADE_train_*.jpg + .png (ADE20K), images/ + labels/ (generic) or train/ with six-panel images (cross-view); or say --layout',
    );
  }
  const size = { width: needs.width, height: needs.height };
  const numClasses = needs.numClasses;
  const needClasses = () => {
    if (numClasses === undefined) throw new CliProblem(`${dir}: the ${chosen} layout has label maps, but the graph has no label input with num_classes`);
    return numClasses;
  };
  const dataset =
    chosen === 'cityscapes'
      ? loadCityscapes(source, { split: 'train', size, numClasses: needClasses(), instances: needs.instances })
      : chosen === 'ade20k'
        ? loadAde20k(source, { split: 'train', size, numClasses: needClasses() })
        : chosen === 'generic'
          ? loadGeneric(source, { size, numClasses: needClasses() })
          : loadCrossView(source, { split: 'train', size });
  return { dataset, description: `${chosen} data in ${dir}${layout === 'auto' ? ' (detected)' : ''}` };
}

/** Held-out share when --held-out is not given: a tenth of the data, 1 to 8 samples. */
export function defaultHeldOut(size: number): number {
  return Math.min(8, Math.max(1, Math.round(size / 10)));
}

export interface TrainingData {
  train: Dataset;
  heldOut: Dataset;
  /** Fingerprint of the whole dataset (before the split), for run records. */
  fingerprint: string;
  description: string;
}

/** Reads every sample once (bad files fail here), then splits off the held-out samples. */
export async function prepareData(
  loaded: { dataset: Dataset; description: string },
  options: { heldOut?: number; seed: number; scan: boolean; onScan?: (done: number, total: number) => void },
): Promise<TrainingData> {
  const { dataset } = loaded;
  if (options.scan) await scanDataset(dataset, { onProgress: options.onScan });
  const heldOut = options.heldOut ?? defaultHeldOut(dataset.size);
  if (dataset.size < 2 || heldOut >= dataset.size) {
    throw new CliProblem(`${loaded.description}: ${dataset.size} sample${dataset.size === 1 ? '' : 's'} are too few to hold out ${heldOut} and train on the rest`);
  }
  const split = splitDataset(dataset, { heldOut, seed: options.seed });
  return { ...split, fingerprint: dataset.fingerprint, description: loaded.description };
}
