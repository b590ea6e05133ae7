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
import type { NodeDef, OfficialKey, ResolvedParams, TensorType } from '../../contract.ts';
import { dim } from '../../dims.ts';
import { conv2dCost, createConv2d } from '../../core/conv/conv-layers.ts';
import type { Conv2dSpec } from '../../core/conv/conv-layers.ts';
import { NodeRuleError, boolParam, channelsOf, enumParam, intParam, mapType, requireSameSpatial, requireSpatial, stringParam } from '../../core/rules.ts';
import { batchedMatMul, customGradient, reflectPad } from '../../core/tensor-utils.ts';
import { conv2dKeys } from './up-stage.ts';
import { RGB, SUB_KERNEL, SUB_PAD, hostClassSums, windowGeometry, type WindowGeometry } from './local-host-path.ts';
import { layer, inputChannels } from '../../pytorch/emit.ts';

export type LocalCombine = 'fusion-conv' | 'sum';
export const LOCAL_COMBINES: readonly LocalCombine[] = ['fusion-conv', 'sum'];
export type LocalAlgorithm = 'auto' | 'disjoint-masks' | 'grouped-conv';
export const LOCAL_ALGORITHMS: readonly LocalAlgorithm[] = ['auto', 'disjoint-masks', 'grouped-conv'];

/**
 * 'auto' picks per call: training always takes disjoint-masks (its backward pass is an order of
 * magnitude faster than the grouped depthwise conv's), and so do backends whose tensors live in
 * this thread (wasm, cpu: the host path projects each pixel with its own class only, ≈ 1.8× faster
 * than grouped-conv even at ngf 4); on a GPU inference takes grouped-conv while it needs less
 * memory, i.e. when 4·C < 49 + C (narrow feature maps, C ≤ 16), else disjoint-masks.
 */
export function chooseAlgorithm(algorithm: LocalAlgorithm, channels: number, training: boolean, hostMemory = false): Exclude<LocalAlgorithm, 'auto'> {
  if (algorithm !== 'auto') return algorithm;
  if (training || hostMemory) return 'disjoint-masks';
  return 4 * channels < SUB_KERNEL * SUB_KERNEL + channels ? 'grouped-conv' : 'disjoint-masks';
}

interface LocalSpec {
  /** Feature channels C. */
  channels: number;
  /** Classes K (masks). */
  classes: number;
  firstIndex: number;
  combine: LocalCombine;
  /** Classes per batched chunk; 0 = automatic (grouped-conv: all K; disjoint-masks: see disjointChunk). */
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
    chunk: Math.min(chunk, classes),
    algorithm: enumParam(params, 'algorithm', LOCAL_ALGORITHMS),
    keepUnused: boolParam(params, 'keep_unused_official'),
  };
}

/** `deconv5_<index>` for class position k. */
export function subGeneratorName(spec: Pick<LocalSpec, 'firstIndex'>, k: number): string {
  return `deconv5_${spec.firstIndex + k}`;
}

/**
 * Masked feature channels (classes × C) the disjoint-masks path keeps in flight per pixel when
 * class_chunk is 0: 8 classes at the official C = 64, a quarter of Cityscapes' 35 masked copies,
 * at about the speed of all classes at once (bench/cpu.ts).
 */
const DISJOINT_CHUNK_CHANNELS = 512;

