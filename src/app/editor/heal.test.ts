import { describe, expect, it } from 'vitest';
import cityscapes from '../../../graphs/lggan-cityscapes-tiny.json';
import type { NodeDef } from '../../../nodes/contract.ts';
import { createRegistry } from '../../../nodes/index.ts';
import { NodeRegistry } from '../../../nodes/registry.ts';
import { coreNodes } from '../../../nodes/core/index.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { GRAPH_VERSION, type GraphDocument } from '../../graph/document.ts';
import { loadGraphValue } from '../../graph/load.ts';
import * as edits from './edits.ts';
import { canReconnect, droppedWiresNotice, dropStaleWires, healEditedDocument, nodesWithChangedParams, removeNodesReconnecting, setParamHealing } from './heal.ts';
import { History } from './history.ts';

const registry = createRegistry();

function load(json: unknown, reg = registry): GraphDocument {
  const r = loadGraphValue(json, { registry: reg });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.doc;
}

const errorsOf = (doc: GraphDocument, reg = registry) => resolveGraph(doc, reg, { batch: 1 }).diagnostics.filter((d) => d.severity === 'error');
const wire = (e: { from: { node: string; port: string }; to: { node: string; port: string } }) => `${e.from.node}.${e.from.port}>${e.to.node}.${e.to.port}`;

describe('a param change heals the wiring', () => {
  const doc = load(cityscapes);

  it('fusion switched to fixed drops the stale x_encode wire, in the same edit, and names it', () => {
    expect(errorsOf(doc)).toEqual([]);
    // Without healing the wire stays and the graph has an error on it.
    expect(errorsOf(edits.setParam(doc, 'fusion', 'mode', 'fixed')).map((d) => d.code)).toEqual(['missing-port']);
    const { doc: healed, dropped } = setParamHealing(doc, registry, 'fusion', 'mode', 'fixed');
    expect(dropped.map(wire)).toEqual(['encoder.x_encode>fusion.x_encode']);
    expect(healed.nodes.find((n) => n.id === 'fusion')!.params.mode).toBe('fixed');
    expect(errorsOf(healed)).toEqual([]);
    expect(healed.edges).toHaveLength(doc.edges.length - 1);
    expect(droppedWiresNotice(dropped)).toBe("Removed 1 wire that no longer fits: 'encoder'.x_encode → 'fusion'.x_encode");
    // One undo step brings back the param and the wire together.
    const history = new History();
    history.record(doc, 'Set mode of fusion');
    const back = history.undo(healed)!;
    expect(back).toBe(doc);
    expect(back.edges.map(wire)).toContain('encoder.x_encode>fusion.x_encode');
  });

  it('fewer trainer loss ports drop the wires into the ports that are gone; the rest of the graph is untouched', () => {
    const { doc: healed, dropped } = setParamHealing(doc, registry, 'trainer', 'g_losses', 3);
    expect(dropped.map(wire)).toEqual(['g_class_l1.loss>trainer.g_loss_3', 'g_class_ce.loss>trainer.g_loss_4']);
    expect(droppedWiresNotice(dropped)).toMatch(/^Removed 2 wires that no longer fit: 'g_class_l1'\.loss → 'trainer'\.g_loss_3, /);
    // The two losses now feed nothing; nothing else breaks.
    expect(errorsOf(healed)).toEqual([]);
  });

  it('a change that keeps every port drops nothing and returns the plain edit', () => {
    const { doc: healed, dropped } = setParamHealing(doc, registry, 'fusion', 'upsampling', 'sau');
    expect(dropped).toEqual([]);
    expect(healed).toEqual(edits.setParam(doc, 'fusion', 'upsampling', 'sau'));
  });

  it('leaves a wire that was already broken, and a node whose params do not resolve, alone', () => {
    const broken = edits.connect(doc, { node: 'encoder', port: 'no_such_port' }, { node: 'out_attention', port: 'value' });
    const { dropped } = setParamHealing(broken, registry, 'out_attention', 'name', 'att');
    expect(dropped).toEqual([]);
    const { dropped: none } = setParamHealing(doc, registry, 'fusion', 'mode', 'no-such-mode');
    expect(none).toEqual([]);
  });

  it('drops a wire whose port changed kind, where the kinds no longer connect', () => {
    // A test node whose output turns from an image into a loss with a param.
    const switching: NodeDef = {
      ...coreNodes.find((d) => d.type === 'core/activation')!,
      type: 'test/switching',
      params: { as: { type: 'enum', options: ['image', 'loss'], default: 'image', doc: 'output kind' } },
      outputs: (p) => [{ name: 'y', kind: p.as === 'loss' ? 'loss' : 'image', doc: 'y' }],
    };
    const reg = new NodeRegistry([...coreNodes, switching]);
    let small: GraphDocument = { format: 'lggan-studio.graph', version: GRAPH_VERSION, meta: { name: 't' }, template: { num_classes: 4, height: 16, width: 16 }, nodes: [], edges: [], groups: [], comments: [], extra: {} };
    small = edits.addNode(small, reg, 'test/switching', { x: 0, y: 0 }).doc;
    small = edits.addNode(small, reg, 'core/output', { x: 300, y: 0 }).doc;
    small = edits.connect(small, { node: 'switching', port: 'y' }, { node: 'output', port: 'value' });
    // A feature port takes an image, not a loss.
    const { doc: healed, dropped } = setParamHealing(small, reg, 'switching', 'as', 'loss');
    expect(dropped.map(wire)).toEqual(['switching.y>output.value']);
    expect(healed.edges).toEqual([]);
    // Back to an image: nothing to drop. dropStaleWires looks only at wires touching the nodes it is given.
    expect(setParamHealing(small, reg, 'switching', 'as', 'image').dropped).toEqual([]);
    expect(dropStaleWires(small, edits.setParam(small, 'switching', 'as', 'loss'), reg, []).dropped).toEqual([]);
  });
});

