/**
 * Benchmark: LGGAN on a CPU, per Node backend (wasm: XNNPACK + our training kernels; cpu: plain JS).
 *   1. generator forward of the Cityscapes graph at 128×64 with the official widths (ngf 64),
 *   2. one training iteration (G and D updates, batch 1, no VGG loss: no weights file) of the tiny
 *      Cityscapes graph and of the 128×64 full-width graph,
 *   3. peak memory of the local class-specific generators at 128×64 (the per-class step).
 * Each figure is the median of the repeats after one warm-up, as wall time and as this process's
 * CPU time (user + system: the honest figure when other work shares the cores; wasm here is one
 * thread, so on an idle machine both agree). GMAC/s use the cost model's multiply-adds (resolveGraph);
 * a training iteration counts 3 × the forward MACs of every network (forward + backward, roughly).
 * Every row is also measured in the same run with PyTorch (bench/pytorch-baseline.ts): the package
 * `lggan export-pytorch` writes for the same graph, the same inputs and batch, with 1 thread and with
 * every core; the row prints studio time, PyTorch times and studio ÷ PyTorch (> 1: the studio is
 * slower). Without torch (or with --no-baseline) it says so and prints absolute times only.
 *
 * Then the same generation and training figures in headless Chromium, per browser backend, through
 * the app's real generation and training workers on the benchmark page (bench/browser.ts; wall
 * time only, as the workers time it).
 *
 *   npm run bench:cpu [-- --backends wasm,cpu|none] [--browser wasm,webgl,cpu|none] [--repeats N] [--batch N] [--cpu-full] [--only gen|train|memory] [--no-baseline] [--tiny-train-only] [--wasm-threads N]
 *
 * --wasm-threads N opens the benchmark page with ?wasm-threads=N (Chromium's wasm pool: 1 to 8;
 * default a thread per core); each Chromium row says what its backend ran with.
 *
 * --batch N (default 1) runs every row, and its PyTorch baseline, at batch N.
 *
 * cpu at full width is very slow (minutes per pass), so the cpu backends (Node's and Chromium's)
 * run only the tiny graph unless --cpu-full is given; so does Chromium's webgl for training (on a
 * machine without a GPU it is a software renderer: about a minute per generator forward, many per
 * training iteration). Everything skipped is listed at the end.
 * Not a test: nothing here fails on time.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRegistry } from '../nodes/index.ts';
import type { GraphIR } from '../src/compiler/ir.ts';
import { compileProgram, type Feeds, type Program } from '../src/compiler/program.ts';
import { resolveGraph } from '../src/compiler/resolve.ts';
import { sampleFeeds } from '../src/compiler/sample-inputs.ts';
import type { GraphDocument } from '../src/graph/document.ts';
import { loadGraphValue } from '../src/graph/load.ts';
import { compileTraining } from '../src/runtime/training/training-run.ts';
import { measureBufferPeak } from '../src/runtime/buffer-peak.ts';
import { initNodeBackend, parseNodeBackend, type NodeBackend } from '../src/runtime/tf-node.ts';
import { wasmThreadsInUse } from '../src/runtime/wasm-threads-node.ts';
import { semanticGraph } from '../src/templates/lggan.ts';
import type { BenchResult } from '../e2e/harness/bench-train.ts';
import { withBenchPage } from './browser.ts';
import { baselineRow, exportBaseline, findTorch, type Baseline, type BaselineKind, type Timing } from './pytorch-baseline.ts';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const backendsFlag = flag('backends') ?? 'wasm,cpu';
const backends = backendsFlag === 'none' ? [] : backendsFlag.split(',').map((b) => parseNodeBackend(b, '--backends entry'));
const repeats = Number(flag('repeats') ?? 3);
const batch = Number(flag('batch') ?? 1);
if (!Number.isInteger(batch) || batch < 1 || batch > 64) throw new Error(`--batch: a whole number from 1 to 64, got '${flag('batch')}'`);
const atBatch = batch === 1 ? '' : `, batch ${batch}`;
const only = flag('only');
const cpuFull = args.includes('--cpu-full');
const tinyTrainOnly = args.includes('--tiny-train-only');
const wasmThreads = flag('wasm-threads');
const BROWSER_BACKENDS = ['wasm', 'webgl', 'cpu'] as const;
type BrowserBench = (typeof BROWSER_BACKENDS)[number];
const browserFlag = flag('browser') ?? BROWSER_BACKENDS.join(',');
const browserBackends = browserFlag === 'none' ? [] : browserFlag.split(',').map((b) => {
  if (!(BROWSER_BACKENDS as readonly string[]).includes(b)) throw new Error(`--browser: unknown backend '${b}': use ${BROWSER_BACKENDS.join(', ')} or none`);
  return b as BrowserBench;
});
const registry = createRegistry();
const skipped: string[] = [];
const torch = args.includes('--no-baseline') ? { ok: false as const, reason: '--no-baseline' } : findTorch();
console.log(torch.ok ? `PyTorch ${torch.version} baseline: measured in this run, same graph, inputs and batch` : `no PyTorch baseline (${torch.reason}): absolute times only`);

function tinyGraph(): GraphDocument {
  const loaded = loadGraphValue(JSON.parse(readFileSync(new URL('../graphs/lggan-cityscapes-tiny.json', import.meta.url), 'utf8')), { registry });
  if (!loaded.ok) throw new Error('graphs/lggan-cityscapes-tiny.json does not load');
  return loaded.doc;
}

/** The official Cityscapes graph (ngf 64, SPADE hidden 128) at 128×64, the smallest size its 'more' upsampling allows. */
function fullGraph128(): GraphDocument {
  const doc = semanticGraph({ dataset: 'cityscapes', size: 'full', variant: 'lggan' });
  Object.assign(doc.template, { height: 64, width: 128 });
  return doc;
}

