/**
 * A dropped dataset fitted to a graph, in the browser (page or training worker): the layout told
 * apart by its files (or named), the samples sized to the graph's input and numbered in its
 * classes, decoded with the browser decoder. Imports the loaders one by one (not index.ts), so no
 * Node codec reaches the bundle.
 */
import { loadAde20k } from './ade20k.ts';
import { browserImageDecoder, canDecodeInBrowser } from './browser-codecs.ts';
import { openDroppedDataset, type DatasetLayout, type DroppedDataset } from './browser-files.ts';
import { loadCityscapes } from './cityscapes.ts';
import { loadCrossView } from './crossview.ts';
import type { Dataset } from './dataset.ts';
import { DatasetError } from './errors.ts';
import type { FileSource } from './file-source.ts';
import { loadGeneric } from './generic.ts';
import { setImageDecoder } from './image-decoder.ts';
import { detectLayout, type DataNeeds } from './needs.ts';
import type { ZipIndexOptions } from './zip-index.ts';

export { DATASET_LAYOUTS, type DatasetLayout } from './browser-files.ts';
export { dataNeeds, detectLayout, type DataNeeds } from './needs.ts';

export interface LoadedDataset {
  dataset: Dataset;
  layout: Exclude<DatasetLayout, 'auto'>;
  /** One line for the panel: "cityscapes (detected), 12 samples at 64×32". */
  description: string;
}

/** The dataset of a FileSource in `layout`, fitted to `needs`. Throws DatasetError naming the file or folder at fault. */
export function loadSource(source: FileSource, layout: DatasetLayout, needs: DataNeeds): LoadedDataset {
  // Pages and workers decode with the browser; elsewhere (Node tests) the installed decoder stays.
  if (canDecodeInBrowser()) setImageDecoder(browserImageDecoder);
  const chosen = layout === 'auto' ? detectLayout(source) : layout;
  if (!chosen) {
    throw new DatasetError(
      'layout',
      source.name,
      'cannot tell the dataset layout: expected leftImg8bit/ + gtFine/ (Cityscapes), ADE_train_*.jpg + .png (ADE20K), images/ + labels/ (generic) or train/ with six-panel images (cross-view)',
    );
  }
  if (needs.crossView !== (chosen === 'crossview')) {
    throw new DatasetError('layout', source.name, needs.crossView ? `is a ${chosen} dataset, but the graph takes cross-view panels (aerial / grey_labels inputs)` : 'is a cross-view dataset, but the graph takes label maps');
  }
  const size = { width: needs.width, height: needs.height };
  const classes = (): number => {
    if (needs.numClasses === undefined) throw new DatasetError('layout', source.name, `the ${chosen} layout has label maps, but the graph has no label input with num_classes`);
    return needs.numClasses;
  };
  const dataset =
    chosen === 'cityscapes'
      ? loadCityscapes(source, { split: 'train', size, numClasses: classes(), instances: needs.instances })
      : chosen === 'ade20k'
        ? loadAde20k(source, { split: 'train', size, numClasses: classes() })
        : chosen === 'generic'
          ? loadGeneric(source, { size, numClasses: classes(), name: source.name })
          : loadCrossView(source, { split: 'train', size });
  const description = `${chosen}${layout === 'auto' ? ' (detected)' : ''}, ${dataset.size} sample${dataset.size === 1 ? '' : 's'} at ${needs.width}×${needs.height}`;
  return { dataset, layout: chosen, description };
}

/** openDroppedDataset (a zip's index: progress and cancel through `options`) + loadSource. */
export async function loadDropped(dropped: DroppedDataset, layout: DatasetLayout, needs: DataNeeds, options: ZipIndexOptions = {}): Promise<LoadedDataset> {
  return loadSource(await openDroppedDataset(dropped, options), layout, needs);
}
