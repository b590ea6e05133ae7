/**
 * The run record: what a checkpoint was made from and with, so a result can be replayed and a
 * checkpoint matched to its graph. It travels inside the checkpoint (safetensors `__metadata__`,
 * as one JSON string) and beside it as a `.json` sidecar.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Program } from '../../compiler/program.ts';
import { DEFAULT_INIT, type GraphDocument } from '../../graph/document.ts';
import { graphHash } from '../../graph/hash.ts';

export const RUN_RECORD_FORMAT = 'lggan-studio.run';
export const RUN_RECORD_VERSION = 1;

export interface RunRecord {
  format: typeof RUN_RECORD_FORMAT;
  version: typeof RUN_RECORD_VERSION;
  /** graphHash() of the graph document: what the weights were made for. */
  graphHash: string;
  /** The graph's meta.name. */
  graphName: string;
  /** The seed weights were initialised with (the run's seed). */
  seed: number;
  /** Training steps taken when the checkpoint was written. */
  step: number;
  /** The node pack's version (package.json `version`). */
  nodePackVersion: string;
  /** tf.version_core. */
  tfjsVersion: string;
  /** tf.getBackend() at the time of writing. */
  backend: string;
  /** The dataset's fingerprint, or null when no dataset was involved. */
  datasetFingerprint: string | null;
  /** ISO 8601, UTC. */
  created: string;
  /** Free-form JSON (hyperparameters, notes, metrics …). */
  extra: Record<string, unknown>;
}

export interface RunRecordInput {
  doc: GraphDocument;
  nodePackVersion: string;
  /** Default: the document's init seed. */
  seed?: number;
  /** Default 0. */
  step?: number;
  datasetFingerprint?: string | null;
  extra?: Record<string, unknown>;
  /** Default tf.getBackend(). */
  backend?: string;
  /** Injectable clock (tests); default `() => new Date()`. */
  now?: () => Date;
}

export class RunRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunRecordError';
  }
}

export function createRunRecord(input: RunRecordInput): RunRecord {
  const seed = input.seed ?? input.doc.init?.seed ?? DEFAULT_INIT.seed;
  const step = input.step ?? 0;
  if (!Number.isSafeInteger(seed)) throw new RunRecordError(`seed must be a whole number, got ${seed}`);
  if (!Number.isSafeInteger(step) || step < 0) throw new RunRecordError(`step must be a non-negative whole number, got ${step}`);
  return {
    format: RUN_RECORD_FORMAT,
    version: RUN_RECORD_VERSION,
    graphHash: graphHash(input.doc),
    graphName: input.doc.meta.name,
    seed,
    step,
    nodePackVersion: input.nodePackVersion,
    tfjsVersion: tf.version_core,
    backend: input.backend ?? tf.getBackend(),
    datasetFingerprint: input.datasetFingerprint ?? null,
    created: (input.now ?? (() => new Date()))().toISOString(),
    extra: structuredClone(input.extra ?? {}),
  };
}

/** createRunRecord for a compiled program: its graph document and the seed it was initialised with. */
export function runRecordFor(program: Program, input: Omit<RunRecordInput, 'doc'>): RunRecord {
  return createRunRecord({ seed: program.init.seed, ...input, doc: program.ir.doc });
}

/** The sidecar text (pretty JSON with a final newline). */
export function runRecordJson(record: RunRecord): string {
  return JSON.stringify(record, null, 2) + '\n';
}

const STRING_FIELDS = ['graphHash', 'graphName', 'nodePackVersion', 'tfjsVersion', 'backend', 'created'] as const;

/** Checks a parsed value (or JSON text) is a run record of this format; names the first bad field. */
export function parseRunRecord(input: unknown): RunRecord {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new RunRecordError(`run record is not JSON: ${(e as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RunRecordError('run record must be a JSON object');
  const r = value as Record<string, unknown>;
  if (r.format !== RUN_RECORD_FORMAT) throw new RunRecordError(`not a run record: format is ${JSON.stringify(r.format)}, expected "${RUN_RECORD_FORMAT}"`);
  if (r.version !== RUN_RECORD_VERSION) throw new RunRecordError(`run record version ${JSON.stringify(r.version)} is not supported (this build reads ${RUN_RECORD_VERSION})`);
  for (const key of STRING_FIELDS) {
    if (typeof r[key] !== 'string') throw new RunRecordError(`run record field '${key}' must be a string, got ${JSON.stringify(r[key])}`);
  }
  for (const key of ['seed', 'step'] as const) {
    if (!Number.isSafeInteger(r[key])) throw new RunRecordError(`run record field '${key}' must be a whole number, got ${JSON.stringify(r[key])}`);
  }
  if (r.datasetFingerprint !== null && typeof r.datasetFingerprint !== 'string') {
    throw new RunRecordError(`run record field 'datasetFingerprint' must be a string or null, got ${JSON.stringify(r.datasetFingerprint)}`);
  }
  if (typeof r.extra !== 'object' || r.extra === null || Array.isArray(r.extra)) throw new RunRecordError("run record field 'extra' must be an object");
  return value as RunRecord;
}
