/**
 * The GPU benchmark behind bench/gpu.sh: full-size Cityscapes LGGAN (256×512, ngf = ndf = 64) on an
 * NVIDIA GPU, one generation and one training iteration, on
 *   - WebGPU in Node: the CLI's `--backend webgpu` (Dawn, src/runtime/webgpu-node.ts);
 *   - WebGPU in headless Chromium, when a Chromium is found (the app's own workers, bench/browser.ts);
 *   - PyTorch CUDA on the package `lggan export-pytorch` writes for the same graph, same inputs
 *     (bench/pytorch-baseline.ts with device 'cuda'),
 * and prints each studio time ÷ PyTorch's (goal: ≤ 1.5).
 *   bench/gpu.sh [--repeats N] [--batch B] [--no-browser]
 * Prerequisites are checked first, all of them, and each missing one is named with its fix; then
 * the exit code is 1 and nothing is timed. Not a test: nothing here fails on time.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { GraphDocument } from '../src/graph/document.ts';
import type { BaselineDevice } from './pytorch-baseline.ts';
import { findChromium } from '../e2e/browser-path.mjs';

// ---------------------------------------------------------------- prerequisites

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not be run at all (ENOENT: not on PATH). */
  error?: NodeJS.ErrnoException;
}

/** What the checks look at, injectable so that each failure can be tested. */
export interface BenchEnv {
  run(command: string, args: string[], timeoutMs: number): CommandResult;
  /** Whether a Node package can be loaded from the repository. */
  hasPackage(name: string): boolean;
  /** A Chromium to drive, or why there is none (the browser rows are then left out, not an error). */
  chromium(): { path: string } | { missing: string };
  python: string;
}

export interface Prerequisites {
  /** nvidia-smi's line for the first GPU: name, memory, driver. */
  gpu?: string;
  torch?: { version: string; device: string };
  chromium?: string;
  /** Why the browser rows are left out, when they are. */
  browserSkipped?: string;
  /** Each missing prerequisite with its fix; empty when everything is there. */
  missing: string[];
}

const TORCH_PROBE = 'import json, torch; ok = torch.cuda.is_available(); print(json.dumps({"version": torch.__version__, "cuda": ok, "device": torch.cuda.get_device_name(0) if ok else None}))';

const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';

