/**
 * `lggan train`: trains a graph with its lggan/trainer node on a dataset directory or synthetic
 * scenes, writing losses, sample grids, held-out metrics and checkpoints into --out. Bad data is
 * found before the first step (every sample is read once). A NaN or Inf loss stops the run with
 * one line naming the loss and the first non-finite node, after saving the last good weights;
 * Ctrl-C stops after the current step, after saving a checkpoint. --resume continues a run from a
 * checkpoint's weights, optimizer state and step, on the same batches the run would have seen.
 * --init-from trains an edited graph from a checkpoint of another version of it: every variable
 * whose node, name and shape still match keeps its weights and Adam moments, the rest start from
 * the graph's init, and the step count (so the schedule and data order) continues; the carry-over
 * report is printed first.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphIR } from '../../compiler/ir.ts';
import type { Program } from '../../compiler/program.ts';
import { carryOver, carryReportLines, CheckpointLoadError, loadCheckpoint, type RunRecord } from '../../runtime/checkpoint/index.ts';
import { DirectoryCheckpointStore } from '../../runtime/checkpoint/node-store.ts';
import { DatasetError, FeedError, graphInputs, toFeeds, type Sample } from '../../runtime/data/index.ts';
import type { SafetensorsFile } from '../../runtime/safetensors.ts';
import { compileTraining, NonFiniteLossError, planTraining, TrainingGraphError, type StepReport, type TrainingRun } from '../../runtime/training/index.ts';
import { intFlag, parseArgs, type ParsedArgs } from '../args.ts';
import { mismatchText, readCheckpointFile } from '../checkpoint-file.ts';
import { CliProblem, EXIT, UsageError, type CliIO } from '../io.ts';
import { loadProgram } from '../load-program.ts';
import { generatorOutputs, OutputsError } from '../outputs.ts';
import { createProgress, formatDuration, type Progress } from '../progress.ts';
import { evaluateHeldOut, sampleGridPng, stepName, writeCheckpoint, type GeneratorView } from '../train/artifacts.ts';
import { BatchOrder } from '../train/batches.ts';
import { dataNeeds, LAYOUTS, loadDirectory, prepareData, syntheticFor, type Layout, type TrainingData } from '../train/data.ts';
import { LOSSES_CSV, lossRow, RunLogs } from '../train/logs.ts';
import { NODE_PACK_VERSION } from '../version.ts';

export const trainUsage =
  'lggan train GRAPH (--data DIR | --synthetic) --steps N --out DIR [--seed S] [--batch B] [--layout cityscapes|ade20k|crossview|generic|auto] [--held-out N] ' +
  '[--sample-every K] [--checkpoint-every K] [--eval-every K] [--resume CHECKPOINT | --init-from CHECKPOINT]   train with the graph\'s trainer until step N; losses, sample grids, held-out metrics and checkpoints go to DIR';

/** How many held-out samples a sample grid shows. */
const GRID_ROWS = 4;

interface TrainOptions {
  graph: string;
  data?: string;
  synthetic: boolean;
  steps: number;
  out: string;
  seed?: number;
  batch?: number;
  layout: Layout;
  heldOut?: number;
  sampleEvery: number;
  checkpointEvery: number;
  evalEvery: number;
  resume?: string;
  /** A checkpoint of another version of the graph: carry over what still fits (partial), unlike --resume (strict). */
  initFrom?: string;
}

function optionalInt(flags: ParsedArgs['flags'], name: string, min: number): number | undefined {
  return flags[name] === undefined ? undefined : intFlag(flags, name, 0, min);
}

