/**
 * The messages between the page (client.ts) and the training worker (training-worker.ts).
 * Everything here is structured-clone safe: plain objects, numbers, strings, typed arrays.
 *
 * Page → worker: start (once per worker), pause, resume, stop, snapshot.
 * Worker → page: started, notice, progress (every step), samples (every sampleEvery steps),
 * metrics (held-out PSNR / SSIM / SD every evalEvery steps), autosaved, state (pausing / paused / running),
 * snapshot, finished, stopped (both with the end weights), error.
 */
import { DATASET_LAYOUTS, type DatasetLayout, type DroppedDataset } from '../runtime/data/browser-files.ts';
import type { BackendAttempt, BackendSetting, BrowserBackend } from './backend.ts';

/** The embedded synthetic street scenes; size and class ids follow the graph's input nodes. */
export interface SyntheticDatasetSpec {
  kind: 'synthetic';
  /** Seed of the scenes (sample n of a seed is the same bytes everywhere). */
  seed: number;
  /** Number of distinct samples the run cycles through. */
  count: number;
}

/**
 * A dropped or picked folder / .zip in one of the dataset layouts, fitted to the graph's size and
 * classes. The files travel with the start message; an autosave keeps the spec without them, so
 * resuming it after a reload needs the same dataset dropped again.
 */
export interface FilesDatasetSpec {
  kind: 'files';
  /** The folder or archive name (autosaves compare it). */
  name: string;
  layout: DatasetLayout;
  /** The files; absent in an autosave's spec. */
  dropped?: DroppedDataset;
}

export type DatasetSpec = SyntheticDatasetSpec | FilesDatasetSpec;

/** The spec without the files: what autosaves keep and compare. */
export function storableDataset(d: DatasetSpec): DatasetSpec {
  if (d.kind !== 'files') return { ...d };
  return { kind: 'files', name: d.name, layout: d.layout };
}

/** What a run is: everything that decides its numbers, plus how it reports. */
export interface RunSpec {
  /** Training iterations to reach (a resumed run continues up to this step count). */
  steps: number;
  /** Weight initialisation seed and data-order seed; default the graph's init seed. */
  seed?: number;
  dataset: DatasetSpec;
  /** Samples per step; default the trainer node's batch_size. */
  batchSize?: number;
  /** 'auto' (default): webgpu → wasm → webgl → cpu (see backend.ts); a backend name forces it. */
  backend?: BackendSetting;
  /** Autosave to IndexedDB every this many steps (and when the run ends); 0 turns autosave off. Default 50. */
  autosaveEvery?: number;
  /** Send generated images every this many steps (and after the last); 0: never. Default 10. */
  sampleEvery?: number;
  /** Score the held-out split (PSNR, SSIM, SD of the final image) every this many steps (and after the last); 0: never. Default 50. */
  evalEvery?: number;
  /**
   * Held-out samples. Synthetic scenes: this many extra scenes of a seed of their own (so none is
   * a training scene; training data does not change). Dropped datasets: this many samples split
   * off and never trained on (default a tenth, 1 to 8; 0 trains on all and scores nothing).
   */
  heldOut?: number;
}

export interface StartMessage {
  type: 'start';
  /** The graph document (JSON value), as a file holds it. */
  graph: unknown;
  spec: RunSpec;
  /** Continue from the graph's autosave instead of starting at step 0. */
  fromAutosave?: boolean;
  /**
   * Continue from these checkpoint bytes (an uploaded or restored .safetensors): weights, and the
   * optimiser state and step when the file has them. Checked strictly against the graph.
   */
  checkpoint?: Uint8Array<ArrayBuffer>;
  /**
   * The checkpoint is of another version of the graph: carry over every variable (with its Adam
   * moments) whose node, name and shape still match, start the rest from the graph's init, and
   * continue the step count (checkpoint/carry.ts). A `carried` message reports what was kept.
   */
  carryOver?: boolean;
  /** Identifies the run across autosaves and worker restarts (the client makes one). */
  runId: string;
  /** The page's `?wasm-threads=` as written (wasm-threads.ts); the worker checks it. Not part of the run: threads do not change its numbers. */
  wasmThreads?: string;
}

