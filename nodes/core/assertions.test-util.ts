/** Assertions shared by the core node tests (not part of the pack). */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { formatShape } from '../dims.ts';
import type { TensorType } from '../contract.ts';

export function valuesOf(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Element-wise |actual − expected| ≤ tol, with the index of the first miss in the message. */
export function expectClose(actual: tf.Tensor | number[], expected: number[], tol = 1e-5): void {
  const values = Array.isArray(actual) ? actual : valuesOf(actual);
  expect(values.length).toBe(expected.length);
  values.forEach((v, i) => {
    if (!(Math.abs(v - expected[i]) <= tol)) {
      throw new Error(`element ${i}: got ${v}, expected ${expected[i]} (±${tol})\nactual:   ${values.join(', ')}\nexpected: ${expected.join(', ')}`);
    }
  });
}

/** Shape as people read it, e.g. "H/2×W/2×8". */
export function shapeOf(t: TensorType): string {
  return formatShape(t.shape);
}

/** Runs `fn`, expecting a NodeRuleError whose message contains every fragment and which points at `at`. */
export function expectRuleError(fn: () => unknown, at: { port?: string; param?: string }, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a NodeRuleError').toBeInstanceOf(Error);
  const error = caught as Error & { at?: { port?: string; param?: string } };
  expect(error.name).toBe('NodeRuleError');
  expect(error.at).toEqual(at);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}
