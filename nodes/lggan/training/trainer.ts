/**
 * lggan/trainer: the sink of a training graph. It gathers the generator and discriminator losses
 * and holds the optimisation settings (Adam per side, D:G step ratio, step order, learning-rate
 * schedule, batch size, seed). Its forward only sums the losses; the training step itself (which
 * variables each side updates, the optimisers) is assembled by the compiler from these settings.
 *
 * Defaults are the official Cityscapes/ADE20K settings: TTUR Adam with G lr 1e-4, D lr 4e-4,
 * betas (0, 0.9); one G step then one D step; 100 constant epochs then 100 of linear decay. The
 * cross-view setting is lr 2e-4 for both, betas (0.5, 0.999), D step before G step and
 * decay_rule pix2pix.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeDef, PortDef, ResolvedParams, TensorType } from '../../contract.ts';
import { NodeRuleError, describeType, enumParam, floatParam, intParam } from '../../core/rules.ts';
import { addTerms } from '../../core/tensor-utils.ts';

export const STEP_ORDERS = ['g-then-d', 'd-then-g'] as const;
export type StepOrder = (typeof STEP_ORDERS)[number];
export const SCHEDULE_UNITS = ['epoch', 'iteration'] as const;
export type ScheduleUnit = (typeof SCHEDULE_UNITS)[number];
export const DECAY_RULES = ['spade', 'pix2pix'] as const;
export type DecayRule = (typeof DECAY_RULES)[number];

export interface TrainerSettings {
  gLosses: number;
  dLosses: number;
  gLr: number;
  dLr: number;
  beta1: number;
  beta2: number;
  /** Adam's epsilon, always explicit (tfjs's WebGL default is 1e-4). */
  epsilon: number;
  dStepsPerG: number;
  order: StepOrder;
  /** Steps (in scheduleUnit) at the initial rates. */
  niter: number;
  /** Steps of linear decay after niter. */
  niterDecay: number;
  scheduleUnit: ScheduleUnit;
  /** Off-by-one conventions of the two official code bases (see learningRateAt). */
  decayRule: DecayRule;
  batchSize: number;
  seed: number;
}

export function trainerSettings(params: ResolvedParams): TrainerSettings {
  return {
    gLosses: intParam(params, 'g_losses'),
    dLosses: intParam(params, 'd_losses'),
    gLr: floatParam(params, 'g_lr'),
    dLr: floatParam(params, 'd_lr'),
    beta1: floatParam(params, 'beta1'),
    beta2: floatParam(params, 'beta2'),
    epsilon: floatParam(params, 'epsilon'),
    dStepsPerG: intParam(params, 'd_steps_per_g'),
    order: enumParam(params, 'order', STEP_ORDERS),
    niter: intParam(params, 'niter'),
    niterDecay: intParam(params, 'niter_decay'),
    scheduleUnit: enumParam(params, 'schedule_unit', SCHEDULE_UNITS),
    decayRule: enumParam(params, 'decay_rule', DECAY_RULES),
    batchSize: intParam(params, 'batch_size'),
    seed: intParam(params, 'seed'),
  };
}

/**
 * Learning rates during 0-based step `step` (an epoch or an iteration, per scheduleUnit): constant
 * for the first niter steps, then decaying linearly. Both sides scale by the same factor, keeping
 * the TTUR ratio. The two official code bases differ by one step:
 * - spade (semantic synthesis, update_learning_rate after each epoch past niter): step niter + j
 *   runs at base·(1 − j/niter_decay), the last one at base/niter_decay;
 * - pix2pix (cross-view, LambdaLR 'lambda' policy with epoch_count 1): step t runs at
 *   base·(1 − max(0, t + 1 − niter)/(niter_decay + 1)), the last one at base/(niter_decay + 1).
 * From niter + niter_decay on the rate is 0 (training is over).
 */
