/**
 * The safety valve's diagnosis: when a loss turns NaN or infinite, find the first node (in
 * topological order) whose output is not finite, so the error points at the cause rather than
 * at the loss that merely received it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Feeds, Program } from '../../compiler/program.ts';
import type { Side } from './plan.ts';
import { readSync, type Reading } from './reading.ts';

export interface NonFiniteDetails {
  /** 0-based iteration whose step failed. */
  step: number;
  side: Side;
  /** The first loss node (in trainer-port order) whose value is NaN or ±Inf; undefined when only a gradient is. */
  lossNode?: string;
  /** Every non-finite loss of the side, with its value. */
  losses: Record<string, number>;
  /** The first node in topological order with a non-finite output, and that output port. */
  node?: string;
  port?: string;
  /** Whether that node was found in inference mode (false: only a training-mode re-run showed it). */
  foundInEvalMode?: boolean;
  /** Variables whose gradient is non-finite although every loss is finite. */
  gradients: string[];
  /** Variables (weights or buffers) that already hold a NaN or Inf: often the cause. */
  variables: string[];
  /** Updates of the same iteration applied before this phase (e.g. ['G'] when the D step after it failed). */
  appliedPhases: Side[];
}

/** Thrown by TrainingRun.step before any update of the failing phase is applied. */
export class NonFiniteLossError extends Error implements NonFiniteDetails {
  readonly step: number;
  readonly side: Side;
  readonly lossNode?: string;
  readonly losses: Record<string, number>;
  readonly node?: string;
  readonly port?: string;
  readonly foundInEvalMode?: boolean;
  readonly gradients: string[];
  readonly variables: string[];
  readonly appliedPhases: Side[];

  constructor(details: NonFiniteDetails) {
    super(describe(details));
    this.name = 'NonFiniteLossError';
    this.step = details.step;
    this.side = details.side;
    this.lossNode = details.lossNode;
    this.losses = details.losses;
    this.node = details.node;
    this.port = details.port;
    this.foundInEvalMode = details.foundInEvalMode;
    this.gradients = details.gradients;
    this.variables = details.variables;
    this.appliedPhases = details.appliedPhases;
  }
}

function listed(names: string[]): string {
  return `${names.slice(0, 5).map((n) => `'${n}'`).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`;
}

function describe(d: NonFiniteDetails): string {
  const what =
    d.lossNode !== undefined
      ? `loss '${d.lossNode}' is ${d.losses[d.lossNode]}`
      : d.gradients.length > 0
        ? `the gradient of ${listed(d.gradients)} is not finite`
        : `the sum of the ${d.side} losses is not finite`;
  const where =
    d.node !== undefined
      ? `; the first non-finite output is '${d.node}'.${d.port}${d.foundInEvalMode === false ? ' (in training mode only)' : ''}`
      : d.lossNode !== undefined
        ? '; no node output upstream is non-finite'
        : '';
  const weights = d.variables.length > 0 ? `; non-finite weights: ${listed(d.variables)}` : '';
  const kept = d.appliedPhases.length > 0 ? `; the ${d.appliedPhases.join(', ')} update(s) of this step were applied before it` : '';
  return `step ${d.step}, ${d.side} step: ${what}${where}${weights}. The ${d.side} update was not applied and the weights are unchanged${kept}.`;
}

/**
 * Runs the graph once more with every output of `nodes` (ids in topological order) requested,
 * inside tidy, and returns the first non-finite one. Network handles are not tensors and are skipped.
 */
export function firstNonFinite(program: Program, feeds: Feeds, nodes: string[], training: boolean): { node: string; port: string } | undefined {
  return readSync(readFirstNonFinite(program, feeds, nodes, training));
}

/** firstNonFinite as a Reading (reading.ts), for synchronous or asynchronous read-back. */
export function* readFirstNonFinite(program: Program, feeds: Feeds, nodes: string[], training: boolean): Reading<{ node: string; port: string } | undefined> {
  const outputs: string[] = [];
  for (const id of nodes) {
    const n = program.ir.nodes.get(id);
    if (!n) continue;
    for (const port of n.outputPorts) {
      if (port.kind !== 'network' && n.outputs[port.name]) outputs.push(`${id}:${port.name}`);
    }
  }
  if (outputs.length === 0) return undefined;
  const finite = yield tf.tidy(() => {
    const values = program.run(feeds, { outputs, training });
    const flags = outputs.map((key) => tf.all(tf.isFinite(tf.cast(values[key], 'float32'))));
    return tf.stack(flags);
  });
  const index = Array.from(finite).findIndex((ok) => !ok);
  if (index < 0) return undefined;
  const [node, port] = outputs[index].split(':');
  return { node, port };
}

/** Names of the program's variables that hold a NaN or Inf (one read-back for all). */
export function nonFiniteVariables(program: Program): string[] {
  return readSync(readNonFiniteVariables(program));
}

export function* readNonFiniteVariables(program: Program): Reading<string[]> {
  const names = [...program.variables.keys()];
  if (names.length === 0) return [];
  const finite = yield tf.tidy(() => tf.stack(names.map((n) => tf.all(tf.isFinite(program.variables.get(n)!)))));
  return names.filter((_, i) => !finite[i]);
}