function stringFlag(flags: ParsedArgs['flags'], name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

function parseTrainArgs(argv: string[]): TrainOptions {
  const { positional, flags } = parseArgs(argv, {
    values: ['data', 'steps', 'out', 'seed', 'batch', 'layout', 'held-out', 'sample-every', 'checkpoint-every', 'eval-every', 'resume', 'init-from'],
    switches: ['synthetic'],
  });
  if (positional.length !== 1) throw new UsageError('train takes exactly one graph file');
  const data = stringFlag(flags, 'data');
  const synthetic = flags.synthetic === true;
  if ((data === undefined) === !synthetic) throw new UsageError('train needs exactly one of --data DIR and --synthetic');
  if (flags.steps === undefined) throw new UsageError('train needs --steps N');
  const out = stringFlag(flags, 'out');
  if (out === undefined) throw new UsageError('train needs --out DIR');
  const layout = (stringFlag(flags, 'layout') ?? 'auto') as Layout;
  if (!LAYOUTS.includes(layout)) throw new UsageError(`--layout expects one of ${LAYOUTS.join(', ')}, got '${layout}'`);
  if (synthetic && flags.layout !== undefined) throw new UsageError('--layout is for --data; synthetic scenes follow the graph');
  if (flags.resume !== undefined && flags['init-from'] !== undefined) throw new UsageError('--resume and --init-from exclude each other: --resume continues the same graph, --init-from an edited one');
  return {
    graph: positional[0],
    data,
    synthetic,
    steps: intFlag(flags, 'steps', 0, 1),
    out,
    seed: optionalInt(flags, 'seed', 0),
    batch: optionalInt(flags, 'batch', 1),
    layout,
    heldOut: optionalInt(flags, 'held-out', 1),
    sampleEvery: intFlag(flags, 'sample-every', 100),
    checkpointEvery: intFlag(flags, 'checkpoint-every', 500),
    evalEvery: intFlag(flags, 'eval-every', 500),
    resume: stringFlag(flags, 'resume'),
    initFrom: stringFlag(flags, 'init-from'),
  };
}

/** The trainer's batch_size, the batch the graph asks for. */
function trainerBatch(ir: GraphIR): number {
  const trainer = [...ir.nodes.values()].find((n) => n.node.type === 'lggan/trainer');
  const size = trainer?.params.batch_size;
  return typeof size === 'number' ? size : ir.batch;
}

const every = (k: number, step: number) => k > 0 && step % k === 0;

function lossSummary(report: StepReport): string {
  return Object.entries(report.losses)
    .map(([name, v]) => `${name} ${v.toPrecision(4)}`)
    .join(' ');
}

function nonFiniteLine(e: NonFiniteLossError): string {
  const what =
    e.lossNode !== undefined
      ? `loss '${e.lossNode}' is ${e.losses[e.lossNode]}`
      : e.gradients.length > 0
        ? `the gradient of '${e.gradients[0]}'${e.gradients.length > 1 ? ` (and ${e.gradients.length - 1} more)` : ''} is not finite`
        : `the sum of the ${e.side} losses is not finite`;
  const where = e.node !== undefined ? `; first non-finite output: '${e.node}'.${e.port}` : '';
  const weights = e.variables.length > 0 ? `; non-finite weights: '${e.variables[0]}'${e.variables.length > 1 ? ` and ${e.variables.length - 1} more` : ''}` : '';
  return `non-finite loss in step ${e.step + 1} (${e.side} update): ${what}${where}${weights}`;
}

/** A data problem as one line; dataset files are named under the data directory. */
function dataProblem(e: DatasetError | FeedError, dir: string | undefined): CliProblem {
  if (e instanceof FeedError) return new CliProblem(`the data does not fit the graph: ${e.message}`);
  const file = dir === undefined || e.file.startsWith(dir) ? e.file : join(dir, e.file);
  return new CliProblem(`${file}: ${e.detail}`);
}

interface Resume {
  path: string;
  file: SafetensorsFile;
  record: RunRecord;
  /** 'init-from': a partial carry-over into an edited graph; 'resume': a strict load. */
  mode: 'resume' | 'init-from';
}

async function readResume(path: string): Promise<Resume> {
  const { file, record } = await readCheckpointFile(path);
  if (!record) throw new CliProblem(`cannot resume from '${path}': it has no run record, so its step is unknown`);
  return { path, file, record, mode: 'resume' };
}

async function readInitFrom(path: string): Promise<Resume> {
  const { file, record } = await readCheckpointFile(path);
  if (!record) throw new CliProblem(`cannot init from '${path}': it has no run record, so its step and seed are unknown`);
  return { path, file, record, mode: 'init-from' };
}

export async function train(argv: string[], registry: NodeRegistry, io: CliIO): Promise<number> {
  const o = parseTrainArgs(argv);
  if (!o.resume && existsSync(join(o.out, LOSSES_CSV))) {
    throw new UsageError(`--out ${o.out} already holds a training run (${LOSSES_CSV}): choose another directory, or --resume one of its checkpoints`);
  }
  const resume = o.resume ? await readResume(o.resume) : o.initFrom ? await readInitFrom(o.initFrom) : undefined;
  const start = resume?.record.step ?? 0;
  if (start >= o.steps) throw new UsageError(`--steps ${o.steps} is not beyond the checkpoint's step ${start}: --steps counts all steps, the resumed ones included`);

  const program = await loadProgram(o.graph, registry, io, { batch: o.batch, chooseBatch: trainerBatch, seed: o.seed ?? resume?.record.seed, memory: { training: true } });
  if (!program) return EXIT.problems;
  try {
    return await trainProgram(program, o, resume, io);
  } finally {
    program.dispose();
  }
}

async function trainProgram(program: Program, o: TrainOptions, resume: Resume | undefined, io: CliIO): Promise<number> {
  let plan;
  let view: GeneratorView;
  try {
    plan = planTraining(program);
    const inputs = graphInputs(program);
    view = { program, inputs, outputs: generatorOutputs(program), numClasses: undefined };
  } catch (e) {
    if (e instanceof TrainingGraphError || e instanceof OutputsError) throw new CliProblem(`${o.graph}: ${e.message}`);
    throw e;
  }
  const batch = program.ir.batch;
  const resumedSeed = resume?.record.extra.dataSeed;
  const dataSeed = o.seed ?? (typeof resumedSeed === 'number' ? resumedSeed : plan.settings.seed);

  let data: TrainingData;
  let preview: Sample[];
  try {
    const needs = dataNeeds(view.inputs, program.ir.template);
    view.numClasses = needs.numClasses;
    const loaded = o.synthetic ? syntheticFor(needs, dataSeed) : loadDirectory(o.data!, o.layout, needs);
    const live = io.isTTY === true && io.status !== undefined;
    data = await prepareData(loaded, {
      heldOut: o.heldOut,
      seed: dataSeed,
      scan: !o.synthetic,
      onScan: live ? (done, total) => io.status!(done < total ? `scanning the data: ${done}/${total}` : '') : undefined,
    });
    preview = await Promise.all(Array.from({ length: Math.min(GRID_ROWS, data.heldOut.size) }, (_, i) => data.heldOut.sample(i)));
    tf.dispose(Object.values(toFeeds(preview, view.inputs))); // a field the graph cannot take fails here, before training
  } catch (e) {
    if (e instanceof DatasetError || e instanceof FeedError) throw dataProblem(e, o.data);
    throw e;
  }
  if (!o.synthetic) io.err(`scanned ${data.train.size + data.heldOut.size} samples`);

  const start = resume?.record.step ?? 0;
  const progress = createProgress(io, { total: o.steps, start, perUnit: batch });
  const run = compileTraining(program, { log: (m) => progress.log(`note ${m}`) });
  try {
    if (resume?.mode === 'init-from') carry(run, resume, data, progress);
    else if (resume) restore(run, resume, data, progress); // before anything in --out changes
    await mkdir(join(o.out, 'samples'), { recursive: true });
    const lossNames = [...plan.g.losses, ...plan.d.losses].map((l) => l.node);
    const logs = await RunLogs.open(o.out, lossNames, { resumeFrom: resume?.mode === 'resume' ? start : undefined });
    return await trainLoop(run, o, { data, preview, view, logs, lossNames, dataSeed, batch, progress }, io);
  } finally {
    progress.finish();
    run.dispose();
  }
}

function restore(run: TrainingRun, resume: Resume, data: TrainingData, progress: Progress): void {
  let report;
  try {
    report = loadCheckpoint(run.program, resume.file, { optimizer: run });
  } catch (e) {
    if (e instanceof CheckpointLoadError) throw new CliProblem(`checkpoint '${resume.path}' does not fit the graph: ${mismatchText(e.report)}`);
    throw new CliProblem(`cannot resume from '${resume.path}': ${(e as Error).message}`);
  }
  run.stepCount = resume.record.step;
  const note = (text: string) => progress.log(`note checkpoint '${resume.path}' ${text}`);
  if (report.sameGraph === false) note(`was made for another version of the graph ('${resume.record.graphName}'); its variables fit`);
  if (report.optimizer.length === 0) note('has no optimizer state: Adam starts afresh');
  if (resume.record.datasetFingerprint !== null && resume.record.datasetFingerprint !== data.fingerprint) {
    note(`was trained on other data (dataset fingerprint ${resume.record.datasetFingerprint})`);
  }
}

/** --init-from: the partial carry-over, its report printed, the step count continued. */
function carry(run: TrainingRun, from: Resume, data: TrainingData, progress: Progress): void {
  let report;
  try {
    report = carryOver(run.program, from.file, { optimizer: run });
  } catch (e) {
    throw new CliProblem(`cannot init from '${from.path}': ${(e as Error).message}`);
  }
  run.stepCount = report.step ?? from.record.step;
  for (const line of carryReportLines(report)) progress.log(line);
  if (report.totals.kept === 0) progress.log(`note checkpoint '${from.path}' shares no variable with the graph: every weight starts from the graph's init`);
  if (from.record.datasetFingerprint !== null && from.record.datasetFingerprint !== data.fingerprint) {
    progress.log(`note checkpoint '${from.path}' was trained on other data (dataset fingerprint ${from.record.datasetFingerprint})`);
  }
}

interface LoopContext {
  data: TrainingData;
  /** Held-out samples shown in every sample grid. */
  preview: Sample[];
  view: GeneratorView;
  logs: RunLogs;
  /** Loss node ids in trainer-port order (G then D): the columns of the logs. */
  lossNames: string[];
  dataSeed: number;
  batch: number;
  progress: Progress;
}

async function trainLoop(run: TrainingRun, o: TrainOptions, ctx: LoopContext, io: CliIO): Promise<number> {
  const { data, view, logs, batch, progress } = ctx;
  const start = run.stepCount;
  const store = new DirectoryCheckpointStore(join(o.out, 'checkpoints'));
  const order = new BatchOrder(data.train.size, batch, ctx.dataSeed);
  const started = performance.now();
  progress.log(
    `training '${run.program.ir.doc.meta.name}' on ${data.description}: ${data.train.size} training / ${data.heldOut.size} held-out samples, ` +
      `batch ${batch}, seed ${run.program.init.seed}, steps ${start + 1}…${o.steps}`,
  );
  /** The last step each artifact was written at, so the end of the run does not write it twice. */
  const last = { sample: -1, eval: -1, checkpoint: -1 };
  let interrupted = false;
  const stopListening = io.onInterrupt?.(() => {
    interrupted = true;
    progress.log('interrupted: stopping after this step (Ctrl-C again quits at once)');
  });

  const checkpointPath = (step: number) => join(o.out, 'checkpoints', `${stepName(step)}.safetensors`);
  const checkpoint = async (step: number, stoppedBy?: 'interrupt' | 'non-finite') => {
    if (last.checkpoint === step) return checkpointPath(step);
    const extra: Record<string, unknown> = {
      command: 'lggan train',
      graphFile: o.graph,
      data: data.description,
      dataSeed: ctx.dataSeed,
      batch,
      trainSamples: data.train.size,
      heldOutSamples: data.heldOut.size,
      nodeVersion: process.version,
    };
    if (stoppedBy) extra.stoppedBy = stoppedBy;
    if (o.initFrom) extra.initFrom = o.initFrom; // where the carried weights came from
    await writeCheckpoint(store, run, { step, datasetFingerprint: data.fingerprint, nodePackVersion: NODE_PACK_VERSION, extra });
    last.checkpoint = step;
    return checkpointPath(step);
  };
  const sample = async (step: number) => {
    if (last.sample === step) return;
    await writeFile(join(o.out, 'samples', `${stepName(step)}.png`), await sampleGridPng(view, ctx.preview));
    last.sample = step;
  };
  const evaluate = async (step: number) => {
    if (last.eval === step) return;
    const r = await evaluateHeldOut(view, data.heldOut, batch);
    await logs.metrics({ step, count: r.count, psnr: r.psnr.mean, ssim: r.ssim.mean, sd: r.sd.mean });
    progress.log(`step ${step}: held-out PSNR ${r.psnr.mean.toFixed(2)} dB, SSIM ${r.ssim.mean.toFixed(4)}, SD ${r.sd.mean.toFixed(2)} dB (${r.count} images)`);
    last.eval = step;
  };

  try {
    let step = start;
    while (step < o.steps && !interrupted) {
      const batchPlan = order.at(step);
      const samples = await Promise.all(batchPlan.samples.map((s) => data.train.sample(s.index, { augment: true, seed: s.augmentSeed })));
      const feeds = toFeeds(samples, view.inputs);
      let report: StepReport;
      try {
        report = run.step(feeds, { epoch: batchPlan.epoch });
      } catch (e) {
        if (!(e instanceof NonFiniteLossError)) throw e;
        const path = await checkpoint(step, 'non-finite');
        progress.finish();
        io.err(`error ${nonFiniteLine(e)}; the last good weights (step ${step}) are in ${path}`);
        return EXIT.problems;
      } finally {
        tf.dispose(Object.values(feeds));
      }
      step = report.step + 1;
      await logs.step(lossRow(report, ctx.lossNames));
      progress.update({ done: step, detail: lossSummary(report) });
      if (every(o.sampleEvery, step)) await sample(step);
      if (every(o.evalEvery, step)) await evaluate(step);
      if (every(o.checkpointEvery, step)) await checkpoint(step);
      await new Promise((resolve) => setImmediate(resolve)); // lets a Ctrl-C arrive between steps
    }
    if (interrupted) {
      const path = await checkpoint(step, 'interrupt');
      progress.finish();
      io.out(`stopped after step ${step} of ${o.steps}; checkpoint ${path} (continue with --resume ${path})`);
      return EXIT.interrupted;
    }
    await sample(step);
    await evaluate(step);
    const path = await checkpoint(step);
    progress.finish();
    io.out(`trained steps ${start + 1}…${step} in ${formatDuration((performance.now() - started) / 1000)}; checkpoint ${path}`);
    return EXIT.ok;
  } finally {
    stopListening?.();
  }
}
