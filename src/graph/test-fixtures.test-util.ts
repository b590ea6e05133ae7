/** Test support for src/graph: hand-written documents and a seeded generator of random valid ones. */
import type { NodeDef } from '../../nodes/contract.ts';
import type { GraphDocument, GraphNode, ParamValue } from './document.ts';
import { defineOwn } from './util.ts';
import { uniformStream } from '../compiler/rng.ts';

/** A small LGGAN-like generator graph using every part of the format. */
export function sampleDoc(): GraphDocument {
  return {
    format: 'lggan-studio.graph',
    version: 2,
    meta: { name: 'LGGAN cityscapes', description: 'global + local generator', author: 'test', tags: ['lggan', 'cityscapes'] },
    template: { num_classes: 35, height: 256, width: 512, ngf: 64, ndf: 64, lambda_l1: 10.5 },
    init: { scheme: 'xavier-normal', gain: 0.02, seed: 7 },
    nodes: [
      { id: 'label', type: 'core/semantic-input', typeVersion: 1, params: { classes: 'num_classes' }, position: { x: 0, y: 0 } },
      { id: 'enc1', type: 'core/conv2d', typeVersion: 1, title: 'Encoder 1', params: { filters: 'ngf', kernel: 7, padding: 'reflect' }, position: { x: 200, y: 0 } },
      { id: 'enc2', type: 'core/conv2d', typeVersion: 1, params: { filters: 'ngf*2', kernel: 3, stride: 2 }, position: { x: 400, y: 0 } },
      { id: 'fuse', type: 'lggan/attention-fusion', typeVersion: 1, network: 'G', params: {}, position: { x: 600, y: 50 }, extra: { color: '#ffcc00' } },
      { id: 'D.patch', type: 'core/patch-discriminator', typeVersion: 1, network: 'D', params: { layers: 3 }, position: { x: 800, y: 200 } },
    ],
    edges: [
      { from: { node: 'label', port: 'y' }, to: { node: 'enc1', port: 'x' } },
      { from: { node: 'enc1', port: 'y' }, to: { node: 'enc2', port: 'x' } },
      { from: { node: 'enc2', port: 'y' }, to: { node: 'fuse', port: 'global' } },
      { from: { node: 'label', port: 'y' }, to: { node: 'fuse', port: 'semantic' } },
    ],
    groups: [{ id: 'encoder', title: 'Encoder', nodes: ['enc1', 'enc2'], color: '#336699' }],
    comments: [{ id: 'c1', text: 'Global generator: a U-Net style encoder.', position: { x: 180, y: -80 }, size: { width: 300, height: 60 } }],
    extra: { 'litegraph.version': 0.4, editor: { zoom: 1.25, offset: [10, -20] } },
  };
}

export function minimalDoc(): GraphDocument {
  return { format: 'lggan-studio.graph', version: 2, meta: { name: 'empty' }, template: {}, nodes: [], edges: [], groups: [], comments: [], extra: {} };
}

/** A node of a type no registry knows, with params this build could not interpret. */
export function placeholderNode(): GraphNode {
  const params: Record<string, ParamValue> = {
    zeta: [1, { b: null, a: 'x' }, [], {}],
    alpha: 'ngf*4',
    'weird/key~': { '': true, 'ü': 'ünïcødé ✓ 🎨', nested: { deeper: [1.5e-7, 1e21, -3] } },
  };
  return { id: 'mystery', type: 'contrib/future-block', typeVersion: 9, params, position: { x: -1.25, y: 3e5 }, extra: { collapsed: true } };
}

/** A seeded uniform stream, enough for reproducible random documents. */
export const rng = uniformStream;

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-';
const NAME_START = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_';
const TEXT_CHARS = ['a', 'b', 'Z', ' ', '"', '\\', '/', '~', '\n', '\t', 'é', 'ß', '中', '🎨', '\u0000', '\u2028', '{', '}', '0'];
const ODD_KEYS = ['__proto__', 'constructor', '', '0', '10', 'a/b', '~1', 'x y', 'toString'];

