/**
 * lggan/adversarial-loss: the GAN loss of one discriminator, for the generator or the
 * discriminator step.
 *
 * Per image pair (fake_i, real) and discriminator scale, with patch maps d = D(condition ‖ image):
 * - hinge (SPADE): G −mean(d_fake); D mean(relu(1 − d_real)) + mean(relu(1 + d_fake)).
 * - bce (pix2pix vanilla): G BCE(d_fake, 1); D ½·(BCE(d_fake, 0) + BCE(d_real, 1)).
 * - lsgan (pix2pix): G mean((d_fake − 1)²); D ½·(mean(d_fake²) + mean((d_real − 1)²)).
 * Each term is a per-scale mean, averaged over the scales (SPADE's GANLoss), then summed over the
 * fake images (LGGAN's final + global + local) and multiplied by `weight`.
 *
 * BCE reads the discriminator's signature: sigmoid outputs (pix2pix no_lsgan) are probabilities,
 * whose logs are clamped at the smallest normal float32 (PyTorch BCELoss clamps at −100; the two
 * differ only for saturated outputs, and ours keeps gradients finite); logit outputs use the
 * stable BCE-with-logits (softplus) form.
 *
 * The discriminator side detaches the fakes (stopGradient), so D's loss never reaches G. Within a
 * program run D is applied once to every pair the run's losses judge (src/compiler/judge.ts: fake
 * and real batched, as SPADE and the exported PyTorch package do), so the real image's term is one
 * application shared by every fake.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DiscriminatorAsk, NetworkHandle, NodeDef, NodeForward, PortDef, ResolvedParams, RunContext } from '../../contract.ts';
import { NodeRuleError, enumParam, requireSpatial, stringParam } from '../../core/rules.ts';
import { addTerms } from '../../core/tensor-utils.ts';
import { discriminate } from '../discriminators/discriminate.ts';
import { readDiscriminator, requireDiscriminatorPair } from '../discriminators/signature.ts';
import {
  IMAGES_PARAM,
  LOSS_OUTPUTS,
  LOSS_SIDES,
  fakePorts,
  fakeTensors,
  lossOutputType,
  lossWeight,
  requireFakeImages,
  requireImage,
  weightParam,
} from './common.ts';
import type { LossSide } from './common.ts';
import { lossOf, type EmitContext, type Emitted } from '../../pytorch/emit.ts';
import { weightArg, fakeSources } from './pytorch.ts';

const MODES = ['hinge', 'bce', 'lsgan'] as const;
type GanMode = (typeof MODES)[number];

/** log(p) with p clamped to the smallest normal float32, so saturated sigmoids keep finite gradients. */
const MIN_NORMAL_F32 = 1.1754944e-38;

function safeLog(p: tf.Tensor): tf.Tensor {
  return tf.maximum(tf.log(tf.maximum(p, MIN_NORMAL_F32)), -100);
}

/** BCE of a patch map against an all-`target` label, mean over elements. */
export function bceAgainst(d: tf.Tensor, target: 0 | 1, probabilities: boolean): tf.Scalar {
  return tf.tidy(() => {
    if (probabilities) return tf.neg(tf.mean(safeLog(target === 1 ? d : tf.sub(1, d)))) as tf.Scalar;
    // BCE-with-logits: target 1 → softplus(−x), target 0 → softplus(x)
    return tf.mean(tf.softplus(target === 1 ? tf.neg(d) : d)) as tf.Scalar;
  });
}

type Term = (d: tf.Tensor) => tf.Scalar;

function generatorTerm(mode: GanMode, probabilities: boolean): Term {
  switch (mode) {
    case 'hinge':
      return (d) => tf.neg(tf.mean(d)) as tf.Scalar;
    case 'bce':
      return (d) => bceAgainst(d, 1, probabilities);
    case 'lsgan':
      return (d) => tf.mean(tf.square(tf.sub(d, 1)));
  }
}

function discriminatorTerms(mode: GanMode, probabilities: boolean): { fake: Term; real: Term; scale: number } {
  switch (mode) {
    case 'hinge':
      return { fake: (d) => tf.mean(tf.relu(tf.add(d, 1))), real: (d) => tf.mean(tf.relu(tf.sub(1, d))), scale: 1 };
    case 'bce':
      return { fake: (d) => bceAgainst(d, 0, probabilities), real: (d) => bceAgainst(d, 1, probabilities), scale: 0.5 };
    case 'lsgan':
      return { fake: (d) => tf.mean(tf.square(d)), real: (d) => tf.mean(tf.square(tf.sub(d, 1))), scale: 0.5 };
  }
}

/** D(condition ‖ image) through the run's Judge, with `term` averaged over its scales. */
function scaleAveraged(ask: DiscriminatorAsk, run: RunContext, term: Term): tf.Scalar {
  const { outputs } = discriminate(ask, run);
  return tf.div(addTerms(outputs.map(term)), outputs.length) as tf.Scalar;
}

/** The pairs a side judges: every fake (detached on the discriminator side) and, for D, the real image. */
function pairsOf(handle: NetworkHandle, side: LossSide, values: Record<string, tf.Tensor>, params: ResolvedParams): { fakes: DiscriminatorAsk[]; real?: DiscriminatorAsk } {
  const condition = values.condition;
  const detached = side === 'discriminator';
  const fakes = fakeTensors(values, params).map((image) => ({ handle, condition, image, detached }));
  return detached ? { fakes, real: { handle, condition, image: values.real, detached: false } } : { fakes };
}

