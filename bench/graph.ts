/**
 * Benchmark: load + validate + infer + cost for a generated 1,000-node graph and for every shipped
 * graph. Prints ms and nodes/ms (median of repeated runs). Target: under 100 ms for 1,000 nodes
 * on the 2-core reference machine. Not a test: nothing here fails on time.
 *   npm run bench:graph
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistry } from '../nodes/index.ts';
import { resolveGraph } from '../src/compiler/resolve.ts';
import { loadGraph } from '../src/graph/load.ts';
import { saveGraph } from '../src/graph/save.ts';
import { largeGraph } from './large-graph.ts';

const registry = createRegistry();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(name: string, text: string, repeats = 15): void {
  const stages = { load: [] as number[], resolve: [] as number[], total: [] as number[] };
  let nodes = 0;
  let errors = 0;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const loaded = loadGraph(text, { registry });
    const t1 = performance.now();
    if (!loaded.ok) throw new Error(`${name} does not load: ${loaded.diagnostics[0]?.message}`);
    const ir = resolveGraph(loaded.doc, registry);
    const t2 = performance.now();
    stages.load.push(t1 - t0);
    stages.resolve.push(t2 - t1);
    stages.total.push(t2 - t0);
    nodes = loaded.doc.nodes.length;
    errors = ir.diagnostics.filter((d) => d.severity === 'error').length;
  }
  const total = median(stages.total);
  console.log(
    `${name.padEnd(36)} ${String(nodes).padStart(5)} nodes  load ${median(stages.load).toFixed(1).padStart(6)} ms  ` +
      `infer+cost ${median(stages.resolve).toFixed(1).padStart(6)} ms  total ${total.toFixed(1).padStart(6)} ms  ` +
      `${(nodes / total).toFixed(1).padStart(6)} nodes/ms${errors ? `  (${errors} errors)` : ''}`,
  );
}

const generated = saveGraph(largeGraph(1000));
measure('generated (1,000 nodes)', generated);
measure('generated (5,000 nodes)', saveGraph(largeGraph(5000)), 5);
const dir = join(import.meta.dirname, '..', 'graphs');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  measure(file, readFileSync(join(dir, file), 'utf8'));
}
