/**
 * Cityscapes (§5): images under leftImg8bit/{split}/<city>/<city>_<seq>_<frame>_leftImg8bit.png,
 * labels and instances under gtFine/{split}/<city>/…_gtFine_labelIds.png / …_gtFine_instanceIds.png,
 * paired by the first three name fields. 35 classes; 255 becomes 35. Instance ids are 16-bit.
 */
import type { Dataset } from './dataset.ts';
import { DatasetError } from './errors.ts';
import type { FileSource } from './file-source.ts';
import { basename, dirname, findRoot, keyed, pairedDataset, pairFiles } from './paired.ts';
import { presets, type Preprocess, type Size } from './preprocess.ts';

export interface CityscapesOptions {
  split?: 'train' | 'val' | 'test';
  /** Folder holding leftImg8bit/ and gtFine/ (default: found in the source). */
  root?: string;
  /** Sample size (default 512×256, the official 'fixed' size). */
  size?: Size;
  /** Override the preprocessing (default: presets.cityscapes(size, split === 'train')). */
  preprocess?: Preprocess;
  /** Load the instance maps (default true: the shipped Cityscapes graphs have instance_edge on). */
  instances?: boolean;
  numClasses?: number;
}

const IMAGE_SUFFIX = '_leftImg8bit.png';
const LABEL_SUFFIX = '_gtFine_labelIds.png';
const INSTANCE_SUFFIX = '_gtFine_instanceIds.png';

/** city_seq_frame: the first three '_'-separated fields of the file name. */
export function cityscapesKey(path: string): string {
  return basename(path).split('_').slice(0, 3).join('_');
}

/** The same relative folder (split/city) under the other top folder. */
function partner(path: string, root: string, from: string, to: string, key: string, suffix: string): string {
  const rel = dirname(path).slice(root.length + from.length);
  return `${root}${to}${rel}${key}${suffix}`;
}

export function loadCityscapes(source: FileSource, options: CityscapesOptions = {}): Dataset {
  const split = options.split ?? 'train';
  const root = findRoot(source, 'leftImg8bit', options.root);
  if (root === undefined) throw new DatasetError('layout', source.name, 'no leftImg8bit/ folder: expected leftImg8bit/{train,val}/<city>/*_leftImg8bit.png and gtFine/…');
  const imageDir = `${root}leftImg8bit/${split}/`;
  const labelDir = `${root}gtFine/${split}/`;
  const images = keyed(source.list(imageDir).filter((p) => p.endsWith(IMAGE_SUFFIX)), cityscapesKey, 'images');
  if (images.size === 0) throw new DatasetError('layout', imageDir, `no *${IMAGE_SUFFIX} images`);
  const gt = source.list(labelDir);
  const labels = keyed(gt.filter((p) => p.endsWith(LABEL_SUFFIX)), cityscapesKey, 'label maps');
  const pairs = pairFiles(images, labels, {
    label: (image, key) => partner(image, root, 'leftImg8bit/', 'gtFine/', key, LABEL_SUFFIX),
    image: (label, key) => partner(label, root, 'gtFine/', 'leftImg8bit/', key, IMAGE_SUFFIX),
  });
  const withInstances = options.instances ?? true;
  const instances = withInstances ? keyed(gt.filter((p) => p.endsWith(INSTANCE_SUFFIX)), cityscapesKey, 'instance maps') : undefined;
  const entries = pairs.map((p) => {
    if (!instances) return p;
    const instance = instances.get(p.key);
    if (!instance) {
      const expected = partner(p.label, root, '', '', p.key, INSTANCE_SUFFIX);
      throw new DatasetError('unpaired', p.label, `label map has no instance map: expected ${expected} (or load with instances: false)`);
    }
    return { ...p, instance };
  });
  const size = options.size ?? { width: 512, height: 256 };
  return pairedDataset({
    name: `cityscapes/${split}`,
    layout: 'cityscapes',
    source,
    entries,
    labels: { numClasses: options.numClasses ?? 35 },
    dontcare: false,
    preprocess: options.preprocess ?? presets.cityscapes(size, split === 'train'),
    settings: { split },
  });
}
