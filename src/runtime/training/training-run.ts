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
import { addTerms } from '../../../nodes/core/tensor-utils.ts';
import type { Feeds, Program } from '../../compiler/program.ts';
import { NamedAdam, type NamedTensor } from './adam.ts';
import { ITERATION_ENTRY, parseOptimizerState, sidePrefix, stepEntry } from './optimizer-state.ts';
import { NonFiniteLossError, readFirstNonFinite, readNonFiniteVariables } from './non-finite.ts';
import { readAsync, readSync, type Reading, type Values } from './reading.ts';
import { TrainingGraphError, planTraining, upstreamOf, type Side, type SidePlan, type TrainingPlan } from './plan.ts';

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

export interface PhaseEvent {
  step: number;
  side: Side;
  /** Each loss of this side, weighted, by loss node id. */
  losses: Record<string, number>;
  total: number;
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

interface SideState {
  side: Side;
  plan: SidePlan;
  adam: NamedAdam;
  /** tfjs-internal variable name → stable name, for the gradients variableGrads returns. */
  stableName: Map<string, string>;
  variables: tf.Variable[];
  /** Nodes the side's losses depend on, in topological order (for the NaN diagnosis). */
  upstream: string[];
  reportedUntrained: boolean;
}

export function compileTraining(program: Program, options: CompileTrainingOptions = {}): TrainingRun {
  const plan = planTraining(program, { trainerNode: options.trainerNode });
  const { settings } = plan;
  const checkGradients = options.checkGradients ?? true;
  const notices: string[] = [];
  const notTrained: string[] = [];
  const notice = (message: string) => {
    notices.push(message);
    options.log?.(message);
  };
  for (const s of plan.skipped) notice(`skipped loss '${s.node}' (${s.side}): ${s.reason}`);
  for (const n of plan.notes) notice(n);
  if (plan.unassigned.length > 0) {
    notTrained.push(...plan.unassigned);
    notice(`not trained: ${plan.unassigned.join(', ')} (no loss depends on their network)`);
  }

  const sideState = (p: SidePlan, lr: number): SideState => {
    const variables = p.variables.map((name) => program.variables.get(name)!);
    const reach = upstreamOf(program.ir.doc.edges, p.losses.map((l) => l.node));
    return {
      side: p.side,
      plan: p,
      adam: new NamedAdam({ learningRate: lr, beta1: settings.beta1, beta2: settings.beta2, epsilon: settings.epsilon }),
      stableName: new Map(variables.map((v, i) => [v.name, p.variables[i]])),
      variables,
      upstream: program.ir.order.filter((id) => reach.has(id)),
      reportedUntrained: false,
    };
  };
  const sides: Record<Side, SideState> = { G: sideState(plan.g, settings.gLr), D: sideState(plan.d, settings.dLr) };
  const buffers = [...program.variableInfo.values()].filter((v) => !v.trainable).map((v) => program.variables.get(v.name)!);
  // tf.variable keeps its own reference to the data, so the initial scalar is built inside tidy and freed.
  const counter = () => tf.tidy(() => tf.variable(tf.scalar(0, 'int32'), false));
  const counters = { iteration: counter(), G: counter(), D: counter() };
  let iteration = 0;
  let warnedEpoch = false;

  const setCounter = (counter: tf.Variable, value: number) => tf.tidy(() => counter.assign(tf.scalar(value, 'int32')));

  function schedulePosition(step: number, stepOptions: StepOptions): number {
    if (settings.scheduleUnit === 'iteration') return step;
    if (stepOptions.epoch !== undefined) return stepOptions.epoch;
    if (options.stepsPerEpoch) return Math.floor(step / options.stepsPerEpoch);
    if (!warnedEpoch) {
      warnedEpoch = true;
      notice(`the trainer's schedule counts epochs but neither stepsPerEpoch nor step(batch, { epoch }) says which epoch it is: the learning rates stay at their initial values`);
    }
    return 0;
  }

  /** Clones share data with the variables, so a snapshot copies nothing; assign puts it back. */
  const snapshotBuffers = () => buffers.map((v) => tf.clone(v));
  const restoreBuffers = (snapshot: tf.Tensor[]) => snapshot.forEach((t, i) => buffers[i].assign(t));

  /** Forward + backward of one side: loss values (weighted, then their total) and gradients by stable name. */
  function* lossesAndGradients(side: SideState, batch: Feeds): Reading<{ values: number[]; gradsFinite: boolean[]; grads: Map<string, tf.Tensor> }> {
    let stacked: tf.Tensor | undefined;
    let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      result = tf.variableGrads(() => {
        const outputs = program.run(batch, { outputs: side.plan.losses.map((l) => l.output), training: true });
        const terms = side.plan.losses.map((l) => tf.reshape(outputs[l.output], []));
        const total = terms.length === 1 ? terms[0] : addTerms(terms); // not tf.addN: WebGPU's breaks at 8 terms
        stacked = tf.keep(tf.stack([...terms, total]));
        return total as tf.Scalar;
      }, side.variables);
    } catch (e) {
      tf.dispose(stacked);
      if (e instanceof Error && e.message.startsWith('Cannot find a connection')) {
        throw new TrainingGraphError(`the ${side.side} losses (${side.plan.losses.map((l) => l.node).join(', ')}) give no gradient to any variable of networks ${side.plan.networks.join(', ')}`);
      }
      throw e;
    }
    const grads = new Map<string, tf.Tensor>();
    for (const [internal, g] of Object.entries(result.grads)) if (g) grads.set(side.stableName.get(internal)!, g);
    const gradList = [...grads.values()];
    let readback: Values;
    try {
      readback = yield tf.tidy(() => {
        const parts = [stacked!];
        if (checkGradients && gradList.length > 0) parts.push(tf.cast(tf.stack(gradList.map((g) => tf.all(tf.isFinite(g)))), 'float32'));
        return tf.concat(parts);
      });
    } catch (e) {
      tf.dispose(gradList);
      throw e;
    } finally {
      tf.dispose([result.value, stacked!]);
    }
    const n = side.plan.losses.length + 1;
    return { values: Array.from(readback.subarray(0, n)), gradsFinite: Array.from(readback.subarray(n), (x) => x === 1), grads };
  }

