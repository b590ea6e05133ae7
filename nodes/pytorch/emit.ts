/**
 * What a node type gives the PyTorch exporter (src/interop/pytorch-export): its `pytorch` emitter
 * turns a resolved node (params evaluated, input types inferred) into the Python that builds it in
 * the exported package — a module from lggan_torch/nodes.py, a loss from lggan_torch/losses.py —
 * with every size written out. Only the types an emitter needs live here; the exporter does the rest.
 */
import type { ResolvedParams, TensorType } from '../contract.ts';
import { channelsOf } from '../core/rules.ts';
import { pyCall, type PyCode, type PyFloat, type PyValue } from './python-literals.ts';

/**
 * What a node becomes: an input module (fed from the batch), a layer module (run in its network's
 * forward), a discriminator module (applied by losses), a loss, an output (a named result) or the
 * trainer (its settings).
 */
export type NodeRole = 'input' | 'layer' | 'discriminator' | 'loss' | 'output' | 'trainer';

export interface EmitContext {
  /** The node as resolved by the compiler: its params and the types at its ports. */
  node: { params: ResolvedParams; inputs: Record<string, TensorType>; outputs: Record<string, TensorType> };
  template: Record<string, number>;
  /** The value wired into `port`, as '<node>:<port>'; throws when nothing is. */
  source(port: string): string;
  /** The discriminator node wired into a network port, and its network. */
  handle(port: string): { node: string; network: string };
}

export interface Emitted {
  role: NodeRole;
  /** The Python expression that builds the module or loss ('' for outputs and the trainer). */
  python: string;
}

export type PytorchEmitter = (ctx: EmitContext) => Emitted;

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
