/**
 * PyTorch state_dict → graph variables, through the node pack's official key mapping
 * (`officialStateDict`): every mapped key is checked against PyTorch's shape and moved into the
 * tfjs layout (`tfjsShape`). Spectral-norm and batch-norm state is kept as the variables the
 * nodes use (weight_orig/u/v, running stats), so eval-mode inference computes what PyTorch's
 * eval mode computes. Two conversions bridge other checkpoint shapes:
 * - a network without spectral norm reading a spectral-norm checkpoint gets the eval-mode weight
 *   W / (uᵀ·W·v) folded from weight_orig, weight_u, weight_v;
 * - a pre-1.0 spectral-norm checkpoint (weight_orig, weight_u, weight; no weight_v) gets its
 *   weight_v rebuilt so that eval gives exactly the stored weight.
 * Strict mode (default) refuses any missing, unexpected or misshaped key and any graph variable
 * without an official key; partial mode imports what matches and reports the rest.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OfficialEntry } from '../../compiler/official.ts';
import type { GraphIR } from '../../compiler/ir.ts';
import type { Program } from '../../compiler/program.ts';
import { writeSafetensors, type TensorToWrite } from '../../formats/safetensors.ts';
import { LAYOUT_METADATA_KEY, RECORD_METADATA_KEY, type RunRecord } from '../../runtime/checkpoint/index.ts';
import { TorchCheckpointError } from './errors.ts';
import { toTfjsLayout } from './layout.ts';
import { isProgram, networkMapping } from './mapping.ts';
import { MAX_PICKLE_BYTES, readTorchCheckpoint, type ReadLimits } from './read.ts';
import { deriveWeightV, foldSpectralNorm, spectralVectorLengths } from './spectral.ts';
import { extractStateDict, type StateDict, type StateDictOptions } from './state-dict.ts';
import { numelOf, tensorToFloat32, type TorchTensor } from './tensor.ts';

export interface ImportOptions extends StateDictOptions {
  /** The graph network the checkpoint holds (default "G"; "D", "D1", "D2" for discriminators). */
  network?: string;
  /** 'strict' (default): every official key present with its shape, nothing unknown, every variable covered. */
  mode?: 'strict' | 'partial';
}

/** One variable's value in the tfjs layout. */
export interface ImportedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface ImportReport {
  network: string;
  format: 'zip' | 'legacy';
  mode: 'strict' | 'partial';
  /** Wrapper key the state_dict came from (null: the file is the state_dict) and the prefix removed. */
  sourceKey: string | null;
  strippedPrefix: string | null;
  /** Official key → variable, copied (with the layout change). */
  mapped: { key: string; variable: string }[];
  /** Variables computed from other keys (spectral-norm conversions). */
  converted: { variable: string; from: string[]; how: string }[];
  /** Keys recognised and deliberately not imported. */
  ignored: { key: string; reason: string }[];
  /** Official keys of the network that the file lacks. */
  missing: string[];
  /** File keys the network's mapping does not know. */
  unexpected: string[];
  misshaped: { key: string; expected: number[]; got: number[] }[];
  /** Graph variables (or nodes) no official key covers: they keep their current values. */
  uncovered: string[];
}

export interface ImportResult {
  report: ImportReport;
  weights: ImportedWeight[];
}

