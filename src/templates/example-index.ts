/**
 * The Examples menu's index: for every graph shipped in graphs/, its title, a one-line summary,
 * its group (task graph or ablation; tiny or full size) and a thumbnail drawn from node positions
 * and categories. `npm run graphs` writes it to graphs/index/examples.json so the app can list the
 * examples without loading any graph JSON; a test checks the committed file is up to date.
 *
 * The thumbnail is numbers only (boxes and wires in a small viewBox, a category per box): nothing
 * in it is text, so nothing from a graph file is ever rendered as markup.
 */
import type { NodeCategory } from '../../nodes/contract.ts';
import type { NodeRegistry } from '../../nodes/registry.ts';
import type { GraphDocument } from '../graph/document.ts';
import type { ExampleKind, ExampleSize, ShippedExample } from './shipped.ts';

/** The thumbnail's drawing area, in its own units (an SVG viewBox of 0 0 W H). */
export const THUMB_WIDTH = 96;
export const THUMB_HEIGHT = 60;

/** A node as a rectangle: x, y, width, height (viewBox units, rounded to 0.1) and its category. */
export type ThumbBox = [x: number, y: number, w: number, h: number, category: NodeCategory | 'unknown'];
/** A wire from the right edge of one box to the left edge of another: x1, y1, x2, y2. */
export type ThumbWire = [x1: number, y1: number, x2: number, y2: number];

export interface Thumbnail {
  boxes: ThumbBox[];
  wires: ThumbWire[];
}

export interface ExampleIndexEntry {
  file: string;
  /** meta.name of the graph. */
  title: string;
  /** One line for the menu (from the templates' catalogue). */
  summary: string;
  /** The graph's full meta.description (the menu's tooltip); '' when it has none. */
  description: string;
  kind: ExampleKind;
  size: ExampleSize;
  /** The template's image size, "128×64". */
  resolution: string;
  thumbnail: Thumbnail;
}

export interface ExampleIndex {
  version: 1;
  examples: ExampleIndexEntry[];
}

// A node card in graph units, as the builder's grid leaves room for (280 × 200 cells).
const NODE_WIDTH = 220;
const NODE_HEIGHT = 120;
const MARGIN = 2;

const round = (v: number) => Math.round(v * 10) / 10;

/** Boxes and wires of a graph fitted into the thumbnail, keeping its aspect. */
export function thumbnailOf(doc: GraphDocument, registry: NodeRegistry): Thumbnail {
  if (doc.nodes.length === 0) return { boxes: [], wires: [] };
  const xs = doc.nodes.map((n) => n.position.x);
  const ys = doc.nodes.map((n) => n.position.y);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const spanX = Math.max(...xs) - minX + NODE_WIDTH;
  const spanY = Math.max(...ys) - minY + NODE_HEIGHT;
  const scale = Math.min((THUMB_WIDTH - 2 * MARGIN) / spanX, (THUMB_HEIGHT - 2 * MARGIN) / spanY);
  // Centred in the free direction.
  const offX = (THUMB_WIDTH - spanX * scale) / 2;
  const offY = (THUMB_HEIGHT - spanY * scale) / 2;
  const at = new Map<string, { x: number; y: number }>();
  const boxes: ThumbBox[] = doc.nodes.map((n) => {
    const x = offX + (n.position.x - minX) * scale;
    const y = offY + (n.position.y - minY) * scale;
    at.set(n.id, { x, y });
    return [round(x), round(y), round(NODE_WIDTH * scale), round(NODE_HEIGHT * scale), registry.get(n.type)?.category ?? 'unknown'];
  });
  const w = NODE_WIDTH * scale;
  const h = NODE_HEIGHT * scale;
  const wires: ThumbWire[] = [];
  for (const e of doc.edges) {
    const a = at.get(e.from.node);
    const b = at.get(e.to.node);
    if (a && b) wires.push([round(a.x + w), round(a.y + h / 2), round(b.x), round(b.y + h / 2)]);
  }
  return { boxes, wires };
}

/** One index entry; `file` must have a catalogue entry (the caller checks every shipped file has one). */
export function indexEntry(file: string, doc: GraphDocument, shipped: ShippedExample, registry: NodeRegistry): ExampleIndexEntry {
  const { width, height } = doc.template;
  return {
    file,
    title: doc.meta.name,
    summary: shipped.summary,
    description: doc.meta.description ?? '',
    kind: shipped.kind,
    size: shipped.size,
    resolution: width !== undefined && height !== undefined ? `${width}×${height}` : '',
    thumbnail: thumbnailOf(doc, registry),
  };
}

/**
 * The index of the graphs in `docs` (file name → document), sorted by file name. A file the
 * catalogue does not describe is an error naming it: every shipped example needs its line.
 */
export function buildExampleIndex(docs: Record<string, GraphDocument>, catalogue: Record<string, ShippedExample>, registry: NodeRegistry): ExampleIndex {
  const files = Object.keys(docs).sort();
  const missing = files.filter((f) => !catalogue[f]);
  if (missing.length) throw new Error(`graphs/${missing[0]}: no entry in the examples catalogue (src/templates/shipped.ts shippedCatalogue)`);
  const extra = Object.keys(catalogue).filter((f) => !docs[f]);
  if (extra.length) throw new Error(`examples catalogue (src/templates/shipped.ts): '${extra[0]}' is not in graphs/`);
  return { version: 1, examples: files.map((f) => indexEntry(f, docs[f], catalogue[f], registry)) };
}
