/**
 * How loss nodes apply a discriminator: `discriminate` reads the run's Judge (src/compiler/judge.ts),
 * which applies each discriminator once to every pair the run's losses named beforehand
 * (BuiltNode.asks); without a Judge, or for a pair not named, the network runs on that pair alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DiscriminatorAsk, NetworkResult, RunContext } from '../../contract.ts';
import { stopGradient } from '../../core/tensor-utils.ts';

/** handle(condition ‖ image), through the run's Judge when there is one. */
export function discriminate(ask: DiscriminatorAsk, run: RunContext): NetworkResult {
  return run.judge ? run.judge.answer(ask, run) : applyDiscriminator(ask, run);
}

/** The ask's image, its gradient stopped when the ask is detached. */
export function judgedImage({ image, detached }: DiscriminatorAsk): tf.Tensor {
  return detached ? stopGradient(image) : image;
}

/** The network applied to this one pair. */
export function applyDiscriminator(ask: DiscriminatorAsk, run: RunContext): NetworkResult {
  return ask.handle.apply({ x: tf.concat([ask.condition, judgedImage(ask)], 3) }, run);
}
