/**
 * Generic pairs: images/ and labels/ (and optionally instances/) side by side, paired by path
 * below those folders without the extension (images/a/x.jpg ↔ labels/a/x.png). Labels are grey
 * PNGs holding ids 0 … num_classes−1; 255 means unknown and becomes num_classes.
 */
import type { Dataset } from './dataset.ts';
import { DatasetError } from './errors.ts';
import type { FileSource } from './file-source.ts';
import { findRoot, keyed, pairedDataset, pairFiles } from './paired.ts';
import { presets, type Preprocess, type Size } from './preprocess.ts';

export interface GenericOptions {
  numClasses: number;
  /** Sample size: every sample is resized to it. */
  size: Size;
  /** Folder holding images/ and labels/ (default: found in the source). */
  root?: string;
  /** Random flips when augmenting (default true). */
  flip?: boolean;
  preprocess?: Preprocess;
  /** Raw id meaning unknown (default 255, mapped to num_classes; null: none). */
  unknown?: number | null;
  /** Whether id num_classes is a don't-care class of its own (default false). */
  dontcare?: boolean;
  name?: string;
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;

function keyUnder(folder: string) {
  return (path: string) => path.slice(folder.length).replace(IMAGE_EXTENSIONS, '');
}

export function loadGeneric(source: FileSource, options: GenericOptions): Dataset {
  const root = findRoot(source, 'images', options.root);
  if (root === undefined) throw new DatasetError('layout', source.name, 'no images/ folder: expected images/ and labels/ side by side');
  const [imageDir, labelDir, instanceDir] = ['images/', 'labels/', 'instances/'].map((f) => `${root}${f}`);
  const images = keyed(source.list(imageDir).filter((p) => IMAGE_EXTENSIONS.test(p)), keyUnder(imageDir), 'images');
  if (images.size === 0) throw new DatasetError('layout', imageDir, 'no .png or .jpg images');
  const labels = keyed(source.list(labelDir).filter((p) => IMAGE_EXTENSIONS.test(p)), keyUnder(labelDir), 'label maps');
  const pairs = pairFiles(images, labels, {
    label: (_image, key) => `${labelDir}${key}.png`,
    image: (_label, key) => `${imageDir}${key}.png (or .jpg)`,
  });
  const instanceFiles = source.list(instanceDir).filter((p) => IMAGE_EXTENSIONS.test(p));
  let entries: { key: string; image: string; label: string; instance?: string }[] = pairs;
  if (instanceFiles.length > 0) {
    const instances = keyed(instanceFiles, keyUnder(instanceDir), 'instance maps');
    entries = pairs.map((p) => {
      const instance = instances.get(p.key);
      if (!instance) throw new DatasetError('unpaired', p.image, `image has no instance map: expected ${instanceDir}${p.key}.png (instances/ exists, so every image needs one)`);
      return { ...p, instance };
    });
  }
  return pairedDataset({
    name: options.name ?? 'generic',
    layout: 'generic',
    source,
    entries,
    labels: { numClasses: options.numClasses, unknown: options.unknown },
    dontcare: options.dontcare ?? false,
    preprocess: options.preprocess ?? { ...presets.generic(options.size), flip: options.flip ?? true },
    settings: { root },
  });
}
