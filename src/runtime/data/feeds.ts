/**
 * Samples → the Feeds a compiled program takes: one batched tensor per input node, by node id.
 *
 * Which sample fields feed which input node, in order of precedence:
 *   1. an explicit mapping: mapping[nodeId] = 'field' or ['field', 'field', …] (concatenated on channels);
 *   2. label inputs (lggan/semantic-input, fed B×H×W×1 ids or B×H×W×2 ids + instance ids): 'labels'
 *      (+ 'instances' when the node's instance_edge is on);
 *   3. one-hot semantic inputs (core/semantic-input): the one-hot of 'labels' over num_classes
 *      (+ don't-care channel) (+ instance-edge channel from 'instances'), built here;
 *   4. other inputs: the field named like the node ('real', 'aerial', 'ground_semantic', 'grey_labels'
 *      in the shipped graphs); else 'real' for a node called image/target/photo, or for the graph's only
 *      image input.
 * Noise inputs are skipped (they draw their own noise). An input nothing maps to is a FeedError
 * naming the node and the fields the dataset has.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GraphIR, ResolvedNode } from '../../compiler/ir.ts';
import { feedTypeOf, type Feeds } from '../../compiler/program.ts';
import { FIELD, type Sample, type SampleField } from './dataset.ts';
import { FeedError } from './errors.ts';
import { isIdRaster } from './raster.ts';

export interface GraphInput {
  id: string;
  type: string;
  params: Readonly<Record<string, number | boolean | string>>;
  /** Kind of the fed tensor ('labels', 'image', 'feature', 'semantic', 'noise', …). */
  kind: string;
  /** Shape of the fed tensor, [B, H, W, C]; B is free. */
  shape: readonly number[];
}

export type FieldMapping = Readonly<Record<string, string | readonly string[]>>;

/** The input nodes of a compiled program, or of a resolved graph (GraphIR), as toFeeds needs them. */
export function graphInputs(from: GraphIR | { inputNodes: readonly ResolvedNode[]; ir: { template: Record<string, number> } }): GraphInput[] {
  const template = 'inputNodes' in from ? from.ir.template : from.template;
  const nodes = 'inputNodes' in from ? from.inputNodes : [...from.nodes.values()].filter((n) => n.def && n.inputPorts.length === 0);
  const out: GraphInput[] = [];
  for (const n of nodes) {
    const type = feedTypeOf(n, template);
    if (!type) continue;
    out.push({ id: n.id, type: n.node.type, params: n.params, kind: type.kind, shape: type.shape.map((d) => d.value) });
  }
  return out;
}

export interface FeedPlanEntry {
  node: string;
  fields: string[];
  /**
   * 'raw': the fields as they are, concatenated on channels; 'one-hot': a one-hot semantic input,
   * built from the ids of fields[0] (and the instance ids of fields[1] for the edge channel) — or
   * fed raw when the mapped fields are images (an already encoded map).
   */
  encode: 'raw' | 'one-hot';
  input: GraphInput;
}

const IMAGE_ALIASES = new Set(['image', 'images', 'target', 'photo', 'real_image', 'ground']);

function isOneHot(input: GraphInput): boolean {
  return input.kind === 'semantic';
}

function isLabels(input: GraphInput): boolean {
  return input.kind === 'labels';
}

/** Decide, once, which fields feed which input node; fails on the first node nothing maps to. */
export function planFeeds(inputs: readonly GraphInput[], fields: readonly string[], mapping: FieldMapping = {}): FeedPlanEntry[] {
  const have = new Set(fields);
  for (const id of Object.keys(mapping)) {
    if (!inputs.some((i) => i.id === id)) throw new FeedError(id, `the mapping names it, but the graph has no such input node (inputs: ${inputs.map((i) => i.id).join(', ')})`);
  }
  const imageInputs = inputs.filter((i) => !isLabels(i) && !isOneHot(i) && i.kind !== 'noise');
  const plan: FeedPlanEntry[] = [];
  for (const input of inputs) {
    if (input.kind === 'noise' && mapping[input.id] === undefined) continue;
    const wantsEdges = input.params.instance_edge === true;
    let chosen: string[] | undefined;
    const mapped = mapping[input.id];
    if (mapped !== undefined) chosen = typeof mapped === 'string' ? [mapped] : [...mapped];
    else if (isLabels(input) || isOneHot(input)) chosen = wantsEdges ? [FIELD.labels, FIELD.instances] : [FIELD.labels];
    else if (have.has(input.id)) chosen = [input.id];
    else if (have.has(FIELD.real) && (IMAGE_ALIASES.has(input.id) || imageInputs.length === 1)) chosen = [FIELD.real];
    if (!chosen) {
      throw new FeedError(input.id, `no dataset field feeds it (the dataset has ${fields.join(', ')}); map one with mapping['${input.id}'] = '<field>'`);
    }
    const missing = chosen.filter((f) => !have.has(f));
    if (missing.length > 0) {
      const why = missing.includes(FIELD.instances) && wantsEdges ? ' (its instance_edge is on, which needs instance ids)' : '';
      throw new FeedError(input.id, `needs field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}${why}, but the dataset has only ${fields.join(', ')}`);
    }
    plan.push({ node: input.id, fields: chosen, encode: isOneHot(input) ? 'one-hot' : 'raw', input });
  }
  return plan;
}

