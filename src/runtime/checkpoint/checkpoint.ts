/**
 * Program weights (and optionally optimiser state) ⇄ one `.safetensors` file.
 *
 * Layout of the file:
 * - every program variable, trainable or not (running statistics, spectral-norm u/v …), as F32
 *   (I32 for an int32 variable, should a node make one)
 *   under its stable name (`<node id>.<local name>`), in the program's variable order, with the
 *   tfjs shape (conv kernels [kh, kw, in, out]; `officialStateDict` maps them to PyTorch's);
 * - optimiser state entries under their own names, which all start with `optimizer.`
 *   (`optimizer.iteration`, `optimizer.G.step`, `optimizer.G.<variable>.m` …): F32, or I32 for
 *   int32 counters;
 * - `__metadata__`: { "lggan.run": the run record as JSON, "lggan.layout": "tfjs" }.
 * The reference `safetensors` library (PyTorch's `safetensors.torch.load_file`, or the numpy
 * loader) reads it as a plain state_dict.
 *
 * Loading is strict by default: every selected variable present with its shape, and nothing in the
 * file that the program does not know; on failure nothing is assigned and the error lists every
 * problem. Partial mode loads what matches and reports the rest.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Program, VariableInfo } from '../../compiler/program.ts';
import { graphHash } from '../../graph/hash.ts';
import { readSafetensors, writeSafetensors, type SafetensorsFile, type SafetensorsTensor, type TensorToWrite } from '../../formats/safetensors.ts';
import { parseRunRecord, type RunRecord } from './record.ts';

export const OPTIMIZER_PREFIX = 'optimizer.';
export const RECORD_METADATA_KEY = 'lggan.run';
export const LAYOUT_METADATA_KEY = 'lggan.layout';

/** One optimiser state tensor; `name` starts with `optimizer.`. */
export interface OptimizerEntry {
  name: string;
  tensor: tf.Tensor;
}

/** What a training run offers for saving. The tensors are read, never disposed (they belong to the run). */
export interface OptimizerStateSource {
  optimizerState(): OptimizerEntry[];
}

/** What a training run offers for loading. It must copy what it keeps: the tensors are disposed after the call. */
export interface OptimizerStateTarget {
  loadOptimizerState(entries: OptimizerEntry[]): void;
}

function fileDtype(name: string, tensor: tf.Tensor): 'F32' | 'I32' {
  if (tensor.dtype === 'float32') return 'F32';
  if (tensor.dtype === 'int32') return 'I32';
  throw new Error(`cannot save '${name}': dtype ${tensor.dtype} (only float32 and int32 are stored)`);
}

function tensorDtype(dtype: SafetensorsTensor['dtype']): 'float32' | 'int32' {
  return dtype === 'I32' || dtype === 'I64' ? 'int32' : 'float32';
}

export interface SaveCheckpointOptions {
  record: RunRecord;
  optimizer?: OptimizerStateSource;
}

/**
 * Writes one safetensors file. The values are snapshotted synchronously (clones share the data,
 * nothing is copied) and then read asynchronously, so this works on WebGPU and a training step
 * taken while it awaits does not mix two states into one file.
 */
export async function saveCheckpoint(program: Program, options: SaveCheckpointOptions): Promise<Uint8Array> {
  const entries: { name: string; tensor: tf.Tensor }[] = [];
  const taken = new Set<string>();
  for (const [name, v] of program.variables) {
    if (v.isDisposed) throw new Error(`cannot save: variable '${name}' is disposed`);
    entries.push({ name, tensor: v });
    taken.add(name);
  }
  for (const { name, tensor } of options.optimizer?.optimizerState() ?? []) {
    if (!name.startsWith(OPTIMIZER_PREFIX)) throw new Error(`cannot save optimiser entry '${name}': its name must start with '${OPTIMIZER_PREFIX}'`);
    if (taken.has(name)) throw new Error(`cannot save optimiser entry '${name}': the name is already taken by a variable or another entry`);
    entries.push({ name, tensor });
    taken.add(name);
  }
  const dtypes = entries.map((e) => fileDtype(e.name, e.tensor));
  const snapshot = entries.map((e) => tf.clone(e.tensor));
  const tensors = new Map<string, TensorToWrite>();
  try {
    for (const [i, { name }] of entries.entries()) {
      tensors.set(name, { dtype: dtypes[i], shape: [...snapshot[i].shape], values: await snapshot[i].data() });
    }
  } finally {
    tf.dispose(snapshot);
  }
  return writeSafetensors(tensors, {
    [RECORD_METADATA_KEY]: JSON.stringify(options.record),
    [LAYOUT_METADATA_KEY]: 'tfjs',
  });
}

/** The run record inside a checkpoint, or null when the file has none (a file from elsewhere). */
export function checkpointRecord(file: SafetensorsFile): RunRecord | null {
  const text = file.metadata[RECORD_METADATA_KEY];
  return text === undefined ? null : parseRunRecord(text);
}

