/**
 * The data side of a worker run: the synthetic dataset sized and numbered for the graph, and a
 * deterministic batch order, so step n of a run always sees the same samples (which is what lets a
 * resumed run repeat an uninterrupted one).
 *
 * Imports the data modules one by one (not data/index.ts), so the worker bundle gets no file
 * codecs or archive readers.
 */
import { hashString, uniformStream } from '../compiler/rng.ts';
import type { Dataset, Sample, SampleOptions } from '../runtime/data/dataset.ts';
import type { GraphInput } from '../runtime/data/feeds.ts';
import { ADE20K_CLASSES, REQUIRED_CLASSES, SCENE_CLASSES } from '../runtime/data/synthetic/classes.ts';
import { syntheticScenes, type SyntheticDataset, type SyntheticSceneOptions } from '../runtime/data/synthetic/dataset.ts';
import type { SyntheticDatasetSpec } from './protocol.ts';

/** Cityscapes label ids go up to 33: graphs with at least 35 classes get them (ADE20K's 150 get ADE20K ids), smaller ones compact ids. */
const CITYSCAPES_CLASSES = 35;

/** The synthetic scenes a graph can be fed: its input size, its label ids, its variant. */
export function syntheticOptionsFor(inputs: readonly GraphInput[], spec: SyntheticDatasetSpec): SyntheticSceneOptions {
  const spatial = inputs.find((i) => i.shape.length === 4);
  if (!spatial) throw new RangeError(`the graph has no B×H×W×C input to feed (inputs: ${inputs.map((i) => i.id).join(', ') || 'none'})`);
  const [, height, width] = spatial.shape;
  const crossView = inputs.some((i) => i.id === 'aerial');
  const options: SyntheticSceneOptions = { width, height, count: spec.count, seed: spec.seed, variant: crossView ? 'cross-view' : 'semantic' };
  const labels = inputs.find((i) => i.kind === 'labels' || i.kind === 'semantic');
  const classes = labels?.params.num_classes;
  if (typeof classes !== 'number') return options;
  if (classes === ADE20K_CLASSES) return { ...options, idSpace: 'ade20k', numClasses: classes };
  if (classes >= CITYSCAPES_CLASSES) return { ...options, idSpace: 'cityscapes', numClasses: classes };
  if (classes < REQUIRED_CLASSES.length) {
    throw new RangeError(
      `input '${labels!.id}' has num_classes ${classes}, but the synthetic scenes need at least ${REQUIRED_CLASSES.length} (${REQUIRED_CLASSES.join(', ')})`,
    );
  }
  return { ...options, idSpace: 'compact', numClasses: classes, classes: SCENE_CLASSES.slice(0, classes) };
}

export function datasetFor(inputs: readonly GraphInput[], spec: SyntheticDatasetSpec): SyntheticDataset {
  return syntheticScenes(syntheticOptionsFor(inputs, spec));
}

/** A seeded shuffle of 0 … count−1: the sample order of one epoch. */
function epochOrder(count: number, seed: number, epoch: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  const uniform = uniformStream(hashString(`order:${seed}:${epoch}`));
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

export interface BatchDraw {
  index: number;
  options: SampleOptions;
}

/**
 * The samples of 0-based step `step`: the run walks through one seeded shuffle per epoch, batchSize
 * samples per step; each epoch has its own augmentation seed. A pure function of its arguments.
 */
export function batchAt(step: number, batchSize: number, count: number, seed: number): BatchDraw[] {
  const orders = new Map<number, number[]>();
  return Array.from({ length: batchSize }, (_, k) => {
    const position = step * batchSize + k;
    const epoch = Math.floor(position / count);
    if (!orders.has(epoch)) orders.set(epoch, epochOrder(count, seed, epoch));
    return { index: orders.get(epoch)![position % count], options: { augment: true, seed: hashString(`augment:${seed}:${epoch}`) } };
  });
}

export function loadBatch(dataset: Pick<Dataset, 'sample'>, draws: readonly BatchDraw[]): Promise<Sample[]> {
  return Promise.all(draws.map((d) => dataset.sample(d.index, d.options)));
}
