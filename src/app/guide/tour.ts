/**
 * What the getting-started guide says about the open graph, counted from its resolved IR rather
 * than written down: so the guide stays true when the default graph changes, and it describes
 * whatever graph is open when the guide is reopened from Help.
 */
import type { GraphIR } from '../../compiler/ir.ts';

export interface GraphTour {
  name: string;
  nodes: number;
  /** Image size from the template; undefined when the graph has none. */
  width?: number;
  height?: number;
  /** Label classes (template num_classes); undefined when the graph has none. */
  classes?: number;
  /** Trainable parameters, all networks. */
  params: number;
  /** Parameters per network, largest first ("G" generator, "D" discriminator, …). */
  networks: { name: string; params: number }[];
  hasGlobalGenerator: boolean;
  hasLocalGenerators: boolean;
  hasFusion: boolean;
  discriminators: number;
  losses: number;
}

const countType = (ir: GraphIR, type: string) => [...ir.nodes.values()].filter((n) => n.node.type === type).length;

export function graphTour(ir: GraphIR): GraphTour {
  const nodes = [...ir.nodes.values()];
  const category = (c: string) => nodes.filter((n) => n.def?.category === c).length;
  return {
    name: ir.doc.meta.name,
    nodes: ir.doc.nodes.length,
    width: ir.template.width,
    height: ir.template.height,
    classes: ir.template.num_classes,
    params: ir.total.params,
    networks: [...ir.networks.entries()].map(([name, t]) => ({ name, params: t.params })).sort((a, b) => b.params - a.params),
    hasGlobalGenerator: countType(ir, 'lggan/global-generator') > 0,
    hasLocalGenerators: countType(ir, 'lggan/local-generators') > 0,
    hasFusion: countType(ir, 'lggan/attention-fusion') > 0,
    discriminators: category('discriminator'),
    losses: category('loss'),
  };
}

/** "G" → "generator", "D" → "discriminator"; other network names as they are. */
export function networkWord(name: string): string {
  return name === 'G' ? 'generator' : name === 'D' ? 'discriminator' : `network ${name}`;
}
