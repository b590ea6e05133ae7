/**
 * The LGGAN semantic input: fed integer label ids (and instance ids), it builds the one-hot map the
 * generator and discriminator take, exactly as SPADE/LGGAN's preprocess_input does: a scatter of
 * the ids into num_classes (+ don't-care) channels, then the instance-edge map of get_edges.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, ResolvedParams, TensorType } from '../../contract.ts';
import { addToDim, dim } from '../../dims.ts';
import { fedValue, heightParam, spatialDims, widthParam } from '../../core/io/input-common.ts';
import { batchDim, boolParam, intParam, mapType, templateDim } from '../../core/rules.ts';
import { semanticChannels } from '../../core/io/semantic-input.ts';
import { nodeModule } from '../../pytorch/emit.ts';

/**
 * 1 where a pixel's instance id differs from its right or bottom neighbour, on both pixels of the
 * pair (SPADE's get_edges: edge[..., 1:] |= t[..., 1:] != t[..., :-1] and edge[..., :-1] |= the
 * same, for columns and for rows). `instances` is B×H×W×1 (any dtype); the result is float32.
 */
export function instanceEdges(instances: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w] = instances.shape;
    let edges: tf.Tensor4D = tf.zeros([b, h, w, 1]);
    if (w > 1) {
      const differs = tf.cast(tf.notEqual(tf.slice(instances, [0, 0, 1, 0], [b, h, w - 1, 1]), tf.slice(instances, [0, 0, 0, 0], [b, h, w - 1, 1])), 'float32');
      const onRight = tf.pad(differs, [[0, 0], [0, 0], [1, 0], [0, 0]]);
      const onLeft = tf.pad(differs, [[0, 0], [0, 0], [0, 1], [0, 0]]);
      edges = tf.maximum(edges, tf.maximum(onRight, onLeft));
    }
    if (h > 1) {
      const differs = tf.cast(tf.notEqual(tf.slice(instances, [0, 1, 0, 0], [b, h - 1, w, 1]), tf.slice(instances, [0, 0, 0, 0], [b, h - 1, w, 1])), 'float32');
      const below = tf.pad(differs, [[0, 0], [1, 0], [0, 0], [0, 0]]);
      const above = tf.pad(differs, [[0, 0], [0, 1], [0, 0], [0, 0]]);
      edges = tf.maximum(edges, tf.maximum(below, above));
    }
    return edges;
  });
}

/**
 * One-hot over `channels` from B×H×W×1 ids (int32); ids outside [0, channels) give an all-zero
 * vector (tf.oneHot's rule on every backend).
 *
 * Computed as step(0.5 − |id − c|) in float32 rather than with tf.oneHot, for two tfjs 4.22 bugs:
 * - tfjs-backend-wasm's OneHot writes int32 values whatever dtype is asked for: a float32 one-hot
 *   holds the bit pattern of int 1 (1.4e-45) where it should hold 1;
 * - an int32 (or bool) one-hot cast to float32 is no fix for WebGPU: tfjs-webgpu casts to a wider
 *   type by relabelling the same int32 buffer, and its conv2d with 3·k (not 4·k) input channels and
 *   4·k outputs then reads that buffer as vec3<f32> from i32 values, a WGSL error that invalidates
 *   the conv and every kernel batched with it (e.g. a SPADE mlp_shared conv on a 3-class map).
 * Ids are whole numbers, so |id − c| is exact and the result is exactly 0 or 1 on every backend.
 */
export function oneHotLabels(labels: tf.Tensor4D, channels: number): tf.Tensor4D {
  return tf.tidy(() => {
    const classes = tf.range(0, channels, 1, 'float32');
    return tf.step(tf.sub(0.5, tf.abs(tf.sub(tf.cast(labels, 'float32'), classes)))) as tf.Tensor4D;
  });
}

interface SemanticLayout {
  /** One-hot channels: num_classes, + 1 with the don't-care channel. */
  oneHot: number;
  instanceEdge: boolean;
}

function layoutOf(params: ResolvedParams): SemanticLayout {
  const dontcare = boolParam(params, 'dontcare');
  return { oneHot: semanticChannels(intParam(params, 'num_classes'), dontcare, false), instanceEdge: boolParam(params, 'instance_edge') };
}

/** Channels of the fed tensor: ids, plus instance ids when the edge map is on. */
function fedChannels(layout: SemanticLayout): number {
  return layout.instanceEdge ? 2 : 1;
}

