/**
 * Adam for one side of a GAN, with its state keyed by the variables' stable names.
 *
 * The arithmetic is tfjs's AdamOptimizer op for op (so results match tf.train.adam exactly, see
 * adam.test.ts), with an explicit epsilon (tfjs's default is the backend's: 1e-4 on WebGL) and a
 * learning rate that a schedule may change every step. It is our own class rather than
 * tf.train.adam because tfjs's optimizer keeps its moments by *position* in the gradient map
 * (a step where a different set of variables has gradients mixes them up), exposes them only
 * through async getWeights/setWeights, and keeps the learning rate protected.
 *
 * Like PyTorch, a variable without a gradient in a step is left alone (moments and value); the
 * update counter is per side, as in tfjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hostPaths, valuesInPlace } from '../../../nodes/core/host-values.ts';

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** β^t as tfjs accumulates it: a float32 product, one factor per update (bitwise stable on resume). */
function accumulatedPower(beta: number, updates: number): number {
  const b = Math.fround(beta);
  let acc = b;
  for (let i = 1; i < updates; i++) acc = Math.fround(acc * b);
  return acc;
}

/** Where the update runs (the gradient check follows the same choice); tests can spy on it to run either path on any backend. */
export const adamPaths = hostPaths;

export class NamedAdam {
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  private updates = 0;
  /** β1^(updates+1), β2^(updates+1): the factors the next update's bias correction uses. */
  private accBeta1: number;
  private accBeta2: number;

  constructor(settings: AdamSettings) {
    this.learningRate = settings.learningRate;
    this.beta1 = settings.beta1;
    this.beta2 = settings.beta2;
    this.epsilon = settings.epsilon;
    this.accBeta1 = accumulatedPower(this.beta1, 1);
    this.accBeta2 = accumulatedPower(this.beta2, 1);
  }

  /** Updates applied so far. */
  get updateCount(): number {
    return this.updates;
  }

  /** One update of `variables` (by stable name) from `grads`; names without a gradient are skipped. */
  apply(variables: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>): void {
    const { beta1, beta2, epsilon, learningRate } = this;
    const onHost = adamPaths.onHost(tf.getBackend());
    for (const [name, grad] of grads) {
      const variable = variables.get(name);
      if (!variable) throw new Error(`Adam: no variable '${name}' to update`);
      const slot = this.slot(name, variable);
      if (onHost) {
        this.applyOnHost(variable, slot, grad);
        continue;
      }
      tf.tidy(() => {
        const oneMinusAccBeta1 = tf.sub(1, tf.scalar(this.accBeta1));
        const oneMinusAccBeta2 = tf.sub(1, tf.scalar(this.accBeta2));
        const m = tf.add(tf.mul(slot.m, beta1), tf.mul(grad, 1 - beta1));
        const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(grad), 1 - beta2));
        const mHat = tf.div(m, oneMinusAccBeta1);
        const vHat = tf.div(v, oneMinusAccBeta2);
        slot.m.assign(m);
        slot.v.assign(v);
        variable.assign(tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), -learningRate), variable));
      });
    }
    this.updates += 1;
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(beta2));
  }

  /**
   * The same update as the tensor ops above, in one pass over the values: every step rounded to
   * float32 as each op's result is (Math.fround), so the result is bit for bit the same. For
   * backends whose tensors live in this thread (wasm, cpu), where ~16 small ops per variable cost
   * more than the arithmetic.
   */
  private applyOnHost(variable: tf.Variable, slot: { m: tf.Variable; v: tf.Variable }, grad: tf.Tensor): void {
    const f = Math.fround;
    const [b1, c1, b2, c2] = [f(this.beta1), f(1 - this.beta1), f(this.beta2), f(1 - this.beta2)];
    const [bias1, bias2] = [f(1 - this.accBeta1), f(1 - this.accBeta2)];
    const [eps, step] = [f(this.epsilon), f(-this.learningRate)];
    // Views into the backend's memory (no copies): read them all before the new tensors are made.
    const [g, m0, v0, w0] = [grad, slot.m, slot.v, variable].map(valuesInPlace);
    const [m, v, w] = [new Float32Array(g.length), new Float32Array(g.length), new Float32Array(g.length)];
    for (let i = 0; i < g.length; i++) {
      m[i] = f(f(m0[i] * b1) + f(g[i] * c1));
      v[i] = f(f(v0[i] * b2) + f(f(g[i] * g[i]) * c2));
      const mHat = f(m[i] / bias1);
      const vHat = f(v[i] / bias2);
      w[i] = f(f(f(mHat / f(f(Math.sqrt(vHat)) + eps)) * step) + w0[i]);
    }
    tf.tidy(() => {
      slot.m.assign(tf.tensor(m, slot.m.shape, 'float32'));
      slot.v.assign(tf.tensor(v, slot.v.shape, 'float32'));
      variable.assign(tf.tensor(w, variable.shape, 'float32'));
    });
  }

  /** The moments as `<prefix><variable>.m` / `.v`, sorted by name: live variables owned by this optimizer. */
  momentEntries(prefix: string): NamedTensor[] {
    const entries: NamedTensor[] = [];
    for (const [name, { m, v }] of [...this.moments].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      entries.push({ name: `${prefix}${name}.m`, tensor: m }, { name: `${prefix}${name}.v`, tensor: v });
    }
    return entries;
  }

  /** Replaces the state: the update count and the moments (copied; the caller keeps its tensors). */
  load(updates: number, moments: Map<string, { m: tf.Tensor; v: tf.Tensor }>, variables: Map<string, tf.Variable>): void {
    for (const [name, { m, v }] of moments) {
      const variable = variables.get(name)!;
      for (const [which, t] of [['m', m], ['v', v]] as const) {
        if (!tf.util.arraysEqual(t.shape, variable.shape)) {
          throw new Error(`optimizer state for '${name}' (${which}) has shape [${t.shape.join(', ')}], the variable has [${variable.shape.join(', ')}]`);
        }
      }
    }
    this.disposeMoments();
    for (const [name, { m, v }] of moments) {
      // tf.variable shares the initial tensor's data, so the cast copies are disposed by tidy safely.
      this.moments.set(name, tf.tidy(() => ({ m: tf.variable(tf.cast(m, 'float32'), false), v: tf.variable(tf.cast(v, 'float32'), false) })));
    }
    this.updates = updates;
    this.accBeta1 = accumulatedPower(this.beta1, updates + 1);
    this.accBeta2 = accumulatedPower(this.beta2, updates + 1);
  }

  dispose(): void {
    this.disposeMoments();
  }

  private disposeMoments(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }

  private slot(name: string, variable: tf.Variable): { m: tf.Variable; v: tf.Variable } {
    let slot = this.moments.get(name);
    if (!slot) {
      slot = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.zerosLike(variable), false) }));
      this.moments.set(name, slot);
    }
    return slot;
  }
}
