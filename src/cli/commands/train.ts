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
 * Every run records itself in DIR/run.json; --from-run RUN.json trains that recorded run again
 * (its graph as trained, seeds, batch, data and held-out split) and gets the same losses.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import type { GraphIR } from '../../compiler/ir.ts';
import type { Program } from '../../compiler/program.ts';
import { graphHash } from '../../graph/hash.ts';
import { carriedVariables, carryOver, carryReportLines, CheckpointLoadError, loadCheckpoint, type RunRecord } from '../../runtime/checkpoint/index.ts';
import { DirectoryCheckpointStore } from '../../runtime/checkpoint/node-store.ts';
import { DatasetError, FeedError, graphInputs, toFeeds, type Sample } from '../../runtime/data/index.ts';
import type { SafetensorsFile } from '../../formats/safetensors.ts';
import { compileTraining, NonFiniteLossError, planTraining, TrainingGraphError, type StepReport, type TrainingRun } from '../../runtime/training/index.ts';
import { intFlag, parseCommandArgs, type ParsedArgs } from '../args.ts';
import { COMMAND_SPECS } from '../command-specs.ts';
import { mismatchText, readCheckpointFile } from '../checkpoint-file.ts';
import { CliProblem, EXIT, UsageError, type CliIO } from '../io.ts';
import { loadProgram } from '../load-program.ts';
import { generatorOutputs, OutputsError } from '../../compiler/outputs.ts';
import { createProgress, formatDuration, type Progress } from '../progress.ts';
import { evaluateHeldOut, sampleGridPng, stepName, writeCheckpoint, type GeneratorView } from '../train/artifacts.ts';
import { BatchOrder } from '../train/batches.ts';
import { dataNeeds, LAYOUTS, loadDirectory, prepareData, syntheticFor, type Layout, type TrainingData } from '../train/data.ts';
import { LOSSES_CSV, lossRow, RunLogs } from '../train/logs.ts';
import { NODE_PACK_VERSION } from '../../../nodes/version.ts';
import { readRunFile, RunFileError, type RunData, type RunFile } from '../runs/run-file.ts';
import { RunRecorder } from '../train/run-recorder.ts';
import { SAMPLE_GRID_ROWS } from '../../runs/folder-files.ts';

/** How many held-out samples a sample grid shows (a run folder's reader describes the grids by it). */
const GRID_ROWS = SAMPLE_GRID_ROWS;

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
  /** The data seed when it differs from --seed (a re-run of a recorded run). */
  dataSeed?: number;
  /** The graph's text when it does not come from the file `graph` (a re-run: `graph` then labels it). */
  graphText?: string;
  /** The run.json a re-run replays. */
  fromRun?: string;
  /** The graph hash that run.json records (a re-run). */
  recordedHash?: string;
  /** Print the final summary as one JSON document on stdout (trainSummaryJson). */
  json: boolean;
}

/** The --json schema's version: bump it when a field changes meaning or goes away. */
export const TRAIN_JSON_VERSION = 1;

/**
 * The --json document, printed once the loop ends (a refusal before training prints its error
 * line and no document): `{ version, status: "finished" | "interrupted" | "non-finite", graph,
 * out, steps: { first, last, requested }, seconds, checkpoint, losses (the last step's, by loss
 * node; null before any step), heldOut: { step, count, psnr, ssim, sd } | null, error (the
 * non-finite loss line, else null) }`.
 */
export interface TrainSummary {
  version: number;
  status: 'finished' | 'interrupted' | 'non-finite';
  graph: string;
  out: string;
  steps: { first: number; last: number; requested: number };
  seconds: number;
  checkpoint: string;
  losses: Record<string, number> | null;
  heldOut: { step: number; count: number; psnr: number; ssim: number; sd: number } | null;
  error: string | null;
}

function optionalInt(flags: ParsedArgs['flags'], name: string, min: number): number | undefined {
  return flags[name] === undefined ? undefined : intFlag(flags, name, 0, min);
}

function stringFlag(flags: ParsedArgs['flags'], name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

function parseTrainArgs(argv: string[]): TrainOptions {
  const { positional, flags } = parseCommandArgs(argv, COMMAND_SPECS.train);
  const fromRun = stringFlag(flags, 'from-run');
  if (fromRun !== undefined) return parseFromRunArgs(fromRun, positional, flags);
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
    json: flags.json === true,
  };
}

/** What a re-run may still choose: where it goes, how far, how often it writes artifacts. Everything else comes from the record. */
const FROM_RUN_FLAGS = ['from-run', 'out', 'steps', 'sample-every', 'checkpoint-every', 'eval-every', 'json'];

