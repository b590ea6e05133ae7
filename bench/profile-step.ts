import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { createRegistry } from '../nodes/index.ts';
import { compileProgram } from '../src/compiler/program.ts';
import { resolveGraph } from '../src/compiler/resolve.ts';
import { sampleFeeds } from '../src/compiler/sample-inputs.ts';
import { loadGraphValue } from '../src/graph/load.ts';
import { compileTraining } from '../src/runtime/training/training-run.ts';
import { initNodeBackend } from '../src/runtime/tf-node.ts';
const registry = createRegistry();
await initNodeBackend((process.argv[2] ?? 'wasm') as 'wasm');
const loaded = loadGraphValue(JSON.parse(readFileSync(new URL('../graphs/lggan-cityscapes-tiny.json', import.meta.url), 'utf8')), { registry });
if (!loaded.ok) throw new Error('no');
const program = compileProgram(resolveGraph(loaded.doc, registry, { batch: Number(process.argv[3] ?? 1) }));
const run = compileTraining(program);
const feeds = sampleFeeds(program, 0);
await run.step(feeds); await run.step(feeds);
for (let i = 0; i < Number(process.env.STEPS ?? 5); i++) { const t0 = performance.now(); const c0 = process.cpuUsage(); await run.step(feeds); const c = process.cpuUsage(c0); console.log('step', (performance.now() - t0).toFixed(0), 'cpu', ((c.user + c.system) / 1000).toFixed(0)); }
if (process.env.NOPROFILE) process.exit(0);
const info = await tf.profile(async () => { await run.step(feeds); });
const by = new Map<string, { n: number; ms: number }>();
let total = 0;
for (const k of info.kernels) { const e = by.get(k.name) ?? { n: 0, ms: 0 }; e.n++; e.ms += k.kernelTimeMs as number; if (k.name !== 'unnamed scope') total += k.kernelTimeMs as number; by.set(k.name, e); }
console.log('kernels', info.kernels.length, 'kernel ms (named)', total.toFixed(1));
for (const [name, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) console.log(name.padEnd(28), String(e.n).padStart(6), e.ms.toFixed(1).padStart(9));
if (process.argv.includes('--shapes')) for (const k of info.kernels.filter((k) => (k.kernelTimeMs as number) > 2 && k.name !== 'unnamed scope')) console.log(k.name, (k.kernelTimeMs as number).toFixed(1), JSON.stringify(k.inputShapes), JSON.stringify(k.outputShapes));
