/** Official state_dict entries of one discriminator Conv2d (local variable names equal the keys). */
import type { OfficialKey } from '../../contract.ts';
import type { Conv2dSpec } from '../../core/conv/conv-layers.ts';
import { conv2dOfficialKeys as moduleConvKeys } from '../official-keys.ts';

export function conv2dOfficialKeys(prefix: string, spec: Conv2dSpec): OfficialKey[] {
  return moduleConvKeys(prefix, prefix, spec);
}