function resolve(doc: GraphDocument): GraphIR {
  const ir = resolveGraph(doc, registry, { batch });
  const errors = ir.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`graph '${doc.meta.name}' has errors: ${errors.map((d) => d.message).join('; ')}`);
  return ir;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median wall and CPU ms of `run` over the repeats, after one warm-up. */
async function timed(run: () => void | Promise<void>): Promise<{ wall: number; cpu: number }> {
  await run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const w0 = performance.now();
    const c0 = cpuMs();
    await run();
    wall.push(performance.now() - w0);
    cpu.push(cpuMs() - c0);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

function line(label: string, t: Timing, macs: number, baseline: Baseline | undefined): void {
  const gmacs = (ms: number) => (macs / 1e9 / (ms / 1000)).toFixed(2);
  console.log(`${baselineRow(label, t, baseline)}  ${gmacs(t.wall)} GMAC/s (cpu time ${gmacs(t.cpu)})`);
}

type Config = 'tiny' | '128×64';
const baselines = new Map<string, Baseline | undefined>();

/**
 * PyTorch's time for the same graph, pass and inputs (sampleFeeds seed 0, batch 1), with 1 thread and
 * every core; measured once per config and pass, and reused by the Node and Chromium rows.
 */
function baseline(config: Config, kind: BaselineKind): Baseline | undefined {
  if (!torch.ok) return undefined;
  const key = `${config} ${kind}`;
  if (!baselines.has(key)) {
    const doc = config === 'tiny' ? tinyGraph() : fullGraph128();
    const exported = exportBaseline(doc);
    try {
      const program = compileProgram(resolve(doc));
      const feeds = sampleFeeds(program, 0);
      exported.feed(feeds);
      tf.dispose(Object.values(feeds));
      program.dispose();
      const threads = availableParallelism();
      const single = exported.time(kind, repeats, 1);
      baselines.set(key, { threads, single, all: threads > 1 ? exported.time(kind, repeats, threads) : undefined });
    } catch (e) {
      console.log(`  PyTorch ${key}: failed: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`);
      skipped.push(`PyTorch baseline ${key} failed`);
      baselines.set(key, undefined);
    } finally {
      exported.dispose();
    }
  }
  return baselines.get(key);
}

function finalOutputs(program: Program): string[] {
  return program.sinkNodes.filter((n) => n.node.type === 'core/output' && n.node.params.name === 'final').map((n) => n.id);
}

async function generation(backend: NodeBackend): Promise<void> {
  if (backend === 'cpu' && !cpuFull) return void skipped.push('cpu: generation at 128×64 full width (add --cpu-full)');
  const ir = resolve(fullGraph128());
  const program = compileProgram(ir);
  const feeds = sampleFeeds(program, 0);
  const outputs = finalOutputs(program);
  const t = await timed(() => {
    const out = program.run(feeds, { outputs });
    for (const v of Object.values(out)) v.dataSync();
    tf.dispose(out);
  });
  line(`G forward, Cityscapes 128×64 ngf 64${atBatch}`, t, ir.networks.get('G')!.macs, baseline('128×64', 'generate'));
  tf.dispose(Object.values(feeds));
  program.dispose();
}

async function trainingIteration(backend: NodeBackend, which: 'tiny' | '128×64'): Promise<{ wall: number; cpu: number } | undefined> {
  if (which !== 'tiny' && tinyTrainOnly) {
    skipped.push(`${backend}: training iteration at ${which} full width (--tiny-train-only)`);
    return undefined;
  }
  if (backend === 'cpu' && which !== 'tiny' && !cpuFull) {
    skipped.push(`cpu: training iteration at ${which} full width (add --cpu-full)`);
    return undefined;
  }
  const ir = resolve(which === 'tiny' ? tinyGraph() : fullGraph128());
  const program = compileProgram(ir);
  const run = compileTraining(program);
  const feeds: Feeds = sampleFeeds(program, 0);
  let t: { wall: number; cpu: number };
  try {
    t = await timed(() => void run.step(feeds));
  } catch (e) {
    // wasm's heap is 32-bit: a graph whose step needs more than 4 GiB aborts.
    skipped.push(`${backend}: training iteration at ${which} failed: ${(e as Error).message}`);
    console.log(`  training iteration at ${which}: failed on ${backend}: ${(e as Error).message}`);
    return undefined;
  }
  const macs = [...ir.networks.values()].reduce((n, net) => n + net.macs, 0) * 3;
  line(`training iteration, ${which === 'tiny' ? 'tiny Cityscapes (ngf 4) 128×64' : 'Cityscapes 128×64 ngf 64'}${atBatch}`, t, macs, baseline(which, 'train'));
  tf.dispose(Object.values(feeds));
  run.dispose();
  program.dispose();
  return t;
}

/**
 * Peak bytes of new buffers (measureBufferPeak: views and clones not counted twice) the local
 * generators allocate, inputs fed and weights held, per algorithm and class_chunk, against K
 * masked copies of F.
 */
async function localMemory(): Promise<void> {
  const variants = [
    { algorithm: 'disjoint-masks', class_chunk: 0 },
    { algorithm: 'disjoint-masks', class_chunk: 2 },
    { algorithm: 'disjoint-masks', class_chunk: 35 },
    { algorithm: 'grouped-conv', class_chunk: 5 },
  ] as const;
  for (const variant of variants) {
    const doc = fullGraph128();
    const local = doc.nodes.find((n) => n.type === 'lggan/local-generators')!;
    local.params = { ...local.params, ...variant };
    const program = compileProgram(resolve(doc));
    const feeds = sampleFeeds(program, 0);
    const inputs = program.run(feeds, { outputs: ['trunk:features', 'masks:masks'] });
    for (const training of [false, true]) {
      if (training && variant.algorithm === 'grouped-conv') continue; // its depthwise backward is far slower; 'auto' never trains with it
      const vars = [...program.variables].filter(([name]) => name.startsWith('local.')).map(([, v]) => v);
      const t0 = performance.now();
      const info = await measureBufferPeak(() =>
        tf.tidy(() => {
          if (!training) return void program.run({ ...feeds, ...inputs }, { outputs: ['local:local'] })['local:local'].dataSync();
          const { grads } = tf.variableGrads(() => tf.sum(program.run({ ...feeds, ...inputs }, { outputs: ['local:local'], training: true })['local:local']) as tf.Scalar, vars);
          Object.values(grads)[0].dataSync();
        }),
      );
      const ms = performance.now() - t0;
      const [b, h, w, c] = inputs['trunk:features'].shape;
      const k = inputs['masks:masks'].shape[3]!;
      const naive = b * h * w * c * k * 4;
      const label = `${variant.algorithm} class_chunk ${variant.class_chunk}${variant.class_chunk === 0 ? ' (auto: 8)' : ''}, ${training ? 'forward + gradients' : 'forward'}`;
      console.log(
        `    ${label.padEnd(58)} peak ${(info.peakBytes / 2 ** 20).toFixed(0).padStart(4)} MiB (${(info.peakBytes / naive).toFixed(2)}× the K = ${k} masked copies of F ${h}×${w}×${c}: ${(naive / 2 ** 20).toFixed(0)} MiB), ${ms.toFixed(0)} ms`,
      );
    }
    tf.dispose([...Object.values(inputs), ...Object.values(feeds)]);
    program.dispose();
  }
}

const cpuTiny: Record<string, { wall: number; cpu: number } | undefined> = {};
for (const backend of backends) {
  await initNodeBackend(backend);
  console.log(`\nNode ${process.version}, tfjs ${tf.version_core}, backend ${tf.getBackend()}${backend === 'wasm' ? ` (SIMD ${await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')}, threads ${wasmThreadsInUse()})` : ''}, median of ${repeats}:`);
  if (!only || only === 'gen') await generation(backend);
  if ((!only || only === 'memory') && backend === backends[0]) {
    console.log(`\n  local class-specific generators at 128×64, ngf 64 (peak of new buffers, time of one pass):`);
    await localMemory();
  }
  // Last: a wasm step that outgrows the 4 GiB heap aborts the wasm module for good.
  if (!only || only === 'train') {
    cpuTiny[backend] = await trainingIteration(backend, 'tiny');
    await trainingIteration(backend, '128×64');
  }
}
if (cpuTiny.wasm && cpuTiny.cpu) {
  console.log(`\nwasm vs cpu, tiny training iteration: ×${(cpuTiny.cpu.wall / cpuTiny.wasm.wall).toFixed(1)} faster (cpu time ×${(cpuTiny.cpu.cpu / cpuTiny.wasm.cpu).toFixed(1)})`);
}

/** Median wall ms after the first (warm-up) entry, or why there is none. */
function browserLine(label: string, result: BenchResult, macs: number, against: Baseline | undefined): void {
  if (result.note) console.log(`  (${result.backend}: ${result.note})`);
  if (result.error || result.ms.length < 2) {
    console.log(`  ${label.padEnd(44)} failed: ${(result.error ?? 'no timings').split('\n')[0]}`);
    skipped.push(`Chromium ${result.backend}: ${label} failed`);
    return;
  }
  const wall = median(result.ms.slice(1));
  console.log(`${baselineRow(label, { wall }, against)}  ${(macs / 1e9 / (wall / 1000)).toFixed(2)} GMAC/s`);
}

if (browserBackends.length > 0) {
  // The PyTorch baselines build their inputs with a Node program: with --backends none no backend is up yet.
  if (backends.length === 0 && torch.ok) await initNodeBackend('wasm');
  const full = fullGraph128();
  const tiny = tinyGraph();
  const fullNetworks = resolve(full).networks;
  const fullMacs = [...fullNetworks.values()].reduce((n, net) => n + net.macs, 0);
  const generatorMacs = fullNetworks.get('G')!.macs;
  const tinyMacs = [...resolve(tiny).networks.values()].reduce((n, net) => n + net.macs, 0);
  await withBenchPage(async (page) => {
    const runs = repeats + 1; // the first is the warm-up
    const generate = (graph: unknown, backend: BrowserBench) => page.evaluate(({ graph, backend, runs }) => window.benchGenerate(graph, backend, runs), { graph, backend, runs });
    const train = (graph: unknown, backend: BrowserBench) => page.evaluate(({ graph, backend, runs, batch }) => window.benchTrain(graph, backend, runs, batch), { graph, backend, runs, batch });
    for (const backend of browserBackends) {
      const fullToo = backend !== 'cpu' || cpuFull;
      const fullTraining = !tinyTrainOnly && (backend === 'wasm' || cpuFull);
      console.log(`\nChromium ${backend} (the app's workers), median of ${repeats} after 1 warm-up:`);
      if (!only || only === 'gen') {
        if (batch > 1) skipped.push(`Chromium ${backend}: generation at batch ${batch} (the generation worker runs batch 1)`);
        else if (fullToo) browserLine('G forward, Cityscapes 128×64 ngf 64', await generate(full, backend), generatorMacs, baseline('128×64', 'generate'));
        else skipped.push(`Chromium cpu: generation at 128×64 full width (add --cpu-full)`);
      }
      if (!only || only === 'train') {
        browserLine(`training iteration, tiny Cityscapes (ngf 4) 128×64${atBatch}`, await train(tiny, backend), tinyMacs * 3, baseline('tiny', 'train'));
        if (fullTraining) browserLine(`training iteration, Cityscapes 128×64 ngf 64${atBatch}`, await train(full, backend), fullMacs * 3, baseline('128×64', 'train'));
        else skipped.push(`Chromium ${backend}: training iteration at 128×64 full width (${tinyTrainOnly ? '--tiny-train-only' : 'add --cpu-full'})`);
      }
    }
  }, `harness/bench-train.html${wasmThreads === undefined ? '' : `?wasm-threads=${encodeURIComponent(wasmThreads)}`}`);
}
console.log(`\nskipped:\n${skipped.length ? skipped.map((s) => `  ${s}`).join('\n') : '  nothing'}`);
