/** Every generated graph shipped in graphs/, by file name. */
import type { GraphDocument } from '../graph/document.ts';
import { crossViewGraph, semanticGraph, type Variant } from './lggan.ts';

const ABLATIONS: Variant[] = ['global-only', 'local-only', 'no-classification', 'fixed-fusion', 'sau', 'sau-label-gated'];

export function shippedGraphs(): Record<string, GraphDocument> {
  const graphs: Record<string, GraphDocument> = {
    'lggan-cityscapes.json': semanticGraph({ dataset: 'cityscapes', size: 'full', variant: 'lggan' }),
    'lggan-ade20k.json': semanticGraph({ dataset: 'ade20k', size: 'full', variant: 'lggan' }),
    'lggan-crossview-dayton.json': crossViewGraph({ size: 'full', variant: 'lggan' }),
    'lggan-cityscapes-tiny.json': semanticGraph({ dataset: 'cityscapes', size: 'tiny', variant: 'lggan' }),
    'lggan-ade20k-tiny.json': semanticGraph({ dataset: 'ade20k', size: 'tiny', variant: 'lggan' }),
    'lggan-crossview-dayton-tiny.json': crossViewGraph({ size: 'tiny', variant: 'lggan' }),
  };
  for (const variant of ABLATIONS) {
    graphs[`ablation-cityscapes-${variant}.json`] = semanticGraph({ dataset: 'cityscapes', size: 'full', variant });
    graphs[`ablation-cityscapes-${variant}-tiny.json`] = semanticGraph({ dataset: 'cityscapes', size: 'tiny', variant });
  }
  return graphs;
}