function checkNvidia(env: BenchEnv, found: Prerequisites): void {
  const smi = env.run('nvidia-smi', ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader'], 15_000);
  if (smi.error?.code === 'ENOENT') found.missing.push('nvidia-smi is not on PATH: this benchmark needs an NVIDIA GPU with its driver (nvidia-smi comes with the driver)');
  else if (smi.error || smi.status !== 0) found.missing.push(`nvidia-smi failed (${lastLine(smi.stderr || smi.stdout) || smi.error?.message || `exit ${smi.status}`}): the NVIDIA driver is not working`);
  else if (!smi.stdout.trim()) found.missing.push('nvidia-smi lists no GPU');
  else found.gpu = smi.stdout.trim().split('\n')[0];
}

function checkTorch(env: BenchEnv, found: Prerequisites): void {
  const probe = env.run(env.python, ['-c', TORCH_PROBE], 120_000);
  if (probe.error || probe.status !== 0) {
    found.missing.push(`PyTorch cannot be imported by ${env.python} (${lastLine(probe.stderr) || probe.error?.message || `exit ${probe.status}`}): install a CUDA build of PyTorch, or set LGGAN_PYTHON to a Python that has one`);
    return;
  }
  let value: { version?: unknown; cuda?: unknown; device?: unknown };
  try {
    value = JSON.parse(lastLine(probe.stdout)) as typeof value;
  } catch {
    found.missing.push(`${env.python}: the PyTorch probe printed '${lastLine(probe.stdout).slice(0, 80)}', not its JSON line`);
    return;
  }
  if (value.cuda !== true) {
    found.missing.push(`PyTorch ${String(value.version)} (${env.python}) has no CUDA: torch.cuda.is_available() is False; install a CUDA build of PyTorch, or set LGGAN_PYTHON to a Python that has one`);
    return;
  }
  found.torch = { version: String(value.version), device: String(value.device) };
}

function checkNodePackages(env: BenchEnv, found: Prerequisites): void {
  if (!env.hasPackage('webgpu')) found.missing.push("the Node package 'webgpu' (Dawn, the CLI's --backend webgpu) is not installed: npm install --no-save webgpu@0.6.2");
  if (!env.hasPackage('@tensorflow/tfjs-backend-webgpu')) found.missing.push("the Node package '@tensorflow/tfjs-backend-webgpu' is not installed: run npm install in the repository");
  if (!env.hasPackage('tsx')) found.missing.push("the repository's dependencies are not installed (no tsx): run npm install");
}

/** Every prerequisite checked (none stops the others), so one run names all that is missing. */
export function checkPrerequisites(env: BenchEnv, options: { browser: boolean }): Prerequisites {
  const found: Prerequisites = { missing: [] };
  checkNvidia(env, found);
  checkTorch(env, found);
  checkNodePackages(env, found);
  if (!options.browser) found.browserSkipped = '--no-browser';
  else {
    const chromium = env.chromium();
    if ('path' in chromium) found.chromium = chromium.path;
    else found.browserSkipped = chromium.missing;
  }
  return found;
}

/** The message for missing prerequisites: one line each under a heading. */
export function missingReport(found: Prerequisites): string {
  return [`bench/gpu.sh: cannot run, ${found.missing.length} prerequisite${found.missing.length === 1 ? '' : 's'} missing:`, ...found.missing.map((m) => `  - ${m}`)].join('\n');
}

/** Debian's Python with PyTorch, or LGGAN_PYTHON (as the parity tests pick it; not imported from there, to start fast). */
const PYTHON = process.env.LGGAN_PYTHON ?? '/usr/bin/python3';

export function systemEnv(python = PYTHON): BenchEnv {
  const require = createRequire(import.meta.url);
  return {
    run: (command, args, timeoutMs) => {
      const r = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs });
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error as NodeJS.ErrnoException | undefined };
    },
    hasPackage: (name) => {
      try {
        require.resolve(`${name}/package.json`);
        return true;
      } catch {
        return false;
      }
    },
    chromium: () => {
      const { found, tried } = findChromium();
      return found ? { path: found.path } : { missing: `no Chromium found (tried ${tried.join(', ')}; set CHROMIUM_PATH)` };
    },
    python,
  };
}

// ---------------------------------------------------------------- the table

/** Milliseconds per backend for one measurement; undefined where it was not measured. */
export interface Row {
  label: string;
  dawn?: number;
  chromium?: number;
  torch?: number;
}

const GOAL = 1.5;

function ratio(studio: number | undefined, torch: number | undefined): string {
  if (studio === undefined || torch === undefined) return '—';
  const r = studio / torch;
  return `×${r.toFixed(2)}${r <= GOAL ? '' : ' (over 1.5)'}`;
}

const cell = (ms: number | undefined) => (ms === undefined ? '—' : `${ms.toFixed(1)} ms`);

/** The table: each backend's median, then the studio ÷ PyTorch ratios (> 1: the studio is slower). */
export function resultTable(rows: Row[]): string[] {
  const head = ['', 'WebGPU (Dawn, Node)', 'WebGPU (Chromium)', 'PyTorch CUDA', 'Dawn ÷ PyTorch', 'Chromium ÷ PyTorch'];
  const body = rows.map((r) => [r.label, cell(r.dawn), cell(r.chromium), cell(r.torch), ratio(r.dawn, r.torch), ratio(r.chromium, r.torch)]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((line) => line[i].length)));
  const format = (line: string[]) => line.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [format(head), ...body.map(format), `goal: every ratio ≤ ${GOAL}`];
}

