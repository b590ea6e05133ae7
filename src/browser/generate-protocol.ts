/**
 * Messages between the page and the generation worker (generate-worker.ts): load a graph with
 * weights (initial, or a checkpoint's), then generate from label maps or from a dataset's
 * sample (the run panel's "inspect sample"). Every request carries an id that its answer repeats.
 * Structured-clone safe.
 */
import type { BackendAttempt, BackendSetting, BrowserBackend } from './backend.ts';
import type { DatasetSpec, RunError, SampleImage } from './protocol.ts';

export interface LoadRequest {
  type: 'load';
  id: number;
  graph: unknown;
  /** .safetensors bytes; without them the graph's seeded initial weights are used. */
  checkpoint?: Uint8Array<ArrayBuffer>;
  backend?: BackendSetting;
  /** The page's `?wasm-threads=` as written (wasm-threads.ts); the worker checks it. */
  wasmThreads?: string;
}

/** Class ids, row-major, one per pixel (the graph's ids: 0 … num_classes − 1; num_classes = unknown). */
export interface IdMap {
  width: number;
  height: number;
  data: Int32Array<ArrayBuffer>;
}

export interface GenerateRequest {
  type: 'generate';
  id: number;
  labels: IdMap;
  /** Cross-view graphs: the aerial photo (RGBA bytes); without it a mid-grey image stands in. */
  aerial?: SampleImage;
}

/** Generate from sample `index` of a dataset as a run sees it (fitted to the graph, not augmented). */
export interface GenerateSampleRequest {
  type: 'generate-sample';
  id: number;
  dataset: DatasetSpec;
  index: number;
}

export type GeneratePageMessage = LoadRequest | GenerateRequest | GenerateSampleRequest;

/** What the loaded generator takes and gives. */
export interface GeneratorInfo {
  width: number;
  height: number;
  /** Label ids 0 … numClasses − 1 (cross-view: the six grey groups). */
  numClasses: number;
  crossView: boolean;
  images: string[];
  attention: string[];
  perClass: boolean;
}

export interface LoadedMessage {
  type: 'loaded';
  id: number;
  backend: BrowserBackend;
  attempts: BackendAttempt[];
  graphName: string;
  generator: GeneratorInfo;
  /** 'initial': seeded initial weights; else the checkpoint's step (null: the file has no run record). */
  weights: { source: 'initial' } | { source: 'checkpoint'; step: number | null; graphName: string | null };
  notes: string[];
}

export interface GeneratedMessage {
  type: 'generated';
  id: number;
  /** final first, then the other image outputs (LGGAN: global, local). */
  images: SampleImage[];
  /** Attention maps as grey images: '<output> local', '<output> global'. */
  attention: SampleImage[];
  /** The local generator's image for each class present in the map. */
  perClass: { classId: number; image: SampleImage }[];
  notes: string[];
  ms: number;
  /** For a generate-sample request: which sample, and what it holds beside the label map. */
  sample?: InspectedSample;
}

export interface InspectedSample {
  index: number;
  /** Samples in the dataset (valid indices 0 … count − 1). */
  count: number;
  /** What the generator is conditioned on: the label map in the palette's colours (cross-view: the colour semantic map). */
  condition?: SampleImage;
  /** The real image the generator should produce. */
  real?: SampleImage;
}

export interface GenerateErrorMessage {
  type: 'error';
  id: number;
  error: RunError;
}

export type GenerateWorkerMessage = LoadedMessage | GeneratedMessage | GenerateErrorMessage;
