/**
 * Param blocks that several node types declare alike, defined once so they cannot drift apart: the
 * norm settings (kind, affine, eps) and the conv shape settings (output channels, kernel, bias).
 * A preset that differs per node only in its doc takes the doc as an argument.
 */
import type { BoolParam, EnumParam, FloatParam, IntParam } from '../contract.ts';

/** The `eps` param every norm node declares. */
export const normEpsParam: FloatParam = {
  type: 'float',
  default: 1e-5,
  min: 0,
  max: 0.1,
  doc: 'Added to the variance before the square root.',
  ui: { widget: 'number', step: 1e-5, advanced: true },
};

/** A norm's learned per-channel scale and shift (off for instance norm, on for batch norm, as PyTorch). */
export function normAffineParam(defaultOn: boolean): BoolParam {
  return { type: 'bool', default: defaultOn, doc: 'Learn a per-channel scale and shift.', ui: { widget: 'checkbox' } };
}

/** The norms a discriminator stage may use: instance norm, or none. */
export const INSTANCE_NORM_OR_NONE = ['instance', 'none'] as const;

/** Which norm follows a conv (default instance); `options` are the kinds the node supports. */
export function normKindParam(options: readonly string[], doc: string): EnumParam {
  return { type: 'enum', options, default: 'instance', doc, ui: { widget: 'select' } };
}

/** A conv's output channels; `example` is a template expression shown in the doc ("ngf*4"). */
export function outChannelsParam(example: string): IntParam {
  return {
    type: 'int',
    default: 64,
    min: 1,
    max: 8192,
    template: true,
    doc: `Output channels; may be an expression over template params such as "${example}".`,
    ui: { widget: 'number', group: 'shape' },
  };
}

export const convKernelParam: IntParam = { type: 'int', default: 3, min: 1, max: 15, doc: 'Square kernel size.', ui: { widget: 'number', group: 'shape' } };

export const convBiasParam: BoolParam = { type: 'bool', default: true, doc: 'Add a learned per-channel bias.', ui: { widget: 'checkbox' } };
