/**
 * `lggan/class-masks`: the binary class masks M_k that LGGAN's local generator multiplies into F
 * (§1.3 one-hot channels, §1.6 ADE20K grouping, §3 cross-view grey values).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, PortDef, ResolvedParams, TensorType } from '../../contract.ts';
import { dim } from '../../dims.ts';
import type { Dim } from '../../dims.ts';
import { NodeRuleError, boolParam, channelsOf, describeType, enumParam, intParam, mapType, requireSpatial, templateDim } from '../../core/rules.ts';
import { layer, type EmitContext, type Emitted } from '../../pytorch/emit.ts';

export type MaskMode = 'one-hot' | 'grouped' | 'grey-values';
export const MASK_MODES: readonly MaskMode[] = ['one-hot', 'grouped', 'grey-values'];

/** Cross-view grey label values: class k (1-based) is grey 10·k. */
export const GREY_STEP = 10;

interface MaskSpec {
  mode: MaskMode;
  port: 'semantic' | 'label_image';
  /** Masks produced (K). */
  count: Dim;
  /** Semantic channels the masks read (one-hot and grouped). */
  channelsRead: number;
}

function specOf(params: ResolvedParams, template: Record<string, number>): MaskSpec {
  const mode = enumParam(params, 'mode', MASK_MODES);
  const classes = intParam(params, 'classes');
  if (mode === 'one-hot') {
    return { mode, port: 'semantic', count: templateDim(classes, template, 'num_classes', 'num_classes'), channelsRead: classes };
  }
  if (mode === 'grouped') {
    const separate = intParam(params, 'separate');
    const withDontcare = boolParam(params, 'dontcare_in_other');
    if (separate >= classes + (withDontcare ? 1 : 0)) {
      throw new NodeRuleError(
        `param 'separate' (${separate}) must leave at least one channel for the 'other' mask out of ${classes} classes` +
          (withDontcare ? " plus don't-care" : ''),
        { param: 'separate' },
      );
    }
    return { mode, port: 'semantic', count: dim(separate + 1), channelsRead: classes + (withDontcare ? 1 : 0) };
  }
  return { mode, port: 'label_image', count: dim(intParam(params, 'grey_classes')), channelsRead: 1 };
}

function inputsOf(params: ResolvedParams): PortDef[] {
  if (params.mode === 'grey-values') {
    return [
      {
        name: 'label_image',
        kind: 'image',
        doc: 'B×H×W×3 grey label image in [-1, 1] (cross-view panel F); channel 0 is read.',
      },
    ];
  }
  return [{ name: 'semantic', kind: 'semantic', doc: "B×H×W×C one-hot map: class channels first, then don't-care / instance edge." }];
}

/** Masks from a one-hot map: the first `separate` channels, then the sum of the rest up to `channelsRead`. */
function groupedMasks(semantic: tf.Tensor4D, separate: number, channelsRead: number): tf.Tensor4D {
  const [b, h, w] = semantic.shape;
  const own = tf.slice(semantic, [0, 0, 0, 0], [b, h, w, separate]);
  const other = tf.sum(tf.slice(semantic, [0, 0, 0, separate], [b, h, w, channelsRead - separate]), 3, true);
  return tf.concat([own, other], 3) as tf.Tensor4D;
}

/**
 * Grey-value masks: v = round((x + 1)/2·255) of channel 0, mask k = [v == 10·k]. The official code
 * compares the float value exactly; rounding first makes the test immune to float error in the
 * [-1, 1] round trip. Built from step() (not equal()) so it is safe anywhere on a tape; it carries
 * no useful gradient, which is right: label images are data.
 */
function greyValueMasks(image: tf.Tensor4D, count: number): tf.Tensor4D {
  const [b, h, w] = image.shape;
  const channel0 = tf.slice(image, [0, 0, 0, 0], [b, h, w, 1]);
  const grey = tf.round(tf.mul(tf.div(tf.add(channel0, 1), 2), 255));
  const targets = tf.mul(tf.range(1, count + 1, 1, 'float32'), GREY_STEP);
  return tf.step(tf.sub(0.5, tf.abs(tf.sub(grey, targets)))) as tf.Tensor4D;
}

