/**
 * Keeps a training run's run.json (src/cli/runs/run-file.ts) up to date: written with status
 * "running" before the first step, rewritten with the end time, wall time, steps done and how the
 * run ended.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Program } from '../../compiler/program.ts';
import { graphHash } from '../../graph/hash.ts';
import { saveGraph } from '../../graph/save.ts';
import { writeRunFile, RUN_FILE_FORMAT, RUN_FILE_VERSION, type RunData, type RunFile, type RunStatus } from '../runs/run-file.ts';
import { NODE_PACK_VERSION } from '../../../nodes/version.ts';
import { LOSSES_CSV, LOSSES_JSONL, METRICS_JSONL } from './logs.ts';

export interface RunStart {
  program: Program;
  graphFile: string;
  dataSeed: number;
  batch: number;
  data: RunData;
  stepsRequested: number;
  resumedFrom: number;
  /** The --init-from checkpoint (absolute path), else null. */
  initFrom: string | null;
  lossTerms: string[];
}

export class RunRecorder {
  private readonly startedMs = performance.now();

  private constructor(
    private readonly dir: string,
    private readonly run: RunFile,
  ) {}

  static async start(dir: string, s: RunStart, now: Date = new Date()): Promise<RunRecorder> {
    const doc = s.program.ir.doc;
    const run: RunFile = {
      format: RUN_FILE_FORMAT,
      version: RUN_FILE_VERSION,
      status: 'running',
      graph: { name: doc.meta.name, hash: graphHash(doc), file: s.graphFile, document: JSON.parse(saveGraph(doc)) },
      seed: s.program.init.seed,
      dataSeed: s.dataSeed,
      backend: tf.getBackend(),
      batch: s.batch,
      data: s.data,
      steps: { requested: s.stepsRequested, done: s.resumedFrom, resumedFrom: s.resumedFrom },
      initFrom: s.initFrom,
      lossTerms: s.lossTerms,
      startedAt: now.toISOString(),
      endedAt: null,
      wallSeconds: null,
      files: { losses: LOSSES_CSV, lossesJsonl: LOSSES_JSONL, metrics: METRICS_JSONL, checkpoints: 'checkpoints', samples: 'samples' },
      versions: { nodePack: NODE_PACK_VERSION, tfjs: tf.version_core, node: process.version },
    };
    const recorder = new RunRecorder(dir, run);
    await writeRunFile(dir, run);
    return recorder;
  }

  async end(status: Exclude<RunStatus, 'running'>, stepsDone: number, now: Date = new Date()): Promise<void> {
    const wall = (performance.now() - this.startedMs) / 1000;
    await writeRunFile(this.dir, {
      ...this.run,
      status,
      steps: { ...this.run.steps, done: stepsDone },
      endedAt: now.toISOString(),
      wallSeconds: Math.round(wall * 1000) / 1000,
    });
  }
}
