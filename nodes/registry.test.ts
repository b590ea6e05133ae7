/**
 * Rules every node type of the shipped registry keeps, whichever pack or family it belongs to: it is
 * documented, its defaults fit their ranges and resolve, and at a tiny size it either builds and
 * runs or refuses its inputs with a rule error that names the port or param at fault.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { coreNodes, createRegistry, dim, formatShape, inputPorts, outputPorts } from './index.ts';
import type { NodeDef, ParamDef, TensorKind, TensorType } from './index.ts';
import { NodeRuleError } from '../src/graph/diagnostics.ts';
import { FED_VALUE } from './core/io/input-common.ts';
import { TEST_TEMPLATE, buildNode, resolveParams } from './testing.test-util.ts';

const EXPECTED_CORE_TYPES = [
  'core/semantic-input',
  'core/image-input',
  'core/noise-input',
  'core/conv2d',
  'core/conv-transpose2d',
  'core/instance-norm',
  'core/batch-norm',
  'core/activation',
  'core/residual-block',
  'core/upsample',
  'core/downsample',
  'core/concat',
  'core/add',
  'core/multiply',
  'core/linear',
  'core/channel-softmax',
  'core/global-avg-pool',
  'core/output',
];

function defaultFits(param: ParamDef): boolean {
  switch (param.type) {
    case 'int':
    case 'float':
      if (typeof param.default === 'string') return param.template === true;
      return (param.min === undefined || param.default >= param.min) && (param.max === undefined || param.default <= param.max);
    case 'enum':
      return param.options.includes(param.default);
    case 'string':
      return param.pattern === undefined || new RegExp(param.pattern).test(param.default);
    case 'bool':
      return typeof param.default === 'boolean';
  }
}

/** Ports that carry no tensor map: their docs say what they are rather than a B×… shape. */
const SHAPELESS_KINDS: readonly TensorKind[] = ['loss', 'network'];

/** A tiny 8×8 input of each kind, the same for every node type (channels: the test template's). */
function tinyInput(kind: TensorKind): TensorType {
  const channels: Partial<Record<TensorKind, number>> = { image: 3, semantic: TEST_TEMPLATE.num_classes + 1, labels: 1, mask: TEST_TEMPLATE.num_classes };
  if (kind === 'vector' || kind === 'logits') return { kind, shape: [dim(1), dim(4)] };
  return { kind, shape: [dim(1), dim(8), dim(8), dim(channels[kind] ?? 4)] };
}

const registry = createRegistry();

describe('createRegistry', () => {
  it('registers every core node type once, ahead of the LGGAN pack', () => {
    const types = registry.list().map((d) => d.type);
    expect(types.filter((t) => t.startsWith('core/'))).toEqual(EXPECTED_CORE_TYPES);
    expect(types.slice(0, EXPECTED_CORE_TYPES.length)).toEqual(EXPECTED_CORE_TYPES);
    expect(types.every((t) => t.startsWith('core/') || t.startsWith('lggan/'))).toBe(true);
    expect(coreNodes).toHaveLength(EXPECTED_CORE_TYPES.length);
    expect(typeof formatShape).toBe('function'); // dims helpers are re-exported
  });
});

describe.each(registry.list().map((d) => [d.type, d] as const))('%s', (_type, def: NodeDef) => {
  it('is documented, versioned and its defaults fit their ranges', () => {
    expect(def.version).toBe(1);
    expect(def.title.length).toBeGreaterThan(0);
    expect(def.doc.length).toBeGreaterThan(200);
    for (const [name, param] of Object.entries(def.params)) {
      expect(param.doc.length, `${def.type} param ${name}`).toBeGreaterThan(10);
      expect(defaultFits(param), `${def.type} param ${name} default`).toBe(true);
      if (param.type === 'int') expect(param.min !== undefined && param.max !== undefined, `${def.type} param ${name} range`).toBe(true);
    }
    const params = resolveParams(def, {}, TEST_TEMPLATE);
    for (const port of [...inputPorts(def, params), ...outputPorts(def, params)]) {
      if (SHAPELESS_KINDS.includes(port.kind)) expect(port.doc.length, `${def.type} port ${port.name}`).toBeGreaterThan(10);
      else expect(port.doc, `${def.type} port ${port.name}`).toMatch(/B×/);
    }
    if (def.category === 'loss') expect(outputPorts(def, params)).toEqual([expect.objectContaining({ name: 'loss', kind: 'loss' })]);
    if (def.category === 'discriminator') {
      expect(outputPorts(def, params).map((p) => p.kind)).toEqual(['network']);
      expect(def.officialKeys).toBeTypeOf('function');
      expect(def.defaultNetwork).toBe('D');
    }
  });

  it('with its defaults, builds and runs at a tiny size, or names the port or param its inputs break', () => {
    const params = resolveParams(def, {}, TEST_TEMPLATE);
    const inputTypes = Object.fromEntries(
      inputPorts(def, params)
        .filter((p) => !p.optional && p.kind !== 'network')
        .map((p) => [p.name, tinyInput(p.kind)]),
    );
    let node: ReturnType<typeof buildNode>;
    try {
      node = buildNode(def, {}, inputTypes);
    } catch (error) {
      expect(error).toBeInstanceOf(NodeRuleError);
      const at = (error as NodeRuleError).at;
      expect(at.port ?? at.param, (error as Error).message).toBeTypeOf('string');
      return;
    }
    const feeds = Object.fromEntries(Object.entries(inputTypes).map(([port, t]) => [port, tf.zeros(t.shape.map((d) => d.value))]));
    if (inputPorts(def, params).length === 0) {
      // Fed at run time: a tensor of the fed type (label ids and instance ids are zeros too).
      const fed = def.feedType?.({ inputs: {}, params, template: TEST_TEMPLATE }) ?? Object.values(node.outputs)[0];
      feeds[FED_VALUE] = tf.zeros(fed.shape.map((d) => d.value), fed.kind === 'labels' ? 'int32' : 'float32');
    }
    const outputs = node.run(feeds);
    for (const [port, type] of Object.entries(node.outputs)) {
      if (SHAPELESS_KINDS.includes(type.kind) || !(port in outputs)) continue;
      expect(outputs[port].shape, `${def.type} output ${port}`).toEqual(type.shape.map((d) => d.value));
    }
    tf.dispose([...Object.values(feeds), ...Object.values(outputs)]);
    node.dispose();
  });
});