function parseFromRunArgs(fromRun: string, positional: string[], flags: ParsedArgs['flags']): TrainOptions {
  if (positional.length > 0) throw new UsageError('--from-run takes the graph from the run record: give no graph file');
  const clash = Object.keys(flags).filter((f) => !FROM_RUN_FLAGS.includes(f));
  if (clash.length > 0) throw new UsageError(`--from-run replays the recorded run, so ${clash.map((f) => `--${f}`).join(', ')} cannot be given with it`);
  const out = stringFlag(flags, 'out');
  if (out === undefined) throw new UsageError('train needs --out DIR');
  return {
    graph: fromRun,
    synthetic: false,
    steps: optionalInt(flags, 'steps', 1) ?? 0, // 0: the recorded run's steps, filled in by applyRunFile
    out,
    layout: 'auto',
    sampleEvery: intFlag(flags, 'sample-every', 100),
    checkpointEvery: intFlag(flags, 'checkpoint-every', 500),
    evalEvery: intFlag(flags, 'eval-every', 500),
    fromRun,
    json: flags.json === true,
  };
}

/** The options of the recorded run; the graph is the document as trained, labelled `RUN.json (graph)` in messages. */
async function applyRunFile(o: TrainOptions, io: CliIO): Promise<TrainOptions> {
  let run: RunFile;
  try {
    run = await readRunFile(o.fromRun!);
  } catch (e) {
    if (e instanceof RunFileError) throw new CliProblem(e.message);
    throw e;
  }
  const backend = tf.getBackend();
  if (run.backend !== backend) io.err(`note ${o.fromRun} was trained on the ${run.backend} backend, this re-run uses ${backend}: losses may differ in the last digits`);
  return {
    ...o,
    graph: `${o.fromRun} (graph)`,
    graphText: JSON.stringify(run.graph.document),
    synthetic: run.data.kind === 'synthetic',
    data: run.data.path ?? undefined,
    layout: (run.data.layout ?? 'auto') as Layout,
    steps: o.steps || run.steps.requested,
    seed: run.seed,
    dataSeed: run.dataSeed,
    batch: run.batch,
    heldOut: run.data.heldOutSamples,
    initFrom: run.initFrom ?? undefined,
    recordedHash: run.graph.hash,
  };
}

/** An IO whose readFile answers `label` with `text`: loadProgram then reads a recorded graph as if it were a file. */
function withGraphText(io: CliIO, label: string, text: string): CliIO {
  return { ...io, readFile: (path) => (path === label ? Promise.resolve(text) : io.readFile(path)) };
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
  let o = parseTrainArgs(argv);
  if (o.fromRun) o = await applyRunFile(o, io);
  if (!o.resume && existsSync(join(o.out, LOSSES_CSV))) {
    throw new UsageError(`--out ${o.out} already holds a training run (${LOSSES_CSV}): choose another directory, or --resume one of its checkpoints`);
  }
  const resume = o.resume ? await readResume(o.resume) : o.initFrom ? await readInitFrom(o.initFrom) : undefined;
  const start = resume?.record.step ?? 0;
  if (start >= o.steps) throw new UsageError(`--steps ${o.steps} is not beyond the checkpoint's step ${start}: --steps counts all steps, the resumed ones included`);

  const graphIO = o.graphText === undefined ? io : withGraphText(io, o.graph, o.graphText);
  const program = await loadProgram(o.graph, registry, graphIO, {
    batch: o.batch,
    chooseBatch: trainerBatch,
    seed: o.seed ?? resume?.record.seed,
    memory: { training: true },
    // --init-from overwrites every variable the checkpoint fits right after compiling: skip their random init.
    assignedAfter: resume?.mode === 'init-from' ? carriedVariables(resume.file) : undefined,
  });
  if (!program) return EXIT.problems;
  if (o.recordedHash !== undefined && graphHash(program.ir.doc) !== o.recordedHash) {
    io.err(`note the graph in ${o.fromRun} now hashes differently from the recorded ${o.recordedHash.slice(0, 12)} (loaded by a newer format version?): losses may differ`);
  }
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
  const dataSeed = o.dataSeed ?? o.seed ?? (typeof resumedSeed === 'number' ? resumedSeed : plan.settings.seed);

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
    const recorder = await RunRecorder.start(o.out, {
      program,
      graphFile: o.fromRun ? o.fromRun : o.graph,
      dataSeed,
      batch,
      data: runData(o, data),
      stepsRequested: o.steps,
      resumedFrom: start,
      initFrom: resume?.mode === 'init-from' ? resolve(resume.path) : null,
      lossTerms: lossNames,
    });
    return await trainLoop(run, o, { data, preview, view, logs, lossNames, dataSeed, batch, progress, recorder }, io);
  } finally {
    progress.finish();
    run.dispose();
  }
}

