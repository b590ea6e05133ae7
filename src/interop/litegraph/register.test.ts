/**
 * The pack registered with litegraph.js (headless): every registry type, with slots, widgets,
 * colours and titles from its definition; litegraph's own type check refusing wrong kinds; ports
 * that follow their params, keeping links; connection checks and widget input parsing.
 */
import * as litegraph from 'litegraph.js';
import type { LGraphNode } from 'litegraph.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, kindAccepts, type TensorKind } from '../../../nodes/index.ts';
import { categoryColors } from './colors.ts';
import { fromLitegraph } from './convert.ts';
import { META_KEY } from './format.ts';
import { definedPorts } from './ports.ts';
import { packDefOf, registerLgganNodes, type LitegraphLib } from './register.ts';
import { ALL_KINDS, inputSlotType } from './slot-types.ts';
import { decimals, EXPRESSION_WIDGET, parseNumberInput, widgetSpec, widgetSpecs } from './widgets.ts';

const registry = createRegistry();
const lib = litegraph as unknown as LitegraphLib;
const { LiteGraph, LGraph } = litegraph;

type Slots = { name: string; type: string; link?: number | null; links?: number[] | null }[];
const inputsOf = (n: LGraphNode) => n.inputs as unknown as Slots;
const outputsOf = (n: LGraphNode) => n.outputs as unknown as Slots;

function graphWith(template: Record<string, number> = { num_classes: 4, height: 16, width: 16, ngf: 8, ndf: 8 }) {
  const graph = new LGraph();
  (graph as unknown as { extra: object }).extra = { [META_KEY]: { format: 'lggan-studio.graph', template } };
  const add = (type: string) => {
    const node = LiteGraph.createNode(type)!;
    graph.add(node);
    return node;
  };
  return { graph, add };
}

beforeAll(() => {
  registerLgganNodes(lib, registry);
});

describe('registration', () => {
  it('registers every registry type once, plus the note type, and again is a no-op', () => {
    const types = LiteGraph.registered_node_types as Record<string, unknown>;
    for (const def of registry.list()) expect(types[def.type], def.type).toBeDefined();
    expect(types.Note).toBeDefined();
    expect(registerLgganNodes(lib, registry)).toEqual([]);
  });

  it('gives each type the slots, widgets, title and colours of its definition', () => {
    for (const def of registry.list()) {
      const node = LiteGraph.createNode(def.type)!;
      expect(packDefOf(node)).toBe(def);
      const inputs = definedPorts(def, 'inputs', {}, {});
      const outputs = definedPorts(def, 'outputs', {}, {});
      expect(inputsOf(node).map((s) => [s.name, s.type]), def.type).toEqual(inputs.map((p) => [p.name, inputSlotType(p.kind)]));
      expect(outputsOf(node).map((s) => [s.name, s.type]), def.type).toEqual(outputs.map((p) => [p.name, p.kind]));
      const widgets = (node as unknown as { widgets?: { name: string; type: string }[] }).widgets ?? [];
      expect(widgets.map((w) => w.name)).toEqual(Object.keys(def.params));
      expect(widgets.map((w) => w.type)).toEqual(widgetSpecs(def).map((s) => s.type));
      expect(node.title).toBe(def.title);
      expect([node.color, node.bgcolor]).toEqual([categoryColors(def.category).color, categoryColors(def.category).bgcolor]);
    }
  });

  it('slot types make litegraph refuse exactly what kindAccepts refuses', () => {
    for (const expected of ALL_KINDS) {
      for (const actual of ALL_KINDS) {
        expect((LiteGraph as unknown as { isValidConnection(a: string, b: string): boolean }).isValidConnection(actual, inputSlotType(expected)), `${actual} → ${expected}`).toBe(kindAccepts(expected as TensorKind, actual as TensorKind));
      }
    }
    const { add } = graphWith();
    const labels = add('lggan/semantic-input');
    const conv = add('core/conv2d');
    const labelsSlot = outputsOf(labels).findIndex((s) => s.name === 'labels');
    expect(labels.connect(labelsSlot, conv, 0)).toBeNull(); // labels into a feature port: refused by litegraph itself
    const semanticSlot = outputsOf(labels).findIndex((s) => s.name === 'semantic');
    expect(labels.connect(semanticSlot, conv, 0)).not.toBeNull();
  });
});

