/**
 * Benchmark: one training step (G and D updates, synthetic data) of the tiny LGGAN
 * Cityscapes graph against its SPADE-only baseline (the global-only ablation: the same encoder and
 * SPADE generator without the local class-specific branch, attention fusion and classifier, at the
 * same 128×64 size), per backend: Node's tfjs-cpu always, and Chromium's webgpu / wasm / webgl / cpu
 * through the real training worker on a benchmark page (e2e/harness/bench-train.html) driven by
 * Playwright. Batch 2 by default: the encoder's latent is only 1×2 at 64×128, so its batch norm sees
 * two values per channel at batch 1 (the validator warns). Reports the median ms/step over the measured steps after a warm-up step, images/s
 * and the LGGAN ÷ SPADE-only ratio measured in the same run on the same backend.
 *
 *   npm run bench:train [-- --quick] [--steps N] [--backends node-cpu,webgpu,wasm,webgl,cpu] [--graphs lggan,spade-only] [--batch N]
 *
 * --quick: one measured step, and leaves out the slow combinations: LGGAN on Node cpu and on
 * Chromium's cpu backend (minutes per step on a 2-core machine), and on Node cpu the warm-up step
 * (a cpu step compiles no shaders, so the first step is close to the others); it says so.
 * Not a test: nothing here fails on time.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withBenchPage } from './browser.ts';
import { MemoryCheckpointStore } from '../src/runtime/checkpoint/store.ts';
import type { BenchResult } from '../e2e/harness/bench-train.ts';
import type { WorkerMessage } from '../src/browser/protocol.ts';
import { TrainingSession } from '../src/browser/session.ts';
import { initNodeBackend } from '../src/runtime/tf-node.ts';

type Backend = 'node-cpu' | 'webgpu' | 'wasm' | 'webgl' | 'cpu';
const BACKENDS: Backend[] = ['node-cpu', 'webgpu', 'wasm', 'webgl', 'cpu'];

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const quick = args.includes('--quick');
const measured = Number(flag('--steps') ?? (quick ? 1 : 3));
const batch = Number(flag('--batch') ?? 2);
if (!(Number.isInteger(batch) && batch >= 1)) throw new Error('--batch must be a whole number ≥ 1');
const backends = (flag('--backends')?.split(',') ?? BACKENDS) as Backend[];
for (const b of backends) if (!BACKENDS.includes(b)) throw new Error(`unknown backend '${b}': use ${BACKENDS.join(', ')}`);
if (!(Number.isInteger(measured) && measured >= 1)) throw new Error(`--steps must be a whole number ≥ 1`);

const root = fileURLToPath(new URL('..', import.meta.url));
const graphs = {
  lggan: JSON.parse(readFileSync(`${root}graphs/lggan-cityscapes-tiny.json`, 'utf8')),
  'spade-only': JSON.parse(readFileSync(`${root}graphs/ablation-cityscapes-global-only-tiny.json`, 'utf8')),
} as const;
type GraphName = keyof typeof graphs;
const chosenGraphs = (flag('--graphs')?.split(',') ?? Object.keys(graphs)) as GraphName[];
for (const g of chosenGraphs) if (!(g in graphs)) throw new Error(`unknown graph '${g}': use ${Object.keys(graphs).join(', ')}`);

/** Combinations --quick leaves out, and why. */
function skipped(backend: Backend, graph: GraphName): string | undefined {
  if (!quick) return undefined;
  if ((backend === 'node-cpu' || backend === 'cpu') && graph === 'lggan') return `minutes per step on ${backend === 'cpu' ? "Chromium's" : "Node's"} cpu backend`;
  return undefined;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** Steps in the same TrainingSession the worker runs, on Node's tfjs-cpu. */
async function nodeSteps(graph: unknown, steps: number): Promise<BenchResult> {
  const ms: number[] = [];
  let error: string | undefined;
  const session = new TrainingSession({
    post: (m: WorkerMessage) => {
      if (m.type === 'progress') ms.push(m.ms);
      if (m.type === 'error') error = `${m.error.kind}: ${m.error.message}`;
    },
    store: new MemoryCheckpointStore(),
    selectBackend: async () => ({ backend: 'cpu', attempts: [{ name: 'cpu', ok: true }] }),
    nodePackVersion: 'bench',
  });
  session.handle({ type: 'start', graph, runId: 'bench', spec: { steps, seed: 1, batchSize: batch, backend: 'cpu', autosaveEvery: 0, sampleEvery: 0, dataset: { kind: 'synthetic', seed: 1, count: 4 } } });
  await session.done;
  return { backend: 'node-cpu', ms, error };
}

async function withBrowser<T>(fn: (run: (graph: unknown, backend: Exclude<Backend, 'node-cpu'>, steps: number) => Promise<BenchResult>) => Promise<T>): Promise<T> {
  return withBenchPage((page) => fn((graph, backend, steps) => page.evaluate(({ graph, backend, steps, batch }) => window.benchTrain(graph, backend, steps, batch), { graph, backend, steps, batch })));
}

interface Row {
  backend: Backend;
  graph: GraphName;
  msPerStep?: number;
  note?: string;
}

const rows: Row[] = [];
async function measure(backend: Backend, run: (graph: unknown, steps: number) => Promise<BenchResult>): Promise<void> {
  for (const name of chosenGraphs) {
    const why = skipped(backend, name);
    if (why) {
      rows.push({ backend, graph: name, note: `skipped (--quick: ${why})` });
      continue;
    }
    const warmUp = quick && backend === 'node-cpu' ? 0 : 1;
    process.stderr.write(`${backend} ${name}: ${warmUp} warm-up + ${measured} measured step${measured > 1 ? 's' : ''} …\n`);
    const result = await run(graphs[name], measured + warmUp);
    if (result.error) rows.push({ backend, graph: name, note: `failed: ${result.error.split('\n')[0]}` });
    else rows.push({ backend, graph: name, msPerStep: median(result.ms.slice(warmUp)), note: warmUp === 0 ? 'no warm-up (--quick)' : undefined });
  }
}

if (backends.includes('node-cpu')) {
  await initNodeBackend();
  await measure('node-cpu', (graph, steps) => nodeSteps(graph, steps));
}
const browserBackends = backends.filter((b): b is Exclude<Backend, 'node-cpu'> => b !== 'node-cpu');
if (browserBackends.length > 0) {
  await withBrowser(async (run) => {
    for (const b of browserBackends) await measure(b, (graph, steps) => run(graph, b, steps));
  });
}

console.log(`\ntraining step, batch ${batch}, synthetic data; median of ${measured} step${measured > 1 ? 's' : ''} after 1 warm-up${quick ? ' (--quick)' : ''}`);
console.log('backend    graph        ms/step    img/s   ÷ SPADE-only');
for (const r of rows) {
  const base = rows.find((o) => o.backend === r.backend && o.graph === 'spade-only')?.msPerStep;
  const ratio = r.msPerStep !== undefined && base !== undefined ? `${(r.msPerStep / base).toFixed(2)}×` : '–';
  const line = r.msPerStep === undefined ? r.note : `${r.msPerStep.toFixed(0).padStart(9)} ${((1000 * batch) / r.msPerStep).toFixed(2).padStart(8)}   ${ratio}${r.note ? `  (${r.note})` : ''}`;
  console.log(`${r.backend.padEnd(10)} ${r.graph.padEnd(12)} ${line}`);
}