/** The run record of checkpoint bytes (parses the whole file). */
export function readCheckpointRecord(bytes: Uint8Array): RunRecord | null {
  return checkpointRecord(readSafetensors(bytes));
}

export interface LoadCheckpointOptions {
  /** 'strict' (default): any missing, unexpected or misshaped name is an error and nothing is loaded. */
  mode?: 'strict' | 'partial';
  /** Only load variables of these networks ("load only G"); the others are left as they are. */
  networks?: readonly string[];
  /** Receives the file's optimiser entries (`optimizer.…` names). Without it they are skipped. */
  optimizer?: OptimizerStateTarget;
}

export interface Misshaped {
  name: string;
  expected: number[];
  got: number[];
}

export interface LoadReport {
  /** Variables assigned from the file. */
  loaded: string[];
  /** Selected variables the file lacks. */
  missing: string[];
  /** Names in the file that are neither a program variable nor an optimiser entry. */
  unexpected: string[];
  misshaped: Misshaped[];
  /** Names in the file that were recognised but not loaded: other networks' variables, optimiser entries without a target. */
  skipped: string[];
  /** Optimiser entries handed to the target. */
  optimizer: string[];
  record: RunRecord | null;
  /** Whether the record's graph hash equals the program's; null without a record. */
  sameGraph: boolean | null;
}

export class CheckpointLoadError extends Error {
  constructor(readonly report: LoadReport) {
    super(describeProblems(report));
    this.name = 'CheckpointLoadError';
  }
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

function describeProblems(report: LoadReport): string {
  const lines = ['checkpoint does not match the program (strict mode):'];
  if (report.missing.length > 0) lines.push(`  missing (${report.missing.length}): ${report.missing.join(', ')}`);
  if (report.unexpected.length > 0) lines.push(`  unexpected (${report.unexpected.length}): ${report.unexpected.join(', ')}`);
  for (const m of report.misshaped) lines.push(`  misshaped: '${m.name}' is ${shapeText(m.expected)} in the program but ${shapeText(m.got)} in the file`);
  return lines.join('\n');
}

function selector(program: Program, networks: readonly string[] | undefined): (info: VariableInfo) => boolean {
  if (networks === undefined) return () => true;
  const known = new Set([...program.variableInfo.values()].map((v) => v.network));
  const unknown = networks.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new Error(`no variables belong to network ${unknown.map((n) => `'${n}'`).join(', ')} (networks with variables: ${[...known].join(', ')})`);
  const wanted = new Set(networks);
  return (info) => wanted.has(info.network);
}

/** Loads checkpoint bytes (or an already parsed file) into the program's variables. */
export function loadCheckpoint(program: Program, source: Uint8Array | SafetensorsFile, options: LoadCheckpointOptions = {}): LoadReport {
  const file = source instanceof Uint8Array ? readSafetensors(source) : source;
  const selected = selector(program, options.networks);
  const record = checkpointRecord(file);
  const report: LoadReport = {
    loaded: [],
    missing: [],
    unexpected: [],
    misshaped: [],
    skipped: [],
    optimizer: [],
    record,
    sameGraph: record ? record.graphHash === graphHash(program.ir.doc) : null,
  };

  const toLoad: string[] = [];
  for (const [name, info] of program.variableInfo) {
    if (!selected(info)) continue;
    const stored = file.tensors.get(name);
    if (!stored) report.missing.push(name);
    else if (shapeText(stored.shape) !== shapeText(info.shape)) report.misshaped.push({ name, expected: [...info.shape], got: [...stored.shape] });
    else toLoad.push(name);
  }
  const optimizerNames: string[] = [];
  for (const name of file.tensors.keys()) {
    const info = program.variableInfo.get(name);
    if (info) {
      if (!selected(info)) report.skipped.push(name);
    } else if (name.startsWith(OPTIMIZER_PREFIX)) {
      if (options.optimizer) optimizerNames.push(name);
      else report.skipped.push(name);
    } else {
      report.unexpected.push(name);
    }
  }
  if ((options.mode ?? 'strict') === 'strict' && (report.missing.length || report.unexpected.length || report.misshaped.length)) {
    throw new CheckpointLoadError(report);
  }

  for (const name of toLoad) {
    const v = program.variables.get(name)!;
    const stored = file.tensors.get(name)!;
    const value = tf.tensor(stored.values, stored.shape, v.dtype);
    v.assign(value);
    value.dispose();
    report.loaded.push(name);
  }
  if (options.optimizer && optimizerNames.length > 0) {
    const entries = optimizerNames.map((name) => {
      const stored = file.tensors.get(name)!;
      return { name, tensor: tf.tensor(stored.values, stored.shape, tensorDtype(stored.dtype)) };
    });
    try {
      options.optimizer.loadOptimizerState(entries);
    } finally {
      tf.dispose(entries.map((e) => e.tensor));
    }
    report.optimizer = entries.map((e) => e.name);
  }
  return report;
}
