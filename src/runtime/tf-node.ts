/**
 * TensorFlow.js for Node (CLI, vitest, benchmarks): the cpu backend with every gradient registered.
 * The union package is the one entry that registers gradients under Node's module resolution;
 * it shares the engine with `@tensorflow/tfjs-core` through tfjs's global registry.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';

// PROD silences tfjs's "install tfjs-node" banner, which would pollute CLI output.
tf.env().set('PROD', true);

let ready: Promise<void> | undefined;

export function initNodeBackend(): Promise<void> {
  ready ??= tf.setBackend('cpu').then((ok) => {
    if (!ok) throw new Error('could not initialise the tfjs cpu backend');
  });
  return ready;
}

export { tf };
