/**
 * The Examples menu's sections: the shipped graphs' index (graphs/index/examples.json, written by
 * `npm run graphs`) grouped as task graphs and ablations, each tiny and full size. The menu gets
 * titles, summaries and thumbnails from the index alone; a graph's JSON loads only when opened.
 */
import shippedIndex from '../../../graphs/index/examples.json';
import type { ExampleIndexEntry, ThumbBox, ThumbWire } from '../../templates/example-index.ts';
import { THUMB_HEIGHT, THUMB_WIDTH } from '../../templates/example-index.ts';
import type { ExampleKind, ExampleSize } from '../../templates/shipped.ts';
import { CATEGORY_ORDER } from '../editor/palette.ts';

export interface ExampleItem {
  file: string;
  title: string;
  summary: string;
  description: string;
  resolution: string;
  thumbnail: { boxes: ThumbBox[]; wires: ThumbWire[] };
}

export interface ExampleSection {
  /** 'task-tiny', 'ablation-full', …; 'other' for a graph the index does not know. */
  id: string;
  label: string;
  items: ExampleItem[];
}

/** The menu's groups in reading order: what trains in the browser first. */
export const EXAMPLE_GROUPS: readonly { kind: ExampleKind; size: ExampleSize; label: string }[] = [
  { kind: 'task', size: 'tiny', label: 'Task graphs · tiny' },
  { kind: 'task', size: 'full', label: 'Task graphs · full size' },
  { kind: 'ablation', size: 'tiny', label: 'Ablations · tiny' },
  { kind: 'ablation', size: 'full', label: 'Ablations · full size' },
];

export const THUMB_VIEWBOX = `0 0 ${THUMB_WIDTH} ${THUMB_HEIGHT}`;

const KNOWN_CATEGORIES = new Set<string>(CATEGORY_ORDER);
const inView = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= max + 1;

/** Only boxes and wires of sane numbers inside the view, and categories this build knows (else 'unknown'). */
export function checkedThumbnail(raw: unknown): ExampleItem['thumbnail'] {
  const t = (raw ?? {}) as { boxes?: unknown; wires?: unknown };
  const boxes: ThumbBox[] = [];
  const wires: ThumbWire[] = [];
  for (const b of Array.isArray(t.boxes) ? t.boxes : []) {
    if (!Array.isArray(b) || !inView(b[0], THUMB_WIDTH) || !inView(b[1], THUMB_HEIGHT) || !inView(b[2], THUMB_WIDTH) || !inView(b[3], THUMB_HEIGHT)) continue;
    boxes.push([b[0], b[1], b[2], b[3], KNOWN_CATEGORIES.has(b[4]) ? b[4] : 'unknown']);
  }
  for (const w of Array.isArray(t.wires) ? t.wires : []) {
    if (Array.isArray(w) && inView(w[0], THUMB_WIDTH) && inView(w[1], THUMB_HEIGHT) && inView(w[2], THUMB_WIDTH) && inView(w[3], THUMB_HEIGHT)) wires.push([w[0], w[1], w[2], w[3]]);
  }
  return { boxes, wires };
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * The sections for the graphs the app ships (`files`, from its glob of graphs/*.json): each
 * indexed file in its group, sorted by title; a file missing from the index (the index not
 * regenerated) still appears, under "Other", by its file name. Empty groups are left out.
 */
export function exampleSections(index: { examples: readonly unknown[] }, files: readonly string[]): ExampleSection[] {
  const shipped = new Set(files);
  const byFile = new Map<string, ExampleIndexEntry>();
  for (const raw of index.examples) {
    const e = raw as ExampleIndexEntry;
    if (typeof e?.file === 'string' && shipped.has(e.file)) byFile.set(e.file, e);
  }
  const item = (e: ExampleIndexEntry): ExampleItem => ({
    file: e.file,
    title: text(e.title) || e.file,
    summary: text(e.summary),
    description: text(e.description),
    resolution: text(e.resolution),
    thumbnail: checkedThumbnail(e.thumbnail),
  });
  const sections: ExampleSection[] = EXAMPLE_GROUPS.map((g) => ({
    id: `${g.kind}-${g.size}`,
    label: g.label,
    items: [...byFile.values()].filter((e) => e.kind === g.kind && e.size === g.size).map(item).sort((a, b) => a.title.localeCompare(b.title)),
  }));
  const placed = new Set(sections.flatMap((s) => s.items.map((i) => i.file)));
  const other = [...shipped].filter((f) => !placed.has(f)).sort();
  const otherItems = other.map((file) => ({ file, title: file, summary: '', description: '', resolution: '', thumbnail: { boxes: [], wires: [] } }));
  return [...sections, { id: 'other', label: 'Other', items: otherItems }].filter((s) => s.items.length > 0);
}

/** The sections of the graphs this build ships. */
export function shippedExampleSections(files: readonly string[]): ExampleSection[] {
  return exampleSections(shippedIndex, files);
}