function sideOf(params: ResolvedParams): LossSide {
  return enumParam(params, 'side', LOSS_SIDES);
}

function portsOf(params: ResolvedParams): PortDef[] {
  const ports: PortDef[] = [
    { name: 'discriminator', kind: 'network', doc: 'Discriminator handle (lggan/multiscale-discriminator or lggan/patch-discriminator).' },
    { name: 'condition', kind: 'feature', doc: 'B×H×W×C map the discriminator is conditioned on (semantic map, source image …).' },
    ...fakePorts(params),
  ];
  if (sideOf(params) === 'discriminator') ports.push({ name: 'real', kind: 'image', doc: 'B×H×W×3 real image, in [-1, 1].' });
  return ports;
}

export const adversarialLossNode: NodeDef = {
  type: 'lggan/adversarial-loss',
  version: 1,
  category: 'loss',
  title: 'Adversarial loss',
  doc:
    'GAN loss of one discriminator for the generator or the discriminator step. hinge follows SPADE ' +
    '(G: −mean D(fake); D: mean relu(1 − D(real)) + mean relu(1 + D(fake))); bce and lsgan follow ' +
    'pix2pix, whose D loss is ½·(fake term + real term). Per-scale means are averaged over the ' +
    "discriminator's scales and summed over the fake images (fake0…: LGGAN's final, global and local " +
    'outputs). bce uses probabilities when the discriminator ends with a sigmoid and logits otherwise. ' +
    'The discriminator side detaches the fakes, so its loss never trains G.',
  params: {
    mode: { type: 'enum', options: MODES, default: 'hinge', doc: 'hinge (semantic synthesis), bce (cross-view, no_lsgan) or lsgan.', ui: { widget: 'select' } },
    side: { type: 'enum', options: LOSS_SIDES, default: 'generator', doc: 'Which step this loss trains.', ui: { widget: 'select' } },
    weight: weightParam(1, 'Multiplier of the loss (1 in both official settings).'),
    images: IMAGES_PARAM,
  },
  inputs: portsOf,
  outputs: LOSS_OUTPUTS,
  infer({ inputs, params }) {
    const d = readDiscriminator(inputs);
    const condition = requireSpatial(inputs, 'condition');
    for (const fake of requireFakeImages(inputs, params, condition, 'condition')) requireDiscriminatorPair(d, condition, fake.type, fake.port);
    if (sideOf(params) === 'discriminator') {
      const real = requireImage(inputs, 'real');
      requireDiscriminatorPair(d, condition, real, 'real');
    }
    return lossOutputType();
  },
  warnings({ inputs, params }) {
    let probabilities = false;
    try {
      probabilities = readDiscriminator(inputs).probabilities;
    } catch {
      return []; // infer reports a bad handle
    }
    if (probabilities && enumParam(params, 'mode', MODES) === 'hinge') {
      return ['hinge loss on a discriminator that ends with a sigmoid: its outputs are probabilities in (0, 1), so the hinge margins never bind; turn the sigmoid off or use bce'];
    }
    return [];
  },
  cost() {
    return { params: 0, macs: 0, buffers: 0 };
  },
  pytorch: emitAdversarialLoss,
  build(_ctx, { inputs, params, handles }) {
    const handle = handles.discriminator;
    if (!handle) throw new NodeRuleError("input 'discriminator' has no network handle wired at build time", { port: 'discriminator' });
    const { probabilities } = readDiscriminator(inputs);
    const mode = enumParam(params, 'mode', MODES);
    const weight = lossWeight(params);
    const side = sideOf(params);
    const asks = (values: Record<string, tf.Tensor>) => {
      const { fakes, real } = pairsOf(handle, side, values, params);
      return real ? [...fakes, real] : fakes;
    };
    if (side === 'generator') {
      const term = generatorTerm(mode, probabilities);
      const forward: NodeForward = (values, run) =>
        tf.tidy(() => {
          const terms = pairsOf(handle, side, values, params).fakes.map((fake) => scaleAveraged(fake, run, term));
          return { loss: tf.mul(addTerms(terms), weight) };
        });
      return { forward, asks };
    }
    const { fake: fakeTerm, real: realTerm, scale } = discriminatorTerms(mode, probabilities);
    const forward: NodeForward = (values, run) =>
      tf.tidy(() => {
        const { fakes, real } = pairsOf(handle, side, values, params);
        const realPart = scaleAveraged(real!, run, realTerm);
        const terms = fakes.map((fake) => tf.add(scaleAveraged(fake, run, fakeTerm), realPart));
        return { loss: tf.mul(addTerms(terms), weight * scale) };
      });
    return { forward, asks };
  },
};

function emitAdversarialLoss(ctx: EmitContext): Emitted {
  const side = enumParam(ctx.node.params, 'side', LOSS_SIDES);
  const d = ctx.handle('discriminator');
  return lossOf('AdversarialLoss', {
    mode: stringParam(ctx.node.params, 'mode'),
    side,
    weight: weightArg(ctx),
    network: d.network,
    discriminator: d.node,
    condition: ctx.source('condition'),
    fakes: fakeSources(ctx),
    real: side === 'discriminator' ? ctx.source('real') : null,
    probabilities: readDiscriminator(ctx.node.inputs).probabilities,
  });
}
