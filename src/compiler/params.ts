/**
 * Param resolution: stored values + the type's defaults → ResolvedParams, with template
 * expressions evaluated and every value checked against its ParamDef (type, range, options).
 */
import type { NodeDef, ParamDef, ResolvedParams } from '../../nodes/contract.ts';
import { error, type Diagnostic } from '../graph/diagnostics.ts';
import type { GraphNode, ParamValue } from '../graph/document.ts';
import { clip, pointerTo } from '../graph/util.ts';
import { ExprError, evaluateExpression } from './expr.ts';

export interface ParamResolution {
  params: ResolvedParams;
  diagnostics: Diagnostic[];
}

function describeRange(def: { min?: number; max?: number }): string {
  if (def.min !== undefined && def.max !== undefined) return `between ${def.min} and ${def.max}`;
  if (def.min !== undefined) return `at least ${def.min}`;
  if (def.max !== undefined) return `at most ${def.max}`;
  return 'any number';
}

/** One param: returns the resolved value or a message saying what was expected. */
function resolveOne(def: ParamDef, raw: ParamValue, template: Record<string, number>): { value?: number | boolean | string; problem?: string } {
  switch (def.type) {
    case 'int':
    case 'float': {
      let value: number;
      if (typeof raw === 'number') {
        value = raw;
      } else if (typeof raw === 'string' && def.template) {
        try {
          value = evaluateExpression(raw, template);
        } catch (e) {
          if (e instanceof ExprError) return { problem: `expression "${clip(raw)}": ${e.message} (character ${e.offset + 1})` };
          throw e;
        }
      } else {
        const what = def.template ? 'a number or a template expression such as "ngf*2"' : 'a number';
        return { problem: `expects ${what}, got ${clip(String(JSON.stringify(raw)))}` };
      }
      if (!Number.isFinite(value)) return { problem: `evaluates to ${value}, expected a finite number` };
      if (def.type === 'int' && !Number.isInteger(value)) {
        return { problem: `expects a whole number, got ${value}${typeof raw === 'string' ? ` from "${clip(raw)}"` : ''}` };
      }
      if ((def.min !== undefined && value < def.min) || (def.max !== undefined && value > def.max)) {
        return { problem: `expects a value ${describeRange(def)}, got ${value}${typeof raw === 'string' ? ` from "${clip(raw)}"` : ''}` };
      }
      return { value };
    }
    case 'bool':
      return typeof raw === 'boolean' ? { value: raw } : { problem: `expects true or false, got ${clip(String(JSON.stringify(raw)))}` };
    case 'enum':
      return typeof raw === 'string' && def.options.includes(raw)
        ? { value: raw }
        : { problem: `expects one of ${def.options.map((o) => `"${o}"`).join(', ')}, got ${clip(String(JSON.stringify(raw)))}` };
    case 'string':
      if (typeof raw !== 'string') return { problem: `expects a string, got ${clip(String(JSON.stringify(raw)))}` };
      if (def.pattern && !new RegExp(def.pattern).test(raw)) return { problem: `"${clip(raw)}" does not match ${def.pattern}` };
      return { value: raw };
  }
}

export function resolveParams(def: NodeDef, node: GraphNode, nodeIndex: number, template: Record<string, number>): ParamResolution {
  const params: ResolvedParams = {};
  const diagnostics: Diagnostic[] = [];
  const known = Object.keys(def.params);
  for (const name of Object.keys(node.params)) {
    // Own keys only: a param named "constructor" or "__proto__" is unknown like any other name.
    if (!Object.hasOwn(def.params, name)) {
      diagnostics.push(
        error('unknown-param', `'${def.type}' has no param '${clip(name, 40)}' (its params: ${known.join(', ') || 'none'})`, {
          node: node.id,
          param: name,
          pointer: pointerTo(`/nodes/${nodeIndex}`, 'params', name),
        }),
      );
    }
  }
  for (const [name, paramDef] of Object.entries(def.params)) {
    const stored = Object.hasOwn(node.params, name) ? node.params[name] : undefined;
    const raw = stored === undefined ? (paramDef.default as ParamValue) : stored;
    const { value, problem } = resolveOne(paramDef, raw, template);
    if (problem !== undefined) {
      diagnostics.push(
        error('bad-param', `${name} ${problem}`, {
          node: node.id,
          param: name,
          pointer: stored === undefined ? `/nodes/${nodeIndex}` : pointerTo(`/nodes/${nodeIndex}`, 'params', name),
        }),
      );
      continue;
    }
    params[name] = value!;
  }
  return { params, diagnostics };
}