/** Classes per chunk of the disjoint-masks path. */
export function disjointChunk(chunk: number, channels: number, classes: number): number {
  if (chunk > 0) return Math.min(chunk, classes);
  return Math.max(1, Math.min(classes, Math.floor(DISJOINT_CHUNK_CHANNELS / channels)));
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

/** All K class images by the grouped path (any masks), `chunk` classes per depthwise conv. */
function groupedClassImages(features: tf.Tensor4D, masks: tf.Tensor4D, weights: tf.Variable[], biases: tf.Variable[], classes: number, chunk: number): tf.Tensor4D {
  return tf.tidy(() => {
    const paddedF = reflectPad(features, SUB_PAD);
    const paddedM = reflectPad(masks, SUB_PAD);
    const parts = classChunks(classes, chunk).map(([k0, n]) =>
      tf.tidy(() => {
        const filters = tf.concat(weights.slice(k0, k0 + n), 2) as tf.Tensor4D; // [7, 7, n·C, 3]
        const bias = tf.stack(biases.slice(k0, k0 + n)) as tf.Tensor2D; // [n, 3]
        return classImages(paddedF, paddedM, filters, bias, k0, n);
      }),
    );
    return parts.length === 1 ? parts[0] : (tf.concat(parts, 3) as tf.Tensor4D);
  });
}

/**
 * All K class images for binary masks with at most one class per pixel (what lggan/class-masks
 * produces). Because the classes are disjoint, each source pixel p' contributes only through its
 * own class l(p'): Z(p', t) = W_l(p')[t]ᵀ F(p') for every tap t of the 7×7 window, and then
 *   I_k(p) = tanh(b_k + Σ_t Z(p+t, t) · M_k(p+t)).
 * Reflect padding commutes with the per-pixel steps, so F and M are padded once (C + K channels)
 * instead of K masked copies of F. Both heavy steps (the projection and the window sums) run `chunk` classes at a time
 * inside a custom gradient that recomputes each chunk in the backward pass, so neither direction
 * ever holds more than `chunk` masked copies of F (or `chunk` 7×7 mask windows) per pixel. The
 * masks are constants here (no gradient), as the label-map masks of the official code are.
 */
function disjointClassImages(features: tf.Tensor4D, masks: tf.Tensor4D, weights: tf.Variable[], biases: tf.Variable[], classes: number, chunk: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w] = features.shape;
    // Stacked weights [K, C, 49·3]: row (k, c), column (tap, o) = W_k[ty, tx, c, o].
    const stacked = tf.transpose(tf.reshape(tf.stack(weights.slice(0, classes)), [classes, SUB_KERNEL * SUB_KERNEL, -1, RGB]), [0, 2, 1, 3]);
    // Padding F (C channels) and M rather than Z (49·3 channels) keeps the pad's gradient narrow.
    const paddedM = reflectPad(masks, SUB_PAD);
    const paddedF = reflectPad(features, SUB_PAD);
    const weightRows = tf.reshape(stacked, [classes, -1, SUB_KERNEL * SUB_KERNEL * RGB]) as tf.Tensor3D;
    const method = windowMethods.forBackend(tf.getBackend());
    let sums: tf.Tensor3D; // [B·H·W, K, 3]
    if (method === 'host') {
      sums = hostClassSums(paddedF, paddedM, weightRows);
    } else {
      const z = projectByClass(paddedF, paddedM, weightRows, chunk);
      sums = method === 'depthwise' ? windowSums(paddedM, tf.depthwiseConv2d(z, tapSelector(), 1, 'valid'), chunk) : scatteredWindowSums(z, paddedM);
    }
    const images = tf.tanh(tf.add(sums, tf.stack(biases.slice(0, classes))));
    return tf.reshape(images, [b, h, w, classes * RGB]) as tf.Tensor4D;
  });
}

/** Class ranges [k0, k0 + n) of at most `chunk` classes. */
function classChunks(classes: number, chunk: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let k0 = 0; k0 < classes; k0 += chunk) ranges.push([k0, Math.min(chunk, classes - k0)]);
  return ranges;
}

/** sum + part, disposing both inputs: a running sum keeps one partial result alive, not one per chunk. */
function accumulate(sum: tf.Tensor | undefined, part: tf.Tensor): tf.Tensor {
  if (!sum) return part;
  const next = tf.add(sum, part);
  tf.dispose([sum, part]);
  return next;
}

/** Rows [N, n·C] of the outer products M_k(p)·F(p) for classes [k0, k0 + n). */
function maskedRows(f: tf.Tensor2D, m: tf.Tensor2D, k0: number, n: number): tf.Tensor2D {
  const [rows, c] = f.shape;
  const mk = tf.slice(m, [0, k0], [rows, n]);
  return tf.reshape(tf.mul(tf.expandDims(mk, 2), tf.expandDims(f, 1)), [rows, n * c]) as tf.Tensor2D;
}

