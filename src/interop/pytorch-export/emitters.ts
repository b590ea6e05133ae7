/**
 * The exporter's side of the node types' PyTorch emitters: each node type writes its own Python
 * (its definition's `pytorch`, nodes/pytorch/emit.ts); here a resolved node is handed to its type's
 * emitter. A node type without an emitter cannot be exported; the exporter names the node.
 */
import type { ResolvedNode } from '../../compiler/ir.ts';
import type { EmitContext as NodeEmitContext, Emitted } from '../../../nodes/pytorch/emit.ts';

export type { Emitted, NodeRole } from '../../../nodes/pytorch/emit.ts';

export interface EmitContext extends NodeEmitContext {
  node: ResolvedNode;
}

export class UnexportableNodeError extends Error {
  constructor(
    readonly node: string,
    readonly type: string,
    reason: string,
  ) {
    super(`node '${node}' (${type}) cannot be exported to PyTorch: ${reason}`);
    this.name = 'UnexportableNodeError';
  }
}

export function emitNode(ctx: EmitContext): Emitted {
  const type = ctx.node.node.type;
  const emitter = ctx.node.def?.pytorch;
  if (!emitter) throw new UnexportableNodeError(ctx.node.id, type, 'no PyTorch emitter exists for this node type');
  return emitter(ctx);
}
