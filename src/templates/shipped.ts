/** Every generated graph shipped in graphs/, by file name, and the Examples menu's catalogue of them. */
import type { GraphDocument } from '../graph/document.ts';
import { crossViewGraph, semanticGraph, type Variant } from './lggan.ts';

type Ablation = Exclude<Variant, 'lggan'>;
const ABLATIONS: Ablation[] = ['global-only', 'local-only', 'no-classification', 'fixed-fusion', 'sau', 'sau-label-gated'];

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

/**
 * How the Examples menu groups a graph. `task`: a graph for a task of the paper (or a starter
 * graph); `ablation`: a Cityscapes variant of LGGAN that leaves out or swaps one part. `tiny`:
 * narrow widths and a small image, trains in the browser in minutes; `full`: the official size.
 */
export type ExampleKind = 'task' | 'ablation';
export type ExampleSize = 'tiny' | 'full';

export interface ShippedExample {
  kind: ExampleKind;
  size: ExampleSize;
  /** One line for the menu, in the user's words. */
  summary: string;
}

const TASK_SUMMARIES: Record<string, string> = {
  'lggan-cityscapes': 'Label map → street scene: global and class-specific local generators, attention fusion.',
  'lggan-ade20k': 'Label map → indoor or outdoor scene over ADE20K’s 150 classes, the full LGGAN.',
  'lggan-crossview-dayton': 'Aerial photo + ground-view semantics → ground-view photo (Dayton).',
};

const ABLATION_SUMMARIES: Record<Ablation, string> = {
  'global-only': 'The global generator alone (the SPADE baseline), no local branch.',
  'local-only': 'The class-specific local generators alone, no global branch.',
  'no-classification': 'LGGAN without the classification module and its loss.',
  'fixed-fusion': 'A fixed 50/50 mix of local and global images instead of learned attention.',
  sau: 'LGGAN++: semantic-aware upsampling in place of transposed convolutions.',
  'sau-label-gated': 'Our variant: semantic-aware upsampling gated by the label map.',
};

/** Every graph in graphs/ (generated or not) with its group and one-line summary, by file name. */
export function shippedCatalogue(): Record<string, ShippedExample> {
  const catalogue: Record<string, ShippedExample> = {
    // Written by hand from core nodes (not by these templates): the smallest graph to train.
    'tiny-pix2pix.json': { kind: 'task', size: 'tiny', summary: 'A small pix2pix baseline from core nodes only; trains in seconds.' },
  };
  for (const [stem, summary] of Object.entries(TASK_SUMMARIES)) {
    catalogue[`${stem}.json`] = { kind: 'task', size: 'full', summary };
    catalogue[`${stem}-tiny.json`] = { kind: 'task', size: 'tiny', summary };
  }
  for (const variant of ABLATIONS) {
    const summary = ABLATION_SUMMARIES[variant];
    catalogue[`ablation-cityscapes-${variant}.json`] = { kind: 'ablation', size: 'full', summary };
    catalogue[`ablation-cityscapes-${variant}-tiny.json`] = { kind: 'ablation', size: 'tiny', summary };
  }
  return catalogue;
}
