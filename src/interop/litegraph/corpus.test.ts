/**
 * Files nobody here wrote the converter for (ComfyUI workflows old and new, a subgraph-style file,
 * litegraph.js example-style graphs): litegraph → ours (as the CLI saves it) → litegraph gives each
 * back byte for byte after key sorting (our own `lggan` keys aside), through the CLI path and through
 * the litegraph view's path (a headless LGraph); an edit changes exactly the fields it edits.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as litegraph from 'litegraph.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { formatDiagnostic } from '../../graph/diagnostics.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { saveGraph } from '../../graph/save.ts';
import { formatGraph, fromLitegraph, loadAnyGraph, SOURCE_KEY, sourceOf, toLitegraph } from './convert.ts';
import { registerLgganNodes, type LitegraphLib } from './register.ts';
import { keepCanvasDropped } from './view-sync.ts';

const registry = createRegistry();
const corpusDir = new URL('./fixtures/corpus/', import.meta.url);
const corpus: [string, string][] = [
  ...readdirSync(corpusDir)
    .filter((f) => f.endsWith('.json'))
    .map((f): [string, string] => [f, readFileSync(new URL(f, corpusDir), 'utf8')]),
  ['comfy-workflow.json', readFileSync(new URL('./fixtures/comfy-workflow.json', import.meta.url), 'utf8')],
];
const text = (name: string) => corpus.find(([f]) => f === name)![1];

/** Keys sorted at every level, our `lggan` keys left out: the comparison the issue asks for. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) if (key !== 'lggan') out[key] = canonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
const canonText = (value: unknown) => JSON.stringify(canonical(value), null, 1);

function open(name: string, source: string): GraphDocument {
  const loaded = loadAnyGraph(source, registry, { file: name });
  if (!loaded.ok) throw new Error(loaded.diagnostics.map(formatDiagnostic).join('\n'));
  return loaded.doc;
}

/** `lggan convert FILE --to lggan`, then `--to litegraph` on what it wrote. */
function viaCli(name: string): string {
  const lggan = formatGraph(open(name, text(name)), 'lggan', registry);
  return formatGraph(open(`${name}.lggan.json`, lggan), 'litegraph', registry);
}

/** JSON pointers of every value that differs between two JSON values. */
function changedPaths(a: unknown, b: unknown, at = ''): string[] {
  if (JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))) return [];
  const objects = (v: unknown) => v !== null && typeof v === 'object';
  if (!objects(a) || !objects(b) || Array.isArray(a) !== Array.isArray(b)) return [at];
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)].filter((k) => k !== 'lggan'));
  return [...keys].flatMap((k) => changedPaths(ra[k], rb[k], `${at}/${k}`));
}

beforeAll(() => {
  registerLgganNodes(litegraph as unknown as LitegraphLib, registry);
});

describe('real-world-shaped files come back exactly', () => {
  it.each(corpus)('%s through the CLI (litegraph → lggan file → litegraph)', (name, source) => {
    expect(canonText(JSON.parse(viaCli(name)))).toBe(canonText(JSON.parse(source)));
  });

  it.each(corpus)('%s unchanged carries none of our keys at all', (name, source) => {
    expect(viaCli(name)).not.toMatch(/"lggan"/);
    expect(JSON.parse(viaCli(name))).toEqual(JSON.parse(source));
  });

  // litegraph-basic.json uses litegraph.js's demo node types, which are live in this test's
  // litegraph.js (and rewrite their nodes on configure) but cut from the app's bundle.
  it.each(corpus.filter(([f]) => f !== 'litegraph-basic.json'))('%s through the litegraph view (LGraph configure → serialize → document → save)', (name, source) => {
    const doc = open(name, source);
    const graph = new litegraph.LGraph();
    graph.configure(JSON.parse(JSON.stringify(toLitegraph(doc, registry))));
    const serialized = JSON.parse(JSON.stringify(graph.serialize()));
    const back = fromLitegraph(serialized, registry, { name: doc.meta.name, source: sourceOf(doc) ?? null });
    expect(back.ok, back.diagnostics.map(formatDiagnostic).join('\n')).toBe(true);
    if (!back.ok) return;
    expect(changedPaths(JSON.parse(source), toLitegraph(keepCanvasDropped(doc, back.doc), registry))).toEqual([]);
  });
});

