import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { loadDocOrThrow } from '../load-doc.test-util.ts';
import { frameRect } from './frames.ts';
import type { Rect } from './minimap.ts';
import { nodeSize, nodeViews } from './node-view.ts';

const registry = createRegistry();
const graphsDir = new URL('../../../graphs/', import.meta.url);
const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('the shipped graphs on the Rete canvas, as they open', () => {
  const files = readdirSync(graphsDir).filter((f) => f.endsWith('.json'));
  it.each(files)('%s: no card over another, no group frame over a node that is not its member', (file) => {
    const doc = loadDocOrThrow(JSON.parse(readFileSync(new URL(file, graphsDir), 'utf8')), registry);
    const views = nodeViews(doc, resolveGraph(doc, registry, { batch: 1 }));
    const box = new Map(doc.nodes.map((n) => [n.id, { ...n.position, ...nodeSize(views.get(n.id)!) }]));
    const problems: string[] = [];
    for (let i = 0; i < doc.nodes.length; i++)
      for (let j = i + 1; j < doc.nodes.length; j++) if (overlap(box.get(doc.nodes[i].id)!, box.get(doc.nodes[j].id)!)) problems.push(`${doc.nodes[i].id} × ${doc.nodes[j].id}`);
    for (const g of doc.groups) {
      const frame = frameRect(g.nodes.map((id) => box.get(id)!))!;
      for (const n of doc.nodes) if (!g.nodes.includes(n.id) && overlap(frame, box.get(n.id)!)) problems.push(`frame '${g.id}' over ${n.id}`);
    }
    expect(problems).toEqual([]);
  });
});
