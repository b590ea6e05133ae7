/**
 * The PyTorch baseline of the benchmarks, measured in the same run: a graph exported with
 * `lggan export-pytorch` to a temp folder, the studio's own inputs written next to it, and the
 * package timed by Debian's torch for a generator forward or one training iteration, with a chosen
 * thread count (torch.set_num_threads), on the CPU or on CUDA (bench/gpu.ts). Shared by bench:cpu,
 * bench:export and bench/gpu.sh.
 * Needs /usr/bin/python3 with PyTorch (or LGGAN_PYTHON); findTorch says when it is missing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Feeds } from '../src/compiler/program.ts';
import type { GraphDocument } from '../src/graph/document.ts';
import { requireTorch, runPython, tempDir, writeFeeds, writePackage } from '../src/interop/pytorch-export/parity.test-util.ts';

/** Median wall and process-CPU milliseconds of the measured repeats. */
export interface Timing {
  wall: number;
  cpu: number;
}

export type BaselineKind = 'generate' | 'train';
/** Where PyTorch runs: the CPU (bench:cpu, bench:export) or the first CUDA GPU (bench/gpu.sh). */
export type BaselineDevice = 'cpu' | 'cuda';

/**
 * Times `repeats` passes after one warm-up. generate: the networks in eval mode without gradients,
 * as forward.py and the studio's generation run them; train: the package's own training_iteration.
 * CPU time is process_time (all threads), the honest figure when other work shares the cores.
 * On CUDA everything (networks, inputs, losses' VGG) is moved to the GPU as train.py does, and each
 * pass ends with torch.cuda.synchronize() so that the wall time covers the GPU's work.
 */
const PYTHON_BENCH = String.raw`
import json, os, sys, time
import torch
sys.path.insert(0, os.getcwd())
from lggan_torch.graph import run_networks
from lggan_torch.init import initialize
from lggan_torch.safetensors_io import read_safetensors
import model

kind, repeats, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
device = torch.device(sys.argv[4] if len(sys.argv) > 4 else 'cpu')
sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
torch.set_num_threads(threads)
config = json.load(open('config.json'))
torch.manual_seed(config['init']['seed'])
networks = model.build_networks()
for network in networks.values():
    initialize(network, config['init'])
    network.train(kind == 'train')
    network.to(device)
tensors, _ = read_safetensors('feeds.safetensors')
feeds = {k: (v.permute(0, 3, 1, 2).contiguous() if v.dim() == 4 else v).to(device) for k, v in tensors.items() if k in model.INPUT_NODES}
batch = next(iter(feeds.values())).shape[0]
with torch.no_grad():
    fed = model.Inputs().to(device)(feeds, batch)

if kind == 'train':
    import objective
    from lggan_torch.step import training_iteration
    losses = objective.build_losses()
    for loss in losses.values():
        if getattr(loss, 'vgg', None) is not None:
            loss.vgg.to(device)
    sides = {side: s for side, s in objective.SIDES.items() if s['losses']}
    t = objective.TRAINER
    optimizers = {side: torch.optim.Adam([p for n in s['networks'] for p in networks[n].parameters()], lr=t[side.lower() + '_lr'],
                                         betas=(t['beta1'], t['beta2']), eps=t['epsilon']) for side, s in sides.items()}
    def once(i):
        training_iteration(networks, model.NETWORK_ORDER, losses, optimizers, sides, t, fed, i)
        sync()
else:
    def once(i):
        with torch.no_grad():
            run_networks(networks, model.NETWORK_ORDER, fed)
        sync()

once(0)
wall, cpu = [], []
for i in range(repeats):
    w0, c0 = time.perf_counter(), time.process_time()
    once(i + 1)
    wall.append((time.perf_counter() - w0) * 1000)
    cpu.append((time.process_time() - c0) * 1000)
median = lambda xs: sorted(xs)[len(xs) // 2]
print(json.dumps({'wall': median(wall), 'cpu': median(cpu)}))
`;

/** PyTorch's version, or why it cannot be used (the bench then prints absolute times only). */
export function findTorch(): { ok: true; version: string } | { ok: false; reason: string } {
  try {
    return { ok: true, version: requireTorch() };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** A graph exported to a temp folder with the bench script; feed it, time it, then dispose it. */
export interface ExportedBaseline {
  dir: string;
  /** Writes the studio's inputs (by input node id, B×H×W×C) for PyTorch to read. */
  feed(feeds: Feeds): void;
  time(kind: BaselineKind, repeats: number, threads: number, device?: BaselineDevice): Timing;
  dispose(): void;
}

export function exportBaseline(doc: GraphDocument): ExportedBaseline {
  const { dir, cleanup } = tempDir('lggan-bench-baseline-');
  try {
    writePackage(doc, dir);
    writeFileSync(join(dir, 'bench_baseline.py'), PYTHON_BENCH);
  } catch (e) {
    cleanup();
    throw e;
  }
  return {
    dir,
    feed: (feeds) => writeFeeds(join(dir, 'feeds.safetensors'), feeds),
    time: (kind, repeats, threads, device = 'cpu') => parseTiming(runPython(dir, ['bench_baseline.py', kind, String(repeats), String(threads), device]), dir),
    dispose: cleanup,
  };
}

/** The timing JSON of the script's last output line. */
export function parseTiming(stdout: string, where: string): Timing {
  const last = stdout.trim().split('\n').pop() ?? '';
  let value: unknown;
  try {
    value = JSON.parse(last);
  } catch {
    throw new Error(`${where}/bench_baseline.py: expected a JSON timing on its last line, got '${last.slice(0, 80)}'`);
  }
  const { wall, cpu } = (value ?? {}) as Partial<Timing>;
  if (typeof wall !== 'number' || typeof cpu !== 'number' || !(wall >= 0) || !(cpu >= 0)) {
    throw new Error(`${where}/bench_baseline.py: the timing needs non-negative numbers 'wall' and 'cpu', got '${last.slice(0, 80)}'`);
  }
  return { wall, cpu };
}

/** PyTorch timed with 1 thread and with every core, when torch is there. */
export interface Baseline {
  threads: number;
  single: Timing;
  /** Every core; undefined on a 1-core machine. */
  all?: Timing;
}

const ms = (x: number) => `${x.toFixed(0).padStart(7)} ms`;
const times = (studio: number, torch: number) => `×${(studio / torch).toFixed(2)}`;

/**
 * One row of a bench table: the studio's time and, with a baseline, PyTorch's times at 1 thread and
 * at every core and the studio ÷ PyTorch ratios (> 1: the studio is slower). CPU-time ratios follow
 * in brackets where the studio's CPU time is known (the honest figure on a shared machine).
 */
export function baselineRow(label: string, studio: Timing | { wall: number; cpu?: number }, baseline: Baseline | undefined): string {
  const studioPart = `studio ${ms(studio.wall)}${studio.cpu === undefined ? '' : ` (cpu ${ms(studio.cpu).trim()})`}`;
  if (!baseline) return `  ${label.padEnd(44)} ${studioPart}`;
  const against = (name: string, torch: Timing) =>
    `PyTorch ${name} ${ms(torch.wall)} ${times(studio.wall, torch.wall)}${studio.cpu === undefined ? '' : ` (cpu ${times(studio.cpu, torch.cpu)})`}`;
  const parts = [studioPart, against('1 thread', baseline.single)];
  if (baseline.all) parts.push(against(`${baseline.threads} threads`, baseline.all));
  return `  ${label.padEnd(44)} ${parts.join('  ')}`;
}
