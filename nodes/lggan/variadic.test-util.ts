/** The default graph with its local branch deleted, for the variadic-port tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistry } from '../index.ts';
import { inputPorts } from '../contract.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { loadGraph } from '../../src/graph/load.ts';

export const registry = createRegistry();
const root = join(import.meta.dirname, '..', '..');

export function shipped(file: string): GraphDocument {
  const loaded = loadGraph(readFileSync(join(root, 'graphs', file), 'utf8'), { registry });
  if (!loaded.ok) throw new Error(`${file} does not load`);
  return loaded.doc;
}

/**
 * Deletes `branch` and, repeatedly, every node that a required (non-optional) input now leaves
 * without a source: what only the branch fed. Optional ports (a loss's fake images, the trainer's
 * losses) are simply left open.
 */
export function deleteBranch(doc: GraphDocument, branch: string[]): { doc: GraphDocument; removed: string[] } {
  const gone = new Set(branch);
  for (let grew = true; grew; ) {
    grew = false;
    for (const n of doc.nodes) {
      if (gone.has(n.id)) continue;
      const def = registry.get(n.type)!;
      const params = Object.fromEntries(Object.entries(def.params).map(([k, p]) => [k, n.params[k] ?? p.default])) as Record<string, number | string | boolean>;
      const starved = inputPorts(def, params).some(
        (port) => !port.optional && doc.edges.some((e) => e.to.node === n.id && e.to.port === port.name && gone.has(e.from.node)),
      );
      if (starved) {
        gone.add(n.id);
        grew = true;
      }
    }
  }
  return {
    doc: { ...doc, nodes: doc.nodes.filter((n) => !gone.has(n.id)), edges: doc.edges.filter((e) => !gone.has(e.from.node) && !gone.has(e.to.node)), groups: [] },
    removed: [...gone].sort(),
  };
}

/** The local generator, its trunk, masks and classifier, and the fusion that needs its image. */
export const LOCAL_BRANCH = ['trunk', 'masks', 'local', 'classifier', 'fusion'];
