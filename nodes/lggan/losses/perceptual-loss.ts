/**
 * lggan/perceptual-loss: SPADE's VGGLoss (generator side). For every fake image:
 *   Σ_l w_l · mean|VGG_l(fake) − VGG_l(real).detach()|, l = relu1_1 … relu5_1,
 *   w = 1/32, 1/16, 1/8, 1/4, 1, summed over the fakes and multiplied by weight (λ_vgg = 10).
 *
 * The VGG19 weights are never bundled or downloaded: the `weights` param names a safetensors file
 * (torchvision names) that the host loads before compiling (vgg19.ts ensureVgg19Weights). With no
 * `weights` the loss is skipped: the node warns, its forward returns a constant 0 and
 * `perceptualSkipReason` tells a trainer why. Naming a file that was not loaded is a build error.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, ResolvedParams } from '../../contract.ts';
import { NodeRuleError, enumParam, stringParam } from '../../core/rules.ts';
import { addTerms, stopGradient } from '../../core/tensor-utils.ts';
import { VGG_LAYER_WEIGHTS, imagenetNormalize, vgg19Features, vgg19Macs, vgg19WeightsFor } from '../training/vgg19.ts';
import type { Vgg19Weights } from '../training/vgg19.ts';
import { IMAGES_PARAM, LOSS_OUTPUTS, connectedFakePorts, fakePorts, fakeTensors, lossOutputType, lossWeight, meanAbsDiff, requireFakeImages, requireImage, weightParam } from './common.ts';
import { lossOf } from '../../pytorch/emit.ts';
import { code } from '../../pytorch/python-literals.ts';
import { weightArg, fakeSources } from './pytorch.ts';

const NORMALIZATIONS = ['imagenet', 'none'] as const;

/** Why this perceptual loss contributes nothing, or undefined when it runs. */
export function perceptualSkipReason(params: ResolvedParams): string | undefined {
  const source = stringParam(params, 'weights').trim();
  if (source === '') return 'no VGG19 weights file is set (param weights), so the perceptual loss is skipped and contributes 0';
  return undefined;
}

/** The VGG19 weights source a host must load before compiling, or undefined when the loss is skipped. */
export function perceptualWeightSource(params: ResolvedParams): string | undefined {
  return perceptualSkipReason(params) ? undefined : stringParam(params, 'weights').trim();
}

function vggInput(x: tf.Tensor, normalization: (typeof NORMALIZATIONS)[number]): tf.Tensor4D {
  return normalization === 'imagenet' ? imagenetNormalize(x as tf.Tensor4D) : (x as tf.Tensor4D);
}

function perceptualDistance(fake: tf.Tensor4D[], real: tf.Tensor4D[]): tf.Scalar {
  return addTerms(fake.map((f, l) => tf.mul(meanAbsDiff(f, real[l]), VGG_LAYER_WEIGHTS[l]))) as tf.Scalar;
}

export const perceptualLossNode: NodeDef = {
  type: 'lggan/perceptual-loss',
  version: 1,
  category: 'loss',
  title: 'Perceptual (VGG19) loss',
  doc:
    "SPADE's VGG19 perceptual loss (generator side): the L1 distance between VGG19 features of each " +
    'generated image and of the real image (detached) at relu1_1, relu2_1, relu3_1, relu4_1 and relu5_1, ' +
    'weighted 1/32, 1/16, 1/8, 1/4 and 1, summed over the fake images and multiplied by weight ' +
    '(λ_vgg = 10). The VGG19 weights come from a user-supplied .safetensors file (torchvision names ' +
    'features.N.weight/bias) named by the weights param and loaded by the host before compiling; ' +
    'without it the loss is skipped with a warning and contributes 0. input_normalization imagenet maps ' +
    'images from [-1, 1] to torchvision\'s normalised input; none feeds [-1, 1] images directly, as ' +
    "SPADE's own VGGLoss does.",
  params: {
    weight: weightParam(10, 'λ_vgg (10).'),
    images: IMAGES_PARAM,
    weights: {
      type: 'string',
      default: '',
      doc: 'Path or URL of a VGG19 .safetensors file with torchvision names (features.0.weight …); empty skips the loss.',
      ui: { widget: 'text' },
    },
    input_normalization: {
      type: 'enum',
      options: NORMALIZATIONS,
      default: 'imagenet',
      doc: "imagenet: ((x+1)/2 − mean)/std as torchvision expects; none: feed [-1, 1] images as SPADE's VGGLoss does.",
      ui: { widget: 'select', advanced: true },
    },
  },
  inputs: (params: ResolvedParams) => [...fakePorts(params), { name: 'real', kind: 'image', doc: 'B×H×W×3 real image, in [-1, 1].' }],
  outputs: LOSS_OUTPUTS,
  infer({ inputs, params }) {
    const real = requireImage(inputs, 'real');
    requireFakeImages(inputs, params, real, 'real');
    const [, h, w] = real.shape;
    if (h.value < 16 || w.value < 16) {
      throw new NodeRuleError(`VGG19 pools four times before relu5_1, so images must be at least 16×16, got ${h.value}×${w.value}`, { port: 'real' });
    }
    return lossOutputType();
  },
  warnings({ params }) {
    const reason = perceptualSkipReason(params);
    return reason ? [reason] : [];
  },
  cost({ inputs, params }) {
    if (perceptualSkipReason(params)) return { params: 0, macs: 0, buffers: 0 };
    const [b, h, w] = inputs.real.shape.map((d) => d.value);
    // VGG runs on every connected fake and once on the real image; its weights are constants, not node state.
    return { params: 0, macs: (connectedFakePorts(inputs, params).length + 1) * vgg19Macs(b, h, w), buffers: 0 };
  },
  pytorch: (ctx) => {
    if (perceptualSkipReason(ctx.node.params)) return { role: 'loss', python: '' }; // skipped: listed in SKIPPED
    return lossOf('PerceptualLoss', {
      weight: weightArg(ctx),
      fakes: fakeSources(ctx),
      real: ctx.source('real'),
      vgg: code(`vgg19_features(vgg19 or ${JSON.stringify(stringParam(ctx.node.params, 'weights').trim())})`),
      normalization: stringParam(ctx.node.params, 'input_normalization'),
    });
  },
  build(ctx, { params }) {
    const weight = lossWeight(params);
    if (perceptualSkipReason(params)) return () => ({ loss: tf.scalar(0) });
    const source = stringParam(params, 'weights').trim();
    const loaded: Vgg19Weights | undefined = vgg19WeightsFor(source);
    if (!loaded) {
      throw new Error(`perceptual loss '${ctx.nodeId}': VGG19 weights '${source}' are not loaded; load them (ensureVgg19Weights) before compiling`);
    }
    const vgg: Vgg19Weights = loaded;
    const normalization = enumParam(params, 'input_normalization', NORMALIZATIONS);
    return (values) =>
      tf.tidy(() => {
        const real = vgg19Features(vggInput(values.real, normalization), vgg).map((f) => stopGradient(f) as tf.Tensor4D);
        const terms = fakeTensors(values, params).map((fake) => perceptualDistance(vgg19Features(vggInput(fake, normalization), vgg), real));
        return { loss: tf.mul(addTerms(terms), weight) };
      });
  },
};
