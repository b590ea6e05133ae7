/**
 * Official PyTorch state_dict entries of the layers the LGGAN nodes mirror, in PyTorch's
 * registration order and layouts. One implementation for every node of the pack.
 */
import type { OfficialKey } from '../contract.ts';
import type { Conv2dSpec, ConvTranspose2dSpec } from '../core/conv/conv-layers.ts';
import { scoped } from '../core/conv/spectral-norm.ts';

export type ConvKeySpec = Pick<Conv2dSpec, 'inChannels' | 'outChannels' | 'kernel' | 'bias' | 'spectralNorm'>;
export type ConvTransposeKeySpec = Pick<ConvTranspose2dSpec, 'inChannels' | 'outChannels' | 'kernel' | 'bias'>;

/** `name` under an official module path: "head_0" + "conv_0.bias" → "head_0.conv_0.bias". */
export function officialPath(prefix: string, name: string): string {
  return `${scoped(prefix)}${name}`;
}

/**
 * The state_dict entries of a Conv2d at module path `officialPrefix`, held in variables under
 * `localPrefix`. PyTorch lists `weight, bias`; a spectral-normalised layer lists `bias,
 * weight_orig, weight_u, weight_v` (spectral_norm re-registers the weight after the bias).
 */
export function conv2dOfficialKeys(officialPrefix: string, localPrefix: string, spec: ConvKeySpec): OfficialKey[] {
  const k = spec.kernel;
  const weightShape = [spec.outChannels, spec.inChannels, k, k];
  const key = (name: string) => officialPath(officialPrefix, name);
  const local = (name: string) => officialPath(localPrefix, name);
  const bias: OfficialKey[] = spec.bias
    ? [{ key: key('bias'), variable: local('bias'), shape: [spec.outChannels], layout: 'vector', kind: 'parameter' }]
    : [];
  if (!spec.spectralNorm) {
    return [{ key: key('weight'), variable: local('weight'), shape: weightShape, layout: 'conv2d', kind: 'parameter' }, ...bias];
  }
  return [
    ...bias,
    { key: key('weight_orig'), variable: local('weight_orig'), shape: weightShape, layout: 'conv2d', kind: 'parameter' },
    { key: key('weight_u'), variable: local('weight_u'), shape: [spec.outChannels], layout: 'vector', kind: 'buffer' },
    { key: key('weight_v'), variable: local('weight_v'), shape: [spec.inChannels * k * k], layout: 'vector', kind: 'buffer' },
  ];
}

/** The state_dict entries of a ConvTranspose2d (PyTorch weight layout [in, out, kh, kw]). */
export function convTranspose2dOfficialKeys(officialPrefix: string, localPrefix: string, spec: ConvTransposeKeySpec): OfficialKey[] {
  const k = spec.kernel;
  const keys: OfficialKey[] = [
    {
      key: officialPath(officialPrefix, 'weight'),
      variable: officialPath(localPrefix, 'weight'),
      shape: [spec.inChannels, spec.outChannels, k, k],
      layout: 'conv2d-transpose',
      kind: 'parameter',
    },
  ];
  if (spec.bias) {
    keys.push({ key: officialPath(officialPrefix, 'bias'), variable: officialPath(localPrefix, 'bias'), shape: [spec.outChannels], layout: 'vector', kind: 'parameter' });
  }
  return keys;
}

/** `<module>.weight` [out, in] and `<module>.bias` [out]. */
export function linearOfficialKeys(module: string, variablePrefix: string, inFeatures: number, outFeatures: number): OfficialKey[] {
  return [
    { key: `${module}.weight`, variable: `${variablePrefix}.weight`, shape: [outFeatures, inFeatures], layout: 'linear', kind: 'parameter' },
    { key: `${module}.bias`, variable: `${variablePrefix}.bias`, shape: [outFeatures], layout: 'vector', kind: 'parameter' },
  ];
}
