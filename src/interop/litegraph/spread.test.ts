import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { loadGraph } from '../../graph/load.ts';
import { boxesOverlap } from './layout.ts';
import { litegraphBoxes, separateBoxes, spreadForLitegraph } from './spread.ts';

const registry = createRegistry();
const graphsDir = new URL('../../../graphs/', import.meta.url);

function overlappingPairs(boxes: { id: string; box: { x: number; y: number; width: number; height: number } }[]): string[] {
  const pairs: string[] = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) if (boxesOverlap(boxes[i].box, boxes[j].box)) pairs.push(`${boxes[i].id} × ${boxes[j].id}`);
  return pairs;
}

describe('litegraph layout without overlaps', () => {
  it('moves an overlapping box down below the one above it, and chains the moves', () => {
    const moves = separateBoxes(
      [
        { id: 'a', box: { x: 0, y: 0, width: 100, height: 100 } },
        { id: 'b', box: { x: 50, y: 60, width: 100, height: 50 } },
        { id: 'c', box: { x: 60, y: 130, width: 100, height: 50 } },
        { id: 'far', box: { x: 500, y: 0, width: 100, height: 100 } },
      ],
      10,
    );
    expect(moves).toEqual(new Map([
      ['b', 50], // to 110, below a
      ['c', 40], // to 170, below b's new place
    ]));
  });

  const files = readdirSync(graphsDir).filter((f) => f.endsWith('.json'));
  it.each(files)('%s: no two node rectangles overlap in the litegraph view', (file) => {
    const loaded = loadGraph(readFileSync(new URL(file, graphsDir), 'utf8'), { registry });
    if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
    const shown = spreadForLitegraph(loaded.doc, registry);
    expect(overlappingPairs(litegraphBoxes(shown, registry))).toEqual([]);
    // Only heights move: columns stay.
    expect(shown.nodes.map((n) => n.position.x)).toEqual(loaded.doc.nodes.map((n) => n.position.x));
  });
});
