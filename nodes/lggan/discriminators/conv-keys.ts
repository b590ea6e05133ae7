/** Official state_dict entries of one Conv2d, in PyTorch's registration order. */
import type { OfficialKey } from '../../contract.ts';
import type { Conv2dSpec } from '../../core/conv-layers.ts';

/**
 * Plain conv: `weight`, then `bias`. Spectral-norm conv: `bias` first (spectral_norm removes and
 * re-registers the weight), then `weight_orig`, `weight_u` [out] and `weight_v` [in·k·k].
 * Local variable names equal the official keys.
 */
export function conv2dOfficialKeys(prefix: string, spec: Conv2dSpec): OfficialKey[] {
  const { inChannels: inC, outChannels: outC, kernel: k } = spec;
  const entry = (name: string, shape: number[], layout: OfficialKey['layout'], kind: OfficialKey['kind']): OfficialKey => ({
    key: `${prefix}.${name}`,
    variable: `${prefix}.${name}`,
    shape,
    layout,
    kind,
  });
  const bias = spec.bias ? [entry('bias', [outC], 'vector', 'parameter')] : [];
  if (!spec.spectralNorm) return [entry('weight', [outC, inC, k, k], 'conv2d', 'parameter'), ...bias];
  return [
    ...bias,
    entry('weight_orig', [outC, inC, k, k], 'conv2d', 'parameter'),
    entry('weight_u', [outC], 'vector', 'buffer'),
    entry('weight_v', [inC * k * k], 'vector', 'buffer'),
  ];
}
