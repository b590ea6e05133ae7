/**
 * Conventions shared by input nodes. Input nodes have no input ports: the compiler feeds a tensor
 * under the node id, and the node's forward receives it under the reserved name `value`.
 * Height/width params default to the template expressions "height"/"width", and their dims keep
 * the symbols H and W while they equal the template values.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { IntParam, ResolvedParams } from '../../contract.ts';
import type { Dim } from '../../dims.ts';
import { NodeRuleError, intParam, templateDim } from '../rules.ts';

/** The input name under which the compiler hands a fed tensor to an input node's forward. */
export const FED_VALUE = 'value';

export const heightParam: IntParam = {
  type: 'int',
  default: 'height',
  min: 1,
  max: 4096,
  template: true,
  doc: 'Height H in pixels; defaults to the template parameter `height`.',
  ui: { widget: 'number', group: 'size' },
};

export const widthParam: IntParam = {
  type: 'int',
  default: 'width',
  min: 1,
  max: 4096,
  template: true,
  doc: 'Width W in pixels; defaults to the template parameter `width`.',
  ui: { widget: 'number', group: 'size' },
};

/** H and W dims from the `height`/`width` params. */
export function spatialDims(params: ResolvedParams, template: Record<string, number>): [Dim, Dim] {
  return [
    templateDim(intParam(params, 'height'), template, 'height', 'H'),
    templateDim(intParam(params, 'width'), template, 'width', 'W'),
  ];
}

/**
 * The fed tensor, checked against the declared shape. The batch size may differ from the
 * template's (generation often runs with batch 1), every other dimension must match.
 */
export function fedValue(inputs: Record<string, tf.Tensor>, port: string, expected: readonly number[]): tf.Tensor {
  const value = inputs[FED_VALUE];
  if (!value) throw new NodeRuleError(`no tensor was fed for output '${port}'`, { port });
  const matches = value.rank === expected.length && expected.every((d, i) => i === 0 || value.shape[i] === d);
  if (!matches) {
    const want = ['B', ...expected.slice(1)].join('×');
    throw new NodeRuleError(`fed tensor for '${port}' must be ${want}, got ${value.shape.join('×')}`, { port });
  }
  return value;
}
