import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { loadGraph } from '../../graph/load.ts';
import { addNode, connect, disconnect, moveNodes, removeNodes, setParam, toggleNodeMode } from '../editor/edits.ts';
import { describeChange } from './change-label.ts';

const registry = createRegistry();
const loaded = loadGraph(readFileSync(new URL('../../../graphs/tiny-pix2pix.json', import.meta.url), 'utf8'), { registry });
if (!loaded.ok) throw new Error('tiny-pix2pix does not load');
const doc: GraphDocument = loaded.doc;

describe('naming a change that arrives as a whole document', () => {
  it('names added and deleted nodes', () => {
    const added = addNode(doc, registry, 'core/activation', { x: 0, y: 0 });
    expect(describeChange(doc, added.doc)).toBe(`Add ${added.id} (litegraph)`);
    expect(describeChange(doc, removeNodes(doc, ['res1']))).toBe('Delete res1 (litegraph)');
    expect(describeChange(doc, removeNodes(doc, ['res1', 'res2']))).toBe('Delete 2 nodes (litegraph)');
  });

  it('names wiring before params and moves', () => {
    const edge = doc.edges.find((e) => e.to.node === 'res2')!;
    const unwired = disconnect(doc, [edge]);
    expect(describeChange(doc, unwired)).toBe('Remove wire (litegraph)');
    expect(describeChange(unwired, doc)).toBe('Connect wire (litegraph)');
    // One wire replaced by another on the same input.
    const rewired = connect(unwired, { node: 'enc_act', port: 'y' }, edge.to);
    expect(describeChange(doc, rewired)).toBe('Rewire (litegraph)');
  });

  it('names the param that changed', () => {
    expect(describeChange(doc, setParam(doc, 'enc', 'kernel', 5))).toBe('Set enc.kernel (litegraph)');
    const two = setParam(setParam(doc, 'enc', 'kernel', 5), 'down', 'kernel', 7);
    expect(describeChange(doc, two)).toBe('Set 2 params (litegraph)');
  });

  it('names mode changes as Ctrl+B / Ctrl+M name them', () => {
    const bypassed = toggleNodeMode(doc, ['res1'], 'bypass');
    expect(describeChange(doc, bypassed)).toBe('Bypass res1 (litegraph)');
    expect(describeChange(bypassed, doc)).toBe('Un-bypass res1 (litegraph)');
    expect(describeChange(bypassed, toggleNodeMode(bypassed, ['res1'], 'mute'))).toBe('Mute res1 (litegraph)');
    expect(describeChange(doc, toggleNodeMode(doc, ['res1', 'res2'], 'mute'))).toBe('Mute 2 nodes (litegraph)');
    const mixed = toggleNodeMode(toggleNodeMode(doc, ['res1'], 'mute'), ['res2'], 'bypass');
    expect(describeChange(doc, mixed)).toBe('Set mode of 2 nodes (litegraph)');
  });

  it('names moves, and anything else an edit', () => {
    const res1 = doc.nodes.find((n) => n.id === 'res1')!;
    expect(describeChange(doc, moveNodes(doc, new Map([['res1', { x: res1.position.x + 40, y: res1.position.y }]])))).toBe('Move node (litegraph)');
    expect(describeChange(doc, { ...doc, meta: { ...doc.meta, name: 'renamed' } }, 'Rete')).toBe('Edit (Rete)');
  });
});