/** Asks for the run's current weights and optimiser state as checkpoint bytes (answered between steps). */
export interface SnapshotRequest {
  type: 'snapshot';
  id: number;
}

export type PageMessage = StartMessage | { type: 'pause' } | { type: 'resume' } | { type: 'stop' } | SnapshotRequest;

export interface StartedMessage {
  type: 'started';
  runId: string;
  backend: BrowserBackend;
  /** Every backend tried, in order, with why the failed ones failed. */
  attempts: BackendAttempt[];
  graphName: string;
  graphHash: string;
  /** IndexedDB checkpoint name the run autosaves to. */
  autosaveKey: string;
  /** Step the run starts at: 0, or the autosave's step. */
  fromStep: number;
  steps: number;
  batchSize: number;
  /** Names of the sample images the run will send (e.g. final, global, local). */
  images: string[];
  /** Samples the run trains on, and held-out samples it scores (0: no metrics). */
  trainSamples: number;
  heldOutSamples: number;
  /** Metrics interval in steps (0: none). */
  evalEvery: number;
}

export interface ProgressMessage {
  type: 'progress';
  /** 1-based: iterations completed, including this one. */
  step: number;
  /** Weighted losses of this iteration, by loss node id. */
  losses: Record<string, number>;
  gTotal?: number;
  dTotal?: number;
  lrG: number;
  lrD: number;
  /** Batch size ÷ wall time of this iteration (data, forward, backward, update). */
  imagesPerSecond: number;
  ms: number;
  backend: BrowserBackend;
  /** tf.memory().numTensors after the iteration; flat from the second step on when nothing leaks. */
  numTensors: number;
}

/** One generated image as ImageData wants it: width × height × 4 bytes, RGBA. */
export interface SampleImage {
  name: string;
  width: number;
  height: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
}

export interface SamplesMessage {
  type: 'samples';
  step: number;
  images: SampleImage[];
}

/** Held-out scores of the final image at a step: means over every held-out image. */
export interface MetricsMessage {
  type: 'metrics';
  step: number;
  /** Images scored. */
  count: number;
  /** dB; +Infinity for a perfect match. */
  psnr: number;
  ssim: number;
  /** Sharpness difference, dB. */
  sd: number;
  /** Wall time of the evaluation. */
  ms: number;
}

export interface AutosavedMessage {
  type: 'autosaved';
  step: number;
  key: string;
  bytes: number;
}

/**
 * The run's state changed. 'pausing': a pause was asked for while a step is under way; the run
 * pauses once step `step` is done (then 'paused' follows, with the same step).
 */
export interface StateMessage {
  type: 'state';
  state: 'running' | 'pausing' | 'paused';
  step: number;
}

export interface EndMessage {
  type: 'finished' | 'stopped';
  step: number;
  /**
   * The weights (and optimiser state) the run ended with, as a .safetensors checkpoint with its
   * run record: the worker ends with the run, so this is the last chance to keep them. Absent
   * when no step was taken.
   */
  checkpoint?: Uint8Array<ArrayBuffer>;
}

export interface SnapshotMessage {
  type: 'snapshot';
  /** The request's id. */
  id: number;
  step: number;
  /** A .safetensors checkpoint with the run record (as saveCheckpoint writes it). */
  bytes: Uint8Array<ArrayBuffer>;
}

/** What a carry-over kept, re-initialised and dropped: carryReportLines() (plain text, shown as text) and the totals. */
export interface CarriedMessage {
  type: 'carried';
  lines: string[];
  totals: { kept: number; reinitialised: number; dropped: number };
  step: number;
}

export interface NoticeMessage {
  type: 'notice';
  message: string;
}

