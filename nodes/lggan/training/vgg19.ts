/**
 * The VGG19 feature stack of the perceptual loss (SPADE/pix2pixHD `VGG19`): torchvision's
 * `vgg19().features` up to relu5_1, returning relu1_1, relu2_1, relu3_1, relu4_1 and relu5_1.
 *
 * Weights come from a user-supplied safetensors file with torchvision's names
 * (`features.<index>.weight` [out, in, 3, 3] and `features.<index>.bias` [out]); this module never
 * downloads anything. Channel widths are a parameter (default: the real 64/128/256/512/512), so
 * tests can run the same code with a few channels. The weights are constants, not variables:
 * they are never trained and never saved with a checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, SafetensorsError } from '../../../src/formats/safetensors.ts';

/** Channels of VGG19's five blocks. */
export type Vgg19Widths = readonly [number, number, number, number, number];
export const VGG19_WIDTHS: Vgg19Widths = [64, 128, 256, 512, 512];

/** Convs per block in VGG19's `features`. */
const CONVS_PER_BLOCK = [2, 2, 4, 4, 4] as const;

/** The loss reads relu5_1, so the stack stops after conv5_1: 2 + 2 + 4 + 4 + 1 convs. */
const CONVS_USED = 13;

/** Weight of each feature level in the loss (SPADE's VGGLoss: relu1_1 … relu5_1). */
export const VGG_LAYER_WEIGHTS = [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1] as const;

/** torchvision's ImageNet normalisation, applied to images mapped from [-1, 1] to [0, 1]. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

export interface Vgg19Conv {
  /** Index in torchvision's `features` Sequential (0, 2, 5, 7, 10, …, 28). */
  index: number;
  block: number;
  inChannels: number;
  outChannels: number;
}

/**
 * The 13 convs from conv1_1 to conv5_1 with their torchvision indices. In `features`, every conv
 * is followed by a ReLU and every block by a 2×2 max-pool, so indices advance by 2 per conv and
 * by one more per pool.
 */
export function vgg19Convs(widths: Vgg19Widths = VGG19_WIDTHS): Vgg19Conv[] {
  const convs: Vgg19Conv[] = [];
  let index = 0;
  let channels = 3;
  CONVS_PER_BLOCK.forEach((count, block) => {
    for (let i = 0; i < count; i++) {
      convs.push({ index, block, inChannels: channels, outChannels: widths[block] });
      channels = widths[block];
      index += 2; // conv, ReLU
    }
    index += 1; // max-pool
  });
  return convs.slice(0, CONVS_USED);
}

export interface Vgg19Weights {
  widths: Vgg19Widths;
  /** Per conv of vgg19Convs(widths): tfjs layout [3, 3, in, out] and bias [out]. */
  convs: { weight: tf.Tensor4D; bias: tf.Tensor1D }[];
}

/** ((x + 1)/2 − mean)/std per RGB channel, as torchvision's pretrained VGG expects. */
export function imagenetNormalize(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const unit = tf.div(tf.add(x, 1), 2);
    return tf.div(tf.sub(unit, tf.tensor1d([...IMAGENET_MEAN])), tf.tensor1d([...IMAGENET_STD])) as tf.Tensor4D;
  });
}

/**
 * relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 of a B×H×W×3 batch (already normalised as the
 * weights expect). H and W must be at least 16 so that the four pools leave a pixel.
 */
export function vgg19Features(x: tf.Tensor4D, weights: Vgg19Weights): tf.Tensor4D[] {
  const convs = vgg19Convs(weights.widths);
  if (weights.convs.length !== convs.length) throw new Error(`VGG19 weights hold ${weights.convs.length} convs, expected ${convs.length}`);
  const features: tf.Tensor4D[] = [];
  let h = x;
  let block = 0;
  convs.forEach((conv, i) => {
    if (conv.block !== block) {
      h = tf.maxPool(h, 2, 2, 'valid');
      block = conv.block;
    }
    const { weight, bias } = weights.convs[i];
    h = tf.relu(tf.add(tf.conv2d(h, weight, 1, 'same'), bias)) as tf.Tensor4D;
    const firstOfBlock = i === 0 || convs[i - 1].block !== conv.block;
    if (firstOfBlock) features.push(h);
  });
  return features;
}