export class Gen {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  word(chars: string, min: number, max: number): string {
    let s = '';
    for (let n = this.int(min, max); n > 0; n--) s += chars[this.int(0, chars.length - 1)];
    return s;
  }
  text(max = 12): string {
    let s = '';
    for (let n = this.int(0, max); n > 0; n--) s += this.pick(TEXT_CHARS);
    return s;
  }
  number(): number {
    const x = this.pick([
      () => this.int(-1000, 1000),
      () => (this.next() - 0.5) * 1e6,
      () => this.next() * 1e-9,
      () => this.pick([1e21, 1.7976931348623157e308, 5e-324, 0.1, 2 ** 53]),
    ])();
    return x === 0 ? 0 : x; // JSON cannot keep -0
  }
  key(): string {
    return this.chance(0.2) ? this.pick(ODD_KEYS) : this.word(ID_CHARS, 1, 8);
  }
  json(depth = 3): ParamValue {
    const kind = this.int(0, depth > 0 ? 5 : 3);
    if (kind === 0) return this.pick([null, true, false]);
    if (kind === 1) return this.number();
    if (kind === 2 || kind === 3) return this.text();
    if (kind === 4) return Array.from({ length: this.int(0, 4) }, () => this.json(depth - 1));
    return this.object(depth - 1);
  }
  object(depth = 2): Record<string, ParamValue> {
    const out: Record<string, ParamValue> = {};
    for (let n = this.int(0, 4); n > 0; n--) defineOwn(out, this.key(), this.json(depth));
    return out;
  }
  position() {
    return { x: this.number(), y: this.number() };
  }
}

/** A random valid v1 document: same seed, same document. */
export function randomDoc(seed: number): GraphDocument {
  const g = new Gen(seed);
  const doc = minimalDoc();
  doc.meta = { name: g.text() };
  if (g.chance(0.5)) doc.meta.description = g.text(40);
  if (g.chance(0.3)) doc.meta.tags = Array.from({ length: g.int(0, 3) }, () => g.text(5));
  if (g.chance(0.3)) defineOwn(doc.meta as unknown as Record<string, unknown>, 'x-' + g.word(ID_CHARS, 1, 5), g.json());

  const template: Record<string, number> = {};
  if (g.chance(0.8)) template.height = g.int(1, 4096);
  if (g.chance(0.8)) template.width = g.int(1, 4096);
  if (g.chance(0.7)) template.num_classes = g.int(1, 200);
  for (let n = g.int(0, 4); n > 0; n--) defineOwn(template, g.pick(NAME_START.split('')) + g.word('abc_019', 0, 6), g.number());
  if (g.chance(0.3)) template.batch = g.int(1, 64);
  doc.template = template;
  if (g.chance(0.5)) doc.init = { scheme: g.pick(['xavier-normal', 'normal', 'kaiming-normal'] as const), gain: g.next() * 2, seed: g.int(-1e9, 1e9) };

  const ids = new Set<string>();
  for (let n = g.int(0, 20); n > 0; n--) ids.add(g.word(ID_CHARS, 1, 10));
  doc.nodes = [...ids].map((id) => {
    const node: GraphNode = {
      id,
      type: `${g.pick(['core', 'lggan', 'contrib.x'])}/${g.word('abcdef-_.0', 1, 8)}`,
      typeVersion: g.int(1, 3),
      params: g.object(),
      position: g.position(),
    };
    if (g.chance(0.3)) node.title = g.text();
    if (g.chance(0.3)) node.network = g.pick(['G', 'D', 'D2']);
    if (g.chance(0.2)) node.mode = g.pick(['bypass', 'mute'] as const);
    if (g.chance(0.3)) node.extra = g.object();
    return node;
  });

  const nodeIds = [...ids];
  const taken = new Set<string>();
  if (nodeIds.length >= 2) {
    for (let n = g.int(0, nodeIds.length * 2); n > 0; n--) {
      const from = g.pick(nodeIds);
      const to = g.pick(nodeIds);
      const port = g.pick(['x', 'y', 'semantic', 'in.1']);
      if (from === to || taken.has(to + '\0' + port)) continue;
      taken.add(to + '\0' + port);
      doc.edges.push({ from: { node: from, port: g.pick(['y', 'out', 'features']) }, to: { node: to, port } });
    }
  }
  for (let n = g.int(0, 3); n > 0; n--) {
    const members = nodeIds.filter(() => g.chance(0.3));
    doc.groups.push({ id: `g${n}`, title: g.text(), nodes: members, ...(g.chance(0.5) ? { color: '#123456' } : {}) });
  }
  for (let n = g.int(0, 3); n > 0; n--) {
    doc.comments.push({
      id: `c${n}`,
      text: g.text(30),
      position: g.position(),
      ...(g.chance(0.5) ? { size: { width: g.int(0, 500), height: g.next() * 100 } } : {}),
      ...(g.chance(0.3) ? { extra: g.object() } : {}),
    });
  }
  doc.extra = g.object();
  return doc;
}

