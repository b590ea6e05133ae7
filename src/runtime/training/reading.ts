/**
 * Read-backs written once for both ways of reading. A computation that needs tensor values is a
 * generator: it yields each tensor it wants read and receives the values back. `readSync` drives it
 * with dataSync (Node, cpu, webgl); `readAsync` with data() — WebGPU's dataSync goes through a
 * canvas that Chromium cannot always serve (headless SwiftShader returns zeros and loses the
 * device), so browser training on WebGPU must read asynchronously. The driver disposes every
 * yielded tensor once read, and throws a failed read into the generator so its cleanup runs.
 */
import type * as tf from '@tensorflow/tfjs-core';

export type Values = Float32Array | Int32Array | Uint8Array;
export type Reading<R> = Generator<tf.Tensor, R, Values>;

export function readSync<R>(reading: Reading<R>): R {
  let next = reading.next();
  while (!next.done) {
    const tensor = next.value;
    let values: Values;
    try {
      values = tensor.dataSync() as Values;
    } catch (e) {
      tensor.dispose();
      next = reading.throw(e);
      continue;
    }
    tensor.dispose();
    next = reading.next(values);
  }
  return next.value;
}

export async function readAsync<R>(reading: Reading<R>): Promise<R> {
  let next = reading.next();
  while (!next.done) {
    const tensor = next.value;
    let values: Values;
    try {
      values = (await tensor.data()) as Values;
    } catch (e) {
      tensor.dispose();
      next = reading.throw(e);
      continue;
    }
    tensor.dispose();
    next = reading.next(values);
  }
  return next.value;
}
