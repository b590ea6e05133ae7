/**
 * Shape rule shared by add and multiply: two maps with equal batch/height/width, and equal
 * channels or one side with a single channel (broadcast over the other's channels).
 */
import type { TensorType } from '../../contract.ts';
import { formatShape } from '../../dims.ts';
import { NodeRuleError, channelsOf, requireSameSpatial, requireSpatial } from '../rules.ts';

export function inferBroadcastPair(inputs: Record<string, TensorType>, verb: string): TensorType {
  const a = requireSpatial(inputs, 'a');
  const b = requireSpatial(inputs, 'b');
  requireSameSpatial(a, 'a', b, 'b');
  const ca = channelsOf(a);
  const cb = channelsOf(b);
  if (ca !== cb && ca !== 1 && cb !== 1) {
    throw new NodeRuleError(
      `port 'b' is ${formatShape(b.shape)} but port 'a' is ${formatShape(a.shape)}: ${verb} needs equal channels (${cb} vs ${ca}) or one side with 1 channel`,
      { port: 'b' },
    );
  }
  const widest = cb > ca ? b : a;
  return { kind: a.kind === b.kind ? a.kind : 'feature', shape: widest.shape };
}