function runData(o: TrainOptions, data: TrainingData): RunData {
  return {
    kind: o.synthetic ? 'synthetic' : 'directory',
    description: data.description,
    path: o.synthetic ? null : resolve(o.data!), // absolute, so a re-run from another directory finds it
    layout: o.synthetic ? null : o.layout,
    fingerprint: data.fingerprint,
    trainSamples: data.train.size,
    heldOutSamples: data.heldOut.size,
  };
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
  recorder: RunRecorder;
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
  let lastLosses: Record<string, number> | null = null;
  let heldOut: TrainSummary['heldOut'] = null;
  /** The run's last word: one human line, or with --json that line on stderr and the summary on stdout. */
  const report = (status: TrainSummary['status'], step: number, checkpointFile: string, line: string) => {
    if (!o.json) return (status === 'non-finite' ? io.err : io.out)(line);
    io.err(line);
    const summary: TrainSummary = {
      version: TRAIN_JSON_VERSION,
      status,
      graph: o.fromRun ?? o.graph,
      out: o.out,
      steps: { first: start + 1, last: step, requested: o.steps },
      seconds: Math.round((performance.now() - started) / 100) / 10,
      checkpoint: checkpointFile,
      losses: lastLosses,
      heldOut,
      error: status === 'non-finite' ? line.replace(/^error /, '') : null,
    };
    io.out(JSON.stringify(summary, null, 2));
  };
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
    heldOut = { step, count: r.count, psnr: r.psnr.mean, ssim: r.ssim.mean, sd: r.sd.mean };
    progress.log(`step ${step}: held-out PSNR ${r.psnr.mean.toFixed(2)} dB, SSIM ${r.ssim.mean.toFixed(4)}, SD ${r.sd.mean.toFixed(2)} dB (${r.count} images)`);
    last.eval = step;
  };

  try {
    let step = start;
    while (step < o.steps && !interrupted) {
      const batchPlan = order.at(step);
      const samples = await Promise.all(batchPlan.samples.map((s) => data.train.sample(s.index, { augment: true, seed: s.augmentSeed })));
      const feeds = toFeeds(samples, view.inputs);
      let stepReport: StepReport;
      try {
        // WebGPU in Node cannot read synchronously (tfjs's dataSync goes through a canvas).
        stepReport = tf.getBackend() === 'webgpu' ? await run.stepAsync(feeds, { epoch: batchPlan.epoch }) : run.step(feeds, { epoch: batchPlan.epoch });
      } catch (e) {
        if (!(e instanceof NonFiniteLossError)) throw e;
        const path = await checkpoint(step, 'non-finite');
        await ctx.recorder.end('non-finite', step);
        progress.finish();
        report('non-finite', step, path, `error ${nonFiniteLine(e)}; the last good weights (step ${step}) are in ${path}`);
        return EXIT.problems;
      } finally {
        tf.dispose(Object.values(feeds));
      }
      step = stepReport.step + 1;
      lastLosses = { ...stepReport.losses };
      await logs.step(lossRow(stepReport, ctx.lossNames));
      progress.update({ done: step, detail: lossSummary(stepReport) });
      if (every(o.sampleEvery, step)) await sample(step);
      if (every(o.evalEvery, step)) await evaluate(step);
      if (every(o.checkpointEvery, step)) await checkpoint(step);
      await new Promise((resolve) => setImmediate(resolve)); // lets a Ctrl-C arrive between steps
    }
    if (interrupted) {
      const path = await checkpoint(step, 'interrupt');
      await ctx.recorder.end('interrupted', step);
      progress.finish();
      report('interrupted', step, path, `stopped after step ${step} of ${o.steps}; checkpoint ${path} (continue with --resume ${path})`);
      return EXIT.interrupted;
    }
    await sample(step);
    await evaluate(step);
    const path = await checkpoint(step);
    await ctx.recorder.end('finished', step);
    progress.finish();
    report('finished', step, path, `trained steps ${start + 1}…${step} in ${formatDuration((performance.now() - started) / 1000)}; checkpoint ${path}`);
    return EXIT.ok;
  } finally {
    stopListening?.();
  }
}