export function median(values: number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** Whether an adapter is a software one: its figures would not be a GPU's. */
export function isSoftwareAdapter(info: unknown): boolean {
  const { vendor, architecture, description } = (info ?? {}) as Record<string, unknown>;
  return /swiftshader|llvmpipe|lavapipe|software/i.test([vendor, architecture, description].map((v) => String(v ?? '')).join(' '));
}

// ---------------------------------------------------------------- the run (needs a GPU)

export interface GpuBenchOptions {
  repeats: number;
  batch: number;
  browser: boolean;
}

export function parseOptions(args: string[]): GpuBenchOptions {
  const value = (name: string, fallback: number) => {
    const at = args.indexOf(`--${name}`);
    if (at < 0) return fallback;
    const n = Number(args[at + 1]);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name} expects a whole number ≥ 1, got '${args[at + 1] ?? ''}'`);
    return n;
  };
  const known = new Set(['--repeats', '--batch', '--no-browser']);
  const unknown = args.find((a, i) => a.startsWith('--') && !known.has(a) && !(i > 0 && (args[i - 1] === '--repeats' || args[i - 1] === '--batch')));
  if (unknown) throw new RangeError(`unknown option ${unknown} (options: --repeats N, --batch B, --no-browser)`);
  return { repeats: value('repeats', 5), batch: value('batch', 1), browser: !args.includes('--no-browser') };
}

/**
 * The measurements. `trial` swaps the graph and PyTorch's device, for a dry run of this code on a
 * machine without a GPU (a small graph, Dawn on SwiftShader, PyTorch on the CPU); the script never sets it.
 */
export async function measure(options: GpuBenchOptions, found: Prerequisites, log: (line: string) => void, trial: { doc?: GraphDocument; torchDevice?: BaselineDevice } = {}): Promise<Row[]> {
  // Loaded only here, after the checks: they need the GPU and the heavy parts of the repository.
  const tf = await import('@tensorflow/tfjs-core');
  const { initNodeBackend, webGpuAdapter } = await import('../src/runtime/tf-node.ts');
  const { createRegistry } = await import('../nodes/index.ts');
  const { compileProgram } = await import('../src/compiler/program.ts');
  const { resolveGraph } = await import('../src/compiler/resolve.ts');
  const { sampleFeeds } = await import('../src/compiler/sample-inputs.ts');
  const { compileTraining } = await import('../src/runtime/training/index.ts');
  const { semanticGraph } = await import('../src/templates/lggan.ts');
  const { exportBaseline } = await import('./pytorch-baseline.ts');

  const doc = trial.doc ?? semanticGraph({ dataset: 'cityscapes', size: 'full', variant: 'lggan' });
  const torchDevice = trial.torchDevice ?? 'cuda';
  const { repeats, batch } = options;
  const generation: Row = { label: `generation, batch ${batch}` };
  const training: Row = { label: `training iteration, batch ${batch}` };

  await initNodeBackend('webgpu');
  const adapter = webGpuAdapter();
  log(`Dawn adapter: ${[adapter?.vendor, adapter?.architecture, adapter?.device, adapter?.description].filter(Boolean).join(' / ') || 'unknown'}`);
  if (isSoftwareAdapter(adapter)) log('warning: Dawn runs on a software adapter, not the GPU: its figures are not a GPU\'s');

  const program = compileProgram(resolveGraph(doc, createRegistry(), { batch }));
  const feeds = sampleFeeds(program, 0);
  const baseline = exportBaseline(doc);
  try {
    // Before any run: the inputs' values are still on the CPU (WebGPU drops them once uploaded).
    baseline.feed(feeds);
    const generateOnce = async () => {
      const started = performance.now();
      const outputs = program.run(feeds);
      await Promise.all(Object.values(outputs).map((t) => t.data()));
      const ms = performance.now() - started;
      tf.dispose(Object.values(outputs));
      return ms;
    };
    await generateOnce(); // shader compilation
    const g: number[] = [];
    for (let i = 0; i < repeats; i++) g.push(await generateOnce());
    generation.dawn = median(g);
    log(`Dawn generation: ${generation.dawn.toFixed(1)} ms`);

    const run = compileTraining(program, { stepsPerEpoch: 1000 });
    try {
      const stepOnce = async () => {
        const started = performance.now();
        await run.stepAsync(feeds);
        return performance.now() - started;
      };
      await stepOnce();
      const t: number[] = [];
      for (let i = 0; i < repeats; i++) t.push(await stepOnce());
      training.dawn = median(t);
      log(`Dawn training iteration: ${training.dawn.toFixed(1)} ms`);
    } finally {
      run.dispose();
    }
    tf.dispose(Object.values(feeds));
    program.dispose();

    generation.torch = baseline.time('generate', repeats, 1, torchDevice).wall;
    training.torch = baseline.time('train', repeats, 1, torchDevice).wall;
    log(`PyTorch ${torchDevice}: generation ${generation.torch.toFixed(1)} ms, training iteration ${training.torch.toFixed(1)} ms`);
  } finally {
    baseline.dispose();
  }

  if (found.chromium) {
    try {
      await measureChromium(doc, options, generation, training, log);
    } catch (e) {
      log(`Chromium rows left out: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return [generation, training];
}

/**
 * Flags for Chromium on a GPU machine: use the GPU even where it is on Chromium's block list, plus
 * LGGAN_CHROMIUM_ARGS (space-separated; e.g. `--enable-features=Vulkan` where Linux Chromium falls
 * back to SwiftShader: not set by default, since it replaces playwright's own --enable-features).
 */
export function chromiumGpuArgs(extra = process.env.LGGAN_CHROMIUM_ARGS ?? ''): string[] {
  return ['--ignore-gpu-blocklist', ...extra.split(/\s+/).filter(Boolean)];
}

/** The app's own generation and training workers on WebGPU in headless Chromium. */
async function measureChromium(doc: unknown, options: GpuBenchOptions, generation: Row, training: Row, log: (line: string) => void): Promise<void> {
  const { withBenchPage } = await import('./browser.ts');
  await withBenchPage(async (page) => {
    const info = await page.evaluate(async () => {
      type Described = { info?: Record<string, string> };
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<Described | null> } }).gpu;
      const adapter = await gpu?.requestAdapter();
      return adapter ? { vendor: adapter.info?.vendor, architecture: adapter.info?.architecture, description: adapter.info?.description } : null;
    });
    if (!info) throw new Error('Chromium has no WebGPU adapter');
    log(`Chromium adapter: ${[info.vendor, info.architecture, info.description].filter(Boolean).join(' / ')}`);
    if (isSoftwareAdapter(info)) throw new Error('Chromium gave a software adapter (SwiftShader), not the GPU');
    const runs = options.repeats + 1; // the first includes shader compilation
    const g = await page.evaluate(({ graph, runs }) => window.benchGenerate(graph, 'webgpu', runs), { graph: doc, runs });
    if (g.error) throw new Error(`generation: ${g.error}`);
    generation.chromium = median(g.ms.slice(1));
    const t = await page.evaluate(({ graph, runs, batch }) => window.benchTrain(graph, 'webgpu', runs, batch), { graph: doc, runs, batch: options.batch });
    if (t.error) throw new Error(`training: ${t.error}`);
    training.chromium = median(t.ms.slice(1));
  }, undefined, chromiumGpuArgs());
}