export const classMasksNode: NodeDef = {
  type: 'lggan/class-masks',
  version: 1,
  category: 'lggan',
  title: 'Class masks',
  doc:
    'Binary class masks M_k (B×H×W×K) for the local class-specific generator. one-hot: the first `classes` ' +
    "channels of the semantic map (Cityscapes: 35; the instance-edge / don't-care channels are not masks). " +
    "grouped (ADE20K): the first `separate` classes (51) get their own mask and all remaining class channels, " +
    "don't-care included, are summed into one 'other' mask, K = separate + 1. grey-values (cross-view): the " +
    'label image in [-1, 1] is mapped back to 0..255 as the official code does ((x + 1)/2·255, channel 0), ' +
    'rounded to the nearest integer (robust to float error; the official code compares unrounded), and ' +
    'compared with 10, 20, …, 10·K (K = 6); pixels of any other value belong to no mask. Not differentiable.',
  badges: (params) => ['mode', params.mode === 'grouped' ? 'separate' : params.mode === 'grey-values' ? 'grey_classes' : 'classes'],
  params: {
    mode: {
      type: 'enum',
      options: MASK_MODES,
      default: 'one-hot',
      doc: 'one-hot (Cityscapes), grouped (ADE20K: separate classes + one "other" mask) or grey-values (cross-view).',
      ui: { widget: 'select' },
    },
    classes: {
      type: 'int',
      default: 'num_classes',
      min: 1,
      max: 1024,
      template: true,
      doc: "Class channels at the start of the semantic map (don't-care and instance edge excluded).",
      ui: { widget: 'number', group: 'classes' },
    },
    separate: {
      type: 'int',
      default: 51,
      min: 1,
      max: 1024,
      doc: 'grouped: classes with their own mask (ADE20K: 51, the most frequent); the rest form the "other" mask.',
      ui: { widget: 'number', group: 'classes' },
    },
    dontcare_in_other: {
      type: 'bool',
      default: true,
      doc: "grouped: the channel right after the class channels is don't-care and joins the 'other' mask (ADE20K).",
      ui: { widget: 'checkbox', group: 'classes', advanced: true },
    },
    grey_classes: {
      type: 'int',
      default: 6,
      min: 1,
      max: 25,
      doc: 'grey-values: number of grey classes K, compared with 10, 20, …, 10·K (cross-view: 6).',
      ui: { widget: 'number', group: 'classes' },
    },
  },
  inputs: inputsOf,
  outputs: [{ name: 'masks', kind: 'mask', doc: 'B×H×W×K masks in {0, 1}.' }],
  infer({ inputs, params, template }) {
    const spec = specOf(params, template);
    const source: TensorType = requireSpatial(inputs, spec.port, spec.port === 'semantic' ? 'semantic' : 'image');
    if (channelsOf(source) < spec.channelsRead) {
      const what = spec.mode === 'grouped' && boolParam(params, 'dontcare_in_other') ? `${spec.channelsRead - 1} class channels plus don't-care` : `${spec.channelsRead} class channels`;
      throw new NodeRuleError(`port '${spec.port}' must have at least ${what} (param 'classes'), got a ${describeType(source)}`, {
        port: spec.port,
      });
    }
    const [b, h, w] = source.shape;
    return { masks: mapType('mask', b, h, w, spec.count) };
  },
  cost: () => ({ params: 0, macs: 0, buffers: 0 }),
  pytorch: emitClassMasks,
  build(_ctx, { params, template }) {
    const spec = specOf(params, template);
    return (values) => {
      const masks = tf.tidy(() => {
        const source = values[spec.port] as tf.Tensor4D;
        const [b, h, w] = source.shape;
        if (spec.mode === 'one-hot') return tf.slice(source, [0, 0, 0, 0], [b, h, w, spec.count.value]);
        if (spec.mode === 'grouped') return groupedMasks(source, intParam(params, 'separate'), spec.channelsRead);
        return greyValueMasks(source, spec.count.value);
      });
      return { masks };
    };
  },
};

function emitClassMasks(ctx: EmitContext): Emitted {
  const p = ctx.node.params;
  const mode = enumParam(p, 'mode', MASK_MODES);
  const classes = intParam(p, 'classes');
  const separate = intParam(p, 'separate');
  if (mode === 'one-hot') return layer('ClassMasks', { mode, count: classes, channels_read: classes, separate });
  if (mode === 'grouped') {
    return layer('ClassMasks', { mode, count: separate + 1, channels_read: classes + (boolParam(p, 'dontcare_in_other') ? 1 : 0), separate });
  }
  return layer('ClassMasks', { mode, count: intParam(p, 'grey_classes'), channels_read: 1, separate });
}
