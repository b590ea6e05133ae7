/**
 * One training run, as the worker runs it: set up from a start message (backend, graph, program,
 * training step, dataset, optionally the graph's autosave), then step until the run reaches its
 * step count or is stopped, streaming progress, sample images, held-out metrics and autosaves
 * through `host.post`; the end message carries the weights the run ended with.
 *
 * Free of worker globals (the host supplies posting, the checkpoint store and backend selection),
 * so the same code runs under vitest on tfjs-cpu.
 *
 * Determinism: step n always trains on the same samples (data.ts batchAt) from the same weights
 * and optimizer state, so a run resumed from an autosave repeats the uninterrupted run's losses on
 * the same backend. Pause and stop take effect between steps (a step is synchronous tfjs work).
 */
import { openProgramOrThrow } from '../compiler/open-program.ts';
import * as tf from '@tensorflow/tfjs-core';
import { createRegistry, type NodeRegistry } from '../../nodes/index.ts';
import type { Feeds, Program } from '../compiler/program.ts';
import type { MemoryLimits } from '../compiler/memory.ts';
import { streamSeed } from '../compiler/rng.ts';
import type { GraphDocument } from '../graph/document.ts';
import { canonicalJson, graphHash } from '../graph/hash.ts';
import { carriedVariables, carryOver } from '../runtime/checkpoint/carry.ts';
import { readSafetensors, type SafetensorsFile } from '../formats/safetensors.ts';
import { carryReportLines } from '../runtime/checkpoint/carry-text.ts';
import { loadCheckpoint, saveCheckpoint } from '../runtime/checkpoint/checkpoint.ts';
import { runRecordFor } from '../runtime/checkpoint/record.ts';
import type { CheckpointStore } from '../runtime/checkpoint/store.ts';
import { dataNeeds, loadDropped } from '../runtime/data/browser-dataset.ts';
import { predatesSizes, type Dataset } from '../runtime/data/dataset.ts';
import { graphInputs, toFeeds, type GraphInput } from '../runtime/data/feeds.ts';
import { compileTraining, type TrainingRun } from '../runtime/training/training-run.ts';
import { AUTOSAVE_EXTRA_KEY, autosaveExtra, type AutosaveExtra, type ResolvedRunSpec } from './autosave.ts';
import { parseBackendSetting, type BackendChoice, type BackendSetting, type BrowserBackend } from './backend.ts';
import { batchAt, datasetFor, loadBatch } from './data.ts';
import { RunSetupError, toRunError } from './errors.ts';
import {
  autosaveKey,
  checkRunSpec,
  DEFAULT_AUTOSAVE_EVERY,
  DEFAULT_EVAL_EVERY,
  DEFAULT_SAMPLE_EVERY,
  storableDataset,
  type FilesDatasetSpec,
  type PageMessage,
  type StartMessage,
  type WorkerMessage,
} from './protocol.ts';
import { finalImageKey, scoreHeldOut, splitRunData } from './held-out.ts';
import { renderSamples, sampleSources, type SampleSource } from './samples.ts';
import { writePng } from '../formats/png.ts';
import { addLosses, addMetrics, addSamples, BROWSER_RUN_FORMAT, BROWSER_RUN_VERSION, browserRunData, type BrowserRun, type BrowserRunStatus } from '../runs/browser-run.ts';
import type { RunStore } from './run-store.ts';

export interface SessionHost {
  post(message: WorkerMessage, transfer?: Transferable[]): void;
  store: CheckpointStore;
  /** Makes a backend active (worker: selectBackend with tf-browser's probe). */
  selectBackend(setting: BackendSetting): Promise<BackendChoice>;
  /** Goes into every autosave's run record. */
  nodePackVersion: string;
  /** The active backend's memory limits (worker: browserMemoryLimits); none checked when absent. */
  memoryLimits?(backend: string): MemoryLimits;
  /** Default: createRegistry() (the core and LGGAN packs). */
  registry?: NodeRegistry;
  now?: () => number;
  /** Where each run's record (browser-run.ts) is kept; no records when absent. */
  runs?: RunStore;
}

