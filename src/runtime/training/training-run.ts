/**
 * The training step compiled from a graph's lggan/trainer node.
 *
 * One step() is one iteration on one batch, as the official trainers count them (SPADE's
 * train.py): the G update runs when step % d_steps_per_g == 0, the D update runs every step, in
 * the trainer's order (g-then-d for semantic synthesis, d-then-g for cross view). Each update
 * re-runs the forward it needs with the weights as they are then, so in g-then-d the D step judges
 * the freshly updated generator, as the official code does. Outputs that do not depend on the
 * updated side's variables (the fakes in the D step) are computed before the gradient tape starts,
 * like SPADE's no_grad generation. Each side has its own Adam (explicit epsilon), whose learning
 * rate follows learningRateAt every step.
 *
 * Safety valve: the losses (and, unless turned off, the gradients) are read back before an update
 * is applied; a NaN or Inf throws NonFiniteLossError naming the loss and the first non-finite node,
 * with that update not applied and the buffers (spectral-norm vectors, running statistics) that its
 * forward pass had already moved put back. Updates of the same step that ran before it (G in
 * g-then-d) stay applied: they came from finite losses.
 */
import * as tf from '@tensorflow/tfjs-core';
import { learningRateAt, type TrainerSettings } from '../../../nodes/lggan/training/trainer.ts';
import type { Feeds, Program } from '../../compiler/program.ts';
import type { NamedTensor } from './adam.ts';
import { ITERATION_ENTRY, parseOptimizerState, sidePrefix, stepEntry } from './optimizer-state.ts';
import { createSideState, runPhase, type PhaseContext, type PhaseEvent, type SideState } from './phase.ts';
import { readAsync, readSync, type Reading } from './reading.ts';
import { planTraining, type Side, type TrainingPlan } from './plan.ts';

export type { PhaseEvent } from './phase.ts';

export interface CompileTrainingOptions {
  /** The lggan/trainer node to train with; needed only when the graph has several. */
  trainerNode?: string;
  /** Iterations per epoch, for trainers whose schedule counts epochs (schedule_unit 'epoch'). */
  stepsPerEpoch?: number;
  /** Also check every gradient for NaN/Inf before applying it (one reduction per variable). Default true. */
  checkGradients?: boolean;
  /** Receives each one-off notice (skipped losses, variables no gradient reaches) as it is found. */
  log?: (message: string) => void;
  /** Called after each applied update, in the order they run. */
  onPhase?: (event: PhaseEvent) => void;
}

export interface StepOptions {
  /** The current epoch (0-based), for epoch schedules; else derived from stepsPerEpoch. */
  epoch?: number;
}

export interface StepReport {
  /** 0-based index of the iteration this report is about. */
  step: number;
  lrG: number;
  lrD: number;
  /** Every loss computed in this step, weighted as the trainer sums it, by loss node id. */
  losses: Record<string, number>;
  /** Sum of the G losses; undefined in the steps without a G update (d_steps_per_g > 1). */
  gTotal?: number;
  /** Sum of the D losses; undefined when the trainer has no D losses. */
  dTotal?: number;
  /** The updates applied, in order. */
  phases: Side[];
  /** Loss nodes left out of the sums (e.g. a perceptual loss without VGG19 weights; reasons in plan.skipped). */
  skipped: string[];
  ms: number;
}

export interface TrainingRun {
  readonly program: Program;
  readonly plan: TrainingPlan;
  readonly settings: TrainerSettings;
  /** Completed iterations; set it when resuming from a checkpoint that stores it elsewhere. */
  stepCount: number;
  /** Adam updates applied per side. */
  readonly updates: Record<Side, number>;
  /** One-off notices so far (also sent to options.log). */
  readonly notices: string[];
  /** Trainable variables no update reaches: no gradient, or no loss depends on their network. */
  readonly notTrained: string[];
  /** Learning rates a step would use. */
  learningRates(step?: number, options?: StepOptions): { g: number; d: number };
  step(batch: Feeds, options?: StepOptions): StepReport;
  /**
   * The same step with asynchronous read-backs (data() instead of dataSync()): what WebGPU needs.
   * Gives the same report as step(); do not start another step before it settles.
   */
  stepAsync(batch: Feeds, options?: StepOptions): Promise<StepReport>;
  /**
   * Optimizer state under stable names (optimizer-state.ts): `optimizer.iteration`,
   * `optimizer.<G|D>.step` (int32 scalars) and `optimizer.<G|D>.<variable>.m` / `.v`. The tensors
   * belong to the run: read them before the next step, never dispose them.
   */
  optimizerState(): NamedTensor[];
  /** Restores what optimizerState() gave (values are copied; the caller keeps its tensors). */
  loadOptimizerState(entries: NamedTensor[]): void;
  /** Frees the optimizer state; the program stays the caller's. */
  dispose(): void;
}