export function learningRateAt(
  step: number,
  settings: Pick<TrainerSettings, 'gLr' | 'dLr' | 'niter' | 'niterDecay'> & { decayRule?: DecayRule },
): { g: number; d: number } {
  if (!Number.isInteger(step) || step < 0) throw new Error(`learningRateAt: step must be a whole number ≥ 0, got ${step}`);
  const { niter, niterDecay } = settings;
  let factor: number;
  if (step >= niter + niterDecay) factor = 0;
  else if (settings.decayRule === 'pix2pix') factor = 1 - Math.max(0, step + 1 - niter) / (niterDecay + 1);
  else factor = step < niter ? 1 : 1 - (step - niter) / niterDecay;
  return { g: settings.gLr * factor, d: settings.dLr * factor };
}

export function gLossPort(i: number): string {
  return `g_loss_${i}`;
}

export function dLossPort(i: number): string {
  return `d_loss_${i}`;
}

/**
 * The loss ports. All are optional: each step sums the losses connected to its ports, so removing a
 * loss (or the branch feeding it) leaves a trainer over the rest. The G step needs at least one.
 */
function portsOf(params: ResolvedParams): PortDef[] {
  return [...lossPorts(params, 'G'), ...lossPorts(params, 'D')];
}

function lossPorts(params: ResolvedParams, side: 'G' | 'D'): PortDef[] {
  const count = intParam(params, side === 'G' ? 'g_losses' : 'd_losses');
  return Array.from({ length: count }, (_, i): PortDef => ({
    name: side === 'G' ? gLossPort(i) : dLossPort(i),
    kind: 'loss',
    doc: `${side === 'G' ? 'Generator' : 'Discriminator'} loss #${i} (scalar); the ${side} step minimises the sum of those connected.`,
    optional: true,
  }));
}

/** The trainer's loss ports of one side that have a wire, in port order. */
function connectedLossPorts(params: ResolvedParams, side: 'G' | 'D', isConnected: (port: string) => boolean): string[] {
  return lossPorts(params, side)
    .map((p) => p.name)
    .filter(isConnected);
}

function requireScalarLoss(inputs: Record<string, TensorType>, port: string): void {
  const t = inputs[port];
  if (t === undefined) return; // an open optional port
  if (t.kind !== 'loss' || t.shape.length !== 0) throw new NodeRuleError(`port '${port}' expects a scalar loss, got a ${describeType(t)}`, { port });
}

function sum(values: tf.Tensor[]): tf.Tensor {
  if (values.length === 0) return tf.scalar(0);
  return addTerms(values);
}

