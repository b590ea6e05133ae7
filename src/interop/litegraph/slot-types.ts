/**
 * Port kinds as litegraph slot types. An output slot's type is its kind ("feature"); an input
 * slot's type lists every kind the port accepts ("feature,image,semantic,…"), so litegraph's own
 * LiteGraph.isValidConnection (which matches comma-separated lists) refuses exactly the wirings
 * that the node contract's kindAccepts refuses.
 */
import { kindAccepts, type TensorKind } from '../../../nodes/contract.ts';

export const ALL_KINDS: readonly TensorKind[] = ['image', 'feature', 'semantic', 'labels', 'mask', 'attention', 'noise', 'vector', 'logits', 'loss', 'network'];

export function outputSlotType(kind: TensorKind): string {
  return kind;
}

/** The declared kind first, then the others it accepts, in ALL_KINDS order. */
export function inputSlotType(kind: TensorKind): string {
  return [kind, ...ALL_KINDS.filter((k) => k !== kind && kindAccepts(kind, k))].join(',');
}

/** The kind an input slot was declared with (the first entry of its list), if it names one. */
export function declaredKind(slotType: unknown): TensorKind | undefined {
  if (typeof slotType !== 'string') return undefined;
  const first = slotType.split(',')[0];
  return (ALL_KINDS as readonly string[]).includes(first) ? (first as TensorKind) : undefined;
}
