/** The node palette: the registry's node types by category, in a fixed reading order, with search. */
import type { NodeCategory, NodeDef } from '../../../nodes/contract.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';

export const CATEGORY_ORDER: readonly NodeCategory[] = ['input', 'conv', 'norm', 'activation', 'block', 'resample', 'combine', 'dense', 'lggan', 'discriminator', 'loss', 'training', 'output'];

export const CATEGORY_LABELS: Record<NodeCategory, string> = {
  input: 'Inputs',
  conv: 'Convolution',
  norm: 'Normalisation',
  activation: 'Activation',
  block: 'Blocks',
  resample: 'Resampling',
  combine: 'Combine',
  dense: 'Dense',
  lggan: 'LGGAN',
  discriminator: 'Discriminators',
  loss: 'Losses',
  training: 'Training',
  output: 'Outputs',
};

export interface PaletteSection {
  category: NodeCategory;
  label: string;
  items: NodeDef[];
}

/** Sections in CATEGORY_ORDER, items by title; `query` matches title, type and doc (all words, any case). */
export function paletteSections(registry: NodeRegistry, query = ''): PaletteSection[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (d: NodeDef) => {
    const text = `${d.title} ${d.type} ${d.category} ${d.doc}`.toLowerCase();
    return words.every((w) => text.includes(w));
  };
  const byCategory = new Map<NodeCategory, NodeDef[]>();
  for (const def of registry.list()) {
    if (!matches(def)) continue;
    byCategory.set(def.category, [...(byCategory.get(def.category) ?? []), def]);
  }
  const known = [...CATEGORY_ORDER, ...[...byCategory.keys()].filter((c) => !CATEGORY_ORDER.includes(c))];
  return known
    .filter((c) => byCategory.has(c))
    .map((c) => ({ category: c, label: CATEGORY_LABELS[c] ?? c, items: byCategory.get(c)!.sort((a, b) => a.title.localeCompare(b.title)) }));
}