interface RunContext {
  runId: string;
  doc: GraphDocument;
  key: string;
  spec: ResolvedRunSpec;
  backend: BrowserBackend;
  program: Program;
  run: TrainingRun;
  inputs: GraphInput[];
  /** The whole dataset (its fingerprint identifies the run's data). */
  dataset: Dataset;
  /** The part trained on: the whole synthetic dataset, or a dropped one less its held-out samples. */
  train: Dataset;
  /** Scored every evalEvery steps; undefined: no metrics. */
  heldOut?: { dataset: Dataset; finalKey: string };
  /** Seed of the batch order (the run seed mixed with the trainer's data seed). */
  orderSeed: number;
  sources: SampleSource[];
  /** One fixed sample, fed to render the sample images (so they show progress on one input). */
  preview: Feeds;
  lastSaved: number;
  /** What the run was and has done so far: saved when it starts, at each autosave and when it ends. */
  record: BrowserRun;
  startedMs: number;
}

/** What the sample images show: ctx.preview is sample 0 of the training split, unaugmented. */
const PREVIEW_INPUT = 'training sample 0';

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Checkpoint bytes to carry over, parsed before compiling (so compile can skip what they fill). */
function carriedFile(bytes: Uint8Array): SafetensorsFile {
  try {
    return readSafetensors(bytes);
  } catch (e) {
    throw new RunSetupError('checkpoint', `the checkpoint cannot be carried over: ${(e as Error).message}`);
  }
}

export class TrainingSession {
  private phase: 'idle' | 'running' | 'ended' = 'idle';
  private paused = false;
  private stopping = false;
  private wake: (() => void) | undefined;
  /** The step the run is on or has just done: a pause lands after it. */
  private lastStepBegun = 0;
  /** Snapshot request ids, answered between steps. */
  private snapshots: number[] = [];
  private ended: Promise<void> = Promise.resolve();
  private readonly registry: NodeRegistry;
  private readonly now: () => number;

  constructor(private readonly host: SessionHost) {
    this.registry = host.registry ?? createRegistry();
    this.now = host.now ?? (() => performance.now());
  }

  /** Settles when the run has ended (finished, stopped or failed). */
  get done(): Promise<void> {
    return this.ended;
  }

  handle(message: PageMessage): void {
    switch (message.type) {
      case 'start':
        if (this.phase !== 'idle') {
          this.host.post({ type: 'notice', message: 'A second Start was ignored: this run is still going (stop it first to start another).' });
          return;
        }
        this.phase = 'running';
        this.ended = this.runToEnd(message);
        return;
      case 'pause':
        // Said at once: a step can take minutes on a slow backend, and the pause waits for it.
        if (this.phase === 'running' && !this.paused) this.host.post({ type: 'state', state: 'pausing', step: this.lastStepBegun });
        this.paused = true;
        return;
      case 'resume':
        this.paused = false;
        this.wake?.();
        return;
      case 'stop':
        this.stopping = true;
        this.wake?.();
        return;
      case 'snapshot':
        this.snapshots.push(message.id);
        this.wake?.();
        return;
    }
  }

  private async runToEnd(message: StartMessage): Promise<void> {
    let ctx: RunContext | undefined;
    try {
      ctx = await this.setUp(message);
      await this.saveRecord(ctx);
      await this.train(ctx);
    } catch (e) {
      this.host.post({ type: 'error', error: toRunError(e) });
      if (ctx) await this.endRecord(ctx, 'failed');
    } finally {
      if (ctx) {
        tf.dispose(Object.values(ctx.preview));
        ctx.run.dispose();
        ctx.program.dispose();
      }
      this.phase = 'ended';
    }
  }