describe('a whole edited document (the litegraph view)', () => {
  it('heals the wires of the nodes whose params changed there, and only those', () => {
    const doc = load(cityscapes);
    // Another editor hands back a document with the param changed and the wire still in place.
    const edited = edits.setParam(edits.setParam(doc, 'fusion', 'mode', 'fixed'), 'out_attention', 'name', 'weights');
    expect(nodesWithChangedParams(doc, edited)).toEqual(['fusion', 'out_attention']);
    const { doc: healed, dropped } = healEditedDocument(doc, edited, registry);
    expect(dropped.map(wire)).toEqual(['encoder.x_encode>fusion.x_encode']);
    expect(errorsOf(healed)).toEqual([]);
    expect(healEditedDocument(doc, edits.moveNodes(doc, new Map([['fusion', { x: 1, y: 2 }]])), registry).dropped).toEqual([]);
  });
});

describe('delete and reconnect', () => {
  const doc = load(cityscapes);

  it('is offered only for node types with pass-through pairs', () => {
    expect(canReconnect(doc, registry, ['fusion'])).toBe(true);
    expect(canReconnect(doc, registry, ['encoder', 'trainer'])).toBe(false);
  });

  it('deleting the fusion wires the global image to everything the fused image fed, in one edit', () => {
    const { doc: next, reconnected, refused } = removeNodesReconnecting(doc, registry, ['fusion']);
    expect(next.nodes.some((n) => n.id === 'fusion')).toBe(false);
    expect(reconnected.map(wire).sort()).toEqual(
      ['global.image>out_final.value', 'global.image>g_adv.fake0', 'global.image>g_feat.fake0', 'global.image>g_vgg.fake0', 'global.image>d_adv.fake0'].sort(),
    );
    expect(refused).toEqual([]);
    // The attention map has no pass-through: its output node is left unfed, as a plain delete leaves it.
    expect(errorsOf(next).map((d) => [d.where.node, d.code])).toEqual([['out_attention', 'missing-input']]);
    expect(errorsOf(edits.removeNodes(doc, ['fusion'])).length).toBeGreaterThan(1);
  });

  it('falls back to the next pair when the first input is not wired, and plain-deletes nodes without pairs', () => {
    const noGlobal = edits.disconnect(doc, doc.edges.filter((e) => e.to.node === 'fusion' && e.to.port === 'global'));
    const { reconnected } = removeNodesReconnecting(noGlobal, registry, ['fusion', 'out_attention']);
    expect(reconnected.map(wire)).toContain('local.local>out_final.value');
    const plain = removeNodesReconnecting(doc, registry, ['encoder']);
    expect(plain.reconnected).toEqual([]);
    expect(plain.doc).toEqual(edits.removeNodes(doc, ['encoder']));
  });
});
