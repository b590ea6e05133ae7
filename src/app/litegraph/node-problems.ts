/**
 * Problems shown on litegraph nodes: the compiler's diagnostics (plus any the host passes) grouped
 * by node, the box colour that marks them, and a draw hook that writes the first one under the node.
 */
import type { LGraphNode } from 'litegraph.js';
import type { Diagnostic } from '../../graph/diagnostics.ts';
import { ERROR_BOX_COLOR, WARNING_BOX_COLOR } from '../../interop/litegraph/colors.ts';

export interface NodeProblems {
  errors: string[];
  warnings: string[];
}

export function problemsByNode(diagnostics: readonly Diagnostic[]): Map<string, NodeProblems> {
  const map = new Map<string, NodeProblems>();
  for (const d of diagnostics) {
    if (d.where.node === undefined) continue;
    const entry = map.get(d.where.node) ?? { errors: [], warnings: [] };
    const text = d.where.port ? `${d.where.port}: ${d.message}` : d.where.param ? `${d.where.param}: ${d.message}` : d.message;
    (d.severity === 'error' ? entry.errors : entry.warnings).push(text);
    map.set(d.where.node, entry);
  }
  return map;
}

type Decorated = LGraphNode & { lgganProblems?: NodeProblems; onDrawForeground?: (ctx: CanvasRenderingContext2D) => void };

function drawProblems(this: Decorated, ctx: CanvasRenderingContext2D): void {
  const problems = this.lgganProblems;
  if (!problems) return;
  const first = problems.errors[0] ?? problems.warnings[0];
  if (!first) return;
  const more = problems.errors.length + problems.warnings.length - 1;
  const text = more > 0 ? `${first} (+${more})` : first;
  ctx.save();
  ctx.font = '12px sans-serif';
  ctx.fillStyle = problems.errors.length ? ERROR_BOX_COLOR : WARNING_BOX_COLOR;
  ctx.textAlign = 'left';
  const width = this.size[0];
  const clipped = text.length * 6.5 > width + 120 ? text.slice(0, Math.floor((width + 120) / 6.5)) + '…' : text;
  ctx.fillText(clipped, 0, this.size[1] + 16);
  ctx.restore();
}

/** Marks a node with its problems (or clears the marks). The box colour is not saved: the view strips it. */
export function decorateNode(node: LGraphNode, problems: NodeProblems | undefined): void {
  const n = node as Decorated;
  n.lgganProblems = problems;
  n.onDrawForeground = drawProblems;
  if (problems?.errors.length) n.boxcolor = ERROR_BOX_COLOR;
  else if (problems?.warnings.length) n.boxcolor = WARNING_BOX_COLOR;
  else delete (n as Partial<Decorated>).boxcolor;
}

export const DECORATION_COLORS: readonly string[] = [ERROR_BOX_COLOR, WARNING_BOX_COLOR];