  private async setUp(message: StartMessage): Promise<RunContext> {
    const { spec } = message;
    let backendSetting: BackendSetting;
    try {
      checkRunSpec(spec);
      backendSetting = parseBackendSetting(spec.backend);
    } catch (e) {
      throw new RunSetupError('spec', (e as Error).message);
    }
    const choice = await this.host.selectBackend(backendSetting);

    // A carry-over overwrites every variable the checkpoint fits right after compiling: skip their random init.
    const carried = message.checkpoint && message.carryOver ? carriedFile(message.checkpoint) : undefined;
    const limits = this.host.memoryLimits?.(choice.backend);
    const { doc, program, init } = openProgramOrThrow(
      { value: message.graph },
      {
        registry: this.registry,
        batch: spec.batchSize,
        seed: spec.seed,
        // The safety valve: refuse before any variable is allocated.
        memory: limits && { training: true, limits },
        assignedAfter: carried && carriedVariables(carried),
      },
    );
    const seed = init.seed;
    let run: TrainingRun | undefined;
    let preview: Feeds | undefined;
    try {
      run = compileTraining(program, { log: (m) => this.host.post({ type: 'notice', message: m }) });
      const inputs = graphInputs(program);
      let dataset: Dataset;
      let dataDescription = '';
      if (spec.dataset.kind === 'files') {
        ({ dataset, description: dataDescription } = await this.filesDataset(spec.dataset, inputs, program));
      } else {
        dataDescription = `synthetic scenes (seed ${spec.dataset.seed}, ${spec.dataset.count} samples)`;
        try {
          dataset = datasetFor(inputs, spec.dataset);
        } catch (e) {
          throw new RunSetupError('spec', `the synthetic dataset cannot feed this graph: ${(e as Error).message}`);
        }
      }
      const split = splitRunData(dataset, spec.dataset, inputs, spec.heldOut, seed);
      const evalEvery = split.heldOut ? (spec.evalEvery ?? DEFAULT_EVAL_EVERY) : 0;
      const resolved: ResolvedRunSpec = {
        steps: spec.steps,
        seed,
        dataset: storableDataset(spec.dataset),
        batchSize: spec.batchSize ?? run.settings.batchSize,
        backend: backendSetting,
        autosaveEvery: spec.autosaveEvery ?? DEFAULT_AUTOSAVE_EVERY,
        sampleEvery: spec.sampleEvery ?? DEFAULT_SAMPLE_EVERY,
        evalEvery,
        heldOut: split.heldOut?.size ?? 0,
      };
      const hash = graphHash(doc);
      const ctx: RunContext = {
        runId: message.runId,
        doc,
        key: autosaveKey(hash),
        spec: resolved,
        backend: choice.backend,
        program,
        run,
        inputs,
        dataset,
        train: split.train,
        heldOut: split.heldOut && evalEvery > 0 ? { dataset: split.heldOut, finalKey: finalImageKey(program) } : undefined,
        orderSeed: streamSeed(seed, `data:${run.settings.seed}`),
        sources: sampleSources(program, run.plan),
        preview: {},
        lastSaved: -1,
        record: {
          format: BROWSER_RUN_FORMAT,
          version: BROWSER_RUN_VERSION,
          id: message.runId,
          status: 'running',
          graph: { name: doc.meta.name, hash, document: JSON.parse(JSON.stringify(doc)) as Record<string, unknown> },
          seed,
          backend: choice.backend,
          batch: resolved.batchSize,
          data: browserRunData(spec.dataset, { description: dataDescription, fingerprint: dataset.fingerprint, trainSamples: split.train.size, heldOutSamples: resolved.heldOut }),
          steps: { requested: resolved.steps, done: 0, resumedFrom: 0 },
          sampleEvery: resolved.sampleEvery,
          evalEvery: resolved.evalEvery,
          autosaveEvery: resolved.autosaveEvery,
          lossTerms: [],
          losses: { stride: 1, steps: [], values: [], last: null },
          metrics: [],
          samples: [],
          startedAt: new Date().toISOString(),
          endedAt: null,
          wallSeconds: null,
        },
        startedMs: this.now(),
      };
      if (carried) this.carryCheckpoint(ctx, carried);
      else if (message.checkpoint) this.restoreCheckpoint(ctx, message.checkpoint);
      else if (message.fromAutosave) await this.restore(ctx);
      ctx.record.steps.done = ctx.record.steps.resumedFrom = Math.min(run.stepCount, resolved.steps);
      ctx.preview = preview = toFeeds([await split.train.sample(0)], inputs);
      this.host.post({
        type: 'started',
        runId: ctx.runId,
        backend: choice.backend,
        attempts: choice.attempts,
        graphName: doc.meta.name,
        graphHash: hash,
        autosaveKey: ctx.key,
        fromStep: run.stepCount,
        steps: resolved.steps,
        batchSize: resolved.batchSize,
        images: ctx.sources.map((s) => s.name),
        trainSamples: split.train.size,
        heldOutSamples: resolved.heldOut,
        evalEvery: resolved.evalEvery,
      });
      return ctx;
    } catch (e) {
      if (preview) tf.dispose(Object.values(preview));
      run?.dispose();
      program.dispose();
      throw e;
    }
  }

