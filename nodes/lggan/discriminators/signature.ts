/**
 * What the discriminator nodes share: their two input ports (fixing the input channels), the
 * `network` output type that describes the handle to loss nodes, and the reader loss nodes use
 * to check what they feed a handle.
 *
 * A discriminator handle takes `{ x }`, the channel concatenation condition ‖ image
 * (B×H×W×(C+3)), and returns per scale the patch map (`outputs[s]`, B×h×w×1) and the output of
 * every block (`features[s]`, the last one being `outputs[s]` itself, as SPADE's getIntermFeat).
 * The signature's output names say whether the patch map holds logits (`logits_<s>`) or sigmoid
 * probabilities (`probabilities_<s>`), so that a loss node picks the right formula.
 */
import type { NetworkSignature, PortDef, TensorType } from '../../contract.ts';
import { formatShape } from '../../dims.ts';
import { NodeRuleError, channelsOf, describeType, mapType, requireChannels, requireInput, requireSameSpatial, requireSpatial, sumDims } from '../../core/rules.ts';

export const DISCRIMINATOR_NETWORK = 'D';

export function discriminatorInputPorts(conditionDoc: string): PortDef[] {
  return [
    { name: 'condition', kind: 'feature', doc: conditionDoc },
    { name: 'image', kind: 'image', doc: 'B×H×W×3 image the discriminator judges (real or generated); fixes the input channels only.' },
  ];
}

export const NETWORK_OUTPUT_PORT: PortDef = {
  name: 'network',
  kind: 'network',
  doc: "Handle for loss nodes: apply({x: condition ‖ image}) → per scale the patch map and every block's features.",
};

/** The B×H×W×(C+3) map a discriminator reads, from its two wired ports. */
export function discriminatorInputType(inputs: Record<string, TensorType>): TensorType {
  const condition = requireSpatial(inputs, 'condition');
  const image = requireSpatial(inputs, 'image', 'image');
  requireChannels(image, 'image', 3);
  requireSameSpatial(condition, 'condition', image, 'image');
  const [b, h, w] = condition.shape;
  return mapType('feature', b, h, w, sumDims([condition.shape[3], image.shape[3]]));
}

export function discriminatorNetworkType(name: string, input: TensorType, outputs: TensorType[], probabilities: boolean): TensorType {
  const prefix = probabilities ? 'probabilities' : 'logits';
  const signature: NetworkSignature = {
    name,
    inputs: { x: input },
    outputs: Object.fromEntries(outputs.map((t, s) => [`${prefix}_${s}`, t])),
  };
  return { kind: 'network', shape: [], network: signature };
}

export interface DiscriminatorInfo {
  signature: NetworkSignature;
  /** The B×H×W×(C+3) input the discriminator was built for. */
  input: TensorType;
  /** Patch map per scale. */
  outputs: TensorType[];
  /** True when the patch maps are sigmoid probabilities rather than logits. */
  probabilities: boolean;
}

/** Reads the discriminator handle wired into `port`; throws a NodeRuleError at the port otherwise. */
export function readDiscriminator(inputs: Record<string, TensorType>, port = 'discriminator'): DiscriminatorInfo {
  const t = requireInput(inputs, port);
  const signature = t.network;
  if (t.kind !== 'network' || !signature || !signature.inputs.x) {
    throw new NodeRuleError(`port '${port}' expects a discriminator network handle, got a ${describeType(t)}`, { port });
  }
  const names = Object.keys(signature.outputs);
  const probabilities = names.length > 0 && names.every((n) => n.startsWith('probabilities_'));
  if (names.length === 0 || (!probabilities && !names.every((n) => n.startsWith('logits_')))) {
    throw new NodeRuleError(`port '${port}': network '${signature.name}' is not a discriminator (outputs: ${names.join(', ') || 'none'})`, { port });
  }
  return { signature, input: signature.inputs.x, outputs: names.map((n) => signature.outputs[n]), probabilities };
}

/**
 * Checks that condition ‖ `imagePort` matches what the discriminator was built for: same
 * channel total and the same H×W (its patch sizes were inferred for that size).
 */
export function requireDiscriminatorPair(d: DiscriminatorInfo, condition: TensorType, image: TensorType, imagePort: string): void {
  requireChannels(image, imagePort, 3);
  requireSameSpatial(condition, 'condition', image, imagePort);
  const expected = channelsOf(d.input);
  const got = channelsOf(condition) + 3;
  if (got !== expected) {
    throw new NodeRuleError(
      `port 'condition' has ${channelsOf(condition)} channels, so condition ‖ ${imagePort} has ${got}, but the discriminator '${d.signature.name}' reads ${expected} (${formatShape(d.input.shape)})`,
      { port: 'condition' },
    );
  }
  const [, h, w] = d.input.shape;
  const [, ch, cw] = condition.shape;
  if (h.value !== ch.value || w.value !== cw.value) {
    throw new NodeRuleError(
      `port 'condition' is ${formatShape(condition.shape)} but the discriminator was built for ${formatShape(d.input.shape)}: spatial sizes must agree`,
      { port: 'condition' },
    );
  }
}
