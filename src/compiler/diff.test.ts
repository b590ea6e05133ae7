import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import type { GraphDocument } from '../graph/document.ts';
import { loadGraph } from '../graph/load.ts';
import { diffEvaluated, type EvaluatedDiff } from './diff.ts';
import { resolveGraph } from './resolve.ts';

const registry = createRegistry();

function shippedGraph(file: string): GraphDocument {
  const loaded = loadGraph(readFileSync(new URL(`../../graphs/${file}`, import.meta.url), 'utf8'), { file, registry });
  if (!loaded.ok) throw new Error(`${file} does not load`);
  return loaded.doc;
}

const pix2pix = shippedGraph('tiny-pix2pix.json');
const copy = () => structuredClone(pix2pix);
const node = (doc: GraphDocument, id: string) => doc.nodes.find((n) => n.id === id)!;

describe('diffEvaluated', () => {
  it('gives each changed param its evaluated value on both sides', () => {
    const b = copy();
    node(b, 'down').params.out_channels = 'ngf*4';
    const d = diffEvaluated(pix2pix, b, registry);
    expect(d.nodes.changed).toEqual([
      {
        before: 'down',
        after: 'down',
        type: 'core/conv2d',
        matchedBy: 'id',
        params: [{ name: 'out_channels', before: 'ngf*2', after: 'ngf*4', beforeValue: 16, afterValue: 32 }],
        fields: [],
      },
    ]);
  });

  it('fills in the node types\' defaults: a param spelled at its default is no change, one left out shows the default', () => {
    const b = copy();
    node(b, 'up').params.kernel = 3; // conv-transpose2d's default kernel
    expect(diffEvaluated(pix2pix, b, registry).equal).toBe(true);
    delete node(b, 'd1').params.kernel; // 4 → conv2d's default, 3
    const d = diffEvaluated(pix2pix, b, registry);
    expect(d.nodes.changed.map((c) => [c.after, c.params])).toEqual([['d1', [{ name: 'kernel', before: 4, after: 3, beforeValue: 4, afterValue: 3 }]]]);
  });

  it('a node without a network and one naming its type\'s network are the same; another network is a change', () => {
    const b = copy();
    node(b, 'enc').network = 'G'; // conv2d's default network
    expect(diffEvaluated(pix2pix, b, registry).equal).toBe(true);
    node(b, 'enc').network = 'D';
    expect(diffEvaluated(pix2pix, b, registry).nodes.changed.map((c) => [c.after, c.fields])).toEqual([['enc', [{ name: 'network', before: 'G', after: 'D' }]]]);
  });

  it('counts params and multiply-adds per network before and after, as resolve does', () => {
    const b = copy();
    b.template.ngf = 16;
    const d = diffEvaluated(pix2pix, b, registry);
    expect(d.template).toEqual([{ name: 'ngf', before: 8, after: 16 }]);
    expect(d.nodes.changed).toEqual([]);
    const [irA, irB] = [resolveGraph(pix2pix, registry, { batch: 1 }), resolveGraph(b, registry, { batch: 1 })];
    expect(d.networks).toEqual([
      { network: 'D', before: { params: irA.networks.get('D')!.params, macs: irA.networks.get('D')!.macs }, after: { params: irB.networks.get('D')!.params, macs: irB.networks.get('D')!.macs } },
      { network: 'G', before: { params: irA.networks.get('G')!.params, macs: irA.networks.get('G')!.macs }, after: { params: irB.networks.get('G')!.params, macs: irB.networks.get('G')!.macs } },
      { network: 'all', before: { params: irA.total.params, macs: irA.total.macs }, after: { params: irB.total.params, macs: irB.total.macs } },
    ]);
    expect(d.networks[1].after!.params).toBeGreaterThan(d.networks[1].before!.params);
    expect(d.networks[0].after).toEqual(d.networks[0].before); // D uses ndf only
    expect(d.errors).toEqual({ before: 0, after: 0 });
  });

  it('still compares a graph with errors, and says how many', () => {
    const b = copy();
    b.edges = b.edges.filter((e) => !(e.to.node === 'res2' && e.to.port === 'x'));
    const d = diffEvaluated(pix2pix, b, registry);
    expect(d.wires.removed).toEqual([{ from: { node: 'res1', port: 'y' }, to: { node: 'res2', port: 'x' } }]);
    expect(d.errors.before).toBe(0);
    expect(d.errors.after).toBeGreaterThan(0);
  });
});

