/**
 * What a graph's generator produces, for sample grids (`lggan train`) and for `lggan generate`:
 * - image outputs: core/output nodes with role 'image', by their `name` param; the one named
 *   'final' (else the first) is the final image. A graph without any (a bare training graph) falls
 *   back to the image wired into the losses' `fake0` port (or the lowest fake port wired).
 * - attention outputs: core/output nodes with role 'attention' (LGGAN: channel 0 weights the local
 *   image, channel 1 the global one).
 * - per-class images: the `class_images` port of an lggan/local-generators node, with the class
 *   masks wired into it (they tell which classes are present).
 * Plus what those depend on: the input nodes to feed and the networks whose weights to load.
 */
import type { GraphEdge } from '../graph/document.ts';
import type { Program } from './program.ts';

export interface NamedOutput {
  /** What Program.run is asked for: a node id or "node:port". */
  key: string;
  /** For file names and grid columns: the output's `name` param ('final', 'global', 'attention' …). */
  name: string;
}

export interface GeneratorOutputs {
  final: NamedOutput;
  /** The other image outputs, in graph order (LGGAN: global, local). */
  images: NamedOutput[];
  attention: NamedOutput[];
  /** B×H×W×3K per-class images (class k in channels 3k … 3k+2) and the B×H×W×K masks beside them. */
  classImages?: { key: string; masks: string };
  /** Input node ids the outputs above depend on. */
  inputs: string[];
  /** Networks owning variables the outputs depend on (what a checkpoint must provide). */
  networks: string[];
}

export class OutputsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputsError';
  }
}

const portKey = (ref: { node: string; port: string }) => `${ref.node}:${ref.port}`;

/** Every node the given nodes depend on, themselves included. */
function upstream(edges: readonly GraphEdge[], from: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const stack = [...from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of edges) if (e.to.node === id) stack.push(e.from.node);
  }
  return seen;
}

export function generatorOutputs(program: Program): GeneratorOutputs {
  const { doc } = program.ir;
  const outputsOfRole = (role: string): NamedOutput[] =>
    program.ir.order
      .map((id) => program.ir.nodes.get(id)!)
      .filter((n) => n.node.type === 'core/output' && n.params.role === role)
      .map((n) => ({ key: n.id, name: String(n.params.name) }));

  const images = outputsOfRole('image');
  let final = images.find((o) => o.name === 'final') ?? images[0];
  if (!final) {
    // The lowest-numbered fake port wired anywhere: fake0 is the final image, unless it was left open.
    const fake = doc.edges
      .filter((e) => /^fake\d+$/.test(e.to.port))
      .sort((a, b) => Number(a.to.port.slice(4)) - Number(b.to.port.slice(4)))[0];
    if (!fake) throw new OutputsError("the graph has no image output (a core/output node with role 'image') and no loss reading a generated image (fake0 …)");
    final = { key: portKey(fake.from), name: 'final' };
  }
  const local = doc.nodes.find((n) => n.type === 'lggan/local-generators');
  const masks = local && doc.edges.find((e) => e.to.node === local.id && e.to.port === 'masks');
  const classImages = local && masks ? { key: `${local.id}:class_images`, masks: portKey(masks.from) } : undefined;
  const attention = outputsOfRole('attention');
  const others = images.filter((o) => o !== final);

  const keys = [final, ...others, ...attention].map((o) => o.key);
  if (classImages) keys.push(classImages.key, classImages.masks);
  const needed = upstream(doc.edges, keys.map((k) => k.split(':')[0]));
  const inputs = program.inputNodes.filter((n) => needed.has(n.id)).map((n) => n.id);
  const networks = [...new Set([...program.variableInfo.values()].filter((v) => needed.has(v.node)).map((v) => v.network))];
  return { final, images: others, attention, classImages, inputs, networks };
}

/** Every key a full run asks for (final first). */
export function outputKeys(o: GeneratorOutputs, options: { all: boolean }): string[] {
  if (!options.all) return [o.final.key];
  const keys = [o.final.key, ...o.images.map((i) => i.key), ...o.attention.map((a) => a.key)];
  if (o.classImages) keys.push(o.classImages.key, o.classImages.masks);
  return keys;
}
