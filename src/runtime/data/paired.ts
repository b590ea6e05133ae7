/**
 * A dataset of image + label map (+ instance map) file pairs: the shared body of the Cityscapes,
 * ADE20K and generic loaders. Pairing happens when the dataset is built (unpaired files fail
 * then); size checks (from the files' headers, before anything is decoded), decoding and id checks
 * happen per sample.
 */
import { readIds, readRgb } from './image-decoder.ts';
import { imageLimitsFor, inspectImage } from './image-header.ts';
import { augmentationStream, checkIndex, FIELD, fingerprintOf, knownSizes, SIZES_MARK, type Dataset, type DatasetInfo, type Sample, type SampleField, type SampleOptions } from './dataset.ts';
import { DatasetError } from './errors.ts';
import type { FileSource } from './file-source.ts';
import { convertLabels, type LabelRule } from './labels.ts';
import { outputSize, preprocessFields, type Preprocess } from './preprocess.ts';

export interface PairEntry {
  key: string;
  image: string;
  label: string;
  instance?: string;
}

export interface PairedConfig {
  name: string;
  layout: string;
  source: FileSource;
  entries: PairEntry[];
  labels: LabelRule;
  /** Whether id numClasses is a class of its own (ADE20K's don't-care channel). */
  dontcare: boolean;
  preprocess: Preprocess;
  /** Anything else that changes the samples, for the fingerprint. */
  settings?: unknown;
}

/** Fail when a label or instance map is not the size of its image. */
export function checkSameSize(file: string, r: { width: number; height: number }, what: string, other: string, o: { width: number; height: number }): void {
  if (r.width !== o.width || r.height !== o.height) {
    throw new DatasetError('size', file, `${what} is ${r.width}×${r.height} but its image ${other} is ${o.width}×${o.height}`);
  }
}

export function pairedDataset(config: PairedConfig): Dataset {
  const { source, entries, preprocess } = config;
  if (entries.length === 0) throw new DatasetError('layout', source.name, `no ${config.layout} samples found`);
  if (!preprocess.resize && !preprocess.crop) {
    throw new RangeError(`${config.name}: preprocessing needs a resize or a crop, so that every sample has one size`);
  }
  const size = outputSize(preprocess, { width: 0, height: 0 });
  const limits = imageLimitsFor(preprocess.resize ?? size);
  const hasInstances = entries.every((e) => e.instance !== undefined);
  const info: DatasetInfo = {
    layout: config.layout,
    width: size.width,
    height: size.height,
    fields: hasInstances ? [FIELD.real, FIELD.labels, FIELD.instances] : [FIELD.real, FIELD.labels],
    numClasses: config.labels.numClasses,
    dontcare: config.dontcare,
  };
  // Names and, where the source knows them without reading (dropped files), sizes: never the bytes.
  const sizes = knownSizes(source, entries.flatMap((e) => (e.instance ? [e.image, e.label, e.instance] : [e.image, e.label])));
  const fingerprint = `${config.layout}:${entries.length}:${fingerprintOf({
    files: entries.map((e) => [e.image, e.label, e.instance ?? null]),
    labels: config.labels,
    preprocess,
    settings: config.settings ?? null,
    ...(sizes ? { sizes } : {}),
  })}${sizes ? SIZES_MARK : ''}`;
  const dataset: Dataset = {
    name: config.name,
    size: entries.length,
    fingerprint,
    info,
    async sample(index: number, options: SampleOptions = {}): Promise<Sample> {
      checkIndex(dataset, index);
      const e = entries[index];
      const [imageBytes, labelBytes, instanceBytes] = await Promise.all([
        source.read(e.image),
        source.read(e.label),
        e.instance && hasInstances ? source.read(e.instance) : undefined,
      ]);
      // Every declared size is checked before anything is decoded: a small file can declare a huge image.
      const imageSize = inspectImage(imageBytes, e.image, limits);
      checkSameSize(e.label, inspectImage(labelBytes, e.label, limits), 'label map', e.image, imageSize);
      if (instanceBytes && e.instance) checkSameSize(e.instance, inspectImage(instanceBytes, e.instance, limits), 'instance map', e.image, imageSize);
      const image = await readRgb(imageBytes, e.image, limits);
      const rawLabels = await readIds(labelBytes, e.label, limits);
      checkSameSize(e.label, rawLabels, 'label map', e.image, image);
      const raw: Record<string, SampleField> = { [FIELD.real]: image, [FIELD.labels]: convertLabels(rawLabels, config.labels, e.label) };
      if (instanceBytes && e.instance) {
        const instances = await readIds(instanceBytes, e.instance, limits);
        checkSameSize(e.instance, instances, 'instance map', e.image, image);
        raw[FIELD.instances] = instances;
      }
      const uniform = options.augment ? augmentationStream(index, options) : undefined;
      const fields = preprocessFields(raw, preprocess, uniform);
      const first = fields[FIELD.real];
      return { id: e.key, width: first.width, height: first.height, fields };
    },
  };
  return dataset;
}

/**
 * Pair images with labels by key. The first unpaired file fails, naming the partner it lacks and
 * how many other files are unpaired.
 */
export function pairFiles(
  images: Map<string, string>,
  labels: Map<string, string>,
  expected: { label(imagePath: string, key: string): string; image(labelPath: string, key: string): string },
): { key: string; image: string; label: string }[] {
  const problems: DatasetError[] = [];
  for (const [key, image] of images) {
    if (!labels.has(key)) problems.push(new DatasetError('unpaired', image, `image has no label map: expected ${expected.label(image, key)}`));
  }
  for (const [key, label] of labels) {
    if (!images.has(key)) problems.push(new DatasetError('unpaired', label, `label map has no image: expected ${expected.image(label, key)}`));
  }
  if (problems.length > 0) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more unpaired file${problems.length > 2 ? 's' : ''})` : '';
    throw new DatasetError('unpaired', first.file, first.detail + more);
  }
  return [...images.keys()].sort().map((key) => ({ key, image: images.get(key)!, label: labels.get(key)! }));
}

/** Key → path, failing when two files claim the same key. */
export function keyed(paths: string[], keyOf: (path: string) => string, what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const path of paths) {
    const key = keyOf(path);
    const other = out.get(key);
    if (other !== undefined) throw new DatasetError('unpaired', path, `two ${what} share the name '${key}': ${other} and ${path}`);
    out.set(key, path);
  }
  return out;
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

export function stem(path: string): string {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? name : name.slice(0, dot);
}

/**
 * The folder that holds `marker/` (e.g. 'leftImg8bit'), as a prefix ('' or 'a/b/'): datasets
 * unpacked into a parent folder or zipped with one still load. The shortest such root wins.
 */
export function findRoot(source: FileSource, marker: string, hint = ''): string | undefined {
  if (hint !== '') return hint.endsWith('/') ? hint : `${hint}/`;
  let best: string | undefined;
  for (const path of source.list()) {
    let root = '';
    if (!path.startsWith(`${marker}/`)) {
      const at = path.indexOf(`/${marker}/`);
      if (at < 0) continue;
      root = path.slice(0, at + 1);
    }
    if (best === undefined || root.length < best.length) best = root;
    if (best === '') break;
  }
  return best;
}
