/**
 * Conversion at scale: a 2,000-node chain both ways, and a 2,000-node ComfyUI-shaped file opened
 * and written back. Correctness is asserted; the times are printed for the record, not asserted.
 */
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDocument } from '../../graph/document.ts';
import { saveGraph } from '../../graph/save.ts';
import { fromLitegraph, toLitegraph } from './convert.ts';

const registry = createRegistry();
const N = 2000;

function timed<T>(what: string, run: () => T): T {
  const start = performance.now();
  const out = run();
  console.info(`${what}: ${Math.round(performance.now() - start)} ms`);
  return out;
}

describe(`${N}-node graphs`, () => {
  it('a chain of our nodes goes to litegraph and back unchanged', () => {
    const doc: GraphDocument = { format: GRAPH_FORMAT, version: GRAPH_VERSION, meta: { name: 'chain' }, template: {}, nodes: [], edges: [], groups: [], comments: [], extra: {} };
    for (let i = 0; i < N; i++) doc.nodes.push({ id: `n${i}`, type: 'core/activation', typeVersion: 1, params: {}, position: { x: i * 10, y: 0 } });
    for (let i = 1; i < N; i++) doc.edges.push({ from: { node: `n${i - 1}`, port: 'y' }, to: { node: `n${i}`, port: 'x' } });
    const lite = timed('toLitegraph, 2000 nodes', () => toLitegraph(doc, registry));
    const back = timed('fromLitegraph, 2000 nodes', () => fromLitegraph(JSON.parse(JSON.stringify(lite)), registry));
    expect(back.ok && saveGraph(back.doc)).toBe(saveGraph(doc));
  });

  it('a ComfyUI-shaped file is written back exactly, and with one node moved only that pos changes', () => {
    const nodes = Array.from({ length: N }, (_, i) => ({
      id: i + 1,
      type: 'KSampler',
      pos: [i * 10, 0],
      size: [315, 262],
      flags: {},
      order: i,
      mode: 0,
      inputs: i > 0 ? [{ name: 'latent_image', type: 'LATENT', link: i }] : [],
      outputs: [{ name: 'LATENT', type: 'LATENT', links: i < N - 1 ? [i + 1] : [], slot_index: 0 }],
      properties: { 'Node name for S&R': 'KSampler' },
      widgets_values: [i, 'fixed', 20, 8, 'euler', 'normal', 1],
    }));
    const links = Array.from({ length: N - 1 }, (_, i) => [i + 1, i + 1, 0, i + 2, 0, 'LATENT']);
    const file = { last_node_id: N, last_link_id: N - 1, nodes, links, groups: [], config: {}, extra: { ds: { scale: 1, offset: [0, 0] } }, version: 0.4 };
    const opened = timed('open a 2000-node ComfyUI file', () => fromLitegraph(structuredClone(file), registry, { name: 'big' }));
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(timed('write it back unchanged', () => toLitegraph(opened.doc, registry))).toEqual(file);
    opened.doc.nodes[5].position = { x: 1, y: 2 };
    const moved = timed('write it back with one node moved', () => toLitegraph(opened.doc, registry)) as unknown as typeof file;
    expect(moved.nodes[5].pos).toEqual([1, 2]);
    expect({ ...moved, nodes: moved.nodes.filter((_, i) => i !== 5) }).toEqual({ ...file, nodes: file.nodes.filter((_, i) => i !== 5) });
  });
});
