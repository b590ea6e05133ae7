/**
 * Property: a graph that validates (loads and resolves without errors) compiles and runs one
 * forward pass at tiny size. Variants of the shipped tiny graphs with a few params or template
 * sizes changed to values their schemas allow (src/compiler/fuzz/param-mutations.ts). wasm,
 * because a forward pass of the 64×128 tiny graphs takes 10–35 s on tfjs-cpu and under one on
 * wasm; the engine switches back to cpu afterwards.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { loadGraph } from '../../graph/load.ts';
import { registerWasmTrainingKernels } from '../../runtime/wasm/register.ts';
import { compileProgram } from '../program.ts';
import { resolveGraph } from '../resolve.ts';
import { hashString } from '../rng.ts';
import { sampleFeeds } from '../sample-inputs.ts';
import { paramVariant } from './param-mutations.ts';
import { Random } from './random.ts';

const registry = createRegistry();
const dir = new URL('../../../graphs/', import.meta.url);
const bases = readdirSync(dir)
  .filter((f) => f.endsWith('-tiny.json') || f === 'tiny-pix2pix.json')
  .sort()
  .map((f) => {
    const loaded = loadGraph(readFileSync(new URL(f, dir), 'utf8'), { registry });
    if (!loaded.ok) throw new Error(`${f} does not load`);
    return loaded.doc;
  });

/** "validate": what `lggan validate` checks, from the text a file would hold. */
function validates(doc: GraphDocument): boolean {
  const loaded = loadGraph(JSON.stringify(doc), { registry });
  return loaded.ok && !resolveGraph(loaded.doc, registry).diagnostics.some((d) => d.severity === 'error');
}

/** "compile": build the program and run one seeded forward pass; the error message, if any. */
function compileProblem(doc: GraphDocument): string | null {
  let program;
  try {
    program = compileProgram(resolveGraph(doc, registry));
    const feeds = sampleFeeds(program, 0);
    try {
      tf.dispose(Object.values(program.run(feeds)));
    } finally {
      tf.dispose(Object.values(feeds));
    }
    return null;
  } catch (e) {
    return `${(e as Error)?.name}: ${(e as Error)?.message}`;
  } finally {
    program?.dispose();
  }
}

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('validate accepts ⇒ compile works', () => {
  it('holds for seeded param variants of the shipped tiny graphs', () => {
    const failures: string[] = [];
    let accepted = 0;
    // 40 variants: about two thirds validate, and each of those runs a forward pass (under a second on wasm).
    for (let i = 0; i < 40; i++) {
      const r = new Random(hashString(`validate-compiles:${i}`));
      const { doc, changes } = paramVariant(r.pick(bases), registry, r);
      if (!validates(doc)) continue;
      accepted++;
      const problem = compileProblem(doc);
      if (problem) failures.push(`variant ${i} of ${doc.meta.name} (${changes.join('; ')}): ${problem.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(accepted).toBeGreaterThan(15);
  });

  it('validate refuses the one-class graph whose compiled loss would fail', () => {
    const doc = JSON.parse(JSON.stringify(bases.find((d) => d.meta.name === 'LGGAN Cityscapes (tiny)'))) as GraphDocument;
    doc.template.num_classes = 1;
    // Before the check moved into validation this graph validated, then its loss failed in tf.oneHot at run time.
    expect(validates(doc)).toBe(false);
  });
});
