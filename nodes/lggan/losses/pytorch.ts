/** What the loss nodes' PyTorch emitters share: the weight and the connected generated images. */
import { floatParam } from '../../core/rules.ts';
import type { EmitContext } from '../../pytorch/emit.ts';
import { f, type PyFloat } from '../../pytorch/python-literals.ts';
import { connectedFakePorts } from './common.ts';

export function weightArg(ctx: EmitContext): PyFloat {
  return f(floatParam(ctx.node.params, 'weight'));
}

/** The connected generated-image ports' sources (open fake ports are left out, as the studio's losses do). */
export function fakeSources(ctx: EmitContext): string[] {
  return connectedFakePorts(ctx.node.inputs, ctx.node.params).map((port) => ctx.source(port));
}