export class CheckpointImportError extends TorchCheckpointError {
  constructor(readonly report: ImportReport) {
    super(importProblems(report));
    this.name = 'CheckpointImportError';
  }
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

function listed(items: string[], limit = 8): string {
  return items.slice(0, limit).join(', ') + (items.length > limit ? `, … (${items.length - limit} more)` : '');
}

function importProblems(r: ImportReport): string {
  const lines = [`checkpoint does not match network '${r.network}' (strict mode; partial mode imports what matches):`];
  if (r.missing.length) lines.push(`  missing (${r.missing.length}): ${listed(r.missing)}`);
  if (r.unexpected.length) lines.push(`  unexpected (${r.unexpected.length}): ${listed(r.unexpected)}`);
  for (const m of r.misshaped.slice(0, 8)) lines.push(`  misshaped: '${m.key}' is ${shapeText(m.got)} in the file, the graph needs ${shapeText(m.expected)}`);
  if (r.misshaped.length > 8) lines.push(`  … ${r.misshaped.length - 8} more misshaped`);
  if (r.uncovered.length) lines.push(`  graph variables without an official key (${r.uncovered.length}): ${listed(r.uncovered)}`);
  return lines.join('\n');
}

/** The report as lines for a terminal or a log. */
export function describeImportReport(r: ImportReport): string[] {
  const lines = [
    `network ${r.network}: ${r.mapped.length} keys mapped, ${r.converted.length} converted, ${r.ignored.length} ignored, ` +
      `${r.missing.length} missing, ${r.unexpected.length} unexpected, ${r.misshaped.length} misshaped, ${r.uncovered.length} uncovered (${r.format} checkpoint, ${r.mode})`,
  ];
  if (r.sourceKey !== null) lines.push(`state_dict taken from key '${r.sourceKey}'`);
  if (r.strippedPrefix !== null) lines.push(`removed the '${r.strippedPrefix}' prefix from every key`);
  for (const c of r.converted) lines.push(`converted ${c.variable} from ${c.from.join(', ')}: ${c.how}`);
  const reasons = new Map<string, string[]>();
  for (const i of r.ignored) reasons.set(i.reason, [...(reasons.get(i.reason) ?? []), i.key]);
  for (const [reason, keys] of reasons) lines.push(`ignored ${keys.length}: ${reason}: ${listed(keys, 4)}`);
  if (r.missing.length) lines.push(`missing ${r.missing.length}: ${listed(r.missing)}`);
  if (r.unexpected.length) lines.push(`unexpected ${r.unexpected.length}: ${listed(r.unexpected)}`);
  for (const m of r.misshaped) lines.push(`misshaped '${m.key}': ${shapeText(m.got)} in the file, ${shapeText(m.expected)} in the graph`);
  if (r.uncovered.length) lines.push(`uncovered ${r.uncovered.length} (keep their values): ${listed(r.uncovered)}`);
  return lines;
}

const NORM_STATISTICS = /\.(running_mean|running_var|num_batches_tracked)$/;
const moduleOf = (key: string) => (key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : '');
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Maps a state_dict onto the entries of one network. Pure: nothing is assigned. */
export function importStateDict(
  sd: StateDict,
  mapping: { network: string; entries: OfficialEntry[]; uncovered: string[] },
  options: { mode?: 'strict' | 'partial'; format: 'zip' | 'legacy' },
): ImportResult {
  const mode = options.mode ?? 'strict';
  const report: ImportReport = {
    network: mapping.network,
    format: options.format,
    mode,
    sourceKey: sd.sourceKey,
    strippedPrefix: sd.strippedPrefix,
    mapped: [],
    converted: [],
    ignored: [],
    missing: [],
    unexpected: [],
    misshaped: [],
    uncovered: [...mapping.uncovered],
  };
  const weights: ImportedWeight[] = [];
  const used = new Set<string>();
  const official = new Map(mapping.entries.map((e) => [e.key, e]));
  const file = sd.tensors;

  /** A file tensor of `entry`'s PyTorch shape, as float32; null (and reported) when misshaped. */
  const valuesOf = (key: string, tensor: TorchTensor, shape: number[]): Float32Array | null => {
    if (!sameShape(tensor.shape, shape)) {
      report.misshaped.push({ key, expected: shape, got: tensor.shape });
      return null;
    }
    return tensorToFloat32(tensor, `'${key}'`);
  };
  /** A spectral-norm vector of `length` elements, as float32; null (and reported) when misshaped, before anything is allocated. */
  const vectorOf = (key: string, length: number): Float32Array | null => {
    const tensor = file.get(key)!;
    if (numelOf(tensor.shape) !== length) {
      report.misshaped.push({ key, expected: [length], got: tensor.shape });
      return null;
    }
    return tensorToFloat32(tensor, `'${key}'`);
  };
  const emit = (entry: OfficialEntry, values: Float32Array) => {
    const { shape, values: laidOut } = toTfjsLayout(values, entry.shape, entry.layout, `'${entry.key}'`);
    weights.push({ name: entry.variableName!, shape, values: laidOut });
  };

  for (const entry of mapping.entries) {
    const tensor = file.get(entry.key);
    if (entry.variableName === null) {
      if (tensor) {
        used.add(entry.key);
        report.ignored.push({
          key: entry.key,
          reason: entry.key.endsWith('num_batches_tracked') ? 'batch counters, which inference does not use' : 'official layers never used in forward, which this graph does not keep',
        });
      }
      continue;
    }
    if (tensor) {
      used.add(entry.key);
      const values = valuesOf(entry.key, tensor, entry.shape);
      if (values) {
        emit(entry, values);
        report.mapped.push({ key: entry.key, variable: entry.variableName });
      }
      continue;
    }
    const base = entry.key.slice(0, entry.key.lastIndexOf('.') + 1); // "head_0.conv_0." or ""
    const name = entry.key.slice(base.length);
    const has = (...names: string[]) => names.every((n) => file.has(base + n));
    if (name === 'weight' && has('weight_orig', 'weight_u', 'weight_v')) {
      // Spectral-norm checkpoint into a layer without spectral norm: the eval-mode weight.
      const keys = ['weight_orig', 'weight_u', 'weight_v'].map((n) => base + n);
      keys.forEach((k) => used.add(k));
      const orig = valuesOf(keys[0], file.get(keys[0])!, entry.shape);
      if (!orig) continue;
      const lengths = spectralVectorLengths(entry.shape, entry.layout);
      const u = vectorOf(keys[1], lengths.u);
      const v = vectorOf(keys[2], lengths.v);
      if (!u || !v) continue;
      emit(entry, foldSpectralNorm(orig, entry.shape, entry.layout, u, v, `'${base}weight'`));
      report.converted.push({ variable: entry.variableName, from: keys, how: 'spectral norm folded into the weight as PyTorch eval mode does, W / (uᵀ·W·v)' });
      continue;
    }
    if (name === 'weight_v' && has('weight_orig', 'weight_u', 'weight')) {
      // Pre-1.0 spectral norm: rebuild v so that eval reproduces the stored normalised weight.
      const weightKey = `${base}weight`;
      used.add(weightKey);
      const shape = official.get(`${base}weight_orig`)?.shape;
      const layout = official.get(`${base}weight_orig`)?.layout ?? 'conv2d';
      if (!shape) {
        report.missing.push(entry.key);
        continue;
      }
      const orig = valuesOf(`${base}weight_orig`, file.get(`${base}weight_orig`)!, shape);
      const normalized = valuesOf(weightKey, file.get(weightKey)!, shape);
      if (!orig || !normalized) continue;
      const u = vectorOf(`${base}weight_u`, spectralVectorLengths(shape, layout).u);
      if (!u) continue;
      emit(entry, deriveWeightV(orig, shape, layout, u, normalized, `'${base}weight'`));
      report.converted.push({ variable: entry.variableName, from: [`${base}weight_orig`, `${base}weight_u`, weightKey], how: 'weight_v rebuilt from a pre-1.0 spectral-norm checkpoint, so that eval gives its stored weight' });
      continue;
    }
    report.missing.push(entry.key);
  }

  const officialModules = new Set(mapping.entries.map((e) => moduleOf(e.key)));
  for (const key of file.keys()) {
    if (used.has(key)) continue;
    if (NORM_STATISTICS.test(key) && !officialModules.has(moduleOf(key))) {
      // PyTorch < 0.4 saved running statistics for InstanceNorm layers; the official loaders drop them.
      report.ignored.push({ key, reason: 'statistics of a normalisation layer that has no state here (InstanceNorm statistics from PyTorch < 0.4, which the official loader drops)' });
    } else {
      report.unexpected.push(key);
    }
  }
  if (mode === 'strict' && (report.missing.length || report.unexpected.length || report.misshaped.length || report.uncovered.length)) {
    throw new CheckpointImportError(report);
  }
  return { report, weights };
}

/**
 * What reading a checkpoint for these entries may cost, from the graph rather than the file: all
 * of the network's official tensors as float64 (the widest dtype a state_dict uses). A storage
 * that is read (only those of tensors whose shape matched a variable are) may declare at most
 * that, and deflated records may inflate to that plus one pickle.
 */
export function importLimits(entries: readonly OfficialEntry[]): ReadLimits {
  const graphBytes = entries.reduce((n, e) => n + numelOf(e.shape) * 8, 0) + 2 ** 16;
  return { maxStorageBytes: graphBytes, maxInflatedBytes: graphBytes + MAX_PICKLE_BYTES };
}

/** Assigns imported weights to a program's variables; checks every name and shape before assigning any. */
export function assignImportedWeights(program: Program, weights: readonly ImportedWeight[]): void {
  for (const w of weights) {
    const v = program.variables.get(w.name);
    if (!v) throw new TorchCheckpointError(`the program has no variable '${w.name}'`);
    if (!sameShape(v.shape, w.shape)) throw new TorchCheckpointError(`variable '${w.name}' is ${shapeText(v.shape)} but the imported value is ${shapeText(w.shape)}`);
  }
  for (const w of weights) {
    const value = tf.tensor(w.values, w.shape, 'float32');
    program.variables.get(w.name)!.assign(value);
    value.dispose();
  }
}

/**
 * The browser-usable entry: reads PyTorch checkpoint bytes and maps them onto network
 * `options.network` (default G) of a graph. With a compiled Program the weights are also assigned
 * to its variables (all or nothing); with a resolved graph only the values are returned.
 */
export function importCheckpointBytes(bytes: Uint8Array, target: Program | GraphIR, options: ImportOptions = {}): ImportResult {
  const mapping = networkMapping(target, options.network ?? 'G');
  const checkpoint = readTorchCheckpoint(bytes, importLimits(mapping.entries));
  const sd = extractStateDict(checkpoint.root, options);
  const result = importStateDict(sd, mapping, { mode: options.mode, format: checkpoint.format });
  if (isProgram(target)) assignImportedWeights(target, result.weights);
  return result;
}

/** Imported weights as one of our `.safetensors` checkpoints (tfjs layout, F32), with an optional run record. */
export function importedWeightsToSafetensors(weights: readonly ImportedWeight[], record?: RunRecord): Uint8Array {
  const tensors = new Map<string, TensorToWrite>(weights.map((w) => [w.name, { dtype: 'F32', shape: w.shape, values: w.values }]));
  const metadata: Record<string, string> = { [LAYOUT_METADATA_KEY]: 'tfjs' };
  if (record) metadata[RECORD_METADATA_KEY] = JSON.stringify(record);
  return writeSafetensors(tensors, metadata);
}
