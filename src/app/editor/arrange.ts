/**
 * Auto-arrange: a layered left-to-right layout from elkjs (the same engine as Rete's auto-arrange
 * plugin, called directly so the result is a plain position map that becomes one undoable edit).
 * Comments are left where they are. Every node needs a size; the canvas passes nodeSize().
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { GraphDocument, Position } from '../../graph/document.ts';

type Size = { width: number; height: number };

let elk: InstanceType<typeof ELK> | undefined;

export async function arrangeLayout(doc: GraphDocument, sizeOf: (id: string) => Size, origin: Position = { x: 0, y: 0 }): Promise<Map<string, Position>> {
  elk ??= new ELK();
  const ids = new Set(doc.nodes.map((n) => n.id));
  const seen = new Set<string>();
  const edges = doc.edges
    .filter((e) => ids.has(e.from.node) && ids.has(e.to.node) && e.from.node !== e.to.node)
    .filter((e) => {
      const key = `${e.from.node}>${e.to.node}`;
      return !seen.has(key) && seen.add(key);
    })
    .map((e, i) => ({ id: `e${i}`, sources: [e.from.node], targets: [e.to.node] }));
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '80',
      'elk.spacing.nodeNode': '36',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.separateConnectedComponents': 'true',
      'elk.spacing.componentComponent': '60',
    },
    children: doc.nodes.map((n) => ({ id: n.id, ...sizeOf(n.id) })),
    edges,
  });
  const positions = new Map<string, Position>();
  for (const child of graph.children ?? []) positions.set(child.id, { x: Math.round(origin.x + (child.x ?? 0)), y: Math.round(origin.y + (child.y ?? 0)) });
  return positions;
}
