/**
 * Benchmark: one training iteration (G step + D step) of a graph exported to PyTorch, on the CPU,
 * against the studio's own iteration (compileTraining, Node tfjs-cpu) on the same machine, same
 * batch and same inputs; prints both medians and their ratio. PyTorch runs with one thread (like
 * tfjs-cpu) and with all of them.
 *   npm run bench:export [-- --graphs reduced,tiny] [--repeats N] [--batch B] [--backend wasm|cpu]
 * reduced: the Cityscapes tiny graph with 3 classes and ngf = ndf = 2; tiny: the shipped
 * lggan-cityscapes-tiny.json (35 classes, ngf 4, 64×128; the studio's step takes a while on Node).
 * Needs /usr/bin/python3 with PyTorch (or LGGAN_PYTHON); the PyTorch side is bench/pytorch-baseline.ts,
 * shared with bench:cpu. Not a test: nothing here fails on time.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { createRegistry } from '../nodes/index.ts';
import { compileProgram } from '../src/compiler/program.ts';
import { resolveGraph } from '../src/compiler/resolve.ts';
import { sampleFeeds } from '../src/compiler/sample-inputs.ts';
import type { GraphDocument } from '../src/graph/document.ts';
import { readShippedGraph, reducedCityscapes, requireTorch } from '../src/interop/pytorch-export/parity.test-util.ts';
import { compileTraining } from '../src/runtime/training/index.ts';
import { initNodeBackend, parseNodeBackend } from '../src/runtime/tf-node.ts';
import { exportBaseline, type ExportedBaseline } from './pytorch-baseline.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const graphs = flag('graphs', 'reduced,tiny').split(',');
const repeats = Number(flag('repeats', '3'));
const batch = Number(flag('batch', '1'));

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function studioIterationMs(doc: GraphDocument, baseline: ExportedBaseline): number {
  const program = compileProgram(resolveGraph(doc, createRegistry(), { batch }));
  const run = compileTraining(program, { stepsPerEpoch: 1000 });
  const feeds = sampleFeeds(program, 0);
  baseline.feed(feeds);
  try {
    run.step(feeds); // warm-up
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) times.push(run.step(feeds).ms);
    return median(times);
  } finally {
    tf.dispose(Object.values(feeds));
    run.dispose();
    program.dispose();
  }
}

const pytorchIterationMs = (baseline: ExportedBaseline, threads: number) => baseline.time('train', repeats, threads).wall;

await initNodeBackend(args.includes('--backend') ? parseNodeBackend(flag('backend', ''), '--backend') : undefined);
console.log(`PyTorch ${requireTorch()} (CPU) vs the studio (tfjs ${tf.version_core}, ${tf.getBackend()}): one training iteration, batch ${batch}, median of ${repeats}`);
const cores = availableParallelism();
for (const name of graphs) {
  const doc = name === 'tiny' ? readShippedGraph('lggan-cityscapes-tiny.json') : reducedCityscapes();
  const baseline = exportBaseline(doc);
  try {
    const studio = studioIterationMs(doc, baseline);
    const single = pytorchIterationMs(baseline, 1);
    const all = cores > 1 ? pytorchIterationMs(baseline, cores) : single;
    console.log(`${name.padEnd(8)} ${doc.meta.name} (${doc.template.num_classes} classes, ngf ${doc.template.ngf}, ${doc.template.height}×${doc.template.width})`);
    console.log(`  studio tfjs-${tf.getBackend().padEnd(6)} ${studio.toFixed(0).padStart(8)} ms`);
    console.log(`  PyTorch, 1 thread    ${single.toFixed(0).padStart(8)} ms   ${(studio / single).toFixed(1)}× faster than the studio`);
    if (cores > 1) console.log(`  PyTorch, ${cores} threads   ${all.toFixed(0).padStart(8)} ms   ${(studio / all).toFixed(1)}× faster than the studio`);
  } finally {
    baseline.dispose();
  }
}