/**
 * Z = Σ_k (M_k ⊙ F) · W_k as [B, H, W, 49·3], classes `chunk` at a time. Gradients: for F,
 * Σ_k M_k ⊙ (dZ · W_kᵀ); for W_k, (M_k ⊙ F)ᵀ dZ — both recomputed per chunk.
 */
function projectByClass(features: tf.Tensor4D, masks: tf.Tensor4D, stacked: tf.Tensor3D, chunk: number): tf.Tensor4D {
  const [b, h, w, c] = features.shape;
  const rows = b * h * w;
  const classes = masks.shape[3];
  const taps = stacked.shape[2];
  const project = customGradient(([fIn, mIn, wIn], save) => {
    const f = tf.reshape(fIn, [rows, c]) as tf.Tensor2D;
    const m = tf.reshape(mIn, [rows, classes]) as tf.Tensor2D;
    save([f, m, wIn]);
    let z: tf.Tensor | undefined;
    for (const [k0, n] of classChunks(classes, chunk)) {
      z = accumulate(z, tf.tidy(() => tf.matMul(maskedRows(f, m, k0, n), tf.reshape(tf.slice(wIn, [k0, 0, 0], [n, c, taps]), [n * c, taps]))));
    }
    return {
      value: tf.reshape(z!, [b, h, w, taps]),
      gradFunc: (dz, saved) => {
        const [fs, ms, ws] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor3D];
        const dzRows = tf.reshape(dz, [rows, taps]) as tf.Tensor2D;
        let df: tf.Tensor | undefined;
        const dwParts: tf.Tensor[] = [];
        for (const [k0, n] of classChunks(classes, chunk)) {
          const part = tf.tidy(() => {
            const back = tf.reshape(tf.matMul(dzRows, tf.reshape(tf.slice(ws, [k0, 0, 0], [n, c, taps]), [n * c, taps]), false, true), [rows, n, c]);
            // Σ_k M_k(p) · back(p, k, ·) as a [1, n] × [n, C] product per pixel: no masked copy of `back`.
            return tf.reshape(batchedMatMul(tf.expandDims(tf.slice(ms, [0, k0], [rows, n]), 1) as tf.Tensor3D, back as tf.Tensor3D), [rows, c]);
          });
          df = accumulate(df, part);
          dwParts.push(tf.tidy(() => tf.reshape(tf.matMul(maskedRows(fs, ms, k0, n), dzRows, true, false), [n, c, taps])));
        }
        const dw = dwParts.length === 1 ? dwParts[0] : tf.concat(dwParts, 0);
        return [tf.reshape(df!, [b, h, w, c]), tf.zeros(ms.shape), dw];
      },
    };
  });
  return project(features, masks, stacked) as tf.Tensor4D;
}

/**
 * S(p, k, o) = Σ_t M_k(p+t) · Zw(p, t, o) as [B·H·W, K, 3], from the reflect-padded masks (as
 * F ⊙ M_k is padded in the official conv), the 7×7 mask windows extracted `chunk` classes at a
 * time. Gradient for Zw: Σ_k M_k(p+t) · dS(p, k, o), windows recomputed per chunk.
 */
function windowSums(paddedM: tf.Tensor4D, zWindow: tf.Tensor4D, chunk: number): tf.Tensor3D {
  const [b, h, w, taps3] = zWindow.shape;
  const classes = paddedM.shape[3];
  const rows = b * h * w;
  const taps = SUB_KERNEL * SUB_KERNEL;
  /** [N, n, 49]: M_k(p+t) for classes [k0, k0 + n). */
  const windows = (m: tf.Tensor4D, k0: number, n: number) =>
    tf.reshape(tf.depthwiseConv2d(tf.slice(m, [0, 0, 0, k0], [b, h + 2 * SUB_PAD, w + 2 * SUB_PAD, n]), patchExtractor(n), 1, 'valid'), [rows, n, taps]) as tf.Tensor3D;
  const sum = customGradient(([mIn, zIn], save) => {
    const zw = tf.reshape(zIn, [rows, taps, RGB]) as tf.Tensor3D;
    save([mIn]);
    const parts = classChunks(classes, chunk).map(([k0, n]) => tf.tidy(() => batchedMatMul(windows(mIn as tf.Tensor4D, k0, n), zw)));
    const value = parts.length === 1 ? parts[0] : tf.concat(parts, 1);
    if (parts.length > 1) tf.dispose(parts);
    return {
      value,
      gradFunc: (ds, saved) => {
        const [ms] = saved as [tf.Tensor4D];
        let dz: tf.Tensor | undefined;
        for (const [k0, n] of classChunks(classes, chunk)) {
          dz = accumulate(dz, tf.tidy(() => batchedMatMul(windows(ms, k0, n), tf.slice(ds, [0, k0, 0], [rows, n, RGB]) as tf.Tensor3D, true, false)));
        }
        return [tf.zeros(ms.shape), tf.reshape(dz!, [b, h, w, taps3])];
      },
    };
  });
  return sum(paddedM, zWindow) as tf.Tensor3D;
}