export function compileTraining(program: Program, options: CompileTrainingOptions = {}): TrainingRun {
  return new CompiledTraining(program, options);
}

/** One-off notices of a run, kept and passed on as they are found. */
class Notices {
  readonly all: string[] = [];
  /** Trainable variables no update reaches. */
  readonly notTrained: string[] = [];

  constructor(private readonly log?: (message: string) => void) {}

  add(message: string): void {
    this.all.push(message);
    this.log?.(message);
  }

  addNotTrained(names: string[], why: string): void {
    this.notTrained.push(...names);
    this.add(`${names.length === 1 ? 'This weight is' : 'These weights are'} not trained: ${names.join(', ')} (${why}).`);
  }
}

/** The side of a training step in words: what a notice says instead of G / D. */
const sideName = (side: Side) => (side === 'G' ? 'generator' : 'discriminator');

/** What the plan already knows before the first step: skipped losses, its notes, variables of no side. */
function announcePlan(plan: TrainingPlan, notices: Notices): void {
  for (const s of plan.skipped) notices.add(`The ${sideName(s.side)} loss '${s.node}' is left out: ${s.reason}.`);
  for (const n of plan.notes) notices.add(n);
  if (plan.unassigned.length > 0) notices.addNotTrained(plan.unassigned, 'no loss depends on their network');
}

/** An int32 scalar variable for a step counter of the optimizer state. */
function counterVariable(): tf.Variable {
  // tf.variable keeps its own reference to the data, so the initial scalar is built inside tidy and freed.
  return tf.tidy(() => tf.variable(tf.scalar(0, 'int32'), false));
}

function setCounter(counter: tf.Variable, value: number): void {
  tf.tidy(() => counter.assign(tf.scalar(value, 'int32')));
}

class CompiledTraining implements TrainingRun {
  readonly plan: TrainingPlan;
  readonly settings: TrainerSettings;
  readonly notices: string[];
  readonly notTrained: string[];
  private readonly board: Notices;
  private readonly sides: Record<Side, SideState>;
  private readonly phases: PhaseContext;
  /** The optimizer state's step counters, kept as tensors so a checkpoint can store them. */
  private readonly counters: Record<'iteration' | Side, tf.Variable>;
  private iteration = 0;
  private warnedEpoch = false;

  constructor(
    readonly program: Program,
    private readonly options: CompileTrainingOptions,
  ) {
    this.plan = planTraining(program, { trainerNode: options.trainerNode });
    this.settings = this.plan.settings;
    this.board = new Notices(options.log);
    this.notices = this.board.all;
    this.notTrained = this.board.notTrained;
    announcePlan(this.plan, this.board);
    this.sides = { G: createSideState(program, this.plan.g, this.settings, this.settings.gLr), D: createSideState(program, this.plan.d, this.settings, this.settings.dLr) };
    this.phases = {
      program,
      checkGradients: options.checkGradients ?? true,
      buffers: [...program.variableInfo.values()].filter((v) => !v.trainable).map((v) => program.variables.get(v.name)!),
      untrained: (side, names) => this.board.addNotTrained(names, `no gradient of the ${sideName(side)} losses reaches ${names.length === 1 ? 'it' : 'them'}`),
    };
    // Made last, so that a graph the plan refuses leaves no tensors behind.
    this.counters = { iteration: counterVariable(), G: counterVariable(), D: counterVariable() };
  }

  get stepCount(): number {
    return this.iteration;
  }