export const trainerNode: NodeDef = {
  type: 'lggan/trainer',
  version: 1,
  category: 'training',
  title: 'Trainer',
  doc:
    'The sink of a training graph: the generator step minimises the sum of the g_loss inputs and the ' +
    'discriminator step the sum of the d_loss inputs, each with Adam (learning rate, betas and an ' +
    'explicit epsilon). d_steps_per_g D steps run per G step, in the chosen order; the rates stay ' +
    'constant for niter epochs (or iterations) and then decay linearly to 0 over niter_decay. Defaults ' +
    'are the official semantic-synthesis settings (TTUR: G 1e-4, D 4e-4, betas 0 and 0.9; G step then ' +
    'D step; 100 + 100 epochs). The node itself only sums the losses; which variables each step ' +
    'updates follows from the graph. A perceptual loss without VGG19 weights feeds a constant 0.',
  params: {
    g_losses: { type: 'int', default: 1, min: 1, max: 16, doc: 'Generator loss ports (g_loss_0 …); the G step sums those connected (at least one).', ui: { widget: 'number', group: 'losses' } },
    d_losses: { type: 'int', default: 1, min: 0, max: 16, doc: 'Discriminator loss ports (d_loss_0 …), summed over those connected; 0 (or none connected) trains G alone.', ui: { widget: 'number', group: 'losses' } },
    g_lr: { type: 'float', default: 1e-4, min: 0, max: 1, doc: 'Generator Adam learning rate (TTUR: lr/2).', ui: { widget: 'number', step: 1e-5, group: 'adam' } },
    d_lr: { type: 'float', default: 4e-4, min: 0, max: 1, doc: 'Discriminator Adam learning rate (TTUR: 2·lr).', ui: { widget: 'number', step: 1e-5, group: 'adam' } },
    beta1: { type: 'float', default: 0, min: 0, max: 0.999999, doc: "Adam's β1 (0 with TTUR, 0.5 cross-view).", ui: { widget: 'number', step: 0.1, group: 'adam' } },
    beta2: { type: 'float', default: 0.9, min: 0, max: 0.999999, doc: "Adam's β2 (0.9 with TTUR, 0.999 cross-view).", ui: { widget: 'number', step: 0.001, group: 'adam' } },
    epsilon: { type: 'float', default: 1e-8, min: 0, max: 1, doc: "Adam's ε, set explicitly on every backend.", ui: { widget: 'number', step: 1e-8, group: 'adam', advanced: true } },
    d_steps_per_g: { type: 'int', default: 1, min: 1, max: 16, doc: 'Discriminator steps per generator step.', ui: { widget: 'number', group: 'steps' } },
    order: {
      type: 'enum',
      options: STEP_ORDERS,
      default: 'g-then-d',
      doc: 'g-then-d as SPADE/LGGAN semantic synthesis; d-then-g as the cross-view code.',
      ui: { widget: 'select', group: 'steps' },
    },
    niter: { type: 'int', default: 100, min: 0, max: 100_000_000, doc: 'Epochs (or iterations) at the initial learning rates.', ui: { widget: 'number', group: 'schedule' } },
    niter_decay: { type: 'int', default: 100, min: 0, max: 100_000_000, doc: 'Epochs (or iterations) of linear decay to 0 after niter.', ui: { widget: 'number', group: 'schedule' } },
    schedule_unit: {
      type: 'enum',
      options: SCHEDULE_UNITS,
      default: 'epoch',
      doc: 'Whether niter and niter_decay count epochs (official) or iterations.',
      ui: { widget: 'select', group: 'schedule' },
    },
    decay_rule: {
      type: 'enum',
      options: DECAY_RULES,
      default: 'spade',
      doc: "spade: SPADE/LGGAN semantic synthesis; pix2pix: the cross-view code's LambdaLR rule (one step earlier, over niter_decay + 1).",
      ui: { widget: 'select', group: 'schedule', advanced: true },
    },
    batch_size: {
      type: 'int',
      default: 'batch',
      min: 1,
      max: 4096,
      template: true,
      doc: 'Samples per step; defaults to the graph template batch (official: 8 for Cityscapes, 24 for ADE20K, 4 cross-view).',
      ui: { widget: 'number', group: 'data' },
    },
    seed: { type: 'int', default: 0, min: 0, max: 2 ** 31 - 1, doc: 'Seed for data order and sampling.', ui: { widget: 'number', group: 'data' } },
  },
  inputs: portsOf,
  outputs: [],
  infer({ inputs, params }) {
    for (const port of portsOf(params)) requireScalarLoss(inputs, port.name);
    if (connectedLossPorts(params, 'G', (port) => inputs[port] !== undefined).length === 0) {
      const first = gLossPort(0);
      throw new NodeRuleError(`no generator loss is connected: wire a loss into '${first}' (or another g_loss port), or nothing would train G`, { port: first });
    }
    return {};
  },
  cost() {
    return { params: 0, macs: 0, buffers: 0 };
  },
  pytorch: () => ({ role: 'trainer', python: '' }),
  build(_ctx, { inputs, params }) {
    const connected = (port: string) => inputs[port] !== undefined;
    const g = connectedLossPorts(params, 'G', connected);
    const d = connectedLossPorts(params, 'D', connected);
    return (values) =>
      tf.tidy(() => ({
        g_total: sum(g.map((port) => values[port])),
        d_total: sum(d.map((port) => values[port])),
      }));
  },
};