describe('what the user changed, and nothing else, is written back', () => {
  it('moving a node and changing a widget of a foreign node change pos and that widget value', () => {
    const name = 'comfy-v04-txt2img.json';
    const doc = open(name, text(name));
    const sampler = doc.nodes.find((n) => n.id === '3')!;
    sampler.position = { x: 900, y: 210.5 };
    (sampler.extra!.litegraph as { widgets_values: unknown[] }).widgets_values[2] = 30;
    const out = JSON.parse(formatGraph(doc, 'litegraph', registry));
    expect(changedPaths(JSON.parse(text(name)), out)).toEqual(['/nodes/3/pos/0', '/nodes/3/pos/1', '/nodes/3/widgets_values/2']);
    expect(out.nodes[3].pos).toEqual([900, 210.5]);
  });

  it('dragging a group (all its members by one offset) moves its box with them; one member alone leaves it', () => {
    const name = 'comfy-v04-txt2img.json';
    const doc = open(name, text(name));
    const group = doc.groups[0];
    expect(group.nodes.length).toBeGreaterThan(1);
    for (const node of doc.nodes) if (group.nodes.includes(node.id)) node.position = { x: node.position.x + 40, y: node.position.y - 20 };
    const original = JSON.parse(text(name));
    const out = JSON.parse(formatGraph(doc, 'litegraph', registry));
    const box = original.groups[0].bounding as number[];
    expect(out.groups[0].bounding).toEqual([box[0] + 40, box[1] - 20, box[2], box[3]]);
    expect(changedPaths(original, out).filter((p) => !/^\/nodes\/\d+\/pos\/[01]$/.test(p))).toEqual(['/groups/0/bounding/0', '/groups/0/bounding/1']);
    // One member moved on its own: the box stays where the file has it.
    const single = open(name, text(name));
    const member = single.nodes.find((n) => n.id === group.nodes[0])!;
    member.position = { x: member.position.x + 40, y: member.position.y };
    expect(JSON.parse(formatGraph(single, 'litegraph', registry)).groups[0].bounding).toEqual(box);
  });

  it('a file that counts ids in state (the newer format) gets its state counters raised when nodes and links are added', () => {
    const name = 'comfy-v04-txt2img.json';
    const withState = JSON.parse(text(name));
    withState.state = { lastGroupId: 1, lastNodeId: withState.last_node_id, lastLinkId: withState.last_link_id, lastRerouteId: 0 };
    const doc = open(name, JSON.stringify(withState));
    const save = doc.nodes.find((n) => n.id === '9')!;
    doc.nodes.push({ ...structuredClone(save), id: 'preview', position: { x: 1451, y: 500 } });
    doc.edges.push({ from: { node: '8', port: 'IMAGE' }, to: { node: 'preview', port: 'images' } });
    const out = JSON.parse(formatGraph(doc, 'litegraph', registry));
    expect(out.state).toEqual({ lastGroupId: 1, lastNodeId: out.last_node_id, lastLinkId: out.last_link_id, lastRerouteId: 0 });
    expect(out.last_node_id).toBeGreaterThan(withState.last_node_id);
    // Unchanged, the state is as written.
    expect(JSON.parse(formatGraph(open(name, JSON.stringify(withState)), 'litegraph', registry)).state).toEqual(withState.state);
  });

  it('changing a param of one of our node types changes its widget value only', () => {
    const name = 'comfy-workflow.json';
    const doc = open(name, text(name));
    doc.nodes.find((n) => n.id === '7')!.params.kernel = 5;
    const out = JSON.parse(formatGraph(doc, 'litegraph', registry));
    expect(changedPaths(JSON.parse(text(name)), out)).toEqual(['/nodes/1/widgets_values/1']);
    expect(out.nodes[1].widgets_values[1]).toBe(5);
  });

  it('a retitled node gets its title; a removed node and its links go; added ones get ids after the last ones', () => {
    const name = 'comfy-v04-txt2img.json';
    const doc = open(name, text(name));
    doc.nodes.find((n) => n.id === '5')!.title = 'Size';
    const save = doc.nodes.find((n) => n.id === '9')!;
    doc.nodes = doc.nodes.filter((n) => n !== save);
    doc.edges = doc.edges.filter((e) => e.to.node !== '9');
    doc.nodes.push({ ...structuredClone(save), id: 'preview', position: { x: 1451, y: 500 } });
    doc.edges.push({ from: { node: '8', port: 'IMAGE' }, to: { node: 'preview', port: 'images' } });
    const out = JSON.parse(formatGraph(doc, 'litegraph', registry));
    const original = JSON.parse(text(name));
    expect(out.nodes.map((n: { id: number }) => n.id)).toEqual([7, 6, 5, 3, 8, 31, 12, 32]);
    expect(out.nodes[2].title).toBe('Size');
    expect(out.last_node_id).toBe(32);
    expect(out.last_link_id).toBe(216);
    expect(out.links).toEqual([...original.links.filter((l: number[]) => l[0] !== 9), [216, 8, 0, 32, 0, 'IMAGE']]);
    expect(out.nodes[4].outputs[0].links).toEqual([216]);
    expect(out.nodes[7]).toMatchObject({ id: 32, type: 'SaveImage', pos: [1451, 500], inputs: [{ name: 'images', type: 'IMAGE', link: 216 }] });
    // Everything else is as it was: the other nodes, the group box, the graph's own fields.
    const others = changedPaths(
      { ...original, links: [], nodes: original.nodes.filter((n: { id: number }) => n.id !== 9 && n.id !== 5 && n.id !== 8) },
      { ...out, links: [], nodes: out.nodes.filter((n: { id: number }) => n.id !== 32 && n.id !== 5 && n.id !== 8) },
    );
    expect(others).toEqual(['/last_node_id', '/last_link_id']);
    expect(changedPaths(original.nodes[4], out.nodes[4])).toEqual(['/outputs/0/links/0']);
    // Reading the written file again gives the edited document back.
    const again = open('again.json', JSON.stringify(out));
    expect(again.nodes.map((n) => [n.id, n.title ?? null])).toEqual([['7', null], ['6', 'Positive'], ['5', 'Size'], ['3', null], ['8', null], ['31', null], ['preview', null]]);
    expect(again.edges.filter((e) => e.to.node === 'preview')).toEqual([{ from: { node: '8', port: 'IMAGE' }, to: { node: 'preview', port: 'images' } }]); // the added node's own id travels in its properties.lggan
  });
});

