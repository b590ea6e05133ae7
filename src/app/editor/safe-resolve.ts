/**
 * The resolver behind a guard. A document whose resolution throws (a resolver bug that hostile
 * input found) must never become the open document: every view and panel resolves it again and
 * would throw too, and the app would go blank. Doors and edits check a document here first,
 * down to the node views the canvas draws.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphIR } from '../../compiler/ir.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { error, type Diagnostic } from '../../graph/diagnostics.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { nodeViews, type NodeView } from './node-view.ts';

/** A document's resolution and node views, as a successful check computed them. */
export type CheckedDocument = { ir: GraphIR; views: Map<string, NodeView> };
export type SafeResolve = ({ ok: true } & CheckedDocument) | { ok: false; diagnostic: Diagnostic };

export function resolveSafely(doc: GraphDocument, registry: NodeRegistry, batch?: number, file?: string): SafeResolve {
  try {
    const ir = resolveGraph(doc, registry, batch === undefined ? {} : { batch });
    return { ok: true, ir, views: nodeViews(doc, ir) };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { ok: false, diagnostic: error('internal', `internal error while checking the graph “${doc.meta?.name ?? ''}”: ${why}`, file ? { file } : {}) };
  }
}

/** What the panels show for a document that could not be resolved: no node results, the one error. */
export function unresolvedIr(doc: GraphDocument, batch: number, diagnostic: Diagnostic): GraphIR {
  const total = { params: 0, unusedParams: 0, buffers: 0, macs: 0, activationBytes: 0, weightBytes: 0, nodes: 0 };
  return { doc, batch, template: { ...doc.template, batch }, nodes: new Map(), order: [], networks: new Map(), total, diagnostics: [diagnostic] };
}
