/**
 * `lggan/local-generators`: LGGAN's class-specific sub-generators (§1.3, §3). For every class mask
 * M_k: I_k = tanh(conv7×7(reflectpad3(F ⊙ M_k)) + b_k) with its own weights `deconv5_<index>`,
 * then the K images are combined into I_local by the fusion conv `deconv9` (+ tanh) or by a plain
 * sum (cross-view).
 *
 * Batched as one grouped convolution: the padded masked features of a chunk of classes are stacked
 * along channels (channel k·C + c = F_c·M_k), a depthwise conv with channel multiplier 3 applies
 * every class's 7×7×C×3 filter to its own C channels, and a reshape + sum over C finishes the
 * grouped conv. MACs equal K separate convs; no per-class conv chain is launched.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, OfficialKey, ResolvedParams, TensorType } from '../contract.ts';
import { dim } from '../dims.ts';
import { conv2dCost, createConv2d } from '../core/conv-layers.ts';
import type { Conv2dSpec } from '../core/conv-layers.ts';
import { NodeRuleError, boolParam, channelsOf, enumParam, intParam, mapType, requireSameSpatial, requireSpatial } from '../core/rules.ts';
import { reflectPad } from '../core/tensor-utils.ts';
import { conv2dKeys } from './up-stage.ts';

export type LocalCombine = 'fusion-conv' | 'sum';
export const LOCAL_COMBINES: readonly LocalCombine[] = ['fusion-conv', 'sum'];
export type LocalAlgorithm = 'auto' | 'disjoint-masks' | 'grouped-conv';
export const LOCAL_ALGORITHMS: readonly LocalAlgorithm[] = ['auto', 'disjoint-masks', 'grouped-conv'];

/**
 * 'auto' picks per call: training always takes disjoint-masks (its backward pass is an order of
 * magnitude faster than the grouped depthwise conv's); inference takes grouped-conv while it needs
 * less memory, i.e. when 4·C < 49 + C (narrow feature maps, C ≤ 16), else disjoint-masks.
 */
export function chooseAlgorithm(algorithm: LocalAlgorithm, channels: number, training: boolean): Exclude<LocalAlgorithm, 'auto'> {
  if (algorithm !== 'auto') return algorithm;
  if (training) return 'disjoint-masks';
  return 4 * channels < SUB_KERNEL * SUB_KERNEL + channels ? 'grouped-conv' : 'disjoint-masks';
}

/** Sub-generator conv: 7×7 after a reflect pad of 3, 3 output channels. */
const SUB_KERNEL = 7;
const SUB_PAD = 3;
const RGB = 3;

interface LocalSpec {
  /** Feature channels C. */
  channels: number;
  /** Classes K (masks). */
  classes: number;
  firstIndex: number;
  combine: LocalCombine;
  /** Classes per batched chunk (K when the param is 0). */
  chunk: number;
  algorithm: LocalAlgorithm;
  keepUnused: boolean;
}

function specOf(params: ResolvedParams, features: TensorType, masks: TensorType): LocalSpec {
  const classes = channelsOf(masks);
  const chunk = intParam(params, 'class_chunk');
  return {
    channels: channelsOf(features),
    classes,
    firstIndex: intParam(params, 'first_index'),
    combine: enumParam(params, 'combine', LOCAL_COMBINES),
    chunk: chunk === 0 ? classes : Math.min(chunk, classes),
    algorithm: enumParam(params, 'algorithm', LOCAL_ALGORITHMS),
    keepUnused: boolParam(params, 'keep_unused_official'),
  };
}

/** `deconv5_<index>` for class position k. */
export function subGeneratorName(spec: Pick<LocalSpec, 'firstIndex'>, k: number): string {
  return `deconv5_${spec.firstIndex + k}`;
}

function subConvSpec(channels: number): Conv2dSpec {
  return { inChannels: channels, outChannels: RGB, kernel: SUB_KERNEL, stride: 1, padding: SUB_PAD, paddingMode: 'reflect', bias: true, spectralNorm: false };
}

function fusionConvSpec(classes: number): Conv2dSpec {
  return { inChannels: RGB * classes, outChannels: RGB, kernel: 3, stride: 1, padding: 1, paddingMode: 'zero', bias: true, spectralNorm: false };
}

/** Parameters of one sub-generator: 7·7·C·3 + 3 (9,411 at C = 64). */
export function subGeneratorParams(channels: number): number {
  return SUB_KERNEL * SUB_KERNEL * channels * RGB + RGB;
}

