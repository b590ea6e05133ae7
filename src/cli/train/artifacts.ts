/**
 * What a training run leaves beside its logs: sample grids of the generator's outputs, held-out
 * metrics and checkpoints. Held-out samples are read without augmentation, so every grid and
 * every evaluation of one run looks at the same images.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Program } from '../../compiler/program.ts';
import { runRecordFor, saveCheckpoint, type RunRecord } from '../../runtime/checkpoint/index.ts';
import type { DirectoryCheckpointStore } from '../../runtime/checkpoint/node-store.ts';
import { FIELD, isIdRaster, toFeeds, type Dataset, type GraphInput, type ImageRaster, type Sample } from '../../runtime/data/index.ts';
import { colouriseLabels, imageToPng, rasterToImage, sampleGrid, tensorToImages, type ByteImage } from '../../runtime/images/index.ts';
import { evaluate, type Evaluation, type HeldOutSample } from '../../runtime/metrics/index.ts';
import type { TrainingRun } from '../../runtime/training/index.ts';
import type { GeneratorOutputs } from '../../compiler/outputs.ts';

export interface GeneratorView {
  program: Program;
  outputs: GeneratorOutputs;
  inputs: GraphInput[];
  numClasses?: number;
}

/** Whether the graph is conditioned on label ids (else on colour semantics, as cross-view graphs are). */
function takesLabels(view: GeneratorView): boolean {
  return view.inputs.some((i) => i.kind === 'labels' || i.kind === 'semantic');
}

/** "step-000010": zero-padded so names sort by step. */
export function stepName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

/** The first column, what the generator is conditioned on: the label map in colour, or the colour semantic map (cross-view). */
function conditionCell(view: GeneratorView, s: Sample): ByteImage | undefined {
  const labels = s.fields[FIELD.labels];
  if (takesLabels(view) && labels && isIdRaster(labels)) return colouriseLabels(labels, view.numClasses ?? Math.max(...labels.data) + 1);
  const semantic = s.fields[FIELD.groundSemantic];
  return semantic && !isIdRaster(semantic) ? rasterToImage(semantic) : undefined;
}

/** A PNG grid: one row per sample; columns: condition, final, the other image outputs, real. */
export async function sampleGridPng(view: GeneratorView, samples: Sample[]): Promise<Uint8Array> {
  const keys = [view.outputs.final, ...view.outputs.images].map((o) => o.key);
  const feeds = toFeeds(samples, view.inputs);
  let results: Record<string, tf.Tensor>;
  try {
    results = view.program.run(feeds, { outputs: keys });
  } finally {
    tf.dispose(Object.values(feeds));
  }
  let columns: ByteImage[][][];
  try {
    columns = await Promise.all(keys.map((k) => tensorToImages(results[k])));
  } finally {
    tf.dispose(Object.values(results));
  }
  const rows = samples.map((s, b) => {
    const real = s.fields[FIELD.real];
    return [conditionCell(view, s), ...columns.map((c) => c[b][0]), real && !isIdRaster(real) ? rasterToImage(real) : undefined];
  });
  return imageToPng(sampleGrid(rows));
}

function targetOf(samples: Sample[]): tf.Tensor4D {
  const fields = samples.map((s) => s.fields[FIELD.real] as ImageRaster);
  const { width, height, channels } = fields[0];
  const data = new Float32Array(samples.length * width * height * channels);
  fields.forEach((f, b) => data.set(f.data, b * f.data.length));
  return tf.tensor4d(data, [samples.length, height, width, channels]);
}

/** PSNR, SSIM and SD of the final image against the real one, over the whole held-out split. */
export async function evaluateHeldOut(view: GeneratorView, heldOut: Dataset, batch: number): Promise<Evaluation> {
  const key = view.outputs.final.key;
  async function* batches(): AsyncGenerator<HeldOutSample> {
    for (let first = 0; first < heldOut.size; first += batch) {
      const indices = Array.from({ length: Math.min(batch, heldOut.size - first) }, (_, i) => first + i);
      const samples = await Promise.all(indices.map((i) => heldOut.sample(i)));
      yield { feeds: toFeeds(samples, view.inputs), target: targetOf(samples) };
    }
  }
  return evaluate((feeds) => view.program.run(feeds, { outputs: [key] })[key], batches(), { disposeSamples: true });
}

export interface CheckpointInput {
  step: number;
  datasetFingerprint: string;
  nodePackVersion: string;
  extra: Record<string, unknown>;
}

/** Weights + optimizer state as `checkpoints/step-N.safetensors` with its `.json` run record; returns the name. */
export async function writeCheckpoint(store: DirectoryCheckpointStore, run: TrainingRun, input: CheckpointInput): Promise<{ name: string; record: RunRecord }> {
  const record = runRecordFor(run.program, {
    nodePackVersion: input.nodePackVersion,
    step: input.step,
    datasetFingerprint: input.datasetFingerprint,
    extra: input.extra,
  });
  const bytes = await saveCheckpoint(run.program, { record, optimizer: run });
  const name = stepName(input.step);
  await store.save(name, bytes, record);
  return { name, record };
}
