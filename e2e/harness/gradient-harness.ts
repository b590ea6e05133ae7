/**
 * Test-only page: gradients of single nodes computed on a chosen backend, so e2e/gradients.spec.ts
 * can compare WebGPU with CPU:
 * - the LGGAN nodes whose ops are not on the machine notes' list of checked WebGPU gradients (SAU's
 *   pixel shuffle, window taps and softmax; the class-specific generators' depthwise convs and
 *   batched matMul);
 * - the nodes of the global-only (SPADE) graph at the shapes where its training step on WebGPU
 *   went non-finite: the feature-matching loss over a 2-scale × 4-block discriminator (8 terms,
 *   the tfjs-webgpu AddN limit, see addTerms in nodes/core/tensor-utils.ts), SPADE norm and
 *   residual block with batch norm on a 1×2 map at batch 1, the encoder down to its latent, and
 *   the global generator;
 * - the semantic input's one-hot of 3 classes straight into a SPADE conv (3 input channels, 4
 *   outputs), which tfjs-webgpu cannot compile for a cast int32 map (oneHotLabels).
 * Every case is run in training mode from fixed weights and inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkHandle, NodeDef, TensorType } from '../../nodes/contract.ts';
import { multiscaleDiscriminatorNode } from '../../nodes/lggan/discriminators/multiscale-discriminator.ts';
import { encoderNode } from '../../nodes/lggan/generator/encoder.ts';
import { globalGeneratorNode } from '../../nodes/lggan/generator/global-generator.ts';
import { localGeneratorsNode } from '../../nodes/lggan/generator/local-generators.ts';
import { featureMatchingLossNode } from '../../nodes/lggan/losses/feature-matching-loss.ts';
import { sauUpsampleNode } from '../../nodes/lggan/generator/sau.ts';
import { semanticInputNode } from '../../nodes/lggan/generator/semantic-input.ts';
import { spadeNormNode, spadeResBlockNode } from '../../nodes/lggan/generator/spade.ts';
import { buildNode, spatialType, TEST_TEMPLATE, type TestNode } from '../../nodes/testing.test-util.ts';
import { probeBackend, type BrowserBackend } from '../../src/browser/tf-browser.ts';

export const GRADIENT_CASES = [
  'sau',
  'sau-label-gated',
  'local-disjoint',
  'local-grouped',
  'feature-matching-8',
  'semantic-spade-3',
  'spade-norm-batch',
  'spade-resblock',
  'encoder',
  'global-generator',
] as const;
export type GradientCase = (typeof GRADIENT_CASES)[number];

/** Deterministic inputs and weights: values from a fixed formula, the same on every backend. */
function fixed(shape: number[], salt: number, scale = 0.5, frequency = 0.37): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, (_, i) => Math.sin(i * frequency + salt) * scale), shape);
}

const labelIds = (b: number, h: number, w: number, k: number) => Array.from({ length: b * h * w }, (_, i) => (i * 7 + Math.floor(i / w)) % k);

/** A one-hot map made from float values (not a cast: see oneHotLabels in nodes/lggan/generator/semantic-input.ts). */
function oneHotMasks(b: number, h: number, w: number, k: number): tf.Tensor4D {
  const data = new Float32Array(b * h * w * k);
  labelIds(b, h, w, k).forEach((id, p) => (data[p * k + id] = 1));
  return tf.tensor4d(data, [b, h, w, k]);
}

/** A built case: the nodes (disposed after), the tensors differentiated besides the trainable variables, and the scalar loss. */
interface Setup {
  nodes: TestNode[];
  /** Differentiable inputs, by the name their gradient is reported under. */
  inputs: Record<string, tf.Variable>;
  /** Inputs that are not differentiated (masks, label maps). */
  constants: tf.Tensor[];
  loss: () => tf.Scalar;
}

let inputCount = 0;
/** A trainable input under a fresh tfjs name (names are global; the variable is disposed after the case). */
const input = (shape: number[], salt: number, scale?: number, frequency?: number) => tf.variable(fixed(shape, salt, scale, frequency), true, `harness-input-${++inputCount}`);

/** Σ y·r for a fixed r: every output element gets its own gradient weight (offset > 0.5 keeps r positive, so the sum does not cancel). */
const weightedSum = (y: tf.Tensor, offset = 0): tf.Scalar => tf.sum(tf.mul(y, tf.add(fixed(y.shape, 200), offset)));