  /**
   * A dropped dataset fitted to the graph: a zip's central directory or a folder's file list, no
   * sample read ahead (a dataset of several GB would take minutes). A bad file stops the run when
   * its sample is first read, with the error naming its path; the picker has read sample 0.
   */
  private async filesDataset(spec: FilesDatasetSpec, inputs: GraphInput[], program: Program): Promise<{ dataset: Dataset; description: string }> {
    let needs;
    try {
      needs = dataNeeds(inputs, program.ir.template);
    } catch (e) {
      throw new RunSetupError('spec', (e as Error).message);
    }
    const loaded = await loadDropped(spec.dropped!, spec.layout, needs);
    this.host.post({ type: 'notice', message: `Dataset ${spec.name} (${loaded.description}): images are read as training reaches them.` });
    return { dataset: loaded.dataset, description: `${spec.name}: ${loaded.description}` };
  }

  /** Loads uploaded / restored checkpoint bytes: strictly checked weights, and the optimiser state when the file has it. */
  private restoreCheckpoint(ctx: RunContext, bytes: Uint8Array): void {
    const report = loadCheckpoint(ctx.program, bytes, { optimizer: ctx.run });
    ctx.lastSaved = ctx.run.stepCount;
    if (report.optimizer.length === 0) this.host.post({ type: 'notice', message: 'The checkpoint holds weights only: training goes on from them with a fresh optimiser, counting from step 0.' });
    if (report.sameGraph === false) this.host.post({ type: 'notice', message: `The checkpoint was made for another version of the graph ('${report.record?.graphName}'); all its weights fit this one.` });
  }

  /** Carries checkpoint bytes of another version of the graph over (partial), and reports what was kept. */
  private carryCheckpoint(ctx: RunContext, file: SafetensorsFile): void {
    let report;
    try {
      report = carryOver(ctx.program, file, { optimizer: ctx.run });
    } catch (e) {
      throw new RunSetupError('checkpoint', `the checkpoint cannot be carried over: ${(e as Error).message}`);
    }
    ctx.run.stepCount = report.step ?? 0;
    ctx.lastSaved = ctx.run.stepCount;
    this.host.post({ type: 'carried', lines: carryReportLines(report), totals: report.totals, step: ctx.run.stepCount });
  }

