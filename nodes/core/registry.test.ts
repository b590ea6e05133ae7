import { describe, expect, it } from 'vitest';
import { coreNodes, createRegistry, formatShape, inputPorts, outputPorts } from '../index.ts';
import type { ParamDef } from '../index.ts';
import { TEST_TEMPLATE, resolveParams } from '../testing.test-util.ts';

const EXPECTED_TYPES = [
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

describe('createRegistry', () => {
  it('registers every core node type once, ahead of the LGGAN pack', () => {
    const registry = createRegistry();
    const types = registry.list().map((d) => d.type);
    expect(types.filter((t) => t.startsWith('core/'))).toEqual(EXPECTED_TYPES);
    expect(types.slice(0, EXPECTED_TYPES.length)).toEqual(EXPECTED_TYPES);
    expect(types.every((t) => t.startsWith('core/') || t.startsWith('lggan/'))).toBe(true);
    expect(coreNodes).toHaveLength(EXPECTED_TYPES.length);
    expect(typeof formatShape).toBe('function'); // dims helpers are re-exported
  });

  it.each(coreNodes.map((d) => [d.type, d] as const))('%s is documented and its defaults fit their ranges', (_type, def) => {
    expect(def.version).toBe(1);
    expect(def.doc.length).toBeGreaterThan(80);
    expect(def.title.length).toBeGreaterThan(0);
    for (const [name, param] of Object.entries(def.params)) {
      expect(param.doc.length, `${def.type} param ${name}`).toBeGreaterThan(5);
      expect(defaultFits(param), `${def.type} param ${name} default`).toBe(true);
    }
    const params = resolveParams(def, {}, TEST_TEMPLATE);
    for (const port of [...inputPorts(def, params), ...outputPorts(def, params)]) {
      expect(port.doc, `${def.type} port ${port.name}`).toMatch(/B×/);
    }
  });
});
