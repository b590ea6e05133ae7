/**
 * Seeded stand-in inputs for a compiled program: a random label map one-hot encoded for semantic
 * inputs, uniform [-1, 1] images, normal noise. Used by `lggan compile` and by tests.
 */
import * as tf from '@tensorflow/tfjs-core';
import { feedTypeOf, type Feeds, type Program } from './program.ts';
import { normalStream, streamSeed, uniformStream } from './rng.ts';

export function sampleFeeds(program: Program, seed = 0): Feeds {
  const feeds: Feeds = {};
  for (const n of program.inputNodes) {
    const type = feedTypeOf(n, program.ir.template);
    if (!type) continue;
    const shape = type.shape.map((d) => d.value);
    const size = shape.reduce((a, b) => a * b, 1);
    const uniform = uniformStream(streamSeed(seed, n.id));
    if (type.kind === 'semantic' || type.kind === 'mask') {
      // One active channel per pixel, as a label map one-hot encoded.
      const channels = shape[shape.length - 1];
      const values = new Float32Array(size);
      for (let p = 0; p < size / channels; p++) values[p * channels + Math.floor(uniform() * channels)] = 1;
      feeds[n.id] = tf.tensor(values, shape);
    } else if (type.kind === 'labels') {
      // Channel 0: class ids; further channels (instance ids) get a few distinct ids too.
      const classes = Math.max(1, program.ir.template.num_classes ?? 2);
      feeds[n.id] = tf.tensor(Int32Array.from({ length: size }, () => Math.floor(uniform() * classes)), shape, 'int32');
    } else if (type.kind === 'noise') {
      const normal = normalStream(streamSeed(seed, n.id));
      feeds[n.id] = tf.tensor(Float32Array.from({ length: size }, normal), shape);
    } else {
      feeds[n.id] = tf.tensor(Float32Array.from({ length: size }, () => 2 * uniform() - 1), shape);
    }
  }
  return feeds;
}
