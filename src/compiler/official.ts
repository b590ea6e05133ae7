/**
 * The official PyTorch state_dict of one network of a graph, as the node pack maps it: which
 * official key each variable stands for, with PyTorch's shape. Used by parity tests, checkpoint
 * import/export, and `lggan inspect`'s official totals.
 */
import type { OfficialKey } from '../../nodes/contract.ts';
import type { GraphIR } from './ir.ts';

export interface OfficialEntry extends OfficialKey {
  node: string;
  /** The program variable's stable name (`<node>.<local>`), or null for state we do not keep. */
  variableName: string | null;
}

export function officialStateDict(ir: GraphIR, network: string): OfficialEntry[] {
  const entries: OfficialEntry[] = [];
  for (const id of ir.order) {
    const n = ir.nodes.get(id)!;
    if (n.network !== network || !n.def?.officialKeys || n.diagnostics.some((d) => d.severity === 'error')) continue;
    for (const key of n.def.officialKeys({ inputs: n.inputs, outputs: n.outputs, params: n.params, template: ir.template })) {
      entries.push({ ...key, node: id, variableName: key.variable === null ? null : `${id}.${key.variable}` });
    }
  }
  return entries;
}

/** The tfjs shape of a variable holding an official tensor of PyTorch shape `shape`. */
export function tfjsShape(shape: readonly number[], layout: OfficialKey['layout']): number[] {
  switch (layout) {
    case 'conv2d': {
      const [out, inp, kh, kw] = shape;
      return [kh, kw, inp, out];
    }
    case 'conv2d-transpose': {
      // PyTorch ConvTranspose2d stores [in, out, kh, kw]; tf.conv2dTranspose takes [kh, kw, out, in].
      const [inp, out, kh, kw] = shape;
      return [kh, kw, out, inp];
    }
    case 'linear': {
      const [out, inp] = shape;
      return [inp, out];
    }
    default:
      return [...shape];
  }
}

export interface ReferenceEntry {
  key: string;
  shape: number[];
  kind: 'parameter' | 'buffer';
}

export interface ParityReport {
  missing: string[];
  unexpected: string[];
  misshaped: { key: string; expected: number[]; got: number[] }[];
  wrongKind: string[];
}

/** Compares a mapped state_dict with an official key list: every key present, same shape and kind. */
export function compareWithReference(entries: readonly OfficialEntry[], reference: readonly ReferenceEntry[]): ParityReport {
  const ours = new Map(entries.map((e) => [e.key, e]));
  const theirs = new Map(reference.map((e) => [e.key, e]));
  const report: ParityReport = { missing: [], unexpected: [], misshaped: [], wrongKind: [] };
  for (const ref of reference) {
    const mine = ours.get(ref.key);
    if (!mine) report.missing.push(ref.key);
    else if (mine.shape.join(',') !== ref.shape.join(',')) report.misshaped.push({ key: ref.key, expected: ref.shape, got: mine.shape });
    else if (mine.kind !== ref.kind) report.wrongKind.push(ref.key);
  }
  for (const e of entries) if (!theirs.has(e.key)) report.unexpected.push(e.key);
  return report;
}
