/** The carry-over report as plain text lines, for the CLI and the app (which shows them as text, never as markup). */
import type { CarryReport, NodeCarry } from './carry.ts';

/** A name from a file, with control and bidi-override characters escaped so it cannot steer a terminal or reorder a line. */
export function printableName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const shape = (s: readonly number[]) => `[${s.join(', ')}]`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function nodeLine(n: NodeCarry): string {
  const parts: string[] = [];
  if (n.kept.length > 0) parts.push(`${plural(n.kept.length, 'variable')} kept`);
  for (const r of n.reinitialised) {
    const local = r.name.startsWith(`${n.node}.`) ? r.name.slice(n.node.length + 1) : r.name;
    parts.push(r.from ? `${printableName(local)} re-initialised (shape ${shape(r.from)} → ${shape(r.to)})` : `${printableName(local)} re-initialised (new, ${shape(r.to)})`);
  }
  for (const d of n.dropped) parts.push(`${printableName(d.name)} ${shape(d.shape)} dropped`);
  const status = n.status === 'reinitialised' ? 're-initialised' : n.status;
  return `${printableName(n.node)}: ${status}${parts.length > 0 ? ` — ${parts.join('; ')}` : ''}`;
}

/**
 * One summary line, then one line per node that did not keep everything (all nodes with `all`).
 * Fully kept nodes are counted in the summary; listing them adds nothing after a small edit.
 */
export function carryReportLines(report: CarryReport, options: { all?: boolean } = {}): string[] {
  const { kept, reinitialised, dropped } = report.totals;
  const keptNodes = report.nodes.filter((n) => n.status === 'kept').length;
  const summary =
    `weights carried over: ${plural(kept, 'variable')} kept (${keptNodes} of ${report.nodes.filter((n) => n.status !== 'dropped').length} nodes unchanged), ` +
    `${reinitialised} re-initialised, ${dropped} dropped` +
    (report.moments.kept + report.moments.dropped > 0 ? `; Adam moments of ${plural(report.moments.kept, 'variable')} kept, ${report.moments.dropped} dropped` : '') +
    (report.step !== null ? `; continuing from step ${report.step}` : '');
  const lines = [summary];
  for (const n of report.nodes) if (options.all || n.status !== 'kept') lines.push(`  ${nodeLine(n)}`);
  return lines;
}
