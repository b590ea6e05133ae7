/**
 * The graph shapes that once made the resolver slow or overflow (a 100k-node fan-out, a fan-in of
 * 50k edges into one port, a 10k-node cycle, a 100k-node chain), timed through the loader (parse
 * + validate + node upgrade) and the resolver, each in milliseconds. 100k nodes are over the
 * document limit and must be refused at once; the same shapes at the limit must resolve.
 *
 *   node --import tsx bench/resolve-scale.ts
 */
import { createRegistry } from '../nodes/index.ts';
import { resolveGraph } from '../src/compiler/resolve.ts';
import { scaleGraph, type ScaleShape } from '../src/compiler/scale-graphs.test-util.ts';
import { loadGraph } from '../src/graph/load.ts';
import { MAX_NODES } from '../src/graph/validate.ts';

const registry = createRegistry();
const cases: [string, ScaleShape, number][] = [
  ['fan-out, 100k nodes', 'fan-out', 100_000],
  ['chain of 100k nodes', 'chain', 100_000],
  [`fan-out at the limit (${MAX_NODES})`, 'fan-out', MAX_NODES],
  [`fan-in at the limit, ${MAX_NODES - 2} edges into one port`, 'fan-in', MAX_NODES],
  ['cycle of 10k nodes', 'cycle', 10_002],
  [`chain at the limit (${MAX_NODES})`, 'chain', MAX_NODES],
];

const ms = (since: number) => (performance.now() - since).toFixed(0).padStart(6);
console.log(`${'shape'.padEnd(44)} load ms  resolve ms  outcome`);
for (const [name, shape, nodes] of cases) {
  const doc = scaleGraph(shape, nodes);
  const text = JSON.stringify(doc);
  let started = performance.now();
  const loaded = loadGraph(text, { registry });
  const loadMs = ms(started);
  started = performance.now();
  const ir = resolveGraph(doc, registry);
  const resolveMs = ms(started);
  const first = [...(loaded.ok ? [] : loaded.diagnostics), ...ir.diagnostics].find((d) => d.severity === 'error');
  const outcome = first ? `${first.code}: ${first.message.slice(0, 70)}` : `ok, ${ir.order.length} nodes ordered`;
  console.log(`${name.padEnd(44)} ${loadMs}  ${resolveMs.padStart(10)}  ${outcome}`);
}