/** Multiply-accumulates of vgg19Features on one B×H×W input (3×3 convs; pools and ReLUs are free). */
export function vgg19Macs(batch: number, height: number, width: number, widths: Vgg19Widths = VGG19_WIDTHS): number {
  let macs = 0;
  for (const conv of vgg19Convs(widths)) {
    const scale = 2 ** conv.block;
    const h = Math.floor(height / scale);
    const w = Math.floor(width / scale);
    macs += batch * h * w * 9 * conv.inChannels * conv.outChannels;
  }
  return macs;
}

/**
 * Builds the conv weights from a safetensors file with torchvision names. Tensors past conv5_1
 * (conv5_2…, the classifier) are ignored; a missing or misshaped conv is an error naming it.
 */
export function loadVgg19Weights(bytes: Uint8Array, widths: Vgg19Widths = VGG19_WIDTHS): Vgg19Weights {
  const { tensors } = readSafetensors(bytes);
  const convs = vgg19Convs(widths);
  const built: Vgg19Weights['convs'] = [];
  try {
    for (const conv of convs) {
      const weightName = `features.${conv.index}.weight`;
      const biasName = `features.${conv.index}.bias`;
      const weight = tensors.get(weightName);
      const bias = tensors.get(biasName);
      const expectedWeight = [conv.outChannels, conv.inChannels, 3, 3];
      if (!weight || !bias) {
        throw new SafetensorsError(`VGG19 weights: '${!weight ? weightName : biasName}' is missing (torchvision vgg19 names expected, e.g. features.0.weight)`);
      }
      if (weight.shape.join(',') !== expectedWeight.join(',')) {
        throw new SafetensorsError(`VGG19 weights: '${weightName}' has shape [${weight.shape.join(', ')}], expected [${expectedWeight.join(', ')}]`);
      }
      if (bias.shape.join(',') !== String(conv.outChannels)) {
        throw new SafetensorsError(`VGG19 weights: '${biasName}' has shape [${bias.shape.join(', ')}], expected [${conv.outChannels}]`);
      }
      built.push(
        tf.tidy(() => ({
          // PyTorch [out, in, kh, kw] → tfjs [kh, kw, in, out]
          weight: tf.transpose(tf.tensor4d(Float32Array.from(weight.values), weight.shape as [number, number, number, number]), [2, 3, 1, 0]),
          bias: tf.tensor1d(Float32Array.from(bias.values)),
        })),
      );
    }
  } catch (e) {
    disposeVgg19Weights({ widths, convs: built });
    throw e;
  }
  return { widths: [...widths] as unknown as Vgg19Widths, convs: built };
}

export function disposeVgg19Weights(weights: Vgg19Weights): void {
  for (const { weight, bias } of weights.convs) tf.dispose([weight, bias]);
}

// ---------------------------------------------------------------------------------------------
// Loaded weights by source. Node builds are synchronous, so a host (CLI, app) loads the file a
// perceptual-loss node names before compiling; every node naming the same source shares it.

const loaded = new Map<string, Vgg19Weights>();

export function registerVgg19Weights(source: string, weights: Vgg19Weights): void {
  const previous = loaded.get(source);
  if (previous && previous !== weights) disposeVgg19Weights(previous);
  loaded.set(source, weights);
}

export function vgg19WeightsFor(source: string): Vgg19Weights | undefined {
  return loaded.get(source);
}

/** Loads `source` once through `readBytes` (fs.readFile in Node, fetch in the browser). */
export async function ensureVgg19Weights(source: string, readBytes: (source: string) => Promise<Uint8Array>): Promise<Vgg19Weights> {
  const existing = loaded.get(source);
  if (existing) return existing;
  const weights = loadVgg19Weights(await readBytes(source));
  registerVgg19Weights(source, weights);
  return weights;
}

export function releaseVgg19Weights(source: string): void {
  const weights = loaded.get(source);
  if (weights) disposeVgg19Weights(weights);
  loaded.delete(source);
}