/** Summary of a diff: which nodes went, which params changed, how many wires moved. */
function kind(d: EvaluatedDiff) {
  return {
    removed: d.nodes.removed.map((n) => n.id),
    added: d.nodes.added.map((n) => n.id),
    params: d.nodes.changed.flatMap((c) => c.params.map((p) => `${c.after}.${p.name}: ${JSON.stringify(p.before)} → ${JSON.stringify(p.after)}`)),
    renamed: d.nodes.changed.filter((c) => c.before !== c.after).length,
    wires: [d.wires.removed.length, d.wires.added.length],
  };
}

describe('the default Cityscapes graph against each shipped ablation', () => {
  const full = shippedGraph('lggan-cityscapes.json');
  const lossImages = ['d_adv', 'g_adv', 'g_feat', 'g_vgg'].map((id) => `${id}.images: 3 → 1`);
  const expected: Record<string, ReturnType<typeof kind>> = {
    'fixed-fusion': { removed: ['out_attention'], added: [], params: ['fusion.mode: "attention" → "fixed"'], renamed: 0, wires: [2, 0] },
    'global-only': {
      removed: ['classifier', 'fusion', 'g_class_ce', 'g_class_l1', 'local', 'masks', 'out_attention', 'out_global', 'out_local', 'trunk'],
      added: [],
      params: [...lossImages, 'trainer.g_losses: 5 → 3'],
      renamed: 0,
      wires: [32, 5],
    },
    'local-only': { removed: ['fusion', 'global', 'out_attention', 'out_global', 'out_local'], added: [], params: lossImages, renamed: 0, wires: [21, 5] },
    'no-classification': { removed: ['classifier', 'g_class_ce'], added: [], params: ['trainer.g_losses: 5 → 4'], renamed: 0, wires: [5, 0] },
    'sau-label-gated': {
      removed: [],
      added: [],
      params: ['fusion.upsampling: "transposed" → "sau-label-gated"', 'trunk.upsampling: "transposed" → "sau-label-gated"'],
      renamed: 0,
      wires: [0, 2],
    },
    sau: { removed: [], added: [], params: ['fusion.upsampling: "transposed" → "sau"', 'trunk.upsampling: "transposed" → "sau"'], renamed: 0, wires: [0, 0] },
  };
  for (const [ablation, want] of Object.entries(expected)) {
    it(`${ablation}: the expected kind of change, and each side's totals as inspect counts them`, () => {
      const variant = shippedGraph(`ablation-cityscapes-${ablation}.json`);
      const d = diffEvaluated(full, variant, registry);
      expect(d.equal).toBe(false);
      expect(kind(d)).toEqual(want);
      expect(d.template).toEqual([]);
      const after = resolveGraph(variant, registry, { batch: 1 });
      for (const delta of d.networks.filter((n) => n.network !== 'all')) {
        expect(delta.after).toEqual({ params: after.networks.get(delta.network)!.params, macs: after.networks.get(delta.network)!.macs });
      }
      expect(d.networks.at(-1)).toMatchObject({ network: 'all', after: { params: after.total.params, macs: after.total.macs } });
      // Every shipped ablation is smaller than or as big as the full generator; D is untouched.
      const [D, G] = d.networks;
      expect(D.after).toEqual(D.before);
      expect(G.after!.params).toBeLessThanOrEqual(G.before!.params);
    });
  }
});
