/**
 * ADE20K, ADEChallengeData2016 naming (§5): every file under the root whose path contains
 * `_train_` (or `_val_`) is a sample file, `.jpg` the image and `.png` the label map, paired by
 * file stem (images/training/ADE_train_00000001.jpg ↔ annotations/training/ADE_train_00000001.png).
 * 150 classes; labels shifted by −1, the original 0 ("unknown") becomes 150, the don't-care class.
 */
import type { Dataset } from './dataset.ts';
import type { FileSource } from './file-source.ts';
import { dirname, keyed, pairedDataset, pairFiles, stem } from './paired.ts';
import { presets, type Preprocess, type Size } from './preprocess.ts';

export interface Ade20kOptions {
  split?: 'train' | 'val';
  /** Folder searched recursively (default: the whole source, as the official loader does). */
  root?: string;
  /** Sample size (default 256×256). */
  size?: Size;
  /** Override the preprocessing (default: presets.ade20k(size, split === 'train')). */
  preprocess?: Preprocess;
  numClasses?: number;
}

/** images/… ↔ annotations/… when the file sits under one of them, else the same folder. */
function swapFolder(path: string, from: string, to: string, name: string): string {
  const dir = dirname(path);
  const at = dir.lastIndexOf(`${from}/`);
  const swapped = at === 0 || (at > 0 && dir[at - 1] === '/') ? `${dir.slice(0, at)}${to}/${dir.slice(at + from.length + 1)}` : dir;
  return `${swapped}${name}`;
}

export function loadAde20k(source: FileSource, options: Ade20kOptions = {}): Dataset {
  const split = options.split ?? 'train';
  const root = options.root ? (options.root.endsWith('/') ? options.root : `${options.root}/`) : '';
  const files = source.list(root).filter((p) => p.slice(root.length).includes(`_${split}_`));
  const images = keyed(files.filter((p) => p.endsWith('.jpg')), stem, 'images');
  const labels = keyed(files.filter((p) => p.endsWith('.png')), stem, 'label maps');
  const entries = pairFiles(images, labels, {
    label: (image, key) => swapFolder(image, 'images', 'annotations', `${key}.png`),
    image: (label, key) => swapFolder(label, 'annotations', 'images', `${key}.jpg`),
  });
  const size = options.size ?? { width: 256, height: 256 };
  return pairedDataset({
    name: `ade20k/${split}`,
    layout: 'ade20k',
    source,
    entries,
    labels: { numClasses: options.numClasses ?? 150, shift: true },
    dontcare: true,
    preprocess: options.preprocess ?? presets.ade20k(size, split === 'train'),
    settings: { split },
  });
}
