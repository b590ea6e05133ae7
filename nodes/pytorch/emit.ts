/**
 * Helpers for the node types' PyTorch emitters (`NodeDef.pytorch`, types in contract.ts): each
 * writes the Python that builds its node in the exported package (src/interop/pytorch-export) —
 * a module from lggan_torch/nodes.py, a loss from lggan_torch/losses.py — with every size written out.
 */
import type { EmitContext, Emitted, NodeRole } from '../contract.ts';
import { channelsOf } from '../core/rules.ts';
import { pyCall, type PyCode, type PyFloat, type PyValue } from './python-literals.ts';

export type { EmitContext, Emitted, NodeRole, PytorchEmitter } from '../contract.ts';

/** Keyword arguments of an emitted call, in the order written. */
export type PyArgs = Record<string, PyValue | PyFloat | PyCode>;

/** Channels of the map wired into `port`. */
export const inputChannels = (ctx: EmitContext, port: string): number => channelsOf(ctx.node.inputs[port]);

/** A module of the package's lggan_torch/nodes.py, `nodes.<callee>(…)`, in the given role. */
export function nodeModule(role: NodeRole, callee: string, args: PyArgs = {}): Emitted {
  return { role, python: pyCall(`nodes.${callee}`, args) };
}

/** A layer module: `nodes.<callee>(…)`. */
export function layer(callee: string, args: PyArgs = {}): Emitted {
  return nodeModule('layer', callee, args);
}

/** A loss module: `losses.<callee>(…)`. */
export function lossOf(callee: string, args: PyArgs): Emitted {
  return { role: 'loss', python: pyCall(`losses.${callee}`, args) };
}