/** The whole bench; returns the exit code (0 measured, 1 a prerequisite or the GPU missing, 2 bad options). */
export async function gpuBench(args: string[], env: BenchEnv, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let options: GpuBenchOptions;
  try {
    options = parseOptions(args);
  } catch (e) {
    err(`bench/gpu.sh: ${(e as Error).message}`);
    return 2;
  }
  const found = checkPrerequisites(env, options);
  if (found.missing.length > 0) {
    err(missingReport(found));
    return 1;
  }
  out(`GPU: ${found.gpu}; PyTorch ${found.torch!.version} on ${found.torch!.device}`);
  if (found.browserSkipped) out(`Chromium rows left out: ${found.browserSkipped}`);
  out(`Cityscapes LGGAN, full size (256×512, ngf = ndf = 64): median of ${options.repeats} after a warm-up`);
  try {
    const rows = await measure(options, found, out);
    for (const line of resultTable(rows)) out(line);
    return 0;
  } catch (e) {
    const { WebGpuUnavailable } = await import('../src/runtime/webgpu-node.ts');
    if (e instanceof WebGpuUnavailable) {
      err(`bench/gpu.sh: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await gpuBench(process.argv.slice(2), systemEnv(), (l) => process.stdout.write(l + '\n'), (l) => process.stderr.write(l + '\n'));
}
