/**
 * Loads the VGG19 weights a graph's perceptual losses name, before the graph is compiled: node
 * builds are synchronous, so the loss reads weights that a host registered beforehand
 * (nodes/lggan/training/vgg19.ts). The `weights` param is a path to a .safetensors file with
 * torchvision names (tools/convert_vgg19.py writes one); a relative path is taken from the graph
 * file's folder, so a graph and its weights move together.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { perceptualWeightSource } from '../../nodes/lggan/losses/perceptual-loss.ts';
import { ensureVgg19Weights } from '../../nodes/lggan/training/vgg19.ts';
import type { GraphIR } from '../compiler/ir.ts';
import { CliProblem } from './io.ts';

const PERCEPTUAL_LOSS = 'lggan/perceptual-loss';

/** The file a `weights` param names, for a graph read from `graphFile`. */
export function vgg19WeightsPath(source: string, graphFile: string): string {
  return isAbsolute(source) ? source : resolve(dirname(graphFile), source);
}

/** Registers the weights of every perceptual loss in `ir`; throws CliProblem naming the node and the file when one cannot be used. */
export async function loadVgg19WeightsFor(ir: GraphIR, graphFile: string): Promise<void> {
  for (const node of ir.nodes.values()) {
    if (node.def?.type !== PERCEPTUAL_LOSS) continue;
    const source = perceptualWeightSource(node.params);
    if (source === undefined) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
      throw new CliProblem(`${graphFile}: node '${node.id}' param weights: '${source}' is a URL; the CLI reads files: download it and name the file (tools/convert_vgg19.py writes one)`);
    }
    const path = vgg19WeightsPath(source, graphFile);
    try {
      await ensureVgg19Weights(source, async () => new Uint8Array(await readFile(path)));
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      throw new CliProblem(`${graphFile}: node '${node.id}' param weights: VGG19 weights ${path}: ${why} (tools/convert_vgg19.py writes the file from torchvision's vgg19)`);
    }
  }
}
