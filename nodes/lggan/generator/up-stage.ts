/**
 * The LGGAN decoder up stage, shared by the local trunk (`deconv3_local`, `deconv4_local`) and the
 * attention branch (`deconv3_attention`, `deconv4_attention`): ×2 upsampling with a channel
 * change, then InstanceNorm (affine=False) and ReLU.
 * - transposed (official): ConvTranspose 3×3, stride 2, padding 1, output_padding 1, with bias;
 * - sau / sau-label-gated (LGGAN++): SAU (k×k window, ×2) with a 1×1 channel change, variables
 *   `<name>_sau.*`; these have no official keys.
 * Also: official-key entries for plain convs, transposed convs and linear layers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext, EnumParam, IntParam, NodeCost, OfficialKey, PortDef, ResolvedParams, RunContext, TensorType } from '../../contract.ts';
import { convTranspose2dCost, convTranspose2dOutputType, createConvTranspose2d } from '../../core/conv/conv-layers.ts';
import type { ConvTranspose2dSpec } from '../../core/conv/conv-layers.ts';
import { createInstanceNorm, normCost } from '../../core/norm/norm-layers.ts';
import type { NormSpec } from '../../core/norm/norm-layers.ts';
import { checkParam, enumParam, intParam, requireSpatial } from '../../core/rules.ts';
import { SAU_LABELS_DOC, checkSauLabels, createSau, sauCost, sauOutputType } from './sau-layer.ts';
import type { SauSpec } from './sau-layer.ts';
import { conv2dOfficialKeys, convTranspose2dOfficialKeys, linearOfficialKeys } from '../official-keys.ts';
import type { EmitContext, PyArgs } from '../../pytorch/emit.ts';

export type UpsamplingMode = 'transposed' | 'sau' | 'sau-label-gated';
export const UPSAMPLING_MODES: readonly UpsamplingMode[] = ['transposed', 'sau', 'sau-label-gated'];

export interface UpStageSpec {
  inChannels: number;
  outChannels: number;
  mode: UpsamplingMode;
  /** SAU window k (odd). */
  sauKernel: number;
  /** SAU kernel-prediction width. */
  sauMidChannels: number;
}

// ---------------------------------------------------------------------------------------------
// Params and ports shared by the nodes with up stages

export const upsamplingParam: EnumParam = {
  type: 'enum',
  options: UPSAMPLING_MODES,
  default: 'transposed',
  doc:
    'transposed: the official ConvTranspose 3×3 s2 stages; sau: semantic-aware upsampling (LGGAN++) with a ' +
    '1×1 channel change; sau-label-gated: SAU whose taps are restricted to the centre pixel\'s class (our ' +
    'ablation, needs `labels`). SAU stages have no official checkpoint keys.',
  ui: { widget: 'select', group: 'upsampling' },
};

export const sauKernelParam: IntParam = {
  type: 'int',
  default: 5,
  min: 1,
  max: 11,
  doc: 'SAU reassembly window k (odd).',
  ui: { widget: 'number', group: 'upsampling', advanced: true },
};

export const sauMidChannelsParam: IntParam = {
  type: 'int',
  default: 64,
  min: 1,
  max: 4096,
  template: true,
  doc: 'Width of the SAU kernel-prediction branch.',
  ui: { widget: 'number', group: 'upsampling', advanced: true },
};

/** Channels after the first up stage, shared by the local trunk and attention fusion. */
export const upChannelsParam: IntParam = {
  type: 'int',
  default: 'ngf*2',
  min: 1,
  max: 4096,
  template: true,
  doc: 'Channels after the first up stage (official 128).',
  ui: { widget: 'number', group: 'shape' },
};

/** The `labels` port that label-gated SAU stages need. */
export const gatingLabelsPort: PortDef = { name: 'labels', kind: 'feature', doc: SAU_LABELS_DOC };

export function upsamplingOf(params: ResolvedParams): UpsamplingMode {
  return enumParam(params, 'upsampling', UPSAMPLING_MODES);
}

/** Reads `sau_kernel`/`sau_mid_channels` and checks the kernel is odd. */
export function sauSettingsOf(params: ResolvedParams): { sauKernel: number; sauMidChannels: number } {
  const sauKernel = intParam(params, 'sau_kernel');
  checkParam(sauKernel % 2 === 1, 'sau_kernel', `sau_kernel must be odd so the window has a centre, got ${sauKernel}`);
  return { sauKernel, sauMidChannels: intParam(params, 'sau_mid_channels') };
}

// ---------------------------------------------------------------------------------------------
// One up stage

function transposedSpec(spec: UpStageSpec): ConvTranspose2dSpec {
  return { inChannels: spec.inChannels, outChannels: spec.outChannels, kernel: 3, stride: 2, padding: 1, outputPadding: 1, bias: true };
}

function sauSpec(spec: UpStageSpec): SauSpec {
  return {
    channels: spec.inChannels,
    kernel: spec.sauKernel,
    scale: 2,
    midChannels: spec.sauMidChannels,
    outChannels: spec.outChannels,
    gating: spec.mode === 'sau-label-gated' ? 'label-gated' : 'none',
  };
}

function normSpec(spec: UpStageSpec): NormSpec {
  return { kind: 'instance', channels: spec.outChannels, affine: false, eps: 1e-5, momentum: 0.1 };
}

/** Variable prefix of a stage: the official module name, or `<name>_sau` for SAU stages. */
export function upStagePrefix(name: string, mode: UpsamplingMode): string {
  return mode === 'transposed' ? name : `${name}_sau`;
}