  set stepCount(value: number) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`stepCount must be a whole number ≥ 0, got ${value}`);
    this.iteration = value;
    setCounter(this.counters.iteration, value);
  }

  get updates(): Record<Side, number> {
    return { G: this.sides.G.adam.updateCount, D: this.sides.D.adam.updateCount };
  }

  learningRates(step = this.iteration, stepOptions: StepOptions = {}): { g: number; d: number } {
    return learningRateAt(this.schedulePosition(step, stepOptions), this.settings);
  }

  step(batch: Feeds, stepOptions: StepOptions = {}): StepReport {
    return readSync(this.stepReading(batch, stepOptions));
  }

  stepAsync(batch: Feeds, stepOptions: StepOptions = {}): Promise<StepReport> {
    return readAsync(this.stepReading(batch, stepOptions));
  }

  optimizerState(): NamedTensor[] {
    return [
      { name: ITERATION_ENTRY, tensor: this.counters.iteration },
      ...(['G', 'D'] as const).flatMap((side) => [{ name: stepEntry(side), tensor: this.counters[side] as tf.Tensor }, ...this.sides[side].adam.momentEntries(sidePrefix(side))]),
    ];
  }

  loadOptimizerState(entries: NamedTensor[]): void {
    const variablesOf = (side: Side) => new Map(this.sides[side].plan.variables.map((name) => [name, this.program.variables.get(name)!]));
    const parsed = parseOptimizerState(entries, { G: variablesOf('G'), D: variablesOf('D') });
    for (const side of ['G', 'D'] as const) {
      this.sides[side].adam.load(parsed.sides[side].updates, parsed.sides[side].moments, this.program.variables);
      setCounter(this.counters[side], parsed.sides[side].updates);
    }
    if (parsed.iteration !== undefined) this.stepCount = parsed.iteration;
  }

  dispose(): void {
    this.sides.G.adam.dispose();
    this.sides.D.adam.dispose();
    tf.dispose([this.counters.iteration, this.counters.G, this.counters.D]);
  }

  /** Where the learning-rate schedule stands: the iteration, or the epoch for schedules that count epochs. */
  private schedulePosition(step: number, stepOptions: StepOptions): number {
    if (this.settings.scheduleUnit === 'iteration') return step;
    if (stepOptions.epoch !== undefined) return stepOptions.epoch;
    if (this.options.stepsPerEpoch) return Math.floor(step / this.options.stepsPerEpoch);
    if (!this.warnedEpoch) {
      this.warnedEpoch = true;
      this.board.add(`The trainer's learning-rate schedule counts epochs, but this run does not say how many steps make an epoch: the learning rates stay at their starting values.`);
    }
    return 0;
  }

  /** The updates of this step, in the trainer's order: G only every d_steps_per_g steps, D whenever it has losses. */
  private phasesAt(step: number): Side[] {
    const hasD = this.plan.d.losses.length > 0;
    const runsG = !hasD || step % this.settings.dStepsPerG === 0;
    const order: Side[] = this.settings.order === 'g-then-d' ? ['G', 'D'] : ['D', 'G'];
    return order.filter((s) => (s === 'G' ? runsG : hasD));
  }

  /** One iteration, reading back through `yield` (step() and stepAsync() drive it). */
  private *stepReading(batch: Feeds, stepOptions: StepOptions): Reading<StepReport> {
    const started = performance.now();
    const step = this.iteration;
    const lr = learningRateAt(this.schedulePosition(step, stepOptions), this.settings);
    this.sides.G.adam.learningRate = lr.g;
    this.sides.D.adam.learningRate = lr.d;

    const report: StepReport = { step, lrG: lr.g, lrD: lr.d, losses: {}, phases: [], skipped: this.plan.skipped.map((s) => s.node), ms: 0 };
    for (const side of this.phasesAt(step)) {
      const event: PhaseEvent = yield* runPhase(this.phases, this.sides[side], batch, step, report.phases);
      setCounter(this.counters[side], this.sides[side].adam.updateCount);
      report.phases.push(side);
      Object.assign(report.losses, event.losses);
      if (side === 'G') report.gTotal = event.total;
      else report.dTotal = event.total;
      this.options.onPhase?.(event);
    }
    this.iteration = step + 1;
    setCounter(this.counters.iteration, this.iteration);
    report.ms = performance.now() - started;
    return report;
  }
}
