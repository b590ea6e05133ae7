/**
 * Auto-arrange: a layered left-to-right layout from elkjs (the same engine as Rete's auto-arrange
 * plugin, called directly so the result is a plain position map that becomes one undoable edit).
 * Each group is laid out as one box holding its members, with room for its frame (frames.ts), so
 * no frame ends up over a node that is not its member. Comments are left where they are. Every
 * node needs a size; the canvas passes nodeSize().
 */
import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { GraphDocument, Position } from '../../graph/document.ts';
import { FRAME_PAD, FRAME_TITLE } from './frames.ts';

type Size = { width: number; height: number };

/** Room between a frame's border and what is outside it. */
const FRAME_GAP = 12;

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

  // A node in several groups is laid out in the first; the others' frames may then cross.
  const groupOf = new Map<string, string>();
  for (const g of doc.groups) for (const id of g.nodes) if (ids.has(id) && !groupOf.has(id)) groupOf.set(id, g.id);
  const box = (id: string): ElkNode => ({ id, ...sizeOf(id) });
  const pad = FRAME_PAD + FRAME_GAP;
  const groupBoxes: ElkNode[] = doc.groups
    .map((g) => ({
      id: `group\u0000${g.id}`,
      layoutOptions: { 'elk.padding': `[top=${pad + FRAME_TITLE},left=${pad},bottom=${pad},right=${pad}]` },
      children: doc.nodes.filter((n) => groupOf.get(n.id) === g.id).map((n) => box(n.id)),
    }))
    .filter((g) => g.children.length > 0);

  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      // Layers across group boxes, so wires between a group and the rest still run left to right.
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '80',
      'elk.spacing.nodeNode': '36',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.separateConnectedComponents': 'true',
      'elk.spacing.componentComponent': '60',
    },
    children: [...doc.nodes.filter((n) => !groupOf.has(n.id)).map((n) => box(n.id)), ...groupBoxes],
    edges,
  });
  const positions = new Map<string, Position>();
  // Children's coordinates are relative to their parent box.
  const place = (node: ElkNode, dx: number, dy: number) => {
    for (const child of node.children ?? []) {
      const x = dx + (child.x ?? 0);
      const y = dy + (child.y ?? 0);
      if (ids.has(child.id) && !child.children?.length) positions.set(child.id, { x: Math.round(origin.x + x), y: Math.round(origin.y + y) });
      else place(child, x, y);
    }
  };
  place(graph, 0, 0);
  return positions;
}
