/** The tiny pix2pix graph, compiled, for checkpoint tests. */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { createRegistry } from '../../../nodes/index.ts';
import { compileProgram, type Program } from '../../compiler/program.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { sampleFeeds } from '../../compiler/sample-inputs.ts';
import { DEFAULT_INIT, type GraphDocument } from '../../graph/document.ts';
import { loadGraph } from '../../graph/load.ts';

const registry = createRegistry();
const text = readFileSync(new URL('../../../graphs/tiny-pix2pix.json', import.meta.url), 'utf8');

export function tinyDoc(): GraphDocument {
  const result = loadGraph(text, { registry });
  if (!result.ok) throw new Error(`tiny-pix2pix.json does not load: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return result.doc;
}

export function compileTiny(doc = tinyDoc(), seed?: number): Program {
  const ir = resolveGraph(doc, registry);
  return compileProgram(ir, seed === undefined ? {} : { init: { ...(doc.init ?? DEFAULT_INIT), seed } });
}

/** Every sink's values for the program's sample feeds (seed 0), as plain arrays. */
export function forward(program: Program): Record<string, number[]> {
  const feeds = sampleFeeds(program, 0);
  const outputs = program.run(feeds);
  const values = Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, Array.from(t.dataSync())]));
  tf.dispose([...Object.values(outputs), ...Object.values(feeds)]);
  return values;
}

/** Overwrites every variable (trainable or not) with other values. */
export function perturb(program: Program, names = [...program.variables.keys()]): void {
  for (const name of names) {
    const v = program.variables.get(name)!;
    tf.tidy(() => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.5, 'float32', 7))));
  }
}

export function valuesOf(program: Program, name: string): number[] {
  return Array.from(program.variables.get(name)!.dataSync());
}

export const fixedClock = () => new Date('2025-01-02T03:04:05.000Z');