/** A minimal node definition for loader tests (only type, version and migrate matter there). */
export function fakeDef(type: string, version: number, migrate?: NodeDef['migrate']): NodeDef {
  return {
    type,
    version,
    category: 'conv',
    title: type,
    doc: 'test node',
    params: {},
    inputs: [],
    outputs: [],
    migrate,
    infer: () => ({}),
    cost: () => ({ params: 0, macs: 0 }),
    build: () => () => ({}),
  };
}

type Doc = Record<string, any>;

/** One structurally invalid document and the first error it must give. */
export interface InvalidCase {
  name: string;
  doc: () => unknown;
  code: string;
  where: { pointer: string; node?: string; port?: string; param?: string; edge?: number };
  message: RegExp;
  /** Whether JSON Schema can express the rule (so the published schema must reject it too). */
  schema: boolean;
}

function changed(change: (doc: Doc) => void): () => unknown {
  return () => {
    const doc = JSON.parse(JSON.stringify(sampleDoc())) as Doc;
    change(doc);
    return doc;
  };
}

/** sampleDoc's nodes: 0 label, 1 enc1, 2 enc2, 3 fuse, 4 D.patch; edges 0..3. */
export const INVALID_CASES: InvalidCase[] = [
  { name: 'a non-object document', doc: () => [1, 2], code: 'wrong-type', where: { pointer: '' }, message: /must be a JSON object, got an array/, schema: true },
  { name: 'an unknown top-level field', doc: changed((d) => (d.colour = 'red')), code: 'unknown-field', where: { pointer: '/colour' }, message: /^unknown field 'colour'; put custom data in extra$/, schema: true },
  { name: 'a missing top-level field', doc: changed((d) => delete d.edges), code: 'missing-field', where: { pointer: '' }, message: /missing the required field 'edges'/, schema: true },
  { name: 'a wrong format', doc: changed((d) => (d.format = 'litegraph')), code: 'wrong-format', where: { pointer: '/format' }, message: /format must be "lggan-studio.graph", got the string "litegraph"/, schema: true },
  { name: 'a wrong version', doc: changed((d) => (d.version = 3)), code: 'bad-version', where: { pointer: '/version' }, message: /version must be 2, got the number 3/, schema: true },
  { name: 'meta without a name', doc: changed((d) => delete d.meta.name), code: 'missing-field', where: { pointer: '/meta' }, message: /meta is missing the required field 'name'/, schema: true },
  { name: 'a non-string meta.name', doc: changed((d) => (d.meta.name = 5)), code: 'wrong-type', where: { pointer: '/meta/name' }, message: /meta.name must be a string, got the number 5/, schema: true },
  { name: 'a non-string tag', doc: changed((d) => (d.meta.tags = ['a', 1])), code: 'wrong-type', where: { pointer: '/meta/tags/1' }, message: /meta.tags\[1\] must be a string/, schema: true },
  { name: 'a bad template name', doc: changed((d) => (d.template['2x'] = 1)), code: 'invalid-value', where: { pointer: '/template/2x' }, message: /template name '2x' is not a valid name/, schema: true },
  { name: 'a template value that is not a number', doc: changed((d) => (d.template.ngf = '64')), code: 'wrong-type', where: { pointer: '/template/ngf' }, message: /template 'ngf' must be a finite number, got the string "64"/, schema: true },
  { name: 'a fractional template size', doc: changed((d) => (d.template.height = 255.5)), code: 'invalid-value', where: { pointer: '/template/height' }, message: /template 'height' is a size and must be a positive integer, got 255.5/, schema: true },
  { name: 'a zero batch', doc: changed((d) => (d.template.batch = 0)), code: 'invalid-value', where: { pointer: '/template/batch' }, message: /'batch' is a size and must be a positive integer, got 0/, schema: true },
  { name: 'a negative num_classes', doc: changed((d) => (d.template.num_classes = -3)), code: 'invalid-value', where: { pointer: '/template/num_classes' }, message: /positive integer, got -3/, schema: true },
  {
    name: 'a 10^9-pixel template',
    doc: changed((d) => ((d.template.height = 100000), (d.template.width = 10000))),
    code: 'template-too-large',
    where: { pointer: '/template' },
    message: /^height×width = 1000000000 pixels exceeds the limit of 67108864$/,
    schema: false,
  },
  { name: 'a 10^9-pixel height alone', doc: changed((d) => ((d.template.height = 1e9), delete d.template.width)), code: 'template-too-large', where: { pointer: '/template/height' }, message: /^height = 1000000000 pixels exceeds the limit of 67108864$/, schema: false },
  { name: 'an unknown init scheme', doc: changed((d) => (d.init.scheme = 'uniform')), code: 'invalid-value', where: { pointer: '/init/scheme' }, message: /init.scheme must be one of xavier-normal, normal, kaiming-normal, got the string "uniform"/, schema: true },
  { name: 'a negative init gain', doc: changed((d) => (d.init.gain = -0.5)), code: 'invalid-value', where: { pointer: '/init/gain' }, message: /init.gain must be ≥ 0, got -0.5/, schema: true },
  { name: 'a fractional init seed', doc: changed((d) => (d.init.seed = 1.5)), code: 'wrong-type', where: { pointer: '/init/seed' }, message: /init.seed must be an integer/, schema: true },
  { name: 'init without a seed', doc: changed((d) => delete d.init.seed), code: 'missing-field', where: { pointer: '/init' }, message: /init is missing the required field 'seed'/, schema: true },
  { name: 'an unknown init field', doc: changed((d) => (d.init.std = 1)), code: 'unknown-field', where: { pointer: '/init/std' }, message: /unknown field 'std'; init has only the fields scheme, gain, seed/, schema: true },
  { name: 'nodes that are not an array', doc: changed((d) => (d.nodes = {})), code: 'wrong-type', where: { pointer: '/nodes' }, message: /nodes must be an array, got an object/, schema: true },
  { name: 'an unknown node field', doc: changed((d) => (d.nodes[1].colour = 'red')), code: 'unknown-field', where: { pointer: '/nodes/1/colour', node: 'enc1' }, message: /^unknown field 'colour'; put custom data in extra$/, schema: true },
  { name: 'a node without a position', doc: changed((d) => delete d.nodes[2].position), code: 'missing-field', where: { pointer: '/nodes/2', node: 'enc2' }, message: /node #2 is missing the required field 'position'/, schema: true },
  { name: 'a node without an id', doc: changed((d) => delete d.nodes[2].id), code: 'missing-field', where: { pointer: '/nodes/2' }, message: /node #2 is missing the required field 'id'/, schema: true },
  { name: 'an empty node id', doc: changed((d) => (d.nodes[0].id = '')), code: 'invalid-value', where: { pointer: '/nodes/0/id', node: '' }, message: /node id "" is not a valid id/, schema: true },
  { name: 'a node id with a space', doc: changed((d) => (d.nodes[4].id = 'D patch')), code: 'invalid-value', where: { pointer: '/nodes/4/id', node: 'D patch' }, message: /node id "D patch" is not a valid id; use letters, digits and _ . : -/, schema: true },
  { name: 'a numeric node id', doc: changed((d) => (d.nodes[4].id = 5)), code: 'wrong-type', where: { pointer: '/nodes/4/id' }, message: /node id must be a string, got the number 5/, schema: true },
  { name: 'a duplicate node id', doc: changed((d) => (d.nodes[3].id = 'enc1')), code: 'duplicate-id', where: { pointer: '/nodes/3/id', node: 'enc1' }, message: /duplicate node id 'enc1': node #1 already has it/, schema: false },
  { name: 'a type without a pack', doc: changed((d) => (d.nodes[1].type = 'conv2d')), code: 'invalid-value', where: { pointer: '/nodes/1/type', node: 'enc1' }, message: /must look like "pack\/name"/, schema: true },
  { name: 'typeVersion 0', doc: changed((d) => (d.nodes[1].typeVersion = 0)), code: 'invalid-value', where: { pointer: '/nodes/1/typeVersion', node: 'enc1' }, message: /typeVersion must be a positive integer, got the number 0/, schema: true },
  { name: 'a string typeVersion', doc: changed((d) => (d.nodes[1].typeVersion = '1')), code: 'invalid-value', where: { pointer: '/nodes/1/typeVersion', node: 'enc1' }, message: /typeVersion must be a positive integer, got the string "1"/, schema: true },
  { name: 'params that are an array', doc: changed((d) => (d.nodes[1].params = [7])), code: 'wrong-type', where: { pointer: '/nodes/1/params', node: 'enc1' }, message: /params must be an object, got an array/, schema: true },
  { name: 'a position with a string coordinate', doc: changed((d) => (d.nodes[1].position.y = '3')), code: 'wrong-type', where: { pointer: '/nodes/1/position/y', node: 'enc1' }, message: /position.y must be a finite number, got the string "3"/, schema: true },
  { name: 'a position with a z', doc: changed((d) => (d.nodes[1].position.z = 0)), code: 'unknown-field', where: { pointer: '/nodes/1/position/z', node: 'enc1' }, message: /unknown field 'z'; position has only the fields x, y/, schema: true },
  { name: 'an empty network', doc: changed((d) => (d.nodes[1].network = '')), code: 'invalid-value', where: { pointer: '/nodes/1/network', node: 'enc1' }, message: /network must not be empty/, schema: true },
  { name: 'an unknown node mode', doc: changed((d) => (d.nodes[1].mode = 'never')), code: 'invalid-value', where: { pointer: '/nodes/1/mode', node: 'enc1' }, message: /mode must be one of "bypass", "mute" \(leave it out for an active node\), got the string "never"/, schema: true },
  { name: 'a numeric title', doc: changed((d) => (d.nodes[1].title = 3)), code: 'wrong-type', where: { pointer: '/nodes/1/title', node: 'enc1' }, message: /title must be a string/, schema: true },
  { name: 'node extra that is an array', doc: changed((d) => (d.nodes[1].extra = [])), code: 'wrong-type', where: { pointer: '/nodes/1/extra', node: 'enc1' }, message: /extra must be an object, got an array/, schema: true },
  { name: 'an edge without a port', doc: changed((d) => delete d.edges[1].from.port), code: 'missing-field', where: { pointer: '/edges/1/from', edge: 1 }, message: /edge #1 from is missing the required field 'port'/, schema: true },
  { name: 'an edge with an empty port', doc: changed((d) => (d.edges[1].to.port = '')), code: 'invalid-value', where: { pointer: '/edges/1/to/port', edge: 1 }, message: /edge #1 to.port must not be empty/, schema: true },
  { name: 'an unknown edge field', doc: changed((d) => (d.edges[0].label = 'x')), code: 'unknown-field', where: { pointer: '/edges/0/label', edge: 0 }, message: /unknown field 'label'; edge #0 has only the fields from, to/, schema: true },
  {
    name: 'an edge to a missing node',
    doc: changed((d) => (d.edges[2].to.node = 'ghost')),
    code: 'missing-node',
    where: { pointer: '/edges/2/to/node', edge: 2, node: 'ghost', port: 'global' },
    message: /^edge #2 ends at node 'ghost', which is not in the graph$/,
    schema: false,
  },
  { name: 'an edge from a missing node', doc: changed((d) => (d.edges[0].from.node = 'nowhere')), code: 'missing-node', where: { pointer: '/edges/0/from/node', edge: 0, node: 'nowhere', port: 'y' }, message: /edge #0 starts at node 'nowhere'/, schema: false },
  { name: 'a self-loop', doc: changed((d) => (d.edges[1].to.node = 'enc1')), code: 'self-loop', where: { pointer: '/edges/1', edge: 1, node: 'enc1' }, message: /edge #1 connects node 'enc1' to itself/, schema: false },
  {
    name: 'two edges into one input port',
    doc: changed((d) => d.edges.push({ from: { node: 'enc2', port: 'y' }, to: { node: 'enc1', port: 'x' } })),
    code: 'multiple-inputs',
    where: { pointer: '/edges/4/to', edge: 4, node: 'enc1', port: 'x' },
    message: /^edges #0 and #4 both go into input port 'x' of node 'enc1'; an input port takes exactly one edge$/,
    schema: false,
  },
  { name: 'a group member that is not a node', doc: changed((d) => d.groups[0].nodes.push('ghost')), code: 'missing-node', where: { pointer: '/groups/0/nodes/2', node: 'ghost' }, message: /group #0 lists node 'ghost', which is not in the graph/, schema: false },
  { name: 'a group listing a node twice', doc: changed((d) => d.groups[0].nodes.push('enc1')), code: 'duplicate-member', where: { pointer: '/groups/0/nodes/2', node: 'enc1' }, message: /group #0 lists node 'enc1' twice/, schema: true },
  { name: 'a duplicate group id', doc: changed((d) => d.groups.push({ id: 'encoder', title: 'again', nodes: [] })), code: 'duplicate-id', where: { pointer: '/groups/1/id' }, message: /duplicate group id 'encoder': group #0 already has it/, schema: false },
  { name: 'a group without a title', doc: changed((d) => delete d.groups[0].title), code: 'missing-field', where: { pointer: '/groups/0' }, message: /group #0 is missing the required field 'title'/, schema: true },
  { name: 'a comment with a negative size', doc: changed((d) => (d.comments[0].size.width = -1)), code: 'invalid-value', where: { pointer: '/comments/0/size/width' }, message: /size.width must be ≥ 0, got -1/, schema: true },
  { name: 'a comment without text', doc: changed((d) => delete d.comments[0].text), code: 'missing-field', where: { pointer: '/comments/0' }, message: /comment #0 is missing the required field 'text'/, schema: true },
  { name: 'a duplicate comment id', doc: changed((d) => d.comments.push({ id: 'c1', text: '', position: { x: 0, y: 0 } })), code: 'duplicate-id', where: { pointer: '/comments/1/id' }, message: /duplicate comment id 'c1'/, schema: false },
  { name: 'extra that is null', doc: changed((d) => (d.extra = null)), code: 'wrong-type', where: { pointer: '/extra' }, message: /extra must be an object, got null/, schema: true },
];
