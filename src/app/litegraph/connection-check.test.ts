/** The wiring checks LitegraphView asks before litegraph connects two ports. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { loadGraph } from '../../graph/load.ts';
import { connectionProblem, kindRefusal } from './connection-check.ts';
import { problemsByNode } from './node-problems.ts';

const registry = createRegistry();
const loaded = loadGraph(readFileSync(new URL('../../../graphs/tiny-pix2pix.json', import.meta.url), 'utf8'), { registry });
if (!loaded.ok) throw new Error('tiny-pix2pix does not load');
const doc = loaded.doc;

describe('connectionProblem', () => {
  it('accepts a wiring that changes nothing for the worse', () => {
    expect(connectionProblem(doc, registry, { node: 'enc_act', port: 'y' }, { node: 'down', port: 'x' })).toBeNull();
  });

  it('refuses a cycle, naming it', () => {
    expect(connectionProblem(doc, registry, { node: 'tanh', port: 'y' }, { node: 'enc', port: 'x' })).toMatch(/^the graph has a cycle through /);
  });

  it('refuses a shape the target port cannot take, with the node rule’s message', () => {
    // A half-size map into the discriminator's concat, whose other input is full size.
    expect(connectionProblem(doc, registry, { node: 'down_act', port: 'y' }, { node: 'd_in', port: 'in1' })).toBe(
      "port 'in1' is H/2×W/2×16 but port 'in0' is H×W×num_classes: spatial sizes must agree",
    );
  });

  it('describes a kind litegraph refused', () => {
    expect(kindRefusal({ title: 'Conv 2D', port: 'x', slotType: 'feature,image', doc: 'B×H×W×C map.' }, { title: 'Labels', port: 'labels', kind: 'labels' })).toBe(
      "'Conv 2D' input 'x' takes feature, image (B×H×W×C map); 'Labels'.labels gives labels",
    );
  });
});

describe('problemsByNode', () => {
  it('groups diagnostics by node, errors apart from warnings, with the port or param named', () => {
    const map = problemsByNode([
      { severity: 'error', code: 'missing-input', message: 'not connected', where: { node: 'a', port: 'x' } },
      { severity: 'warning', code: 'unreachable', message: 'feeds no output', where: { node: 'a' } },
      { severity: 'error', code: 'bad-param', message: 'too big', where: { node: 'b', param: 'kernel' } },
      { severity: 'error', code: 'cycle', message: 'graph-level', where: {} },
    ]);
    expect(Object.fromEntries(map)).toEqual({
      a: { errors: ['x: not connected'], warnings: ['feeds no output'] },
      b: { errors: ['kernel: too big'], warnings: [] },
    });
  });
});
