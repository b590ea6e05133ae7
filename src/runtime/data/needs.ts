/**
 * What a graph's inputs ask of a dataset (size, classes, cross-view panels, instance maps), for
 * the CLI and the browser alike. Page-safe: no loaders or codecs here.
 */
import type { GraphInput } from './feeds.ts';

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
