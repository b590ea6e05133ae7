/**
 * Benchmark: one training iteration (G step + D step) of a graph exported to PyTorch, on the CPU,
 * against the studio's own iteration (compileTraining, Node tfjs-cpu) on the same machine, same
 * batch and same inputs; prints both medians and their ratio. PyTorch runs with one thread (like
 * tfjs-cpu) and with all of them.
 *   npm run bench:export [-- --graphs reduced,tiny] [--repeats N] [--batch B] [--backend wasm|cpu]
 * reduced: the Cityscapes tiny graph with 3 classes and ngf = ndf = 2; tiny: the shipped
 * lggan-cityscapes-tiny.json (35 classes, ngf 4, 64×128; the studio's step takes a while on Node).
 * Needs /usr/bin/python3 with PyTorch (or LGGAN_PYTHON). Not a test: nothing here fails on time.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createRegistry } from '../nodes/index.ts';
import { compileProgram } from '../src/compiler/program.ts';
import { resolveGraph } from '../src/compiler/resolve.ts';
import { sampleFeeds } from '../src/compiler/sample-inputs.ts';
import type { GraphDocument } from '../src/graph/document.ts';
import { readShippedGraph, reducedCityscapes, requireTorch, runPython, tempDir, writeFeeds, writePackage } from '../src/interop/pytorch-export/parity.test-util.ts';
import { compileTraining } from '../src/runtime/training/index.ts';
import { initNodeBackend, parseNodeBackend } from '../src/runtime/tf-node.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const graphs = flag('graphs', 'reduced,tiny').split(',');
const repeats = Number(flag('repeats', '3'));
const batch = Number(flag('batch', '1'));

/** Times `repeats` iterations after one warm-up, with the package's own training_iteration. */
const PYTHON_BENCH = String.raw`
import json, os, sys, time
import torch
sys.path.insert(0, os.getcwd())
from lggan_torch.init import initialize
from lggan_torch.safetensors_io import read_safetensors
from lggan_torch.step import training_iteration
import model, objective

repeats, threads = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
config = json.load(open('config.json'))
torch.manual_seed(config['init']['seed'])
networks = model.build_networks()
for network in networks.values():
    initialize(network, config['init'])
    network.train()
losses = objective.build_losses()
sides = {side: s for side, s in objective.SIDES.items() if s['losses']}
t = objective.TRAINER
optimizers = {side: torch.optim.Adam([p for n in s['networks'] for p in networks[n].parameters()], lr=t[side.lower() + '_lr'],
                                     betas=(t['beta1'], t['beta2']), eps=t['epsilon']) for side, s in sides.items()}
tensors, _ = read_safetensors('feeds.safetensors')
feeds = {k: v.permute(0, 3, 1, 2).contiguous() for k, v in tensors.items()}
with torch.no_grad():
    fed = model.Inputs()(feeds, next(iter(feeds.values())).shape[0])
training_iteration(networks, model.NETWORK_ORDER, losses, optimizers, sides, t, fed, 0)
times = []
for i in range(repeats):
    start = time.perf_counter()
    training_iteration(networks, model.NETWORK_ORDER, losses, optimizers, sides, t, fed, i + 1)
    times.append(time.perf_counter() - start)
print(json.dumps({'ms': sorted(times)[len(times) // 2] * 1000}))
`;

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function studioIterationMs(doc: GraphDocument, feedsPath: string): number {
  const program = compileProgram(resolveGraph(doc, createRegistry(), { batch }));
  const run = compileTraining(program, { stepsPerEpoch: 1000 });
  const feeds = sampleFeeds(program, 0);
  writeFeeds(feedsPath, feeds);
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

function pytorchIterationMs(dir: string, threads: number): number {
  return (JSON.parse(runPython(dir, ['bench_step.py', String(repeats), String(threads)]).trim().split('\n').pop()!) as { ms: number }).ms;
}

await initNodeBackend(args.includes('--backend') ? parseNodeBackend(flag('backend', ''), '--backend') : undefined);
console.log(`PyTorch ${requireTorch()} (CPU) vs the studio (tfjs ${tf.version_core}, ${tf.getBackend()}): one training iteration, batch ${batch}, median of ${repeats}`);
const cores = availableParallelism();
for (const name of graphs) {
  const doc = name === 'tiny' ? readShippedGraph('lggan-cityscapes-tiny.json') : reducedCityscapes();
  const { dir, cleanup } = tempDir('lggan-bench-export-');
  try {
    writePackage(doc, dir);
    writeFileSync(join(dir, 'bench_step.py'), PYTHON_BENCH);
    const studio = studioIterationMs(doc, join(dir, 'feeds.safetensors'));
    const single = pytorchIterationMs(dir, 1);
    const all = cores > 1 ? pytorchIterationMs(dir, cores) : single;
    console.log(`${name.padEnd(8)} ${doc.meta.name} (${doc.template.num_classes} classes, ngf ${doc.template.ngf}, ${doc.template.height}×${doc.template.width})`);
    console.log(`  studio tfjs-cpu      ${studio.toFixed(0).padStart(8)} ms`);
    console.log(`  PyTorch, 1 thread    ${single.toFixed(0).padStart(8)} ms   ${(studio / single).toFixed(1)}× faster than the studio`);
    if (cores > 1) console.log(`  PyTorch, ${cores} threads   ${all.toFixed(0).padStart(8)} ms   ${(studio / all).toFixed(1)}× faster than the studio`);
  } finally {
    cleanup();
  }
}
