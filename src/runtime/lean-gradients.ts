/**
 * Backpropagation that frees memory as it goes. tfjs-core 4.x's engine.gradients keeps, until the
 * whole backward pass ends: the gradient of every intermediate tensor, every second and later
 * contribution to a tensor's gradient (it disposes the running sum but not the part it added), and
 * every tensor the forward pass saved for the backward one. So a training step's peak holds the
 * activations, their gradients and the saved tensors all at once: for the full-width LGGAN
 * generator at 128×64 that passed wasm's 4 GiB heap.
 *
 * Here the tape is walked in the same order with the same gradient functions and the same sums
 * (so the gradients are bit-identical), but:
 *  - once a node is processed, the gradients of its outputs are released (every consumer of an
 *    output comes later on the tape, so it was processed already);
 *  - a contribution is released once added to the running sum;
 *  - the node's saved tensors are released (each node owns its saved clones).
 * A tensor is released only when no other gradient entry holds the same Tensor object (a gradient
 * function may hand back its upstream gradient itself), never the caller's dy, never a result.
 * Nested (higher-order) gradients keep tfjs's own behaviour: the outer tape still needs its saved
 * tensors, so they go to the original implementation.
 *
 * Installed on the one tfjs engine by the Node and browser backend set-up.
 */
import * as tf from '@tensorflow/tfjs-core';

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

type GradientsFn = (f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean) => { value: tf.Tensor; grads: tf.Tensor[] };

/** The engine internals this module relies on (tfjs-core 4.x). */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  gradients: GradientsFn;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
}

const ORIGINAL = Symbol('tfjs gradients before lean-gradients');

function engine(): EngineInternals & { [ORIGINAL]?: GradientsFn } {
  return tf.engine() as unknown as EngineInternals & { [ORIGINAL]?: GradientsFn };
}

/**
 * The nodes on a path from some x to y, in tape order, each with only the inputs that depend on an
 * x (the others need no gradient).
 */
export function nodesFromXsToY(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const dependsOnX = new Set(xs.map((x) => x.id));
  const fromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => dependsOnX.has(input.id))) {
      fromX.add(node.id);
      for (const output of node.outputs) dependsOnX.add(output.id);
    }
  }
  const leadsToY = new Set([y.id]);
  const toY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((output) => leadsToY.has(output.id))) {
      toY.add(node.id);
      for (const input of Object.values(node.inputs)) leadsToY.add(input.id);
    }
  }
  return tape
    .filter((node) => fromX.has(node.id) && toY.has(node.id))
    .map((node) => ({ ...node, inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, input]) => dependsOnX.has(input.id))) }));
}

/** Gradient entries by tensor id, freeing a Tensor object once no entry holds it. */
class GradientMap {
  private readonly byId = new Map<number, tf.Tensor>();
  private readonly holders = new Map<tf.Tensor, number>();

  constructor(private readonly keep: ReadonlySet<tf.Tensor>) {}

  get(id: number): tf.Tensor | undefined {
    return this.byId.get(id);
  }

  /** Adds `dx` to the gradient of tensor `id` (or makes it that gradient). */
  accumulate(id: number, dx: tf.Tensor): void {
    const current = this.byId.get(id);
    if (!current) return this.set(id, dx);
    this.set(id, tf.add(current, dx));
    this.releaseIfFree(dx);
  }

  /** Whether some entry holds this Tensor object. */
  holds(t: tf.Tensor): boolean {
    return (this.holders.get(t) ?? 0) > 0;
  }

  /** Drops the entry for tensor `id`. */
  drop(id: number): void {
    const current = this.byId.get(id);
    if (!current) return;
    this.byId.delete(id);
    this.holders.set(current, (this.holders.get(current) ?? 1) - 1);
    this.releaseIfFree(current);
  }

  private set(id: number, t: tf.Tensor): void {
    const previous = this.byId.get(id);
    this.byId.set(id, t);
    this.holders.set(t, (this.holders.get(t) ?? 0) + 1);
    if (previous) {
      this.holders.set(previous, (this.holders.get(previous) ?? 1) - 1);
      this.releaseIfFree(previous);
    }
  }

  private releaseIfFree(t: tf.Tensor): void {
    if ((this.holders.get(t) ?? 0) > 0 || this.keep.has(t)) return;
    this.holders.delete(t);
    t.dispose();
  }
}

function leanGradients(this: EngineInternals, f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients = false): { value: tf.Tensor; grads: tf.Tensor[] } {
  const self = engine();
  if (self.state.gradientDepth > 0) return self[ORIGINAL]!.call(this, f, xs, dy, allowNoGradients);
  if (xs.length === 0) throw new Error('gradients() received an empty list of xs.');
  if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
  const y = self.scopedRun(
    () => self.startTape(),
    () => self.endTape(),
    () => self.tidy('forward', f),
  );
  if (!(y instanceof tf.Tensor)) throw new Error('The result y returned by f() must be a tensor.');
  const tape = self.state.activeTape ?? [];
  const nodes = nodesFromXsToY(tape, xs, y);
  if (!allowNoGradients && nodes.length === 0 && xs.length > 0) {
    throw new Error('Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.');
  }
  const resultTensors = new Set<tf.Tensor>();
  try {
    return self.tidy('backward', () => {
      const xIds = new Set(xs.map((x) => x.id));
      const seed = dy ?? tf.ones(y.shape);
      const grads = new GradientMap(new Set(dy ? [dy] : []));
      grads.accumulate(y.id, seed);
      for (let i = nodes.length - 1; i >= 0; i--) {
        const node = nodes[i];
        if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
        const inputGradients = node.gradient(node.outputs.map((o) => grads.get(o.id) ?? null));
        for (const [name, x] of Object.entries(node.inputs)) {
          if (!(name in inputGradients)) throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGradients)}.`);
          const dx = self.tidy(() => inputGradients[name]());
          if (dx.dtype !== 'float32') throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`);
          if (!tf.util.arraysEqual(dx.shape, x.shape)) {
            throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`);
          }
          grads.accumulate(x.id, dx);
        }
        // Every consumer of these outputs came later on the tape: their gradients are spent.
        for (const output of node.outputs) if (!xIds.has(output.id)) grads.drop(output.id);
        for (const saved of node.saved ?? []) if (!grads.holds(saved)) saved.dispose();
      }
      // An x that y does not depend on gets undefined, as in tfjs (variableGrads skips it).
      const result = xs.map((x) => grads.get(x.id)) as tf.Tensor[];
      for (const t of result) if (t) resultTensors.add(t);
      return { value: y, grads: result };
    });
  } finally {
    // As tfjs does after a (non-nested) backward pass, also when it failed half-way. A saved
    // tensor a gradient function handed back as a result stays alive: the result holds it.
    for (const node of tape) for (const saved of node.saved ?? []) if (!resultTensors.has(saved)) saved.dispose();
    self.state.activeTape = null;
  }
}

/** Makes the engine's gradients (tf.grad, tf.grads, tf.variableGrads, optimizers) lean; idempotent. */
export function installLeanGradients(): void {
  const self = engine();
  if (self[ORIGINAL]) return;
  self[ORIGINAL] = self.gradients;
  self.gradients = leanGradients as GradientsFn;
}

/** tfjs's own gradients, for comparisons in tests and benchmarks. */
export function withOriginalGradients<T>(run: () => T): T {
  const self = engine();
  const original = self[ORIGINAL];
  if (!original) return run();
  const lean = self.gradients;
  self.gradients = original;
  try {
    return run();
  } finally {
    self.gradients = lean;
  }
}
