/**
 * The held-out side of a worker run: which samples are scored, and the scoring (PSNR, SSIM and SD
 * of the final image against the real one, as `lggan train` reports them).
 *
 * - Synthetic scenes: the held-out scenes come from a seed of their own (derived from the
 *   dataset's seed), so no held-out scene is a training scene and the training data does not
 *   depend on how many are held out.
 * - Dropped datasets: samples are split off with a seeded shuffle (splitDataset) and never
 *   trained on; the split is a function of the run seed, so a resumed run keeps it.
 * Held-out samples are read without augmentation: every evaluation of a run sees the same images.
 */
import * as tf from '@tensorflow/tfjs-core';
import { generatorOutputs, OutputsError } from '../compiler/outputs.ts';
import { hashString, streamSeed } from '../compiler/rng.ts';
import type { Program } from '../compiler/program.ts';
import { FIELD, splitDataset, type Dataset, type Sample } from '../runtime/data/dataset.ts';
import { toFeeds, type GraphInput } from '../runtime/data/feeds.ts';
import { isIdRaster, type ImageRaster } from '../runtime/data/raster.ts';
import { evaluate, type Evaluation, type HeldOutSample } from '../runtime/metrics/evaluate.ts';
import { datasetFor } from './data.ts';
import { RunSetupError } from './errors.ts';
import { DEFAULT_SYNTHETIC_HELD_OUT, type DatasetSpec, type SyntheticDatasetSpec } from './protocol.ts';

export interface RunData {
  /** What the run trains on. */
  train: Dataset;
  /** What it scores; undefined when nothing is held out. */
  heldOut?: Dataset;
}

/** The seed of a synthetic dataset's held-out scenes (never the training seed itself). */
export function heldOutSeed(seed: number): number {
  return hashString(`held-out:${seed}`);
}

/** A dropped dataset's default share: a tenth, 1 to 8 samples; none when there are fewer than 2. */
export function defaultHeldOut(size: number): number {
  return size < 2 ? 0 : Math.min(8, Math.max(1, Math.round(size / 10)));
}

/**
 * Splits a run's data into training and held-out parts. `dataset` is the whole dataset (synthetic
 * scenes or a dropped folder fitted to the graph); `requested` the spec's heldOut.
 */
export function splitRunData(dataset: Dataset, spec: DatasetSpec, inputs: readonly GraphInput[], requested: number | undefined, runSeed: number): RunData {
  if (spec.kind === 'synthetic') {
    const count = requested ?? DEFAULT_SYNTHETIC_HELD_OUT;
    if (count === 0) return { train: dataset };
    const heldOutSpec: SyntheticDatasetSpec = { kind: 'synthetic', seed: heldOutSeed(spec.seed), count };
    return { train: dataset, heldOut: datasetFor(inputs, heldOutSpec) };
  }
  const count = requested ?? defaultHeldOut(dataset.size);
  if (count === 0) return { train: dataset };
  if (count >= dataset.size) {
    throw new RunSetupError('spec', `dataset '${spec.name}' has ${dataset.size} sample${dataset.size === 1 ? '' : 's'}: too few to hold out ${count} and train on the rest`);
  }
  return splitDataset(dataset, { heldOut: count, seed: streamSeed(runSeed, 'held-out') });
}

/** The output scored: the graph's final image (a core/output 'final', else the image its losses judge). */
export function finalImageKey(program: Program): string {
  try {
    return generatorOutputs(program).final.key;
  } catch (e) {
    if (e instanceof OutputsError) throw new RunSetupError('graph', `held-out metrics need a final image: ${e.message}`);
    throw e;
  }
}

function targetOf(samples: readonly Sample[], what: string): tf.Tensor4D {
  const fields = samples.map((s) => s.fields[FIELD.real]);
  const first = fields[0];
  if (!first || isIdRaster(first)) throw new RunSetupError('spec', `${what} has no '${FIELD.real}' image to score the generated one against`);
  const { width, height, channels } = first;
  const data = new Float32Array(samples.length * width * height * channels);
  fields.forEach((f, b) => data.set((f as ImageRaster).data, b * first.data.length));
  return tf.tensor4d(data, [samples.length, height, width, channels]);
}

/** Scores the final image on every held-out sample, `batch` at a time, in inference mode. Leaves no tensors behind. */
export async function scoreHeldOut(program: Program, finalKey: string, inputs: readonly GraphInput[], heldOut: Dataset, batch: number): Promise<Evaluation> {
  async function* batches(): AsyncGenerator<HeldOutSample> {
    for (let first = 0; first < heldOut.size; first += batch) {
      const indices = Array.from({ length: Math.min(batch, heldOut.size - first) }, (_, i) => first + i);
      const samples = await Promise.all(indices.map((i) => heldOut.sample(i)));
      const target = targetOf(samples, `held-out sample ${first}`);
      let feeds;
      try {
        feeds = toFeeds(samples, inputs);
      } catch (e) {
        target.dispose();
        throw e;
      }
      yield { feeds, target };
    }
  }
  return evaluate((feeds) => program.run(feeds, { outputs: [finalKey], training: false })[finalKey], batches(), { disposeSamples: true });
}
