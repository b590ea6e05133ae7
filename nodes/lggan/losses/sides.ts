/**
 * Which training step each loss node's output belongs to, and whether it is skipped, for the
 * trainer and the training-step builder. Only the adversarial loss has a discriminator flavour;
 * every other loss trains the generator.
 */
import type { NodeDef, ResolvedParams } from '../../contract.ts';
import { enumParam } from '../../core/rules.ts';
import { LOSS_SIDES } from './common.ts';
import type { LossSide } from './common.ts';
import { perceptualLossNode, perceptualSkipReason } from './perceptual-loss.ts';

/** The side a loss node trains, or undefined for nodes that are not losses. */
export function lossSide(def: NodeDef, params: ResolvedParams): LossSide | undefined {
  if (def.category !== 'loss') return undefined;
  return 'side' in def.params ? enumParam(params, 'side', LOSS_SIDES) : 'generator';
}

/** Why a loss node contributes a constant 0 (e.g. a perceptual loss without VGG19 weights), or undefined. */
export function lossSkipReason(def: NodeDef, params: ResolvedParams): string | undefined {
  if (def.type === perceptualLossNode.type) return perceptualSkipReason(params);
  return undefined;
}
