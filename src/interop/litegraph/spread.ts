/**
 * The litegraph view draws a node taller than the Rete card (a row per widget, the title bar above
 * its position), so positions laid out for the Rete canvas can make litegraph nodes overlap. Before
 * the view shows a document, a node that would overlap one above it is moved down just below it;
 * x never changes, and a document without overlaps is returned as it is.
 */
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { boxesOverlap, nodeBox, type Box } from './layout.ts';
import { plainLitegraph as toLitegraph } from './to-litegraph.ts';

/** Free space kept between a moved node and the one it was moved below. */
export const SPREAD_GAP = 24;

/** How far each box must move down (by id) so that none overlaps another, taking them top to bottom. */
export function separateBoxes(items: readonly { id: string; box: Box }[], gap = SPREAD_GAP): Map<string, number> {
  const order = [...items].sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x);
  const placed: Box[] = [];
  const moves = new Map<string, number>();
  for (const { id, box } of order) {
    const b = { ...box };
    // Each step moves b strictly lower, below a box already placed: it ends after at most placed.length steps.
    for (let hit = placed.find((p) => boxesOverlap(p, b)); hit; hit = placed.find((p) => boxesOverlap(p, b))) b.y = hit.y + hit.height + gap;
    placed.push(b);
    if (b.y !== box.y) moves.set(id, b.y - box.y);
  }
  return moves;
}

/** Each node's box as litegraph draws it (title bar included), by our node id. */
export function litegraphBoxes(doc: GraphDocument, registry: Pick<NodeRegistry, 'get'>): { id: string; box: Box }[] {
  // toLitegraph exports the nodes first, in document order (comments follow as notes).
  const nodes = toLitegraph(doc, registry).nodes;
  return doc.nodes.map((n, i) => ({ id: n.id, box: nodeBox(nodes[i].pos as [number, number], nodes[i].size as [number, number]) }));
}

export function spreadForLitegraph(doc: GraphDocument, registry: Pick<NodeRegistry, 'get'>): GraphDocument {
  const moves = separateBoxes(litegraphBoxes(doc, registry));
  if (moves.size === 0) return doc;
  return { ...doc, nodes: doc.nodes.map((n) => (moves.has(n.id) ? { ...n, position: { x: n.position.x, y: n.position.y + moves.get(n.id)! } } : n)) };
}
