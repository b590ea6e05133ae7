/**
 * Quick-add: the search box that double-clicking the canvas, or dropping a dragged wire on it,
 * opens (the litegraph/ComfyUI convention). The list is the palette's search (palette.ts); for a
 * dropped wire it keeps only the node types with a port that fits the wire's free end
 * (wiring.ts's `endFits`), and says which port the new node is wired by and where it goes so that
 * port lands under the pointer. Pure: Canvas.svelte shows it and makes the edit.
 */
import type { NodeDef, PortDef, TensorKind } from '../../../nodes/contract.ts';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import type { GraphDocument, PortRef, Position } from '../../graph/document.ts';
import { definedPorts } from '../../interop/litegraph/ports.ts';
import { addNode } from './edits.ts';
import { socketOffset } from './node-view.ts';
import { paletteSections } from './palette.ts';
import { checkWire, endFits, type WireEnd } from './wiring.ts';

/** The socket a wire was dragged from: the new node is wired to it. */
export interface DraggedEnd extends WireEnd {
  node: string;
  port: string;
}

export interface QuickAddItem {
  def: NodeDef;
  /** The palette section's label ("Convolution"), shown beside the title. */
  section: string;
  /** The new node's port that takes the dragged wire (with its index, for placement). */
  port?: { name: string; index: number; side: 'input' | 'output' };
}

/**
 * The port of `def` (at its default params) that fits the dragged end: a port of the very same
 * kind first, else the first that accepts it. Undefined when none does.
 */
export function fittingPort(def: NodeDef, dragged: WireEnd, template: Record<string, number>): QuickAddItem['port'] {
  const side = dragged.side === 'output' ? 'input' : 'output';
  const ports: PortDef[] = definedPorts(def, side === 'input' ? 'inputs' : 'outputs', {}, template);
  const fits = ports.map((p, index) => ({ p, index })).filter(({ p }) => endFits(dragged, { side, kind: p.kind }));
  const best = fits.find(({ p }) => p.kind === dragged.kind) ?? fits[0];
  return best && { name: best.p.name, index: best.index, side };
}

/**
 * The palette's matches for `query` (with a dragged wire, only types with a port that fits it):
 * those whose title holds every typed word first, so Enter takes the type the user named; each
 * group in the palette's order.
 */
export function quickAddItems(registry: NodeRegistry, query: string, template: Record<string, number>, dragged?: WireEnd): QuickAddItem[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const named = (i: QuickAddItem) => words.every((w) => i.def.title.toLowerCase().includes(w));
  const items = paletteMatches(registry, query, template, dragged);
  return [...items.filter(named), ...items.filter((i) => !named(i))];
}

function paletteMatches(registry: NodeRegistry, query: string, template: Record<string, number>, dragged?: WireEnd): QuickAddItem[] {
  return paletteSections(registry, query).flatMap((s) =>
    s.items.flatMap((def): QuickAddItem[] => {
      if (!dragged) return [{ def, section: s.label }];
      const port = fittingPort(def, dragged, template);
      return port ? [{ def, section: s.label, port }] : [];
    }),
  );
}

/**
 * Where the new node goes for a pick at graph point `at`: with a wired port, so that port's socket
 * sits on the point (the wire then ends where it was dropped); else its title bar under the point.
 */
export function quickAddPosition(at: Position, port?: QuickAddItem['port']): Position {
  if (!port) return { x: at.x - 20, y: at.y - 20 };
  const offset = socketOffset(port.side, port.index);
  return { x: at.x - offset.x, y: at.y - offset.y };
}

/** The highlighted row after an arrow key: wraps around; -1 when the list is empty. */
export function moveHighlight(current: number, delta: number, count: number): number {
  if (count === 0) return -1;
  return (((current + delta) % count) + count) % count;
}

/** A kind's name as the search box's heading shows it ("Nodes taking a semantic"). */
export function draggedHeading(dragged: { side: 'input' | 'output'; kind: TensorKind } | undefined): string {
  if (!dragged) return 'Add a node';
  return dragged.side === 'output' ? `Nodes taking ${dragged.kind}` : `Nodes giving ${dragged.kind}`;
}

/**
 * The edit a pick makes: the node at `at`, wired to the dragged socket when there is one and
 * checkWire lets the wire be (else the node alone, with the reason, for the canvas's notice).
 * One document, so the app applies it as one undo step.
 */
export function addPicked(
  doc: GraphDocument,
  registry: NodeRegistry,
  batch: number,
  item: QuickAddItem,
  at: Position,
  dragged?: DraggedEnd,
): { doc: GraphDocument; id: string; refused?: string } {
  const added = addNode(doc, registry, item.def.type, quickAddPosition(at, item.port));
  if (!dragged || !item.port) return added;
  const mine: PortRef = { node: added.id, port: item.port.name };
  const theirs: PortRef = { node: dragged.node, port: dragged.port };
  const [from, to] = dragged.side === 'output' ? [theirs, mine] : [mine, theirs];
  const wire = checkWire(added.doc, resolveGraph(added.doc, registry, { batch }), registry, from, to);
  return wire.ok ? { doc: wire.doc, id: added.id } : { ...added, refused: wire.reason };
}
