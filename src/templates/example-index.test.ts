import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import { buildExampleIndex, THUMB_HEIGHT, THUMB_WIDTH, thumbnailOf, type ExampleIndex } from './example-index.ts';
import { EXAMPLE_INDEX_FILE, examplesIndexText, readShippedDocs } from './example-index-file.ts';
import { shippedCatalogue } from './shipped.ts';

const registry = createRegistry();
const docs = readShippedDocs();

describe('the Examples menu index (graphs/index/examples.json)', () => {
  it('is committed exactly as npm run graphs writes it', () => {
    expect(readFileSync(EXAMPLE_INDEX_FILE, 'utf8')).toBe(examplesIndexText(docs));
  });

  const index = JSON.parse(readFileSync(EXAMPLE_INDEX_FILE, 'utf8')) as ExampleIndex;

  it('lists every graph in graphs/ once, with its title from meta.name and a one-line summary', () => {
    expect(index.examples.map((e) => e.file)).toEqual(Object.keys(docs).sort());
    for (const e of index.examples) {
      expect(e.title).toBe(docs[e.file].meta.name);
      expect(e.summary.length).toBeGreaterThan(10);
      expect(e.summary.length).toBeLessThanOrEqual(90);
      expect(e.summary).not.toContain('\n');
    }
  });

  it('groups by file: ablation-* are ablations, the rest task graphs; *-tiny and tiny-* are tiny, the rest full size', () => {
    for (const e of index.examples) {
      expect(e.kind, e.file).toBe(e.file.startsWith('ablation-') ? 'ablation' : 'task');
      expect(e.size, e.file).toBe(e.file.endsWith('-tiny.json') || e.file.startsWith('tiny-') ? 'tiny' : 'full');
    }
    const group = (kind: string, size: string) => index.examples.filter((e) => e.kind === kind && e.size === size).length;
    expect([group('task', 'tiny'), group('task', 'full'), group('ablation', 'tiny'), group('ablation', 'full')]).toEqual([4, 3, 6, 6]);
  });

  it('draws one box per node and one wire per edge, all inside the thumbnail', () => {
    for (const e of index.examples) {
      const doc = docs[e.file];
      expect(e.thumbnail.boxes).toHaveLength(doc.nodes.length);
      expect(e.thumbnail.wires).toHaveLength(doc.edges.length);
      for (const [x, y, w, h] of e.thumbnail.boxes) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(x + w).toBeLessThanOrEqual(THUMB_WIDTH + 0.1);
        expect(y + h).toBeLessThanOrEqual(THUMB_HEIGHT + 0.1);
      }
    }
  });

  it('colours a box by its node type’s category, unknown types as unknown', () => {
    const doc = docs['lggan-cityscapes-tiny.json'];
    const withUnknown = { ...doc, nodes: doc.nodes.map((n, i) => (i === 0 ? { ...n, type: 'someone/else' } : n)) };
    const boxes = thumbnailOf(withUnknown, registry).boxes;
    expect(boxes[0][4]).toBe('unknown');
    expect(boxes[1][4]).toBe(registry.get(doc.nodes[1].type)!.category);
    expect(thumbnailOf({ ...doc, nodes: [], edges: [] }, registry)).toEqual({ boxes: [], wires: [] });
  });

  it('refuses a graph the catalogue does not describe, naming the file', () => {
    const extra = { ...docs, 'mine.json': docs['tiny-pix2pix.json'] };
    expect(() => buildExampleIndex(extra, shippedCatalogue(), registry)).toThrow(/graphs\/mine\.json: no entry in the examples catalogue/);
  });
});
