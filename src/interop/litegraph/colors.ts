/** Node colours by category, as litegraph's `color` (title bar) and `bgcolor` (body). */
import type { NodeCategory } from '../../../nodes/contract.ts';

export interface NodeColors {
  color: string;
  bgcolor: string;
}

const PALETTE: Record<NodeCategory, NodeColors> = {
  input: { color: '#2a5a2a', bgcolor: '#3d6e3d' },
  conv: { color: '#2a4a6e', bgcolor: '#355c85' },
  norm: { color: '#4a3a6e', bgcolor: '#5c4a85' },
  activation: { color: '#5a4a2a', bgcolor: '#6e5c35' },
  block: { color: '#2a5a6e', bgcolor: '#356e85' },
  resample: { color: '#2a6e5a', bgcolor: '#35856e' },
  combine: { color: '#5a5a5a', bgcolor: '#6e6e6e' },
  dense: { color: '#3a4a5a', bgcolor: '#4a5c6e' },
  output: { color: '#6e2a5a', bgcolor: '#85356e' },
  lggan: { color: '#6e4a2a', bgcolor: '#855c35' },
  discriminator: { color: '#6e2a2a', bgcolor: '#853535' },
  loss: { color: '#6e5a2a', bgcolor: '#856e35' },
  training: { color: '#4a4a2a', bgcolor: '#5c5c35' },
};

export function categoryColors(category: NodeCategory): NodeColors {
  return PALETTE[category];
}

/** Shown on nodes with errors (litegraph's `boxcolor`, the square in the title bar). */
export const ERROR_BOX_COLOR = '#ff3b30';
export const WARNING_BOX_COLOR = '#ffb020';