  /** Loads the graph's autosave into the program and the optimizer, after checking it is this run's kind of data. */
  private async restore(ctx: RunContext): Promise<void> {
    const stored = await this.host.store.load(ctx.key);
    if (!stored) throw new RunSetupError('checkpoint', `there is no autosave of graph '${ctx.doc.meta.name}' to resume from (${ctx.key})`);
    const saved = autosaveExtra(stored.record);
    if (!saved) throw new RunSetupError('checkpoint', `checkpoint '${ctx.key}' is not an autosave (its run record has no extra.${AUTOSAVE_EXTRA_KEY})`);
    // What decides the training batches; a dropped dataset's held-out share does (autosaves from before held-out splits had none).
    const dataOf = (s: ResolvedRunSpec) =>
      canonicalJson({ seed: s.seed, batchSize: s.batchSize, dataset: s.dataset, ...(s.dataset.kind === 'files' ? { heldOut: s.heldOut ?? 0 } : {}) });
    if (dataOf(saved.spec) !== dataOf(ctx.spec)) {
      throw new RunSetupError('checkpoint', `the autosave was made with ${dataOf(saved.spec)}, this run asks for ${dataOf(ctx.spec)}: resuming would not continue the same run`);
    }
    const savedPrint = stored.record.datasetFingerprint;
    if (savedPrint !== ctx.dataset.fingerprint) {
      const older = savedPrint !== null && predatesSizes(savedPrint, ctx.dataset.fingerprint);
      const why = older ? ' (the autosave predates fingerprints of file sizes, so it cannot be matched to these files: start a new run)' : '';
      throw new RunSetupError('checkpoint', `the autosave was made on dataset ${savedPrint}, this run has ${ctx.dataset.fingerprint}${why}`);
    }
    loadCheckpoint(ctx.program, stored.bytes, { optimizer: ctx.run });
    if (ctx.run.stepCount !== stored.record.step) {
      throw new RunSetupError('checkpoint', `the autosave's record says step ${stored.record.step} but its optimizer state says ${ctx.run.stepCount}`);
    }
    ctx.lastSaved = stored.record.step;
    if (stored.record.backend !== ctx.backend) {
      this.host.post({ type: 'notice', message: `The autosave was written on ${stored.record.backend} and this run goes on with ${ctx.backend}: the losses will be close to, not exactly, those of a run that was never interrupted.` });
    }
  }

  private async train(ctx: RunContext): Promise<void> {
    const { run, spec } = ctx;
    this.lastStepBegun = run.stepCount;
    while (run.stepCount < spec.steps) {
      await this.betweenSteps(ctx);
      if (this.stopping) break;
      this.lastStepBegun = run.stepCount + 1;
      const started = this.now();
      const samples = await loadBatch(ctx.train, batchAt(run.stepCount, spec.batchSize, ctx.train.size, ctx.orderSeed));
      const feeds = toFeeds(samples, ctx.inputs);
      let report;
      try {
        // Asynchronous read-backs: WebGPU's dataSync cannot be relied on (reading.ts).
        // The epoch follows the batches (data.ts batchAt), so an epoch learning-rate schedule runs as on the CLI.
        report = await run.stepAsync(feeds, { epoch: Math.floor((run.stepCount * spec.batchSize) / ctx.train.size) });
      } finally {
        tf.dispose(Object.values(feeds));
      }
      const ms = this.now() - started;
      const step = run.stepCount;
      this.host.post({
        type: 'progress',
        step,
        losses: report.losses,
        gTotal: report.gTotal,
        dTotal: report.dTotal,
        lrG: report.lrG,
        lrD: report.lrD,
        imagesPerSecond: (spec.batchSize * 1000) / Math.max(ms, 1e-3),
        ms,
        backend: ctx.backend,
        numTensors: tf.memory().numTensors,
      });
      addLosses(ctx.record, step, report.losses);
      if (spec.sampleEvery > 0 && (step % spec.sampleEvery === 0 || step === spec.steps)) await this.sendSamples(ctx, step);
      if (spec.evalEvery > 0 && (step % spec.evalEvery === 0 || step === spec.steps)) await this.sendMetrics(ctx, step);
      if (spec.autosaveEvery > 0 && step % spec.autosaveEvery === 0) await this.autosave(ctx);
    }
    if (spec.autosaveEvery > 0 && ctx.lastSaved !== run.stepCount && run.stepCount > 0) await this.autosave(ctx);
    await this.serveSnapshots(ctx);
    const type = run.stepCount >= spec.steps ? 'finished' : 'stopped';
    await this.endRecord(ctx, type === 'finished' ? 'finished' : 'interrupted');
    if (run.stepCount === 0) {
      this.host.post({ type, step: 0 });
      return;
    }
    // The worker ends with the run: its end weights travel with the end message, or they are lost.
    const checkpoint = (await saveCheckpoint(ctx.program, { record: this.recordOf(ctx, {}), optimizer: ctx.run })) as Uint8Array<ArrayBuffer>;
    this.host.post({ type, step: run.stepCount, checkpoint }, [checkpoint.buffer]);
  }

