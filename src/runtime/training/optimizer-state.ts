/**
 * The names optimizer state is saved under, and their validation on load. One flat namespace so
 * that a checkpoint file can hold it next to the weights:
 *   optimizer.iteration              int32 scalar: completed training iterations (TrainingRun.stepCount)
 *   optimizer.<G|D>.step             int32 scalar: Adam updates applied on that side
 *   optimizer.<G|D>.<variable>.m/.v  Adam's first and second moments, shaped like the variable
 * where <variable> is the variable's stable name (`gen1.weight`, `disc.discriminator_0.model0.0.weight`).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from './adam.ts';
import type { Side } from './plan.ts';

export const STATE_PREFIX = 'optimizer.';
export const ITERATION_ENTRY = `${STATE_PREFIX}iteration`;
export const sidePrefix = (side: Side) => `${STATE_PREFIX}${side}.`;
export const stepEntry = (side: Side) => `${sidePrefix(side)}step`;

export interface SideOptimizerState {
  updates: number;
  moments: Map<string, { m: tf.Tensor; v: tf.Tensor }>;
}

export interface ParsedState {
  iteration?: number;
  sides: Record<Side, SideOptimizerState>;
}

function wholeScalar(t: tf.Tensor, name: string): number {
  const value = t.size === 1 ? t.dataSync()[0] : NaN;
  if (!Number.isInteger(value) || value < 0) throw new Error(`optimizer state '${name}' must be a whole-number scalar ≥ 0`);
  return value;
}

/**
 * Reads entries as optimizerState() writes them, checking everything before anything is loaded:
 * every name is known, moments come in m/v pairs shaped like their variable, and a side with
 * moments has its step counter. A side absent from `entries` starts fresh (0 updates, no moments).
 */
export function parseOptimizerState(entries: NamedTensor[], variables: Record<Side, Map<string, tf.Variable>>): ParsedState {
  let iteration: number | undefined;
  const updates: Partial<Record<Side, number>> = {};
  const halves: Record<Side, Map<string, { m?: tf.Tensor; v?: tf.Tensor }>> = { G: new Map(), D: new Map() };
  for (const { name, tensor } of entries) {
    if (name === ITERATION_ENTRY) {
      iteration = wholeScalar(tensor, name);
      continue;
    }
    const side = (['G', 'D'] as const).find((s) => name.startsWith(sidePrefix(s)));
    const rest = side ? name.slice(sidePrefix(side).length) : '';
    if (side && rest === 'step') {
      updates[side] = wholeScalar(tensor, name);
      continue;
    }
    const which = rest.endsWith('.m') ? 'm' : rest.endsWith('.v') ? 'v' : undefined;
    const variable = side && which ? variables[side].get(rest.slice(0, -2)) : undefined;
    if (!side || !which || !variable) {
      throw new Error(
        `optimizer state '${name}' names nothing this training run optimises (expected ${ITERATION_ENTRY}, ${STATE_PREFIX}<G|D>.step or ${STATE_PREFIX}<G|D>.<variable>.m/.v)`,
      );
    }
    if (tensor.shape.length !== variable.shape.length || tensor.shape.some((d, i) => d !== variable.shape[i])) {
      throw new Error(`optimizer state '${name}' has shape [${tensor.shape.join(', ')}], the variable has [${variable.shape.join(', ')}]`);
    }
    const key = rest.slice(0, -2);
    halves[side].set(key, { ...halves[side].get(key), [which]: tensor });
  }
  const sides = {} as Record<Side, SideOptimizerState>;
  for (const side of ['G', 'D'] as const) {
    const moments = new Map<string, { m: tf.Tensor; v: tf.Tensor }>();
    for (const [name, { m, v }] of halves[side]) {
      if (!m || !v) throw new Error(`optimizer state for '${name}' (${side}) has ${m ? 'm' : 'v'} but not ${m ? 'v' : 'm'}`);
      moments.set(name, { m, v });
    }
    if (updates[side] === undefined && moments.size > 0) throw new Error(`optimizer state has ${side} moments but no ${stepEntry(side)}`);
    sides[side] = { updates: updates[side] ?? 0, moments };
  }
  return { iteration, sides };
}
