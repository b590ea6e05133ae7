/**
 * Graph variables → an official PyTorch state_dict (`.pth`), the inverse of the import: every
 * official key of the network in the official order and PyTorch layout, so the official code's
 * strict `load_state_dict` accepts the file. Entries the graph does not keep get neutral values:
 * num_batches_tracked an int64 0 (PyTorch only reads it when momentum is None), never-used
 * official layers (SPADE's fc, the seventh cross-view sub-generator) zeros.
 */
import type { OfficialEntry } from '../../compiler/official.ts';
import type { GraphIR } from '../../compiler/ir.ts';
import type { Program } from '../../compiler/program.ts';
import type { SafetensorsFile } from '../../formats/safetensors.ts';
import { TorchCheckpointError } from './errors.ts';
import { toTorchLayout } from './layout.ts';
import { networkMapping } from './mapping.ts';
import { numelOf } from './tensor.ts';
import { writeTorchCheckpoint, type TensorToSave, type WriteOptions } from './write.ts';

export interface ExportOptions extends WriteOptions {
  /** The graph network to export (default "G"). */
  network?: string;
  /** 'strict' (default): every mapped variable must be in the source; 'partial' leaves absent ones out. */
  mode?: 'strict' | 'partial';
}

export interface ExportReport {
  network: string;
  /** Official keys written from variables. */
  written: string[];
  /** Official keys written with neutral values because the graph does not keep them. */
  filled: { key: string; reason: string }[];
  /** Variables the source lacks (their keys are not written; strict mode refuses). */
  missing: string[];
  misshaped: { variable: string; expected: number[]; got: number[] }[];
}

/** A variable's value in the tfjs layout, or undefined when the source lacks it. */
export type WeightLookup = (variable: string) => { shape: readonly number[]; values: Float32Array } | undefined;

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Builds the state_dict tensors of `entries` from `lookup`. */
export function exportStateDict(entries: readonly OfficialEntry[], lookup: WeightLookup, options: { network: string; mode?: 'strict' | 'partial' }): { tensors: TensorToSave[]; report: ExportReport } {
  const report: ExportReport = { network: options.network, written: [], filled: [], missing: [], misshaped: [] };
  const tensors: TensorToSave[] = [];
  for (const entry of entries) {
    if (entry.variableName === null) {
      if (entry.key.endsWith('num_batches_tracked')) {
        tensors.push({ key: entry.key, dtype: 'int64', shape: entry.shape, values: new BigInt64Array(numelOf(entry.shape)) });
        report.filled.push({ key: entry.key, reason: 'int64 0: batches are not counted here (PyTorch reads the counter only when momentum is None)' });
      } else {
        tensors.push({ key: entry.key, dtype: 'float32', shape: entry.shape, values: new Float32Array(numelOf(entry.shape)) });
        report.filled.push({ key: entry.key, reason: 'zeros: an official layer that forward never uses, not kept by this graph' });
      }
      continue;
    }
    const value = lookup(entry.variableName);
    if (!value) {
      report.missing.push(entry.variableName);
      continue;
    }
    const expected = numelOf(entry.shape);
    if (value.values.length !== expected) {
      report.misshaped.push({ variable: entry.variableName, expected: entry.shape, got: [...value.shape] });
      continue;
    }
    tensors.push({ key: entry.key, dtype: 'float32', shape: entry.shape, values: toTorchLayout(value.values, entry.shape, entry.layout, `'${entry.variableName}'`) });
    report.written.push(entry.key);
  }
  if ((options.mode ?? 'strict') === 'strict' && (report.missing.length || report.misshaped.length)) {
    const lines = [`cannot export network '${options.network}' (strict mode):`];
    if (report.missing.length) lines.push(`  the weights lack ${report.missing.length} variable(s): ${report.missing.slice(0, 8).join(', ')}${report.missing.length > 8 ? ' …' : ''}`);
    for (const m of report.misshaped) lines.push(`  '${m.variable}' is ${shapeText(m.got)} but the official key needs ${m.expected.reduce((a, b) => a * b, 1)} elements (${shapeText(m.expected)} in PyTorch)`);
    throw new TorchCheckpointError(lines.join('\n'));
  }
  return { tensors, report };
}

/** Looks variables up in one of our safetensors checkpoints, checking the tfjs shape. */
export function safetensorsLookup(file: SafetensorsFile): WeightLookup {
  return (name) => {
    const t = file.tensors.get(name);
    if (!t) return undefined;
    if (!(t.values instanceof Float32Array)) throw new TorchCheckpointError(`variable '${name}' is ${t.dtype} in the weights file; official keys hold float tensors`);
    return { shape: t.shape, values: t.values };
  };
}

/** Exports network `options.network` of a graph from a weights lookup as `.pth` bytes. */
export function exportCheckpointBytes(target: Program | GraphIR, lookup: WeightLookup, options: ExportOptions = {}): { bytes: Uint8Array; report: ExportReport } {
  const network = options.network ?? 'G';
  const { entries } = networkMapping(target, network);
  const { tensors, report } = exportStateDict(entries, lookup, { network, mode: options.mode });
  return { bytes: writeTorchCheckpoint(tensors, options), report };
}

/** Exports a compiled program's current variables (read asynchronously, so it works on WebGPU/WebGL). */
export async function exportProgramCheckpoint(program: Program, options: ExportOptions = {}): Promise<{ bytes: Uint8Array; report: ExportReport }> {
  const network = options.network ?? 'G';
  const { entries } = networkMapping(program, network);
  const values = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const e of entries) {
    const v = e.variableName ? program.variables.get(e.variableName) : undefined;
    if (v) values.set(e.variableName!, { shape: [...v.shape], values: (await v.data()) as Float32Array });
  }
  return exportCheckpointBytes(program, (name) => values.get(name), options);
}
