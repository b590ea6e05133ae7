/**
 * One update of one side (G or D) of a training step: the forward pass it needs, its losses and
 * gradients, the safety valve's check of both, and Adam's update. Nothing here is kept between
 * steps except what SideState holds.
 */
import * as tf from '@tensorflow/tfjs-core';
import { allFinite, hostPaths, valuesInPlace } from '../../../nodes/core/host-values.ts';
import type { TrainerSettings } from '../../../nodes/lggan/training/trainer.ts';
import { addTerms } from '../../../nodes/core/tensor-utils.ts';
import type { Feeds, Program } from '../../compiler/program.ts';
import { NamedAdam } from './adam.ts';
import { NonFiniteLossError, readFirstNonFinite, readNonFiniteVariables } from './non-finite.ts';
import type { Reading, Values } from './reading.ts';
import { TrainingGraphError, upstreamOf, type Side, type SidePlan } from './plan.ts';

/** Called after each applied update, in the order they run. */
export interface PhaseEvent {
  step: number;
  side: Side;
  /** Each loss of this side, weighted, by loss node id. */
  losses: Record<string, number>;
  total: number;
}

export interface SideState {
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

export function createSideState(program: Program, plan: SidePlan, settings: TrainerSettings, learningRate: number): SideState {
  const variables = plan.variables.map((name) => program.variables.get(name)!);
  const reach = upstreamOf(program.ir.doc.edges, plan.losses.map((l) => l.node));
  return {
    side: plan.side,
    plan,
    adam: new NamedAdam({ learningRate, beta1: settings.beta1, beta2: settings.beta2, epsilon: settings.epsilon }),
    stableName: new Map(variables.map((v, i) => [v.name, plan.variables[i]])),
    variables,
    upstream: program.ir.order.filter((id) => reach.has(id)),
    reportedUntrained: false,
  };
}

/** What every phase of a run shares. */
export interface PhaseContext {
  program: Program;
  /** Also check every gradient for NaN/Inf before applying it. */
  checkGradients: boolean;
  /** The non-trainable variables (spectral-norm vectors, running statistics) a forward pass moves. */
  buffers: tf.Variable[];
  /** Told once per side which of its variables got no gradient. */
  untrained(side: Side, names: string[]): void;
}

export function* runPhase(ctx: PhaseContext, side: SideState, batch: Feeds, step: number, applied: Side[]): Reading<PhaseEvent> {
  const snapshot = snapshotBuffers(ctx.buffers);
  let detached: Record<string, tf.Tensor> = {};
  try {
    // What does not depend on this side's variables runs before the tape (no activations kept).
    if (side.plan.detached.length > 0) detached = ctx.program.run(batch, { outputs: side.plan.detached, training: true });
    const { values, gradsFinite, grads } = yield* lossesAndGradients(ctx, side, { ...batch, ...detached });
    try {
      const losses: Record<string, number> = {};
      side.plan.losses.forEach((l, i) => (losses[l.node] = values[i]));
      const total = values[values.length - 1];
      const badLosses = side.plan.losses.map((l) => l.node).filter((node) => !Number.isFinite(losses[node]));
      const badGrads = [...grads.keys()].filter((_, i) => gradsFinite[i] === false);
      if (badLosses.length > 0 || !Number.isFinite(total) || badGrads.length > 0) {
        throw yield* nonFiniteError(ctx, side, batch, snapshot, { step, losses, badLosses, badGrads, applied });
      }
      side.adam.apply(ctx.program.variables, grads);
      reportUntrained(ctx, side, grads);
      return { step, side: side.side, losses, total };
    } finally {
      tf.dispose([...grads.values()]);
    }
  } catch (e) {
    restoreBuffers(ctx.buffers, snapshot);
    throw e;
  } finally {
    tf.dispose([...snapshot, ...Object.values(detached)]);
  }
}

/** Clones share data with the variables, so a snapshot copies nothing; assign puts it back. */
const snapshotBuffers = (buffers: tf.Variable[]) => buffers.map((v) => tf.clone(v));
const restoreBuffers = (buffers: tf.Variable[], snapshot: tf.Tensor[]) => snapshot.forEach((t, i) => buffers[i].assign(t));

/** Forward + backward of one side: loss values (weighted, then their total) and gradients by stable name. */
function* lossesAndGradients(ctx: PhaseContext, side: SideState, batch: Feeds): Reading<{ values: number[]; gradsFinite: boolean[]; grads: Map<string, tf.Tensor> }> {
  let stacked: tf.Tensor | undefined;
  let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
  try {
    result = tf.variableGrads(() => {
      const outputs = ctx.program.run(batch, { outputs: side.plan.losses.map((l) => l.output), training: true });
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
  // Where tensors live in this thread, one pass over each gradient's values beats ~4 kernels per variable.
  const checkOnHost = ctx.checkGradients && hostPaths.onHost(tf.getBackend());
  let readback: Values;
  try {
    readback = yield tf.tidy(() => {
      const parts = [stacked!];
      if (ctx.checkGradients && !checkOnHost && gradList.length > 0) parts.push(tf.cast(tf.stack(gradList.map((g) => tf.all(tf.isFinite(g)))), 'float32'));
      return tf.concat(parts);
    });
  } catch (e) {
    tf.dispose(gradList);
    throw e;
  } finally {
    tf.dispose([result.value, stacked!]);
  }
  const n = side.plan.losses.length + 1;
  const gradsFinite = checkOnHost ? gradList.map((g) => allFinite(valuesInPlace(g))) : Array.from(readback.subarray(n), (x) => x === 1);
  return { values: Array.from(readback.subarray(0, n)), gradsFinite, grads };
}

/** Builds the safety valve's error; leaves the buffers as they were before the phase. */
function* nonFiniteError(
  ctx: PhaseContext,
  side: SideState,
  batch: Feeds,
  snapshot: tf.Tensor[],
  found: { step: number; losses: Record<string, number>; badLosses: string[]; badGrads: string[]; applied: Side[] },
): Reading<NonFiniteLossError> {
  restoreBuffers(ctx.buffers, snapshot); // so the diagnosis sees the weights the step started from
  let where: { node?: string; port?: string; foundInEvalMode?: boolean } = {};
  if (found.badGrads.length === 0 || found.badLosses.length > 0) {
    where = yield* diagnose(ctx.program, side, batch);
    restoreBuffers(ctx.buffers, snapshot); // a training-mode re-run moves them again
  }
  return new NonFiniteLossError({
    step: found.step,
    side: side.side,
    lossNode: found.badLosses[0],
    losses: Object.fromEntries(found.badLosses.map((node) => [node, found.losses[node]])),
    ...where,
    gradients: found.badGrads,
    variables: yield* badVariables(ctx.program),
    appliedPhases: [...found.applied],
  });
}

function* diagnose(program: Program, side: SideState, batch: Feeds): Reading<{ node?: string; port?: string; foundInEvalMode?: boolean }> {
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

function* badVariables(program: Program): Reading<string[]> {
  try {
    return yield* readNonFiniteVariables(program);
  } catch {
    return [];
  }
}

/** The first applied update of a side tells which of its variables no gradient reaches. */
function reportUntrained(ctx: PhaseContext, side: SideState, grads: Map<string, tf.Tensor>): void {
  if (side.reportedUntrained) return;
  side.reportedUntrained = true;
  const missing = side.plan.variables.filter((name) => !grads.has(name));
  if (missing.length > 0) ctx.untrained(side.side, missing);
}
