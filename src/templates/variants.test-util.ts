/**
 * The shipped Cityscapes ablations as edits of the full graph (bypass, mute, params), shared by the
 * ablation test and the PyTorch-export test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistry } from '../../nodes/index.ts';
import { dropStaleWires } from '../app/editor/heal.ts';
import type { GraphDocument, NodeMode, ParamValue } from '../graph/document.ts';
import { loadGraph } from '../graph/load.ts';

const registry = createRegistry();
const graphsDir = join(import.meta.dirname, '..', '..', 'graphs');

export function loadShipped(file: string): GraphDocument {
  const loaded = loadGraph(readFileSync(join(graphsDir, file), 'utf8'), { registry, file });
  if (!loaded.ok) throw new Error(`${file} does not load`);
  return loaded.doc;
}

export interface Variant {
  modes?: Record<string, NodeMode>;
  params?: Record<string, Record<string, ParamValue>>;
}

/**
 * The edits as the editor makes them: param edits, each healed as the editor heals it in the same
 * undo step (wires that no longer fit its new ports dropped), then the modes.
 */
export function variantOf(full: GraphDocument, v: Variant): GraphDocument {
  let doc = structuredClone(full);
  for (const [id, params] of Object.entries(v.params ?? {})) {
    const node = doc.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id}`);
    const before = doc;
    doc = structuredClone(doc);
    Object.assign(doc.nodes.find((n) => n.id === id)!.params, params);
    doc = dropStaleWires(before, doc, registry, [id]).doc;
  }
  for (const [id, mode] of Object.entries(v.modes ?? {})) {
    const node = doc.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id}`);
    node.mode = mode;
  }
  return doc;
}

export const ABLATION_VARIANTS: [string, Variant][] = [
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

