/** The discriminator family: networks the adversarial and feature-matching losses apply. */
import type { NodeDef } from '../../contract.ts';
import { multiscaleDiscriminatorNode } from './multiscale-discriminator.ts';
import { patchDiscriminatorNode } from './patch-discriminator.ts';

export const discriminatorNodes: NodeDef[] = [multiscaleDiscriminatorNode, patchDiscriminatorNode];
