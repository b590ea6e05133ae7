/** Pointwise activations shared by the activation node, the residual block and the LGGAN pack. */
import * as tf from '@tensorflow/tfjs-core';

export type ActivationFunction = 'relu' | 'leaky-relu' | 'tanh' | 'sigmoid';
export const ACTIVATION_FUNCTIONS: readonly ActivationFunction[] = ['relu', 'leaky-relu', 'tanh', 'sigmoid'];

/** `slope` is leaky ReLU's negative slope (0.2 in pix2pix/SPADE discriminators). */
export function applyActivation<T extends tf.Tensor>(x: T, fn: ActivationFunction, slope = 0.2): T {
  switch (fn) {
    case 'relu':
      return tf.relu(x);
    case 'leaky-relu':
      return tf.leakyRelu(x, slope);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
  }
}