describe('graphs with empty or repeated slot names open', () => {
  it('their sides become positional ports (#0, #1, …), with a warning, and wire as the file does', () => {
    const result = loadAnyGraph(text('litegraph-basic.json'), registry, { file: 'basic.json' });
    expect(result.ok, result.diagnostics.map(formatDiagnostic).join('\n')).toBe(true);
    if (!result.ok) return;
    expect(result.diagnostics.filter((d) => d.code === 'positional-slots').map((d) => d.where.pointer)).toEqual(['/nodes/1/inputs', '/nodes/2/inputs']);
    const into = (node: string) => result.doc.edges.filter((e) => e.to.node === node).map((e) => `${e.from.node}.${e.from.port}→${e.to.port}`);
    expect(into('2')).toEqual(['1.value→#0', '4.value→#1']);
    expect(into('3')).toEqual(['2.=→#0']);
  });

  it('without the kept file (our own export of the document), positional sides still come back exactly', () => {
    const doc = open('basic.json', text('litegraph-basic.json'));
    delete doc.extra[SOURCE_KEY];
    const lite = toLitegraph(doc, registry);
    expect(lite.nodes[1].inputs.map((s) => s.name)).toEqual(['A', 'A']);
    const back = fromLitegraph(JSON.parse(JSON.stringify(lite)), registry, { name: doc.meta.name });
    expect(back.ok && saveGraph(back.doc)).toBe(saveGraph(doc));
  });

  it('a new link into a positional slot finds its slot by position', () => {
    const doc = open('basic.json', text('litegraph-basic.json'));
    doc.edges = doc.edges.filter((e) => !(e.to.node === '2' && e.to.port === '#1'));
    doc.edges.push({ from: { node: '1', port: 'value' }, to: { node: '2', port: '#1' } });
    const out = JSON.parse(formatGraph(doc, 'litegraph', registry));
    expect(out.links.at(-1)).toEqual([13, 1, 0, 2, 1, 'number']);
    expect(out.nodes[1].inputs.map((s: { name: string; link: number }) => [s.name, s.link])).toEqual([
      ['A', 5],
      ['A', 13],
    ]);
  });
});