/**
 * K class images from padded features and masks, for classes [k0, k0 + n): stack the masked
 * features along channels, one depthwise conv (multiplier 3), sum over the C input channels.
 */
function classImages(paddedF: tf.Tensor4D, paddedM: tf.Tensor4D, filters: tf.Tensor4D, biases: tf.Tensor2D, k0: number, n: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, hp, wp, c] = paddedF.shape;
    const h = hp - 2 * SUB_PAD;
    const w = wp - 2 * SUB_PAD;
    const masks = tf.slice(paddedM, [0, 0, 0, k0], [b, hp, wp, n]);
    const stacked = tf.reshape(tf.mul(tf.expandDims(masks, 4), tf.expandDims(paddedF, 3)), [b, hp, wp, n * c]) as tf.Tensor4D;
    const perChannel = tf.depthwiseConv2d(stacked, filters, 1, 'valid'); // channel (k·C + c)·3 + o
    const summed = tf.sum(tf.reshape(perChannel, [b * h, w, n, c, RGB]), 3); // [B·H, W, n, 3]
    const images = tf.tanh(tf.add(summed, biases));
    return tf.reshape(images, [b, h, w, n * RGB]) as tf.Tensor4D;
  });
}

/**
 * All K class images at once for binary masks with at most one class per pixel (what
 * lggan/class-masks produces). Because the classes are disjoint, each source pixel p' contributes
 * only through its own class l(p'): Z(p', t) = W_l(p')[t]ᵀ F(p') for every tap t of the 7×7 window
 * (one matMul of the per-pixel F ⊗ M outer product with the stacked weights), and then
 *   I_k(p) = tanh(b_k + Σ_t Z(p+t, t) · M_k(p+t)).
 * The window sums are two fixed depthwise convs (tap selection of Z, 7×7 patches of M) and one
 * batched matMul per pixel. Reflect padding commutes with the per-pixel steps, so Z and M are
 * padded instead of the K masked copies. Peak memory is about 49·K + K·C values per pixel instead
 * of the grouped path's ≈ 4·K·C and more; same result within float rounding.
 */
function disjointClassImages(features: tf.Tensor4D, masks: tf.Tensor4D, weights: tf.Variable[], biases: tf.Variable[], classes: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = features.shape;
    const taps = SUB_KERNEL * SUB_KERNEL;
    // Stacked weights: row (k, c), column (tap, o) = W_k[ty, tx, c, o].
    const stacked = tf.reshape(tf.transpose(tf.stack(weights.slice(0, classes)), [0, 3, 1, 2, 4]), [classes * c, taps * RGB]);
    const outer = tf.reshape(tf.mul(tf.expandDims(masks, 4), tf.expandDims(features, 3)), [b * h * w, classes * c]);
    const z = tf.reshape(tf.matMul(outer, stacked), [b, h, w, taps * RGB]) as tf.Tensor4D;
    const zWindow = tf.depthwiseConv2d(reflectPad(z, SUB_PAD), tapSelector(), 1, 'valid'); // (t, o): Z(p+t, t, o)
    const mWindow = tf.depthwiseConv2d(reflectPad(masks, SUB_PAD), patchExtractor(classes), 1, 'valid'); // (k, t): M_k(p+t)
    const sums = tf.matMul(tf.reshape(mWindow, [b * h * w, classes, taps]), tf.reshape(zWindow, [b * h * w, taps, RGB])); // [N, K, 3]
    const images = tf.tanh(tf.add(sums, tf.stack(biases.slice(0, classes))));
    return tf.reshape(images, [b, h, w, classes * RGB]) as tf.Tensor4D;
  });
}

/** Depthwise filter [7, 7, 49·3, 1] picking tap t for channel (t, o): a one-hot per channel. */
function tapSelector(): tf.Tensor4D {
  const taps = SUB_KERNEL * SUB_KERNEL;
  const values = new Float32Array(taps * taps * RGB);
  for (let t = 0; t < taps; t++) for (let o = 0; o < RGB; o++) values[t * taps * RGB + t * RGB + o] = 1;
  return tf.tensor4d(values, [SUB_KERNEL, SUB_KERNEL, taps * RGB, 1]);
}

/** Depthwise filter [7, 7, K, 49]: output channel (k, t) copies M_k at tap t. */
function patchExtractor(classes: number): tf.Tensor4D {
  const taps = SUB_KERNEL * SUB_KERNEL;
  const values = new Float32Array(taps * classes * taps);
  for (let t = 0; t < taps; t++) for (let k = 0; k < classes; k++) values[t * classes * taps + k * taps + t] = 1;
  return tf.tensor4d(values, [SUB_KERNEL, SUB_KERNEL, classes, taps]);
}