  /** Lets queued messages in and answers snapshot requests; holds here while paused (until resume or stop). */
  private async betweenSteps(ctx: RunContext): Promise<void> {
    const step = ctx.run.stepCount;
    await nextTask();
    await this.serveSnapshots(ctx);
    if (!this.paused || this.stopping) return;
    this.host.post({ type: 'state', state: 'paused', step });
    while (this.paused && !this.stopping) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      await this.serveSnapshots(ctx);
    }
    this.wake = undefined;
    if (!this.stopping) this.host.post({ type: 'state', state: 'running', step });
  }

  private async serveSnapshots(ctx: RunContext): Promise<void> {
    while (this.snapshots.length > 0) {
      const id = this.snapshots.shift()!;
      const step = ctx.run.stepCount;
      const bytes = await saveCheckpoint(ctx.program, { record: this.recordOf(ctx, {}), optimizer: ctx.run });
      this.host.post({ type: 'snapshot', id, step, bytes: bytes as Uint8Array<ArrayBuffer> }, [bytes.buffer]);
    }
  }

  private recordOf(ctx: RunContext, extra: Record<string, unknown>) {
    return runRecordFor(ctx.program, {
      nodePackVersion: this.host.nodePackVersion,
      step: ctx.run.stepCount,
      backend: ctx.backend,
      datasetFingerprint: ctx.dataset.fingerprint,
      extra,
    });
  }

  private async sendSamples(ctx: RunContext, step: number): Promise<void> {
    const images = await renderSamples(ctx.program, ctx.sources, ctx.preview);
    // Encoded before posting: the post hands the pixel buffers over to the page.
    if (this.host.runs && images.length > 0) {
      const pngs = images.map((i) => ({ name: i.name, width: i.width, height: i.height, png: writePng({ width: i.width, height: i.height, channels: 4, data: i.rgba }) }));
      addSamples(ctx.record, { step, input: PREVIEW_INPUT, images: pngs });
    }
    this.host.post({ type: 'samples', step, images }, images.map((i) => i.rgba.buffer));
  }

  private async sendMetrics(ctx: RunContext, step: number): Promise<void> {
    if (!ctx.heldOut) return;
    const started = this.now();
    const r = await scoreHeldOut(ctx.program, ctx.heldOut.finalKey, ctx.inputs, ctx.heldOut.dataset, ctx.spec.batchSize);
    this.host.post({ type: 'metrics', step, count: r.count, psnr: r.psnr.mean, ssim: r.ssim.mean, sd: r.sd.mean, ms: this.now() - started });
    addMetrics(ctx.record, { step, psnr: r.psnr.mean, ssim: r.ssim.mean, sd: r.sd.mean });
  }

  /** Stores the run's record; a store that fails is a notice, not the end of the run. */
  private async saveRecord(ctx: RunContext): Promise<void> {
    if (!this.host.runs) return;
    try {
      await this.host.runs.save(ctx.record);
    } catch (e) {
      this.host.post({ type: 'notice', message: `This run will not appear under Runs: its record could not be stored (${(e as Error).message}).` });
    }
  }

  private async endRecord(ctx: RunContext, status: BrowserRunStatus): Promise<void> {
    ctx.record.status = status;
    ctx.record.endedAt = new Date().toISOString();
    ctx.record.wallSeconds = Math.max(0, (this.now() - ctx.startedMs) / 1000);
    await this.saveRecord(ctx);
  }

  private async autosave(ctx: RunContext): Promise<void> {
    const step = ctx.run.stepCount;
    const extra: AutosaveExtra = { runId: ctx.runId, spec: ctx.spec, graph: ctx.doc };
    const record = this.recordOf(ctx, { [AUTOSAVE_EXTRA_KEY]: extra });
    const bytes = await saveCheckpoint(ctx.program, { record, optimizer: ctx.run });
    await this.host.store.save(ctx.key, bytes, record);
    ctx.lastSaved = step;
    await this.saveRecord(ctx);
    this.host.post({ type: 'autosaved', step, key: ctx.key, bytes: bytes.length });
  }
}