  function* diagnose(side: SideState, batch: Feeds): Reading<{ node?: string; port?: string; foundInEvalMode?: boolean }> {
    // Never let the diagnosis hide the error it is diagnosing.
    try {
      const inEval = yield* readFirstNonFinite(program, batch, side.upstream, false);
      if (inEval) return { ...inEval, foundInEvalMode: true };
      const inTraining = yield* readFirstNonFinite(program, batch, side.upstream, true); // buffers are restored by the caller
      if (inTraining) return { ...inTraining, foundInEvalMode: false };
    } catch {
      /* fall through: report without a node */
    }
    return {};
  }

  function* badVariables(): Reading<string[]> {
    try {
      return yield* readNonFiniteVariables(program);
    } catch {
      return [];
    }
  }

  function* runPhase(side: SideState, batch: Feeds, step: number, applied: Side[]): Reading<PhaseEvent> {
    const snapshot = snapshotBuffers();
    let detached: Record<string, tf.Tensor> = {};
    try {
      // What does not depend on this side's variables runs before the tape (no activations kept).
      if (side.plan.detached.length > 0) detached = program.run(batch, { outputs: side.plan.detached, training: true });
      const { values, gradsFinite, grads } = yield* lossesAndGradients(side, { ...batch, ...detached });
      try {
        const losses: Record<string, number> = {};
        side.plan.losses.forEach((l, i) => (losses[l.node] = values[i]));
        const total = values[values.length - 1];
        const badLosses = side.plan.losses.map((l) => l.node).filter((node) => !Number.isFinite(losses[node]));
        const badGrads = [...grads.keys()].filter((_, i) => gradsFinite[i] === false);
        if (badLosses.length > 0 || !Number.isFinite(total) || badGrads.length > 0) {
          throw yield* nonFiniteError(side, batch, snapshot, { step, losses, badLosses, badGrads, applied });
        }
        side.adam.apply(program.variables, grads);
        reportUntrained(side, grads);
        return { step, side: side.side, losses, total };
      } finally {
        tf.dispose([...grads.values()]);
      }
    } catch (e) {
      restoreBuffers(snapshot);
      throw e;
    } finally {
      tf.dispose([...snapshot, ...Object.values(detached)]);
    }
  }