export const localGeneratorsNode: NodeDef = {
  type: 'lggan/local-generators',
  version: 1,
  category: 'lggan',
  title: 'Local class generators',
  doc:
    "LGGAN's local class-specific generation: for each class mask M_k a one-layer sub-generator " +
    'I_k = tanh(conv7×7(reflectpad3(F ⊙ M_k))) with its own weights deconv5_<first_index + k> ' +
    '(Cityscapes deconv5_0..34, ADE20K 0..51, cross-view 1..6); class images are not re-masked. I_local is ' +
    'conv 3×3 (3K→3, deconv9) + tanh over the concatenated class images, or their plain sum (cross-view). ' +
    'All classes run batched, never as K separate conv chains. algorithm disjoint-masks (exact for binary ' +
    'masks with at most one class per pixel, as lggan/class-masks gives) projects each pixel with its own class\'s ' +
    'filters and gathers the 7×7 windows with fixed depthwise convs: ≈ 49·K + K·C values per pixel. ' +
    'algorithm grouped-conv (exact for any masks, soft or overlapping) stacks the masked features and runs one ' +
    'depthwise conv with a sum over C: the padded stack (K·C) plus the depthwise output (3·K·C) per chunk. For scale: ' +
    'K masked copies of F are K·C values per pixel (Cityscapes 35·64 = 2,240, ≈1.2 GB at 256×512, batch 1). ' +
    'class_chunk = n keeps only n classes of the grouped path in flight at inference. ' +
    'keep_unused_official also creates the never-used extra sub-generator of the cross-view code (deconv5_7).',
  params: {
    first_index: {
      type: 'int',
      default: 0,
      min: 0,
      max: 1,
      doc: 'Index of the first sub-generator in the official names: 0 (semantic synthesis) or 1 (cross-view).',
      ui: { widget: 'number', group: 'official' },
    },
    combine: {
      type: 'enum',
      options: LOCAL_COMBINES,
      default: 'fusion-conv',
      doc: 'fusion-conv: conv 3×3 over the 3K class-image channels + tanh (semantic synthesis); sum: element-wise sum, no tanh (cross-view).',
      ui: { widget: 'select' },
    },
    class_chunk: {
      type: 'int',
      default: 0,
      min: 0,
      max: 1024,
      doc: 'Classes per batched conv; 0 = all at once (fastest). Smaller chunks lower peak inference memory at the cost of more, smaller ops.',
      ui: { widget: 'number', advanced: true },
    },
    algorithm: {
      type: 'enum',
      options: LOCAL_ALGORITHMS,
      default: 'auto',
      doc: 'disjoint-masks: memory-light, fast to train, exact when each pixel belongs to at most one binary mask (lggan/class-masks); grouped-conv: exact for any masks; auto: disjoint-masks when training or when C > 16, else grouped-conv.',
      ui: { widget: 'select', advanced: true },
    },
    keep_unused_official: {
      type: 'bool',
      default: false,
      doc: 'Also create the extra sub-generator the official cross-view code builds but never uses (deconv5_<first_index + K>), so parameter totals match the checkpoint.',
      ui: { widget: 'checkbox', group: 'official', advanced: true },
    },
  },
  inputs: [
    { name: 'features', kind: 'feature', doc: 'B×H×W×C local feature map F (official C = 64); H, W ≥ 4 for the reflect pad.' },
    { name: 'masks', kind: 'mask', doc: 'B×H×W×K class masks.' },
  ],
  outputs: [
    { name: 'class_images', kind: 'feature', doc: 'B×H×W×3K per-class images, class k in channels 3k..3k+2, in (-1, 1).' },
    { name: 'local', kind: 'image', doc: 'B×H×W×3 local image I_local.' },
  ],
  infer({ inputs }) {
    const features = requireSpatial(inputs, 'features');
    const masks = requireSpatial(inputs, 'masks', 'mask');
    requireSameSpatial(features, 'features', masks, 'masks');
    const [b, h, w] = features.shape;
    if (h.value <= SUB_PAD || w.value <= SUB_PAD) {
      throw new NodeRuleError(`port 'features' must be larger than 3×3 for the reflect pad of 3, got ${h.value}×${w.value}`, { port: 'features' });
    }
    return {
      class_images: mapType('feature', b, h, w, dim(RGB * channelsOf(masks))),
      local: mapType('image', b, h, w, RGB),
    };
  },
  cost({ inputs, outputs, params }) {
    const spec = specOf(params, inputs.features, inputs.masks);
    const [b, h, w] = inputs.features.shape.map((d) => d.value);
    const sub = conv2dCost(subConvSpec(spec.channels), outputs.local);
    const fusion = spec.combine === 'fusion-conv' ? conv2dCost(fusionConvSpec(spec.classes), outputs.local) : { params: 0, macs: 0 };
    const unused = spec.keepUnused ? subGeneratorParams(spec.channels) : 0;
    return {
      params: spec.classes * sub.params + fusion.params + unused,
      // mask multiply (one per masked element) + K sub-generator convs + fusion conv
      macs: b * h * w * spec.classes * spec.channels + spec.classes * sub.macs + fusion.macs,
      buffers: 0,
      unusedParams: unused,
    };
  },
  officialKeys({ inputs, params }) {
    const spec = specOf(params, inputs.features, inputs.masks);
    const keys: OfficialKey[] = [];
    if (spec.combine === 'fusion-conv') keys.push(...conv2dKeys('deconv9', 'deconv9', RGB * spec.classes, RGB, 3));
    const count = spec.classes + (spec.keepUnused ? 1 : 0);
    for (let k = 0; k < count; k++) {
      const name = subGeneratorName(spec, k);
      keys.push(...conv2dKeys(name, name, spec.channels, RGB, SUB_KERNEL));
    }
    return keys;
  },
  build(ctx, { inputs, params }) {
    const spec = specOf(params, inputs.features, inputs.masks);
    // Official order: the fusion conv first, then the sub-generators.
    const fusion = spec.combine === 'fusion-conv' ? createConv2d(ctx, 'deconv9', fusionConvSpec(spec.classes)) : undefined;
    const sub = subConvSpec(spec.channels);
    const weights: tf.Variable[] = [];
    const biases: tf.Variable[] = [];
    const count = spec.classes + (spec.keepUnused ? 1 : 0);
    for (let k = 0; k < count; k++) {
      const name = subGeneratorName(spec, k);
      const fan = { fanIn: spec.channels * SUB_KERNEL * SUB_KERNEL, fanOut: RGB * SUB_KERNEL * SUB_KERNEL };
      weights.push(ctx.variable(`${name}.weight`, [SUB_KERNEL, SUB_KERNEL, sub.inChannels, RGB], { kind: 'weight', ...fan }));
      biases.push(ctx.variable(`${name}.bias`, [RGB], { kind: 'zeros' }));
    }
    // The extra official sub-generator (index first_index + K) is created above and never used.

    return (values, run) =>
      tf.tidy(() => {
        const features = values.features as tf.Tensor4D;
        const masks = values.masks as tf.Tensor4D;
        const chunks: tf.Tensor4D[] = [];
        const algorithm = chooseAlgorithm(spec.algorithm, spec.channels, run.training);
        const paddedF = algorithm === 'grouped-conv' ? reflectPad(features, SUB_PAD) : features;
        const paddedM = algorithm === 'grouped-conv' ? reflectPad(masks, SUB_PAD) : masks;
        if (algorithm === 'disjoint-masks') chunks.push(disjointClassImages(features, masks, weights, biases, spec.classes));
        for (let k0 = 0; algorithm === 'grouped-conv' && k0 < spec.classes; k0 += spec.chunk) {
          const n = Math.min(spec.chunk, spec.classes - k0);
          chunks.push(
            tf.tidy(() => {
              const filters = tf.concat(weights.slice(k0, k0 + n), 2) as tf.Tensor4D; // [7, 7, n·C, 3]
              const bias = tf.stack(biases.slice(k0, k0 + n)) as tf.Tensor2D; // [n, 3]
              return classImages(paddedF, paddedM, filters, bias, k0, n);
            }),
          );
        }
        const classImagesOut = chunks.length === 1 ? chunks[0] : (tf.concat(chunks, 3) as tf.Tensor4D);
        const local = tf.tidy(() => {
          if (fusion) return tf.tanh(fusion(classImagesOut, run));
          const [b, h, w] = classImagesOut.shape;
          return tf.sum(tf.reshape(classImagesOut, [b, h, w, spec.classes, RGB]), 3);
        });
        return { class_images: classImagesOut, local };
      }) as Record<string, tf.Tensor>;
  },
};