describe('ports that follow params', () => {
  it('a loss node grows and shrinks its fake ports with `images`, keeping the links of ports that stay', () => {
    const { graph, add } = graphWith();
    const image = add('core/image-input');
    const loss = add('lggan/l1-loss');
    expect(inputsOf(loss).map((s) => s.name)).toEqual(['fake0', 'real']);
    image.connect(0, loss, 1); // real
    image.connect(0, loss, 0); // fake0
    loss.setProperty('images', 3);
    expect(inputsOf(loss).map((s) => s.name)).toEqual(['fake0', 'fake1', 'fake2', 'real']);
    const real = inputsOf(loss)[3];
    expect(real.link).not.toBeNull();
    expect((graph.links as unknown as Record<number, { target_slot: number }>)[real.link!].target_slot).toBe(3);

    const back = fromLitegraph(JSON.parse(JSON.stringify(graph.serialize())), registry);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    const lossNode = back.doc.nodes.find((n) => n.type === 'lggan/l1-loss')!;
    expect(lossNode.params).toEqual({ images: 3 });
    expect(back.doc.edges.map((e) => e.to.port).sort()).toEqual(['fake0', 'real']);
    expect(lossNode.extra).toBeUndefined(); // the node kept its automatic size

    loss.setProperty('images', 1);
    expect(inputsOf(loss).map((s) => s.name)).toEqual(['fake0', 'real']);
    expect(Object.keys(graph.links).length).toBe(2);
  });

  it('concat follows `inputs`; a link into a removed port goes away', () => {
    const { graph, add } = graphWith();
    const a = add('core/image-input');
    const concat = add('core/concat');
    concat.setProperty('inputs', 3);
    a.connect(0, concat, 2);
    concat.setProperty('inputs', 2);
    expect(inputsOf(concat).map((s) => s.name)).toEqual(['in0', 'in1']);
    expect(Object.keys(graph.links)).toHaveLength(0);
  });

  it('widget edits set the param property; configure does not rebuild ports from stale defaults', () => {
    const { graph, add } = graphWith();
    const loss = add('lggan/l1-loss');
    const widgets = (loss as unknown as { widgets: { name: string; callback: (v: unknown) => void }[] }).widgets;
    widgets.find((w) => w.name === 'images')!.callback(2.4);
    expect(loss.properties.images).toBe(2); // an int param rounds
    const copy = new LGraph();
    copy.configure(JSON.parse(JSON.stringify(graph.serialize())));
    expect(inputsOf(copy.getNodeById(loss.id)!).map((s) => s.name)).toEqual(['fake0', 'fake1', 'real']);
  });

  it('asks the host before wiring and reports its reason', () => {
    const { graph, add } = graphWith();
    const image = add('core/image-input');
    const conv = add('core/conv2d');
    const reasons: string[] = [];
    Object.assign(graph, {
      lgganCheckConnection: () => 'no, because of a test',
      onLgganRejected: (_n: LGraphNode, m: string) => reasons.push(m),
    });
    expect(image.connect(0, conv, 0)).toBeNull();
    expect(reasons).toEqual(['no, because of a test']);
  });
});

describe('widgets from the param schema', () => {
  it('maps each param type to a widget with its bounds', () => {
    expect(widgetSpec('k', { type: 'int', default: 3, min: 1, max: 7, doc: '' })).toEqual({ param: 'k', type: 'number', options: { property: 'k', step: 10, precision: 0, min: 1, max: 7 } });
    expect(widgetSpec('lr', { type: 'float', default: 0.0002, doc: '', ui: { step: 1e-5 } })).toMatchObject({ type: 'number', options: { step: 1e-4, precision: 5 } });
    expect(widgetSpec('c', { type: 'int', default: 'ngf', template: true, doc: '' }).type).toBe(EXPRESSION_WIDGET);
    expect(widgetSpec('a', { type: 'float', default: 0.5, min: 0, max: 1, doc: '', ui: { widget: 'slider' } }).type).toBe('slider');
    expect(widgetSpec('b', { type: 'bool', default: true, doc: '' }).type).toBe('toggle');
    expect(widgetSpec('e', { type: 'enum', options: ['a', 'b'], default: 'a', doc: '' })).toMatchObject({ type: 'combo', options: { values: ['a', 'b'] } });
    expect(widgetSpec('s', { type: 'string', default: '', doc: '' }).type).toBe('text');
    expect([decimals(1e-5), decimals(0.25), decimals(3), decimals(1e-8)]).toEqual([5, 2, 0, 8]);
  });

  it('parses typed numbers and expressions, refusing what the schema refuses', () => {
    const channels = { type: 'int', default: 'ngf', template: true, min: 1, doc: '' } as const;
    const kernel = { type: 'int', default: 3, min: 1, max: 7, doc: '' } as const;
    const template = { ngf: 8 };
    expect(parseNumberInput(channels, ' 16 ', template)).toEqual({ value: 16 });
    expect(parseNumberInput(channels, 'ngf*4', template)).toEqual({ value: 'ngf*4' });
    expect(parseNumberInput(channels, 'ngf/3', template)).toEqual({ error: 'expects a whole number, got 2.6666666666666665' });
    expect(parseNumberInput(channels, 'nfg*2', template)).toMatchObject({ error: expect.stringContaining('nfg') });
    expect(parseNumberInput(kernel, 'ngf', template)).toEqual({ error: '"ngf" is not a number' });
    expect(parseNumberInput(kernel, '9', template)).toEqual({ error: 'expects at most 7, got 9' });
  });
});
