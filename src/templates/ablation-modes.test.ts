/**
 * Every shipped Cityscapes ablation is the full graph with bypass, mute and param edits: applied to
 * lggan-cityscapes-tiny.json, they compile to the ablation file's parameter and MAC totals per
 * network (what `lggan inspect` prints).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry, inputPorts } from '../../nodes/index.ts';
import { resolveGraph } from '../compiler/resolve.ts';
import type { GraphIR } from '../compiler/ir.ts';
import type { GraphDocument, NodeMode, ParamValue } from '../graph/document.ts';
import { loadGraph } from '../graph/load.ts';

const registry = createRegistry();
const graphsDir = join(import.meta.dirname, '..', '..', 'graphs');

function load(file: string): GraphDocument {
  const loaded = loadGraph(readFileSync(join(graphsDir, file), 'utf8'), { registry, file });
  if (!loaded.ok) throw new Error(`${file} does not load`);
  return loaded.doc;
}

interface Variant {
  modes?: Record<string, NodeMode>;
  params?: Record<string, Record<string, ParamValue>>;
}

/**
 * The edits as the editor makes them: param edits, each of which drops the wires into input ports
 * its new params no longer have (the editor's wiring healing does that in the same undo step), then
 * the modes.
 */
function variantOf(full: GraphDocument, v: Variant): GraphDocument {
  const doc = structuredClone(full);
  for (const [id, params] of Object.entries(v.params ?? {})) {
    const node = doc.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id}`);
    Object.assign(node.params, params);
    const resolved = resolveGraph(doc, registry).nodes.get(id)!;
    const ports = new Set(inputPorts(resolved.def!, resolved.params).map((p) => p.name));
    doc.edges = doc.edges.filter((e) => e.to.node !== id || ports.has(e.to.port));
  }
  for (const [id, mode] of Object.entries(v.modes ?? {})) {
    const node = doc.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id}`);
    node.mode = mode;
  }
  return doc;
}

function totals(ir: GraphIR): Record<string, { params: number; macs: number }> {
  return Object.fromEntries([...ir.networks].map(([name, t]) => [name, { params: t.params, macs: t.macs }]));
}

const errors = (ir: GraphIR) => ir.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

const VARIANTS: [string, Variant][] = [
  ['ablation-cityscapes-sau-tiny.json', { params: { trunk: { upsampling: 'sau' }, fusion: { upsampling: 'sau' } } }],
  ['ablation-cityscapes-fixed-fusion-tiny.json', { modes: { out_attention: 'mute' }, params: { fusion: { mode: 'fixed' } } }],
  ['ablation-cityscapes-no-classification-tiny.json', { modes: { classifier: 'mute' }, params: { trainer: { g_losses: 4 } } }],
  [
    'ablation-cityscapes-global-only-tiny.json',
    {
      modes: { fusion: 'bypass', trunk: 'mute', masks: 'mute', out_global: 'mute' },
      params: { g_adv: { images: 1 }, g_feat: { images: 1 }, g_vgg: { images: 1 }, d_adv: { images: 1 }, trainer: { g_losses: 3 } },
    },
  ],
  [
    'ablation-cityscapes-local-only-tiny.json',
    {
      modes: { fusion: 'bypass', global: 'mute', out_global: 'mute', out_local: 'mute' },
      params: { g_adv: { images: 1 }, g_feat: { images: 1 }, g_vgg: { images: 1 }, d_adv: { images: 1 } },
    },
  ],
];

describe('shipped ablations from the full graph with bypass, mute and param edits', () => {
  const full = load('lggan-cityscapes-tiny.json');

  it.each(VARIANTS)('%s', (file, variant) => {
    const ir = resolveGraph(variantOf(full, variant), registry);
    expect(errors(ir)).toEqual([]);
    const shipped = resolveGraph(load(file), registry);
    expect(errors(shipped)).toEqual([]);
    expect(totals(ir)).toEqual(totals(shipped));
    expect(ir.total.params).toBe(shipped.total.params);
    expect(ir.total.macs).toBe(shipped.total.macs);
  });

  it('ablation-cityscapes-sau-label-gated-tiny.json needs two new wires besides the param edits', () => {
    // Label-gated SAU reads the label map, which the full graph does not wire into trunk and fusion:
    // not reachable with bypass, mute and params alone.
    const gated = { trunk: { upsampling: 'sau-label-gated' }, fusion: { upsampling: 'sau-label-gated' } };
    const ir = resolveGraph(variantOf(full, { params: gated }), registry);
    expect(ir.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.where.node, d.where.port])).toEqual([
      ['missing-input', 'trunk', 'labels'],
      ['missing-input', 'fusion', 'labels'],
    ]);
    const wired = variantOf(full, { params: gated });
    wired.edges.push({ from: { node: 'labels', port: 'semantic' }, to: { node: 'trunk', port: 'labels' } });
    wired.edges.push({ from: { node: 'labels', port: 'semantic' }, to: { node: 'fusion', port: 'labels' } });
    expect(totals(resolveGraph(wired, registry))).toEqual(totals(resolveGraph(load('ablation-cityscapes-sau-label-gated-tiny.json'), registry)));
  });
});
