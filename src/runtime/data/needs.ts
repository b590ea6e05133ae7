/**
 * What a graph's inputs ask of a dataset (size, classes, cross-view panels, instance maps) and
 * which official layout a folder holds, for the CLI and the browser alike. Page-safe: no loaders
 * or codecs here.
 */
import type { GraphInput } from './feeds.ts';
import type { FileSource } from './file-source.ts';
import { findRoot } from './paired.ts';

/** The dataset layouts the loaders read. */
export type KnownLayout = 'cityscapes' | 'ade20k' | 'crossview' | 'generic';

/** What a graph's inputs ask of the data. */
export interface DataNeeds {
  width: number;
  height: number;
  /** num_classes of the label input (else the template's); undefined for graphs without one. */
  numClasses?: number;
  /** The graph takes the cross-view panels (grey_labels / aerial inputs). */
  crossView: boolean;
  /** A label input has instance_edge on. */
  instances: boolean;
}

export function dataNeeds(inputs: readonly GraphInput[], template: Readonly<Record<string, number>> = {}): DataNeeds {
  const spatial = inputs.find((i) => i.shape.length === 4 && i.kind !== 'noise');
  if (!spatial) throw new RangeError(`the graph has no image or label input to feed (inputs: ${inputs.map((i) => i.id).join(', ') || 'none'})`);
  const labels = inputs.find((i) => i.kind === 'labels' || i.kind === 'semantic');
  const classes = labels?.params.num_classes ?? template.num_classes;
  return {
    height: spatial.shape[1],
    width: spatial.shape[2],
    numClasses: typeof classes === 'number' ? classes : undefined,
    crossView: inputs.some((i) => i.id === 'grey_labels' || i.id === 'aerial'),
    instances: inputs.some((i) => i.params.instance_edge === true),
  };
}

/** The layout of a source, from its files; undefined when none fits. */
export function detectLayout(source: FileSource): KnownLayout | undefined {
  if (findRoot(source, 'leftImg8bit') !== undefined) return 'cityscapes';
  if (source.list().some((p) => /_(train|val)_[^/]*\.jpg$/i.test(p))) return 'ade20k';
  if (findRoot(source, 'images') !== undefined) return 'generic';
  if (findRoot(source, 'train') !== undefined) return 'crossview';
  return undefined;
}