/**
 * How the disjoint-masks path finds each class's window sums:
 * - 'host' (wasm, cpu: tensors live in this thread's memory): per-class matMuls over the pixels
 *   sorted by class and plain loops for the windows (local-host-path.ts); tfjs-wasm's gather and
 *   int32 broadcasting are generic per-element loops, 10× slower than these;
 * - 'scatter' (webgpu): the dense projection, one gather and one segment sum on the device;
 * - 'depthwise' (webgl, whose UnsortedSegmentSum loops over every segment for every input row):
 *   the dense projection, windows extracted by fixed one-hot depthwise convs, a batched matMul.
 * A field of an object so that tests can run each on the cpu backend.
 */
export type WindowMethod = 'host' | 'scatter' | 'depthwise';
export const windowMethods = {
  forBackend: (backend: string): WindowMethod => (backend === 'webgl' ? 'depthwise' : backend === 'wasm' || backend === 'cpu' ? 'host' : 'scatter'),
};

/**
 * S(p, k, o) = Σ_{t : l(p+t) = k} Z(p+t, t, o) as [B·H·W, K, 3] on the device, where l is each
 * padded pixel's class (argMax of the masks). Equal to windowSums for masks with at most one class
 * per pixel: Z(p') already carries the factor M_l(p'), and a pixel of no class has Z(p') = 0, so
 * whichever class argMax names for it receives nothing. One gather picks Z(p+t, t, ·) for every
 * (p, t) and one segment sum adds it into (p, l(p+t)); the gradient is the same two steps reversed.
 */
function scatteredWindowSums(z: tf.Tensor4D, paddedM: tf.Tensor4D): tf.Tensor3D {
  const [b, hp, wp, taps3] = z.shape;
  const geometry = windowGeometry(z.shape);
  const classes = paddedM.shape[3];
  const rows = b * geometry.h * geometry.w;
  const sourceRows = b * hp * wp * SUB_KERNEL * SUB_KERNEL;
  const sum = customGradient(([zIn], save) => {
    const { zRow, segment } = scatterIndices(paddedM, geometry);
    save([zRow, segment]);
    const value = tf.tidy(() => tf.reshape(tf.unsortedSegmentSum(tf.gather(tf.reshape(zIn, [sourceRows, RGB]), zRow), segment, rows * classes), [rows, classes, RGB]));
    return {
      value,
      gradFunc: (ds, saved) => {
        const [zRows, segments] = saved as [tf.Tensor1D, tf.Tensor1D];
        return [tf.tidy(() => tf.reshape(tf.unsortedSegmentSum(tf.gather(tf.reshape(ds, [rows * classes, RGB]), segments), zRows, sourceRows), [b, hp, wp, taps3]))];
      },
    };
  });
  return sum(z) as tf.Tensor3D;
}

