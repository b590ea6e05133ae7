/**
 * What the loss nodes share: the scalar `loss` output, the `weight` and `images` params, the
 * fake0…fake{n−1} ports and small numeric helpers.
 *
 * Multi-output convention: LGGAN applies its adversarial, feature-matching, perceptual, L1 and TV
 * losses to each of the final, global and local images and sums them. A loss node with
 * `images: 3` has ports fake0, fake1, fake2 and returns the sum of the per-image losses (times
 * `weight`), so one node covers the official sum; `images: 1` covers one output.
 *
 * The fake ports are optional, at least one connected: a loss sums the images it gets, so removing
 * a branch (LGGAN's local generator) leaves a loss over the remaining images rather than an error.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FloatParam, IntParam, PortDef, ResolvedParams, TensorType } from '../../contract.ts';
import { NodeRuleError, floatParam, intParam, requireChannels, requireSameSpatial, requireSpatial } from '../../core/rules.ts';

export type LossSide = 'generator' | 'discriminator';
export const LOSS_SIDES: readonly LossSide[] = ['generator', 'discriminator'];

export const LOSS_OUTPUTS: PortDef[] = [{ name: 'loss', kind: 'loss', doc: 'Scalar loss, already multiplied by weight (shape []).' }];

export function lossOutputType(): Record<string, TensorType> {
  return { loss: { kind: 'loss', shape: [] } };
}

export function weightParam(defaultValue: number, doc: string): FloatParam {
  return { type: 'float', default: defaultValue, min: 0, doc, ui: { widget: 'number', step: defaultValue > 0 && defaultValue < 1 ? defaultValue : 0.1 } };
}

export const IMAGES_PARAM: IntParam = {
  type: 'int',
  default: 1,
  min: 1,
  max: 3,
  doc: 'Generated image ports (fake0…), summed over those connected (at least one): 3 for LGGAN\'s final, global and local outputs.',
  ui: { widget: 'number' },
};

export function fakePortNames(params: ResolvedParams): string[] {
  const n = intParam(params, 'images');
  return Array.from({ length: n }, (_, i) => `fake${i}`);
}

export function fakePorts(params: ResolvedParams, what = 'generated image'): PortDef[] {
  const names = fakePortNames(params);
  return names.map((name, i) => ({
    name,
    kind: 'image',
    doc: `B×H×W×3 ${what}${names.length > 1 ? ` #${i} (e.g. ${['final', 'global', 'local'][i]})` : ''}, in [-1, 1].`,
    optional: true,
  }));
}

/** The fake ports that are connected, in port order; throws when none is (a loss over nothing). */
export function connectedFakePorts(inputs: Record<string, TensorType>, params: ResolvedParams): string[] {
  const names = fakePortNames(params);
  const connected = names.filter((port) => inputs[port] !== undefined);
  if (connected.length === 0) {
    throw new NodeRuleError(`no generated image is connected: wire at least one of ${names.map((n) => `'${n}'`).join(', ')}`, { port: names[0] });
  }
  return connected;
}

/** Every connected fake port holds a B×H×W×3 image of the same size as `reference`; at least one is connected. */
export function requireFakeImages(
  inputs: Record<string, TensorType>,
  params: ResolvedParams,
  reference: TensorType,
  referencePort: string,
): { port: string; type: TensorType }[] {
  return connectedFakePorts(inputs, params).map((port) => {
    const fake = requireSpatial(inputs, port, 'image');
    requireChannels(fake, port, 3);
    requireSameSpatial(reference, referencePort, fake, port);
    return { port, type: fake };
  });
}

export function requireImage(inputs: Record<string, TensorType>, port: string): TensorType {
  const t = requireSpatial(inputs, port, 'image');
  requireChannels(t, port, 3);
  return t;
}

export function lossWeight(params: ResolvedParams): number {
  return floatParam(params, 'weight');
}

/** The generated images fed to the node: the connected fake ports' values (open optional ports have none). */
export function fakeTensors(values: Record<string, tf.Tensor>, params: ResolvedParams): tf.Tensor4D[] {
  return fakePortNames(params)
    .filter((port) => values[port] !== undefined)
    .map((port) => values[port] as tf.Tensor4D);
}

/** mean |a − b| (PyTorch nn.L1Loss). */
export function meanAbsDiff(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.abs(tf.sub(a, b)));
}