export const semanticInputNode: NodeDef = {
  type: 'lggan/semantic-input',
  version: 1,
  category: 'input',
  title: 'Semantic label input',
  doc:
    'Builds the semantic map from fed integer label ids, as the official preprocessing does: one-hot over ' +
    "num_classes channels, plus a don't-care channel when enabled (ADE20K: 150 + 1), plus the instance-edge " +
    'channel when enabled (Cityscapes: 35 + 1), 1 where an instance id differs from its right or bottom ' +
    'neighbour, on both pixels. The compiler feeds one tensor: B×H×W×1 label ids, or B×H×W×2 (label ids, ' +
    'instance ids) with instance_edge on; int32 or whole-valued floats. Ids outside the one-hot channels ' +
    "give an all-zero vector; dataset remaps (ADE20K's shift by −1, Cityscapes' 255) are the loader's job.",
  params: {
    num_classes: {
      type: 'int',
      default: 'num_classes',
      min: 1,
      max: 1024,
      template: true,
      doc: 'Number of classes (label_nc): ids 0 … num_classes−1 get their own channel.',
      ui: { widget: 'number', group: 'channels' },
    },
    dontcare: {
      type: 'bool',
      default: false,
      doc: "Add a don't-care channel after the classes; id num_classes lands in it (ADE20K: on).",
      ui: { widget: 'checkbox', group: 'channels' },
    },
    instance_edge: {
      type: 'bool',
      default: false,
      doc: 'Add the instance-edge channel last, from instance ids fed as the second channel (Cityscapes: on).',
      ui: { widget: 'checkbox', group: 'channels' },
    },
    height: heightParam,
    width: widthParam,
  },
  inputs: [],
  // `labels` comes first: the compiler checks a fed tensor against an input node's first output.
  outputs: [
    { name: 'labels', kind: 'labels', doc: 'B×H×W×1 int32 label ids (channel 0 of the fed tensor).' },
    { name: 'semantic', kind: 'semantic', doc: "B×H×W×C one-hot map, C = num_classes [+1 don't-care] [+1 instance edge]." },
  ],
  feedType({ params, template }) {
    return semanticInputFeedType(params, template);
  },
  infer({ params, template }) {
    const extra = semanticChannels(0, boolParam(params, 'dontcare'), boolParam(params, 'instance_edge'));
    const classes = templateDim(intParam(params, 'num_classes'), template, 'num_classes', 'num_classes');
    const channels = addToDim(classes, extra);
    const [h, w] = spatialDims(params, template);
    const b = batchDim(template);
    return {
      labels: mapType('labels', b, h, w, dim(1)),
      semantic: mapType('semantic', b, h, w, channels),
    };
  },
  cost: () => ({ params: 0, macs: 0, buffers: 0 }),
  pytorch: (ctx) =>
    nodeModule('input', 'SemanticLabelInput', {
      one_hot_channels: intParam(ctx.node.params, 'num_classes') + (boolParam(ctx.node.params, 'dontcare') ? 1 : 0),
      instance_edge: boolParam(ctx.node.params, 'instance_edge'),
    }),
  build(_ctx, { outputs, params }) {
    const layout = layoutOf(params);
    const [, h, w] = outputs.labels.shape.map((d) => d.value);
    const expected = [0, h, w, fedChannels(layout)];
    return (inputs) => {
      const fed = fedValue(inputs, 'labels', expected) as tf.Tensor4D;
      const [b] = fed.shape;
      const ids = layout.instanceEdge ? tf.slice(fed, [0, 0, 0, 0], [b, h, w, 1]) : fed;
      const labels = ids.dtype === 'int32' ? ids : tf.cast(ids, 'int32');
      const oneHot = oneHotLabels(labels, layout.oneHot);
      if (!layout.instanceEdge) return { labels, semantic: oneHot };
      const edges = instanceEdges(tf.slice(fed, [0, 0, 0, 1], [b, h, w, 1]));
      return { labels, semantic: tf.concat([oneHot, edges], 3) };
    };
  },
};

/** The fed tensor's type for this node's params (for loaders and sample feeds). */
export function semanticInputFeedType(params: ResolvedParams, template: Record<string, number>): TensorType {
  const [h, w] = spatialDims(params, template);
  return mapType('labels', batchDim(template), h, w, fedChannels(layoutOf(params)));
}