  /** Builds the safety valve's error; leaves the buffers as they were before the phase. */
  function* nonFiniteError(
    side: SideState,
    batch: Feeds,
    snapshot: tf.Tensor[],
    found: { step: number; losses: Record<string, number>; badLosses: string[]; badGrads: string[]; applied: Side[] },
  ): Reading<NonFiniteLossError> {
    restoreBuffers(snapshot); // so the diagnosis sees the weights the step started from
    let where: { node?: string; port?: string; foundInEvalMode?: boolean } = {};
    if (found.badGrads.length === 0 || found.badLosses.length > 0) {
      where = yield* diagnose(side, batch);
      restoreBuffers(snapshot); // a training-mode re-run moves them again
    }
    return new NonFiniteLossError({
      step: found.step,
      side: side.side,
      lossNode: found.badLosses[0],
      losses: Object.fromEntries(found.badLosses.map((node) => [node, found.losses[node]])),
      ...where,
      gradients: found.badGrads,
      variables: yield* badVariables(),
      appliedPhases: [...found.applied],
    });
  }

  function reportUntrained(side: SideState, grads: Map<string, tf.Tensor>): void {
    if (side.reportedUntrained) return;
    side.reportedUntrained = true;
    const missing = side.plan.variables.filter((name) => !grads.has(name));
    if (missing.length === 0) return;
    notTrained.push(...missing);
    notice(`not trained: ${missing.join(', ')} (${side.side} side: no gradient reaches them)`);
  }

  /** One iteration, reading back through `yield` (step() and stepAsync() drive it). */
  function* stepReading(batch: Feeds, stepOptions: StepOptions): Reading<StepReport> {
    const started = performance.now();
    const step = iteration;
    const lr = learningRateAt(schedulePosition(step, stepOptions), settings);
    sides.G.adam.learningRate = lr.g;
    sides.D.adam.learningRate = lr.d;
    const hasD = plan.d.losses.length > 0;
    const runsG = !hasD || step % settings.dStepsPerG === 0;
    const order: Side[] = settings.order === 'g-then-d' ? ['G', 'D'] : ['D', 'G'];
    const phases = order.filter((s) => (s === 'G' ? runsG : hasD));

    const report: StepReport = { step, lrG: lr.g, lrD: lr.d, losses: {}, phases: [], skipped: plan.skipped.map((s) => s.node), ms: 0 };
    for (const side of phases) {
      const event = yield* runPhase(sides[side], batch, step, report.phases);
      setCounter(counters[side], sides[side].adam.updateCount);
      report.phases.push(side);
      Object.assign(report.losses, event.losses);
      if (side === 'G') report.gTotal = event.total;
      else report.dTotal = event.total;
      options.onPhase?.(event);
    }
    iteration = step + 1;
    setCounter(counters.iteration, iteration);
    report.ms = performance.now() - started;
    return report;
  }

  const run: TrainingRun = {
    program,
    plan,
    settings,
    get stepCount() {
      return iteration;
    },
    set stepCount(value: number) {
      if (!Number.isInteger(value) || value < 0) throw new Error(`stepCount must be a whole number ≥ 0, got ${value}`);
      iteration = value;
      setCounter(counters.iteration, value);
    },
    get updates() {
      return { G: sides.G.adam.updateCount, D: sides.D.adam.updateCount };
    },
    notices,
    notTrained,
    learningRates(step = iteration, stepOptions = {}) {
      return learningRateAt(schedulePosition(step, stepOptions), settings);
    },
    step(batch, stepOptions = {}) {
      return readSync(stepReading(batch, stepOptions));
    },
    stepAsync(batch, stepOptions = {}) {
      return readAsync(stepReading(batch, stepOptions));
    },
    optimizerState() {
      return [
        { name: ITERATION_ENTRY, tensor: counters.iteration },
        ...(['G', 'D'] as const).flatMap((side) => [{ name: stepEntry(side), tensor: counters[side] as tf.Tensor }, ...sides[side].adam.momentEntries(sidePrefix(side))]),
      ];
    },
    loadOptimizerState(entries) {
      const variablesOf = (side: Side) => new Map(sides[side].plan.variables.map((name) => [name, program.variables.get(name)!]));
      const parsed = parseOptimizerState(entries, { G: variablesOf('G'), D: variablesOf('D') });
      for (const side of ['G', 'D'] as const) {
        sides[side].adam.load(parsed.sides[side].updates, parsed.sides[side].moments, program.variables);
        setCounter(counters[side], parsed.sides[side].updates);
      }
      if (parsed.iteration !== undefined) run.stepCount = parsed.iteration;
    },
    dispose() {
      sides.G.adam.dispose();
      sides.D.adam.dispose();
      tf.dispose([counters.iteration, counters.G, counters.D]);
    },
  };
  return run;
}
