/**
 * Would this wiring be accepted? The same rules as the compiler's: a kind the input port does not
 * accept, a cycle, or a new error at the target port (a shape the node cannot take). Returns the
 * reason to show, or null. The edge replaces whatever feeds that input now, as litegraph does.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import type { Diagnostic } from '../../graph/diagnostics.ts';
import type { GraphDocument, PortRef } from '../../graph/document.ts';

const key = (d: Diagnostic) => `${d.code}\u0000${d.where.node}\u0000${d.where.port}\u0000${d.message}`;

export function connectionProblem(doc: GraphDocument, registry: NodeRegistry, from: PortRef, to: PortRef): string | null {
  const edges = doc.edges.filter((e) => !(e.to.node === to.node && e.to.port === to.port));
  const proposed: GraphDocument = { ...doc, edges: [...edges, { from, to }] };
  const before = new Set(resolveGraph({ ...doc, edges }, registry).diagnostics.filter((d) => d.severity === 'error').map(key));
  const after = resolveGraph(proposed, registry).diagnostics.filter((d) => d.severity === 'error' && !before.has(key(d)));
  const edgeIndex = proposed.edges.length - 1;
  const relevant = after.find((d) => d.code === 'cycle' || d.where.edge === edgeIndex || (d.where.node === to.node && d.where.port === to.port));
  return relevant ? relevant.message : null;
}

/** Why litegraph's own type check refused a drop: the output's kind is not one the input takes. */
export function kindRefusal(target: { title: string; port: string; slotType: string; doc?: string }, source: { title: string; port: string; kind: string }): string {
  const accepted = target.slotType.split(',').join(', ');
  const expects = target.doc ? ` (${target.doc.replace(/\.$/, '')})` : '';
  return `'${target.title}' input '${target.port}' takes ${accepted}${expects}; '${source.title}'.${source.port} gives ${source.kind}`;
}
