/** The conv → norm → LeakyReLU stack both PatchGAN discriminators run, returning every block's output. */
import * as tf from '@tensorflow/tfjs-core';
import type { RunContext } from '../../contract.ts';

export interface StackLayer {
  conv: (x: tf.Tensor4D, run: RunContext) => tf.Tensor4D;
  norm?: (x: tf.Tensor4D, run: RunContext) => tf.Tensor4D;
  leakyRelu: boolean;
}

/** Runs the blocks in order; the features (one per block) are what feature matching compares. */
export function runLayerStack(layers: readonly StackLayer[], x: tf.Tensor4D, run: RunContext): tf.Tensor4D[] {
  const features: tf.Tensor4D[] = [];
  let h = x;
  for (const layer of layers) {
    h = layer.conv(h, run);
    if (layer.norm) h = layer.norm(h, run);
    if (layer.leakyRelu) h = tf.leakyRelu(h, 0.2);
    features.push(h);
  }
  return features;
}
