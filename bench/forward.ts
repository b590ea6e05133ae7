/**
 * Benchmark: forward time of the LGGAN generator divided by that of the global-only generator
 * (the SPADE baseline fed by the same encoder), same backend, same run; and peak tensor memory of
 * the batched class-specific generators against the naive "K masked copies of F" figure.
 * Official overhead in parameters is 1.19×; our target is ≤ 1.3× in time.
 *   npm run bench:forward [-- --size tiny|reduced] [--repeats N]
 * Not a test: nothing here fails on time.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRegistry } from '../nodes/index.ts';
import { compileProgram, type Program } from '../src/compiler/program.ts';
import { resolveGraph } from '../src/compiler/resolve.ts';
import { sampleFeeds } from '../src/compiler/sample-inputs.ts';
import { initNodeBackend } from '../src/runtime/tf-node.ts';
import { semanticGraph, type Variant } from '../src/templates/lggan.ts';

const args = process.argv.slice(2);
const size = args.includes('--size') ? args[args.indexOf('--size') + 1] : 'tiny';
const repeats = args.includes('--repeats') ? Number(args[args.indexOf('--repeats') + 1]) : 3;
await initNodeBackend();
const registry = createRegistry();

function build(variant: Variant, graphSize: 'tiny' | 'full') {
  const doc = semanticGraph({ dataset: 'cityscapes', size: graphSize === 'full' ? 'full' : 'tiny', variant });
  if (size === 'reduced' && graphSize !== 'full') Object.assign(doc.template, { ngf: 16, ndf: 16 });
  return resolveGraph(doc, registry);
}

function generatorOutputs(program: Program): string[] {
  return program.sinkNodes.filter((n) => n.node.type === 'core/output' && n.node.params.name === 'final').map((n) => n.id);
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function timeForward(program: Program): number {
  const feeds = sampleFeeds(program, 0);
  const outputs = generatorOutputs(program);
  tf.dispose(program.run(feeds, { outputs })); // warm-up
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const out = program.run(feeds, { outputs });
    for (const t of Object.values(out)) t.dataSync();
    times.push(performance.now() - t0);
    tf.dispose(out);
  }
  tf.dispose(Object.values(feeds));
  return median(times);
}

// 1. The cost model at full official size: parameters and multiply-adds of both generators.
const fullLggan = build('lggan', 'full').networks.get('G')!;
const fullGlobal = build('global-only', 'full').networks.get('G')!;
console.log(`full size (512×256, ngf 64), cost model:`);
console.log(`  params  LGGAN ${fullLggan.params.toLocaleString('en-US')}  global-only ${fullGlobal.params.toLocaleString('en-US')}  ratio ${(fullLggan.params / fullGlobal.params).toFixed(3)}×`);
console.log(`  MACs    LGGAN ${(fullLggan.macs / 1e9).toFixed(1)} G  global-only ${(fullGlobal.macs / 1e9).toFixed(1)} G  ratio ${(fullLggan.macs / fullGlobal.macs).toFixed(3)}×`);

// 2. Measured forward time at the bench size, same backend, same process.
const lggan = compileProgram(build('lggan', 'tiny'));
const globalOnly = compileProgram(build('global-only', 'tiny'));
const tLggan = timeForward(lggan);
const tGlobal = timeForward(globalOnly);
const t = lggan.ir.template;
console.log(`\nmeasured on ${tf.getBackend()} at ${t.width}×${t.height}, ngf ${t.ngf}, batch 1 (median of ${repeats}):`);
console.log(`  LGGAN G ${tLggan.toFixed(0)} ms  global-only G ${tGlobal.toFixed(0)} ms  ratio ${(tLggan / tGlobal).toFixed(2)}× (target ≤ 1.3×)`);

// 3. Peak memory of the local class-specific generators alone (its inputs fed), against K copies of F.
const feeds = sampleFeeds(lggan, 0);
const inputs = lggan.run(feeds, { outputs: ['trunk:features', 'masks:masks'] });
const info = await tf.profile(() => lggan.run({ ...feeds, ...inputs }, { outputs: ['local:local'] }));
const [b, h, w, c] = inputs['trunk:features'].shape;
const k = inputs['masks:masks'].shape[3]!;
const naive = b * h * w * c * k * 4;
console.log(`\nlocal generators (K = ${k} classes, F ${h}×${w}×${c}):`);
console.log(`  peak ${(info.peakBytes / 2 ** 20).toFixed(2)} MiB vs naive K copies of F ${(naive / 2 ** 20).toFixed(2)} MiB  ratio ${(info.peakBytes / naive).toFixed(2)}×`);
tf.dispose([...Object.values(inputs), ...Object.values(feeds)]);
tf.dispose(info.result);
lggan.dispose();
globalOnly.dispose();