/** Builds a node and overwrites every variable (buffers included) with fixed values. */
function built(def: NodeDef, params: Record<string, number | boolean | string>, inputs: Record<string, TensorType>, template = TEST_TEMPLATE, handles: Record<string, NetworkHandle> = {}, scale?: number): TestNode {
  const node = buildNode(def, params, inputs, template, handles);
  let salt = 1;
  for (const [name, v] of node.variables) {
    // Running variances stay positive (eval mode would divide by them); nothing here runs in eval mode.
    node.setVariable(name, name.endsWith('running_var') ? tf.ones(v.shape) : fixed(v.shape, salt++, scale));
  }
  return node;
}

function setUp(which: GradientCase): Setup {
  if (which === 'sau' || which === 'sau-label-gated') {
    const [b, h, w, c, k] = [1, 8, 8, 4, 3];
    const types: Record<string, TensorType> = which === 'sau' ? { x: spatialType('feature', b, h, w, c) } : { x: spatialType('feature', b, h, w, c), labels: spatialType('semantic', b, 2 * h, 2 * w, k) };
    const node = built(sauUpsampleNode, { gating: which === 'sau' ? 'none' : 'label-gated', kernel: 3, mid_channels: 4, out_channels: 2 }, types);
    const x = input([b, h, w, c], 100);
    const constants = which === 'sau-label-gated' ? [oneHotMasks(b, 2 * h, 2 * w, k)] : [];
    const extra: Record<string, tf.Tensor> = which === 'sau-label-gated' ? { labels: constants[0] } : {};
    return { nodes: [node], inputs: { input: x }, constants, loss: () => weightedSum(node.run({ x, ...extra }, true).y) };
  }
  if (which === 'local-disjoint' || which === 'local-grouped') {
    const [b, h, w, c, k] = [1, 8, 8, 4, 3];
    const node = built(localGeneratorsNode, { algorithm: which === 'local-disjoint' ? 'disjoint-masks' : 'grouped-conv', combine: 'fusion-conv' }, { features: spatialType('feature', b, h, w, c), masks: spatialType('mask', b, h, w, k) });
    const x = input([b, h, w, c], 100);
    const masks = oneHotMasks(b, h, w, k);
    return { nodes: [node], inputs: { input: x }, constants: [masks], loss: () => weightedSum(node.run({ features: x, masks }, true).local) };
  }
  if (which === 'feature-matching-8') {
    // As the global-only graph's g_feat: 2 scales × 4 blocks before each patch map = 8 L1 terms.
    const [b, h, w, l] = [1, 16, 16, 3];
    const condition = spatialType('semantic', b, h, w, l);
    const image = spatialType('image', b, h, w, 3);
    const d = built(multiscaleDiscriminatorNode, { num_D: 2, n_layers: 4, ndf: 2 }, { condition, image }, TEST_TEMPLATE, {}, 0.2);
    const loss = built(featureMatchingLossNode, { weight: 10 }, { discriminator: d.outputs.network, condition, fake0: image, real: image }, TEST_TEMPLATE, { discriminator: d.handles.network });
    const fake = input([b, h, w, 3], 100);
    const constants = [oneHotMasks(b, h, w, l), fixed([b, h, w, 3], 300)];
    return { nodes: [d, loss], inputs: { fake }, constants, loss: () => loss.run({ condition: constants[0], fake0: fake, real: constants[1] }, true).loss as tf.Scalar };
  }
  if (which === 'spade-norm-batch' || which === 'spade-resblock') {
    // The latent the global-only graph's head_0 sees at batch 1: 1×2, two values per channel for the batch norm.
    const [b, c, l] = [1, 4, 3];
    const types = { x: spatialType('feature', b, 1, 2, c), semantic: spatialType('semantic', b, 8, 16, l) };
    const node =
      which === 'spade-norm-batch'
        ? built(spadeNormNode, { hidden: 4, param_free_norm: 'batch' }, types)
        : built(spadeResBlockNode, { out_channels: 2, hidden: 4, param_free_norm: 'batch', spectral_norm: true }, types);
    const x = input([b, 1, 2, c], 100, 2);
    const semantic = oneHotMasks(b, 8, 16, l);
    return { nodes: [node], inputs: { input: x }, constants: [semantic], loss: () => weightedSum(node.run({ x, semantic }, true).y) };
  }
  if (which === 'semantic-spade-3') {
    // 32×32 ids: large enough that tfjs-webgpu runs the one-hot on the GPU rather than forwarding it to its CPU.
    const [b, h, w, l] = [1, 32, 32, 3];
    const template = { ...TEST_TEMPLATE, height: h, width: w, num_classes: l };
    const labels = built(semanticInputNode, { instance_edge: false, dontcare: false }, {}, template);
    const spade = built(spadeNormNode, { hidden: 4, param_free_norm: 'instance' }, { x: spatialType('feature', b, h, w, 4), semantic: labels.outputs.semantic });
    const x = input([b, h, w, 4], 100);
    const ids = tf.tensor4d(labelIds(b, h, w, l), [b, h, w, 1], 'int32');
    return { nodes: [labels, spade], inputs: { input: x }, constants: [ids], loss: () => weightedSum(spade.run({ x, semantic: labels.run({ value: ids }).semantic }, true).y) };
  }
  if (which === 'encoder') {
    // Instance norm down to 2×4, then the latent as the graph's: a nearest resize of the last stage to 1×2.
    const [b, h, w, l] = [1, 32, 64, 3];
    const node = built(encoderNode, { ngf: 2, downsamples: 4, max_channels: 8, latent_height: 1, latent_width: 2 }, { x: spatialType('semantic', b, h, w, l) }, TEST_TEMPLATE, {}, 0.2);
    // Weights and input at the same frequency give near-constant maps that instance norm amplifies; another frequency does not.
    const x = input([b, h, w, l], 100, 0.5, 1.9);
    return { nodes: [node], inputs: { input: x }, constants: [], loss: () => weightedSum(node.run({ x }, true).latent, 1) }; // the latent is ≥ 0 (ReLU)
  }
  // global-generator: the SPADE decoder from a 1×2 latent at batch 1 ('normal': 5 upsamples to 32×64).
  const [b, h, w, l, ngf] = [1, 32, 64, 3, 1];
  const types = { latent: spatialType('feature', b, 1, 2, 16 * ngf), semantic: spatialType('semantic', b, h, w, l) };
  const node = built(globalGeneratorNode, { ngf, upsampling_mode: 'normal', spade_hidden: 4 }, types, TEST_TEMPLATE, {}, 0.2);
  const latent = input([b, 1, 2, 16 * ngf], 100);
  const semantic = oneHotMasks(b, h, w, l);
  return { nodes: [node], inputs: { latent }, constants: [semantic], loss: () => weightedSum(node.run({ latent, semantic }, true).image) };
}

