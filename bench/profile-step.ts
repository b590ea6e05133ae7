/**
 * Where a training step's time goes, kernel by kernel, in Node: the tiny Cityscapes graph (or
 * --graph FILE), a few timed steps (wall and this process's CPU time), the CPU time of the forward
 * runs and of Adam per step, then one step under tf.profile: kernels by total time, with the count
 * of calls (per-op overhead shows as many calls of little time each).
 *
 *   npm run bench:profile [-- --backend wasm|cpu] [--batch N] [--steps N] [--graph FILE] [--shapes MS]
 *
 * --shapes MS also lists every kernel call slower than MS ms with its input and output shapes.
 * Under load the wall times (and tf.profile's) inflate; compare CPU times.
 * Not a test: nothing here fails on time.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { createRegistry } from '../nodes/index.ts';
import { compileProgram, type Program } from '../src/compiler/program.ts';
import { resolveGraph } from '../src/compiler/resolve.ts';
import { sampleFeeds } from '../src/compiler/sample-inputs.ts';
import { loadGraphValue } from '../src/graph/load.ts';
import { NamedAdam } from '../src/runtime/training/adam.ts';
import { compileTraining } from '../src/runtime/training/training-run.ts';
import { initNodeBackend, parseNodeBackend } from '../src/runtime/tf-node.ts';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const backend = parseNodeBackend(flag('backend') ?? 'wasm', '--backend');
const batch = Number(flag('batch') ?? 1);
const steps = Number(flag('steps') ?? 5);
const shapesOver = flag('shapes') === undefined ? undefined : Number(flag('shapes'));
const graphFile = flag('graph') ?? new URL('../graphs/lggan-cityscapes-tiny.json', import.meta.url).pathname;

await initNodeBackend(backend);
const registry = createRegistry();
const loaded = loadGraphValue(JSON.parse(readFileSync(graphFile, 'utf8')), { registry });
if (!loaded.ok) throw new Error(`${graphFile} does not load: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
const program = compileProgram(resolveGraph(loaded.doc, registry, { batch }));
const run = compileTraining(program);
const feeds = sampleFeeds(program, 0);

const cpuMs = (since?: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

/** CPU ms spent inside `method` of `target`, summed per label. */
const phases = new Map<string, number>();
function timeMethod(target: object, method: string, label: string): void {
  const original = (target as Record<string, (...a: unknown[]) => unknown>)[method];
  (target as Record<string, unknown>)[method] = function (this: unknown, ...a: unknown[]) {
    const c0 = process.cpuUsage();
    try {
      return original.apply(this, a);
    } finally {
      phases.set(label, (phases.get(label) ?? 0) + cpuMs(c0));
    }
  };
}
timeMethod(NamedAdam.prototype, 'apply', 'Adam');
timeMethod(program as Program, 'run', 'forward runs (taped and not)');

await run.step(feeds); // warm-up: kernels compiled, buffers sized
phases.clear();
console.log(`${graphFile}, backend ${tf.getBackend()}, batch ${batch}:`);
for (let i = 0; i < steps; i++) {
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  await run.step(feeds);
  console.log(`  step ${i + 1}: ${(performance.now() - w0).toFixed(0)} ms wall, ${cpuMs(c0).toFixed(0)} ms cpu`);
}
for (const [label, ms] of phases) console.log(`  ${label}: ${(ms / steps).toFixed(0)} ms cpu per step`);

const info = await tf.profile(async () => void (await run.step(feeds)));
const byKernel = new Map<string, { calls: number; ms: number }>();
for (const k of info.kernels) {
  if (k.name === 'unnamed scope') continue; // custom gradients: their kernels are listed themselves
  const entry = byKernel.get(k.name) ?? { calls: 0, ms: 0 };
  entry.calls++;
  entry.ms += k.kernelTimeMs as number;
  byKernel.set(k.name, entry);
}
const total = [...byKernel.values()].reduce((sum, e) => sum + e.ms, 0);
console.log(`\none profiled step: ${info.kernels.length} kernel calls, ${total.toFixed(0)} ms in kernels (wall)`);
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) {
  console.log(`  ${name.padEnd(36)} ${String(e.calls).padStart(6)} calls ${e.ms.toFixed(1).padStart(9)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)} %`);
}
if (shapesOver !== undefined) {
  console.log(`\nkernel calls over ${shapesOver} ms:`);
  for (const k of info.kernels) {
    if (k.name !== 'unnamed scope' && (k.kernelTimeMs as number) > shapesOver) {
      console.log(`  ${k.name} ${(k.kernelTimeMs as number).toFixed(1)} ms  in ${JSON.stringify(k.inputShapes)} out ${JSON.stringify(k.outputShapes)}`);
    }
  }
}
tf.dispose(Object.values(feeds));
run.dispose();
program.dispose();
