import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../graph/document.ts';
import { formatShape } from '../../nodes/dims.ts';
import { chain, doc, edge, fakeRegistry, node } from './fixtures.test-util.ts';
import { resolveGraph } from './resolve.ts';
import { createRegistry } from '../../nodes/index.ts';
import { MAX_NODES } from '../graph/validate.ts';
import { scaleGraph } from './scale-graphs.test-util.ts';

const registry = fakeRegistry();
const codes = (ir: ReturnType<typeof resolveGraph>) => ir.diagnostics.map((d) => d.code);

describe('resolveGraph', () => {
  it('infers symbolic shapes and totals per network at the chosen batch size', () => {
    const ir = resolveGraph(chain(), registry, { batch: 3 });
    expect(ir.diagnostics).toEqual([]);
    expect(ir.order).toEqual(['in', 's1', 's2', 'out']);
    const y = ir.nodes.get('s2')!.outputs.y;
    expect(formatShape(y.shape)).toBe('H×W×2');
    expect(y.shape[0].value).toBe(3);
    // s1 in G, s2 in D: 2·C params each, B·H·W·C macs each.
    expect(ir.networks.get('G')).toMatchObject({ params: 4, macs: 3 * 4 * 6 * 2, nodes: 3 });
    expect(ir.networks.get('D')).toMatchObject({ params: 4, macs: 144, nodes: 1 });
    expect(ir.total.params).toBe(8);
    // activations: in, s1, s2 each output 3·4·6·2 floats
    expect(ir.total.activationBytes).toBe(3 * 144 * 4);
    expect(ir.total.weightBytes).toBe(32);
  });

  it('evaluates template expressions and reports a bad param at its JSON pointer', () => {
    const d = chain();
    d.nodes[1].params.expect_channels = 'num_classes*600';
    const ir = resolveGraph(d, registry);
    const problem = ir.diagnostics.find((x) => x.code === 'bad-param')!;
    expect(problem.where).toMatchObject({ node: 's1', param: 'expect_channels', pointer: '/nodes/1/params/expect_channels' });
    expect(problem.message).toContain('between 0 and 1024, got 1200 from "num_classes*600"');
  });

  it('reports an unknown param and an unknown template name', () => {
    const d = chain();
    d.nodes[1].params.kernal = 3;
    d.nodes[2].params.expect_channels = 'ngf';
    const ir = resolveGraph(d, registry);
    expect(ir.diagnostics.find((x) => x.code === 'unknown-param')!.message).toContain("has no param 'kernal' (its params: expect_channels)");
    expect(ir.diagnostics.find((x) => x.code === 'bad-param')!.message).toContain("unknown name 'ngf'");
  });

  it('refuses an edge to a missing port, naming the available ones', () => {
    const d = chain();
    d.edges[1] = edge('s1', 'y', 's2', 'input');
    const ir = resolveGraph(d, registry);
    const problem = ir.diagnostics.find((x) => x.code === 'missing-port')!;
    expect(problem.where).toMatchObject({ edge: 1, node: 's2', port: 'input', pointer: '/edges/1/to/port' });
    expect(problem.message).toBe("'test/scale' has no input port 'input' (its inputs: x)");
    // s2's input is then unconnected: reported at the port, and nothing downstream is guessed.
    expect(ir.diagnostics.find((x) => x.code === 'missing-input')!.where).toMatchObject({ node: 's2', port: 'x' });
    expect(ir.nodes.get('out')!.diagnostics).toEqual([]);
  });

  it('reports a shape conflict at the port with both sides', () => {
    const d = chain();
    d.nodes[2].params.expect_channels = 8;
    const ir = resolveGraph(d, registry);
    const problem = ir.diagnostics.find((x) => x.code === 'shape-mismatch')!;
    expect(problem.where).toMatchObject({ node: 's2', port: 'x', pointer: '/nodes/2' });
    expect(problem.message).toBe('expects 8 channels, got 2');
  });

  it('refuses a wire of the wrong kind', () => {
    // An output node has no outputs, so wire the scale's output into an input node-less graph:
    const d = doc([node('a', 'test/input'), node('s', 'test/scale'), node('o', 'test/output')], [edge('a', 'out', 's', 'x'), edge('s', 'y', 'o', 'value')]);
    const registryWithStrict = fakeRegistry();
    const strict = { ...registryWithStrict.get('test/output')!, type: 'test/semantic-sink', inputs: [{ name: 'value', kind: 'semantic' as const, doc: 'one-hot map' }] };
    registryWithStrict.register(strict);
    d.nodes[2].type = 'test/semantic-sink';
    const ir = resolveGraph(d, registryWithStrict);
    const problem = ir.diagnostics.find((x) => x.code === 'kind-mismatch')!;
    expect(problem.where).toMatchObject({ node: 'o', port: 'value', edge: 1 });
    expect(problem.message).toBe("input 'value' expects semantic (one-hot map), got feature H×W×2 from 's'.y");
  });

  it('names the nodes of a cycle', () => {
    const d = doc(
      [node('in', 'test/input'), node('a', 'test/scale'), node('b', 'test/scale'), node('out', 'test/output')],
      [edge('b', 'y', 'a', 'x'), edge('a', 'y', 'b', 'x'), edge('b', 'y', 'out', 'value')],
    );
    const ir = resolveGraph(d, registry);
    const cycle = ir.diagnostics.find((x) => x.code === 'cycle')!;
    expect(cycle.message).toContain("'a' → 'b'");
    expect(cycle.where.node).toBe('a');
  });

  it('warns about unreachable nodes and keeps unknown types as placeholders', () => {
    const d = chain();
    d.nodes.push(node('stray', 'test/scale'), node('future', 'lggan/quantum-upsampler', { qubits: 7 }));
    d.edges.push(edge('in', 'out', 'stray', 'x'), edge('s1', 'y', 'future', 'whatever'));
    const ir = resolveGraph(d, registry);
    expect(ir.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    expect(codes(ir)).toEqual(expect.arrayContaining(['unreachable', 'unknown-type']));
    expect(ir.diagnostics.find((x) => x.code === 'unreachable' && x.where.node === 'stray')).toBeTruthy();
    expect(ir.nodes.get('future')!.def).toBeUndefined();
  });

  it('shows a node type’s own warnings on the node', () => {
    const withWarning = fakeRegistry();
    const def = withWarning.get('test/scale')!;
    withWarning.register({ ...def, type: 'test/needs-weights', warnings: () => ['no weights file: this node is skipped'] });
    const d = chain();
    d.nodes[1].type = 'test/needs-weights';
    const ir = resolveGraph(d, withWarning);
    expect(ir.diagnostics).toEqual([
      { severity: 'warning', code: 'node-warning', message: 'no weights file: this node is skipped', where: { node: 's1', pointer: '/nodes/1' } },
    ]);
  });

  it('warns when nothing is an output', () => {
    const ir = resolveGraph(doc([node('in', 'test/input')], []), registry);
    expect(codes(ir)).toEqual(['no-output']);
  });
});

describe('resolveGraph on hostile names', () => {
  it("reports params named after Object.prototype's members as unknown, like any other name", () => {
    const d = chain();
    // JSON.parse makes "__proto__" an ordinary own key, as a file or share link would.
    d.nodes[1].params = JSON.parse('{"__proto__": 1, "constructor": 2, "hasOwnProperty": 3, "toString": 4, "expect_channels": 2}');
    const ir = resolveGraph(d, registry);
    const unknown = ir.diagnostics.filter((x) => x.code === 'unknown-param');
    expect(unknown.map((x) => x.where.param)).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
    expect(unknown.map((x) => x.where.pointer)).toEqual(['/nodes/1/params/__proto__', '/nodes/1/params/constructor', '/nodes/1/params/hasOwnProperty', '/nodes/1/params/toString']);
    expect(unknown[0].message).toBe("'test/scale' has no param '__proto__' (its params: expect_channels)");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports a template expression calling a prototype member at its param', () => {
    for (const expression of ['hasOwnProperty(1)', 'valueOf(1)', 'toLocaleString(1)', 'constructor', '__proto__ * 2']) {
      const d = chain();
      d.nodes[1].params.expect_channels = expression;
      const problem = resolveGraph(d, registry).diagnostics.find((x) => x.code === 'bad-param');
      expect(problem, expression).toMatchObject({ where: { node: 's1', param: 'expect_channels', pointer: '/nodes/1/params/expect_channels' } });
      expect(problem!.message).toMatch(/^expect_channels expression ".*": unknown (function|name) '(hasOwnProperty|valueOf|toLocaleString|constructor|__proto__)'.*\(character \d+\)$/);
    }
  });

  it('does not take a prototype member for the output of a placeholder', () => {
    const d = chain();
    d.nodes.push(node('future', 'lggan/quantum', {}));
    d.edges[2] = edge('future', 'constructor', 'out', 'value');
    const ir = resolveGraph(d, registry);
    expect(ir.diagnostics.filter((x) => x.code === 'internal')).toEqual([]);
    expect(ir.nodes.get('out')!.inputs).toEqual({});
  });
});

describe('resolveGraph at scale', () => {
  const real = createRegistry();

  it('resolves a wide fan-out, a wide fan-in and a long chain (iteratively, in linear passes)', () => {
    const fanOut = resolveGraph(scaleGraph('fan-out', 20_000), real);
    expect(fanOut.order).toHaveLength(20_000);
    expect(fanOut.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    const fanIn = resolveGraph(scaleGraph('fan-in', 20_000), real);
    expect(fanIn.order).toHaveLength(20_000);
    const chainIr = resolveGraph(scaleGraph('chain', 20_000), real);
    expect(chainIr.diagnostics).toEqual([]);
    expect(chainIr.order.at(-1)).toBe('out');
  });

  it('names a 10,000-node cycle in one short message', () => {
    const ir = resolveGraph(scaleGraph('cycle', 10_002), real);
    const cycles = ir.diagnostics.filter((x) => x.code === 'cycle');
    expect(cycles).toHaveLength(1);
    expect(cycles[0].message).toBe("the graph has a cycle through 'a0' → 'a1' → 'a2' → 'a3' → 'a4' → 'a5' → … 9989 more … → 'a9995' → 'a9996' → 'a9997' → 'a9998' → 'a9999' → 'a0'; a dataflow graph must not loop");
    expect(cycles[0].where).toEqual({ node: 'a0', pointer: '/nodes/1' });
  });

  it('refuses a document over the node limit before walking it', () => {
    const d = chain();
    d.nodes = Array.from({ length: MAX_NODES + 1 }, (_, i) => node(`n${i}`, 'test/scale'));
    const ir = resolveGraph(d, registry);
    expect(ir.diagnostics).toEqual([
      { severity: 'error', code: 'too-large', message: 'the graph has 50,001 nodes; at most 50,000 are allowed', where: { pointer: '/nodes' } },
    ]);
    expect(ir.nodes.size).toBe(0);
  });
});


describe('resolveGraph refuses what the compiled program would', () => {
  it('reports a one-class classification module at its param, with the template name it came from', () => {
    const text = readFileSync(new URL('../../graphs/lggan-cityscapes-tiny.json', import.meta.url), 'utf8');
    const d = JSON.parse(text) as GraphDocument;
    d.template.num_classes = 1;
    const ir = resolveGraph(d, createRegistry());
    const problem = ir.diagnostics.find((x) => x.where.node === 'classifier' && x.severity === 'error');
    expect(problem).toMatchObject({ code: 'bad-param', where: { param: 'classes' } });
    expect(problem!.message).toBe('classes expects a value between 2 and 1024, got 1 from "num_classes"');
  });
});