function checkSize(entry: FeedPlanEntry, sample: Sample): void {
  const [, h, w] = entry.input.shape;
  if (sample.height !== h || sample.width !== w) {
    throw new FeedError(entry.node, `expects ${h}×${w} (H×W) but sample '${sample.id}' is ${sample.height}×${sample.width}; load the dataset at the graph's size`);
  }
}

/** Largest label id a label or one-hot input accepts: num_classes (the unknown / don't-care id). */
function checkIds(entry: FeedPlanEntry, sample: Sample, labels: SampleField | undefined): void {
  if (!labels || !isIdRaster(labels)) return;
  const classes = entry.input.params.num_classes;
  if (typeof classes !== 'number') return;
  let max = 0;
  for (let i = 0; i < labels.data.length; i++) if (labels.data[i] > max) max = labels.data[i];
  if (max > classes) {
    throw new FeedError(
      entry.node,
      `sample '${sample.id}' has label id ${max}, beyond the node's num_classes ${classes} (ids 0…${classes - 1}, ${classes} = unknown); ` +
        `load the dataset with matching ids (synthetic scenes: idSpace 'compact')`,
    );
  }
}

/** The B×H×W×C values of one plan entry, raw fields concatenated on channels. */
function rawBatch(entry: FeedPlanEntry, samples: readonly Sample[]): tf.Tensor {
  const first = entry.fields.map((f) => samples[0].fields[f]);
  const ids = first.every(isIdRaster);
  if (!ids && first.some(isIdRaster)) throw new FeedError(entry.node, `cannot concatenate id fields and image fields (${entry.fields.join(', ')})`);
  const channels = first.reduce((n, f) => n + f.channels, 0);
  const [, h, w, c] = entry.input.shape;
  if (c !== undefined && channels !== c) {
    throw new FeedError(entry.node, `expects ${c} channel${c === 1 ? '' : 's'} but field${entry.fields.length > 1 ? 's' : ''} ${entry.fields.join(' + ')} give${entry.fields.length > 1 ? '' : 's'} ${channels}`);
  }
  const pixels = h * w;
  const data = ids ? new Int32Array(samples.length * pixels * channels) : new Float32Array(samples.length * pixels * channels);
  samples.forEach((s, b) => {
    let offset = 0;
    for (const name of entry.fields) {
      const f = s.fields[name];
      if (!f) throw new FeedError(entry.node, `sample '${s.id}' lacks field '${name}'`);
      for (let p = 0; p < pixels; p++) {
        for (let k = 0; k < f.channels; k++) data[(b * pixels + p) * channels + offset + k] = f.data[p * f.channels + k];
      }
      offset += f.channels;
    }
  });
  return tf.tensor4d(data, [samples.length, h, w, channels], ids ? 'int32' : 'float32');
}

/** One-hot of the ids (ids ≥ the class channels give zeros), plus the instance-edge channel. */
function oneHotBatch(entry: FeedPlanEntry, samples: readonly Sample[]): tf.Tensor {
  const classes = Number(entry.input.params.num_classes);
  const classChannels = classes + (entry.input.params.dontcare === true ? 1 : 0);
  const edges = entry.input.params.instance_edge === true;
  const channels = classChannels + (edges ? 1 : 0);
  const [, h, w] = entry.input.shape;
  const data = new Float32Array(samples.length * h * w * channels);
  samples.forEach((s, b) => {
    const labels = s.fields[entry.fields[0]].data;
    const base = b * h * w;
    for (let p = 0; p < h * w; p++) if (labels[p] >= 0 && labels[p] < classChannels) data[(base + p) * channels + labels[p]] = 1;
    if (!edges) return;
    const inst = s.fields[entry.fields[1]]?.data;
    if (!inst) throw new FeedError(entry.node, `its instance_edge is on, but no instance-id field is mapped (got ${entry.fields.join(', ')})`);
    const mark = (p: number) => (data[(base + p) * channels + classChannels] = 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        if (x + 1 < w && inst[p] !== inst[p + 1]) mark(p), mark(p + 1);
        if (y + 1 < h && inst[p] !== inst[p + w]) mark(p), mark(p + w);
      }
    }
  });
  return tf.tensor4d(data, [samples.length, h, w, channels]);
}

export interface ToFeedsOptions {
  mapping?: FieldMapping;
}

/**
 * Batch `samples` into the program's feeds. The caller owns (and disposes) the returned tensors.
 * Samples must all have the graph's H×W; label ids must fit the node's num_classes.
 */
export function toFeeds(samples: readonly Sample[], inputs: readonly GraphInput[], options: ToFeedsOptions = {}): Feeds {
  if (samples.length === 0) throw new RangeError('toFeeds needs at least one sample');
  const fields = Object.keys(samples[0].fields);
  const plan = planFeeds(inputs, fields, options.mapping);
  const feeds: Feeds = {};
  try {
    for (const entry of plan) {
      const first = samples[0].fields[entry.fields[0]];
      const idsIn = first !== undefined && isIdRaster(first);
      for (const s of samples) {
        checkSize(entry, s);
        if (isLabels(entry.input) || isOneHot(entry.input)) checkIds(entry, s, s.fields[entry.fields[0]]);
      }
      feeds[entry.node] = entry.encode === 'one-hot' && idsIn ? oneHotBatch(entry, samples) : rawBatch(entry, samples);
    }
  } catch (e) {
    for (const t of Object.values(feeds)) t.dispose();
    throw e;
  }
  return feeds;
}