/** Why a run failed, by kind; `message` always says it in words. */
export type RunError =
  | { kind: 'non-finite'; message: string; step: number; side: 'G' | 'D'; lossNode?: string; node?: string; port?: string }
  | { kind: 'dataset'; message: string; file: string; code: string }
  | { kind: 'feed'; message: string; node: string }
  | { kind: 'backend'; message: string; attempts: BackendAttempt[] }
  | { kind: 'graph'; message: string }
  | { kind: 'checkpoint'; message: string }
  | { kind: 'spec'; message: string }
  | { kind: 'internal'; message: string; stack?: string };

export interface ErrorMessage {
  type: 'error';
  error: RunError;
}

export type WorkerMessage =
  | StartedMessage
  | NoticeMessage
  | CarriedMessage
  | ProgressMessage
  | SamplesMessage
  | MetricsMessage
  | AutosavedMessage
  | StateMessage
  | SnapshotMessage
  | EndMessage
  | ErrorMessage;

export const DEFAULT_AUTOSAVE_EVERY = 50;
export const DEFAULT_SAMPLE_EVERY = 10;
export const DEFAULT_EVAL_EVERY = 50;
/** Held-out scenes of a synthetic dataset when the spec does not say. */
export const DEFAULT_SYNTHETIC_HELD_OUT = 4;

/** The prefix of autosave checkpoint names; the rest is the graph hash. */
export const AUTOSAVE_PREFIX = 'autosave-';

/** One autosave slot per graph: its content hash (layout edits do not change it). */
export function autosaveKey(graphHash: string): string {
  return `${AUTOSAVE_PREFIX}${graphHash}`;
}

const wholeAtLeast = (v: unknown, min: number) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

/** Checks a spec from outside; throws a RangeError naming the first bad field. */
export function checkRunSpec(spec: RunSpec): void {
  if (!wholeAtLeast(spec.steps, 1)) throw new RangeError(`steps must be a whole number ≥ 1, got ${JSON.stringify(spec.steps)}`);
  if (spec.seed !== undefined && !wholeAtLeast(spec.seed, 0)) throw new RangeError(`seed must be a whole number ≥ 0, got ${JSON.stringify(spec.seed)}`);
  if (spec.batchSize !== undefined && !wholeAtLeast(spec.batchSize, 1)) throw new RangeError(`batchSize must be a whole number ≥ 1, got ${JSON.stringify(spec.batchSize)}`);
  for (const key of ['autosaveEvery', 'sampleEvery', 'evalEvery', 'heldOut'] as const) {
    if (spec[key] !== undefined && !wholeAtLeast(spec[key], 0)) throw new RangeError(`${key} must be a whole number ≥ 0, got ${JSON.stringify(spec[key])}`);
  }
  if (spec.heldOut === 0 && (spec.evalEvery ?? DEFAULT_EVAL_EVERY) > 0) throw new RangeError('evalEvery needs held-out samples: set heldOut ≥ 1, or evalEvery 0 to score nothing');
  const d = spec.dataset as DatasetSpec | undefined;
  if (d?.kind === 'files') {
    if (typeof d.name !== 'string' || d.name === '') throw new RangeError('dataset.name must name the dropped folder or archive');
    if (!(DATASET_LAYOUTS as readonly string[]).includes(d.layout)) throw new RangeError(`dataset.layout must be one of ${DATASET_LAYOUTS.join(', ')}, got ${JSON.stringify(d.layout)}`);
    if (!d.dropped) throw new RangeError(`the files of dataset '${d.name}' are not here (an autosave does not keep them): drop the same folder or archive again to resume`);
    return;
  }
  if (!d || d.kind !== 'synthetic') throw new RangeError(`dataset.kind must be 'synthetic' or 'files', got ${JSON.stringify((d as { kind?: unknown } | undefined)?.kind)}`);
  if (!wholeAtLeast(d.seed, 0)) throw new RangeError(`dataset.seed must be a whole number ≥ 0, got ${JSON.stringify(d.seed)}`);
  if (!wholeAtLeast(d.count, 1)) throw new RangeError(`dataset.count must be a whole number ≥ 1, got ${JSON.stringify(d.count)}`);
}