/** Loss value and every trainable variable's gradient (and the inputs'), as plain arrays. */
async function gradients(backend: BrowserBackend, which: GradientCase): Promise<Record<string, number[]>> {
  if (!GRADIENT_CASES.includes(which)) throw new Error(`unknown gradient case '${which}': use ${GRADIENT_CASES.join(', ')}`);
  const reason = await probeBackend(backend);
  if (reason) throw new Error(`${backend} unavailable: ${reason}`);
  await tf.setBackend(backend);
  const { nodes, inputs, constants, loss } = setUp(which);
  try {
    const trainable = nodes.flatMap((n) => [...n.variables.entries()].filter(([, v]) => v.trainable).map(([local, v]) => [`${nodes.length > 1 ? `${nodes.indexOf(n)}/` : ''}${local}`, v] as const));
    const named = new Map<string, string>([...trainable.map(([local, v]) => [v.name, local] as const), ...Object.entries(inputs).map(([name, v]) => [v.name, name] as const)]);
    const { value, grads } = tf.variableGrads(loss, [...trainable.map(([, v]) => v), ...Object.values(inputs)]);
    const result: Record<string, number[]> = { loss: Array.from(await value.data()) };
    for (const [name, g] of Object.entries(grads)) result[named.get(name) ?? name] = Array.from(await g.data());
    tf.dispose([value, ...Object.values(grads)]);
    return result;
  } finally {
    tf.dispose([...Object.values(inputs), ...constants]);
    for (const n of nodes) n.dispose();
  }
}

declare global {
  interface Window {
    gradients: { run: typeof gradients; cases: readonly GradientCase[] };
  }
}
window.gradients = { run: gradients, cases: GRADIENT_CASES };
document.body.dataset.ready = 'true';