/** B×2H×2W×out. `labels` (when connected) is checked against the stage's output size. */
export function upStageOutputType(x: TensorType, spec: UpStageSpec, labels?: TensorType): TensorType {
  const y = spec.mode === 'transposed' ? convTranspose2dOutputType(x, transposedSpec(spec)) : sauOutputType(x, sauSpec(spec));
  if (spec.mode === 'sau-label-gated' && labels) checkSauLabels(labels, 'labels', y);
  return y;
}

export function upStageCost(spec: UpStageSpec, x: TensorType): NodeCost {
  const y = upStageOutputType(x, spec);
  const up = spec.mode === 'transposed' ? convTranspose2dCost(transposedSpec(spec), x) : sauCost(sauSpec(spec), x);
  const norm = normCost(normSpec(spec), y);
  return { params: up.params, macs: up.macs + norm.macs, buffers: 0 };
}

export type UpStageForward = (x: tf.Tensor4D, labels: tf.Tensor4D | undefined, run: RunContext) => tf.Tensor4D;

export function createUpStage(ctx: BuildContext, name: string, spec: UpStageSpec): UpStageForward {
  const prefix = upStagePrefix(name, spec.mode);
  const norm = createInstanceNorm(ctx, '', normSpec(spec));
  if (spec.mode === 'transposed') {
    const deconv = createConvTranspose2d(ctx, prefix, transposedSpec(spec));
    return (x, _labels, run) => tf.tidy(() => tf.relu(norm(deconv(x, run), run)));
  }
  const sau = createSau(ctx, prefix, sauSpec(spec));
  return (x, labels, run) => tf.tidy(() => tf.relu(norm(sau(x, labels, run), run)));
}

/** Official keys of a transposed stage (none for SAU stages). */
export function upStageOfficialKeys(name: string, spec: UpStageSpec): OfficialKey[] {
  if (spec.mode !== 'transposed') return [];
  return convTranspose2dKeys(name, name, spec.inChannels, spec.outChannels, 3);
}

// ---------------------------------------------------------------------------------------------
// Two-stage decoder: deconv3_<branch> (C → mid), deconv4_<branch> (mid → out)

export interface UpDecoderSpec {
  inChannels: number;
  midChannels: number;
  outChannels: number;
  mode: UpsamplingMode;
  sauKernel: number;
  sauMidChannels: number;
}

export function decoderStages(branch: string, spec: UpDecoderSpec): Array<{ name: string; spec: UpStageSpec }> {
  const common = { mode: spec.mode, sauKernel: spec.sauKernel, sauMidChannels: spec.sauMidChannels };
  return [
    { name: `deconv3_${branch}`, spec: { ...common, inChannels: spec.inChannels, outChannels: spec.midChannels } },
    { name: `deconv4_${branch}`, spec: { ...common, inChannels: spec.midChannels, outChannels: spec.outChannels } },
  ];
}

/** Output type after both stages (B×4H×4W×out); checks labels against both stage sizes. */
export function upDecoderOutputType(x: TensorType, branch: string, spec: UpDecoderSpec, labels?: TensorType): TensorType {
  let t = x;
  for (const stage of decoderStages(branch, spec)) t = upStageOutputType(t, stage.spec, labels);
  return t;
}

export function upDecoderCost(x: TensorType, branch: string, spec: UpDecoderSpec): NodeCost {
  let t = x;
  const total: NodeCost = { params: 0, macs: 0, buffers: 0 };
  for (const stage of decoderStages(branch, spec)) {
    const c = upStageCost(stage.spec, t);
    total.params += c.params;
    total.macs += c.macs;
    t = upStageOutputType(t, stage.spec);
  }
  return total;
}

export function createUpDecoder(ctx: BuildContext, branch: string, spec: UpDecoderSpec): UpStageForward {
  const stages = decoderStages(branch, spec).map((s) => createUpStage(ctx, s.name, s.spec));
  return (x, labels, run) => stages.reduce((h, stage) => stage(h, labels, run), x);
}

export function upDecoderOfficialKeys(branch: string, spec: UpDecoderSpec): OfficialKey[] {
  return decoderStages(branch, spec).flatMap((s) => upStageOfficialKeys(s.name, s.spec));
}

/** Reads `x` and, for label-gated decoders, the `labels` port. */
export function decoderInputs(inputs: Record<string, TensorType>, xPort: string, mode: UpsamplingMode): { x: TensorType; labels?: TensorType } {
  const x = requireSpatial(inputs, xPort);
  return { x, labels: mode === 'sau-label-gated' ? requireSpatial(inputs, 'labels') : undefined };
}

// ---------------------------------------------------------------------------------------------
// Official state_dict entries (PyTorch layouts)

/** A plain conv's entries (`<module>.weight` [out, in, k, k], `<module>.bias`), held under `variablePrefix`. */
export function conv2dKeys(module: string, variablePrefix: string, inChannels: number, outChannels: number, kernel: number, bias = true): OfficialKey[] {
  return conv2dOfficialKeys(module, variablePrefix, { inChannels, outChannels, kernel, bias, spectralNorm: false });
}

/** A transposed conv's entries (PyTorch layout [in, out, k, k]) with bias. */
export function convTranspose2dKeys(module: string, variablePrefix: string, inChannels: number, outChannels: number, kernel: number): OfficialKey[] {
  return convTranspose2dOfficialKeys(module, variablePrefix, { inChannels, outChannels, kernel, bias: true });
}

export { linearOfficialKeys as linearKeys };

/** The up-stage settings as the exported Python modules take them (the local trunk, attention fusion). */
export function upsamplingPythonArgs(ctx: EmitContext): PyArgs {
  return {
    upsampling: upsamplingOf(ctx.node.params),
    sau_kernel: intParam(ctx.node.params, 'sau_kernel'),
    sau_mid_channels: intParam(ctx.node.params, 'sau_mid_channels'),
  };
}
