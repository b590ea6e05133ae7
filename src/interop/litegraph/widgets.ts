/**
 * Litegraph widgets from the node contract's param schema (pure: the host code turns these specs
 * into LGraphNode.addWidget calls). One widget per param, in the schema's order, which is also the
 * order of `widgets_values` in the JSON.
 *
 * - int/float: litegraph's "number" widget with min, max, step and precision; a "slider" when the
 *   schema asks for one and gives both bounds. Params that allow template expressions ("ngf*4")
 *   get EXPRESSION_WIDGET instead, which shows numbers like "number" does but also takes text,
 *   because litegraph's own number widget turns anything that is not a number into NaN.
 * - bool: "toggle"; enum: "combo" with the options; string: "text".
 */
import type { NodeDef, ParamDef } from '../../../nodes/contract.ts';
import { ExprError, evaluateExpression } from '../../compiler/expr.ts';
import type { ParamValue } from '../../graph/document.ts';

/** The custom widget type for number-or-expression params. */
export const EXPRESSION_WIDGET = 'lggan-number';

export interface WidgetSpec {
  param: string;
  type: 'number' | 'slider' | 'toggle' | 'combo' | 'text' | typeof EXPRESSION_WIDGET;
  options: {
    /** The node property the widget edits (litegraph keeps them in sync through it). */
    property: string;
    min?: number;
    max?: number;
    /** In litegraph's unit: one arrow click moves the value by step/10. */
    step?: number;
    precision?: number;
    values?: string[];
    multiline?: boolean;
  };
}

/** Digits after the point that `x` needs (1e-5 → 5, 0.25 → 2, 3 → 0), at most 10. */
export function decimals(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return 0;
  const [mantissa, exponent] = x.toExponential().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.min(10, Math.max(0, fraction - Number(exponent)));
}

function numberOptions(name: string, def: Extract<ParamDef, { type: 'int' | 'float' }>): WidgetSpec['options'] {
  const step = def.ui?.step ?? (def.type === 'int' ? 1 : 0.1);
  const precision = def.type === 'int' ? 0 : Math.max(decimals(step), typeof def.default === 'number' ? decimals(def.default) : 0, 2);
  const options: WidgetSpec['options'] = { property: name, step: step * 10, precision };
  if (def.min !== undefined) options.min = def.min;
  if (def.max !== undefined) options.max = def.max;
  return options;
}

export function widgetSpec(name: string, def: ParamDef): WidgetSpec {
  switch (def.type) {
    case 'int':
    case 'float': {
      const options = numberOptions(name, def);
      if (def.template) return { param: name, type: EXPRESSION_WIDGET, options };
      const slider = def.ui?.widget === 'slider' && def.min !== undefined && def.max !== undefined;
      return { param: name, type: slider ? 'slider' : 'number', options };
    }
    case 'bool':
      return { param: name, type: 'toggle', options: { property: name } };
    case 'enum':
      return { param: name, type: 'combo', options: { property: name, values: [...def.options] } };
    case 'string':
      return { param: name, type: 'text', options: { property: name } };
  }
}

export function widgetSpecs(def: NodeDef): WidgetSpec[] {
  return Object.entries(def.params).map(([name, param]) => widgetSpec(name, param));
}

/** What a widget shows for a param: the stored value, else the schema's default. */
export function widgetValue(def: NodeDef, params: Record<string, ParamValue>, name: string): ParamValue {
  const stored = params[name];
  return stored !== undefined ? stored : (def.params[name].default as ParamValue);
}

/**
 * Text typed into a number-or-expression widget → the param value: a number when it is one
 * (rounded check for ints, range check), else the expression itself when the param allows
 * expressions and it evaluates over the graph's template. The error says why not.
 */
export function parseNumberInput(def: Extract<ParamDef, { type: 'int' | 'float' }>, text: string, template: Record<string, number>): { value: number | string } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'empty value' };
  const literal = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) && Number.isFinite(Number(trimmed));
  let value: number;
  if (literal) {
    value = Number(trimmed);
  } else {
    if (!def.template) return { error: `"${trimmed}" is not a number` };
    try {
      value = evaluateExpression(trimmed, template);
    } catch (e) {
      if (e instanceof ExprError) return { error: `expression "${trimmed}": ${e.message}` };
      throw e;
    }
  }
  if (def.type === 'int' && !Number.isInteger(value)) return { error: `expects a whole number, got ${value}` };
  if (def.min !== undefined && value < def.min) return { error: `expects at least ${def.min}, got ${value}` };
  if (def.max !== undefined && value > def.max) return { error: `expects at most ${def.max}, got ${value}` };
  return { value: literal ? value : trimmed };
}
