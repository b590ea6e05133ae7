/**
 * Test-only page: gradients of the LGGAN nodes whose ops are not on the machine notes' list of
 * checked WebGPU gradients (SAU's pixel shuffle, window taps and softmax; the class-specific
 * generators' depthwise convs and batched matMul), computed on a chosen backend so
 * e2e/gradients.spec.ts can compare WebGPU with CPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import { localGeneratorsNode } from '../../nodes/lggan/local-generators.ts';
import { sauUpsampleNode } from '../../nodes/lggan/sau.ts';
import { buildNode, spatialType } from '../../nodes/testing.ts';
import { probeBackend, type BrowserBackend } from '../runtime/tf-browser.ts';

type Case = 'sau' | 'sau-label-gated' | 'local-disjoint' | 'local-grouped';

/** Deterministic inputs and weights: values from a fixed formula, the same on every backend. */
function fixed(shape: number[], salt: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.37 + salt) * 0.5), shape);
}

function oneHotMasks(b: number, h: number, w: number, k: number): tf.Tensor4D {
  const ids = Array.from({ length: b * h * w }, (_, i) => (i * 7 + Math.floor(i / w)) % k);
  return tf.tidy(() => tf.reshape(tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), k), 'float32'), [b, h, w, k]) as tf.Tensor4D);
}

/** Loss value and every variable's gradient (and the input's), as plain arrays. */
async function gradients(backend: BrowserBackend, which: Case): Promise<Record<string, number[]>> {
  const reason = await probeBackend(backend);
  if (reason) throw new Error(`${backend} unavailable: ${reason}`);
  await tf.setBackend(backend);
  const [b, h, w, c, k] = [1, 8, 8, 4, 3];
  const node =
    which === 'sau' || which === 'sau-label-gated'
      ? buildNode(sauUpsampleNode, { gating: which === 'sau' ? 'none' : 'label-gated', kernel: 3, mid_channels: 4, out_channels: 2 }, which === 'sau' ? { x: spatialType('feature', b, h, w, c) } : { x: spatialType('feature', b, h, w, c), labels: spatialType('semantic', b, 2 * h, 2 * w, k) })
      : buildNode(localGeneratorsNode, { algorithm: which === 'local-disjoint' ? 'disjoint-masks' : 'grouped-conv', combine: 'fusion-conv' }, { features: spatialType('feature', b, h, w, c), masks: spatialType('mask', b, h, w, k) });
  let salt = 1;
  for (const [name, v] of node.variables) node.setVariable(name, fixed(v.shape, salt++));
  const x = tf.variable(fixed([b, h, w, c], 100), true, 'input'); // freed below, so the name can be reused
  const extra: Record<string, tf.Tensor> = which === 'sau-label-gated' ? { labels: oneHotMasks(b, 2 * h, 2 * w, k) } : which.startsWith('local') ? { masks: oneHotMasks(b, h, w, k) } : {};
  const inputName = which.startsWith('sau') ? 'x' : 'features';
  const { value, grads } = tf.variableGrads(() => {
    const out = node.run({ [inputName]: x, ...extra }, true);
    const y = which.startsWith('sau') ? out.y : out.local;
    return tf.sum(tf.mul(y, fixed(y.shape, 200))) as tf.Scalar;
  }, [...node.variables.values(), x]);
  const result: Record<string, number[]> = { loss: Array.from(await value.data()) };
  for (const [name, g] of Object.entries(grads)) result[name.replace(/^.*?\./, '')] = Array.from(await g.data());
  tf.dispose([value, ...Object.values(grads), x, ...Object.values(extra)]);
  node.dispose();
  return result;
}

declare global {
  interface Window {
    gradients: { run: typeof gradients };
  }
}
window.gradients = { run: gradients };
document.body.dataset.ready = 'true';