/** For the device path: the Z row (p + t)·49 + t and the segment p·K + l(p + t) of every (p, t). */
function scatterIndices(paddedM: tf.Tensor4D, { b, h, w, hp, wp }: WindowGeometry): { zRow: tf.Tensor1D; segment: tf.Tensor1D } {
  const rows = b * h * w;
  const taps = SUB_KERNEL * SUB_KERNEL;
  const classes = paddedM.shape[3];
  return tf.tidy(() => {
    const source = tf.add(tf.tensor2d(windowOrigins(b, h, w, hp, wp), [rows, 1], 'int32'), tf.tensor2d(tapOffsets(wp), [1, taps], 'int32'));
    const labels = tf.gather(tf.reshape(tf.argMax(paddedM, 3), [-1]), source);
    const int = (value: number) => tf.scalar(value, 'int32');
    return {
      zRow: tf.reshape(tf.add(tf.mul(source, int(taps)), tf.range(0, taps, 1, 'int32')), [-1]) as tf.Tensor1D,
      segment: tf.reshape(tf.add(tf.mul(tf.reshape(tf.range(0, rows, 1, 'int32'), [rows, 1]), int(classes)), labels), [-1]) as tf.Tensor1D,
    };
  });
}

/** Flat padded index of the window origin (top-left tap) of every output pixel, in output order. */
function windowOrigins(b: number, h: number, w: number, hp: number, wp: number): Int32Array {
  const origins = new Int32Array(b * h * w);
  let i = 0;
  for (let n = 0; n < b; n++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) origins[i++] = (n * hp + y) * wp + x;
  return origins;
}

/** Offset of tap t = (ty, tx) from the window origin in a padded row of width wp. */
function tapOffsets(wp: number): Int32Array {
  const offsets = new Int32Array(SUB_KERNEL * SUB_KERNEL);
  for (let ty = 0; ty < SUB_KERNEL; ty++) for (let tx = 0; tx < SUB_KERNEL; tx++) offsets[ty * SUB_KERNEL + tx] = ty * wp + tx;
  return offsets;
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
    'filters (class_chunk classes at a time in both the forward and the backward pass) and adds each 7×7 window into ' +
    'the class of each of its pixels (recomputed, never all K masked copies of F at once; the masks get no gradient). ' +
    'algorithm grouped-conv (exact for any masks, soft or overlapping) stacks the masked features and runs one ' +
    'depthwise conv with a sum over C: the padded stack (K·C) plus the depthwise output (3·K·C) per chunk. For scale: ' +
    'K masked copies of F are K·C values per pixel (Cityscapes 35·64 = 2,240, ≈1.2 GB at 256×512, batch 1). ' +
    'class_chunk = n keeps only n classes in flight. ' +
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
      doc: 'Classes in flight at once; 0 = automatic (disjoint-masks: 512 / C classes, 8 at C = 64; grouped-conv: all K). Smaller chunks lower peak memory at the cost of more, smaller ops.',
      ui: { widget: 'number', advanced: true },
    },
    algorithm: {
      type: 'enum',
      options: LOCAL_ALGORITHMS,
      default: 'auto',
      doc: 'disjoint-masks: memory-light, fast to train, exact when each pixel belongs to at most one binary mask (lggan/class-masks); grouped-conv: exact for any masks; auto: disjoint-masks when training, on wasm and cpu, or when C > 16, else grouped-conv.',
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
  pytorch: (ctx) =>
    layer('LocalGenerators', {
      channels: inputChannels(ctx, 'features'),
      classes: inputChannels(ctx, 'masks'),
      first_index: intParam(ctx.node.params, 'first_index'),
      combine: stringParam(ctx.node.params, 'combine'),
      keep_unused_official: boolParam(ctx.node.params, 'keep_unused_official'),
    }),
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
        const algorithm = chooseAlgorithm(spec.algorithm, spec.channels, run.training, windowMethods.forBackend(tf.getBackend()) === 'host');
        const classImagesOut =
          algorithm === 'disjoint-masks'
            ? disjointClassImages(features, masks, weights, biases, spec.classes, disjointChunk(spec.chunk, spec.channels, spec.classes))
            : groupedClassImages(features, masks, weights, biases, spec.classes, spec.chunk || spec.classes);
        const local = tf.tidy(() => {
          if (fusion) return tf.tanh(fusion(classImagesOut, run));
          const [b, h, w] = classImagesOut.shape;
          return tf.sum(tf.reshape(classImagesOut, [b, h, w, spec.classes, RGB]), 3);
        });
        return { class_images: classImagesOut, local };
      }) as Record<string, tf.Tensor>;
  },
};
