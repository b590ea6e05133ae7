import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { diffEvaluated } from '../../compiler/diff.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { loadGraph } from '../../graph/load.ts';
import { edgeKey } from '../editor/edits.ts';
import { compareView } from './compare-view.ts';

const registry = createRegistry();
function shipped(file: string): GraphDocument {
  const loaded = loadGraph(readFileSync(new URL(`../../../graphs/${file}`, import.meta.url), 'utf8'), { file, registry });
  if (!loaded.ok) throw new Error(file);
  return loaded.doc;
}

describe('compareView', () => {
  it('marks nothing for equal graphs', () => {
    const doc = shipped('tiny-pix2pix.json');
    expect(compareView(diffEvaluated(doc, structuredClone(doc), registry))).toEqual({ nodes: new Map(), wires: new Set(), items: [] });
  });

  it('the tiny default graph compared with its label-gated SAU ablation: two amber nodes, two green wires', () => {
    const full = shipped('lggan-cityscapes-tiny.json');
    const gated = shipped('ablation-cityscapes-sau-label-gated-tiny.json');
    const view = compareView(diffEvaluated(full, gated, registry));
    expect(view.nodes).toEqual(new Map([['fusion', 'changed'], ['trunk', 'changed']]));
    expect(view.wires).toEqual(new Set([edgeKey({ from: { node: 'labels', port: 'semantic' }, to: { node: 'fusion', port: 'labels' } }), edgeKey({ from: { node: 'labels', port: 'semantic' }, to: { node: 'trunk', port: 'labels' } })]));
    expect(view.items.map((i) => [i.change, i.node, i.text])).toEqual([
      ['changed', 'fusion', 'fusion upsampling: "transposed" → "sau-label-gated"'],
      ['changed', 'trunk', 'trunk upsampling: "transposed" → "sau-label-gated"'],
      ['added', 'fusion', 'wire labels.semantic → fusion.labels added'],
      ['added', 'trunk', 'wire labels.semantic → trunk.labels added'],
    ]);
  });

  it('lists removed nodes and wires without a node to centre on, and marks added nodes green', () => {
    const full = shipped('lggan-cityscapes-tiny.json');
    const fixed = shipped('ablation-cityscapes-fixed-fusion-tiny.json');
    // Open the full graph and compare with the fixed-fusion one: out_attention is "added" here.
    const view = compareView(diffEvaluated(fixed, full, registry));
    expect(view.nodes.get('out_attention')).toBe('added');
    const back = compareView(diffEvaluated(full, fixed, registry));
    expect(back.items.filter((i) => i.change === 'removed')).toEqual([
      { change: 'removed', text: 'out_attention (core/output) removed' },
      { change: 'removed', text: 'wire encoder.x_encode → fusion.x_encode removed' },
      { change: 'removed', text: 'wire fusion.attention → out_attention.value removed' },
    ]);
  });
});
