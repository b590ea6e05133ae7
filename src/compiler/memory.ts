/**
 * Memory safety valve: an estimate of what a graph needs on a backend, from the cost model alone,
 * checked against the backend's limits BEFORE any variable is allocated, so an oversized graph or
 * batch is refused with the estimate and the limit instead of crashing the tab or the process.
 */
import { numel } from '../../nodes/dims.ts';
import { formatBytes } from './byte-size.ts';
import type { GraphIR } from './ir.ts';

export interface MemoryEstimate {
  batch: number;
  training: boolean;
  /** Parameters and buffers, float32. */
  weightBytes: number;
  /** Adam's two moments per trainable parameter (training only). */
  optimizerBytes: number;
  /**
   * Every node output at the batch size; doubled for training, where the backward pass holds a
   * gradient per saved activation. A rough upper bound for inference, a rough lower one for training.
   */
  activationBytes: number;
  /** The largest single node output: what one GPU buffer must hold. */
  largestTensorBytes: number;
  totalBytes: number;
}

export interface MemoryLimits {
  backend: string;
  /** Memory the backend can use in all (absent when unknown). */
  totalBytes?: number;
  /** The largest single buffer or texture (absent when unknown). */
  maxTensorBytes?: number;
}

export class MemoryBudgetError extends Error {
  constructor(
    readonly estimate: MemoryEstimate,
    readonly limits: MemoryLimits,
    message: string,
  ) {
    super(message);
    this.name = 'MemoryBudgetError';
  }
}

export function estimateMemory(ir: GraphIR, options: { training: boolean }): MemoryEstimate {
  let largestTensorBytes = 0;
  let trainableParams = 0;
  for (const n of ir.nodes.values()) {
    trainableParams += n.cost.params;
    for (const t of Object.values(n.outputs)) if (t.kind !== 'network') largestTensorBytes = Math.max(largestTensorBytes, 4 * numel(t.shape));
  }
  const weightBytes = ir.total.weightBytes;
  const optimizerBytes = options.training ? 2 * 4 * trainableParams : 0;
  const activationBytes = ir.total.activationBytes * (options.training ? 2 : 1);
  return {
    batch: ir.batch,
    training: options.training,
    weightBytes,
    optimizerBytes,
    activationBytes,
    largestTensorBytes,
    totalBytes: weightBytes + optimizerBytes + activationBytes,
  };
}

/** Throws MemoryBudgetError, naming the estimate, its parts and the limit, when a limit is exceeded. */
export function checkMemoryBudget(estimate: MemoryEstimate, limits: MemoryLimits): void {
  const parts =
    `weights ${formatBytes(estimate.weightBytes)}` +
    (estimate.training ? `, optimizer ${formatBytes(estimate.optimizerBytes)}` : '') +
    `, activations ${formatBytes(estimate.activationBytes)} at batch ${estimate.batch}`;
  const what = estimate.training ? 'training' : 'running';
  if (limits.totalBytes !== undefined && estimate.totalBytes > limits.totalBytes) {
    throw new MemoryBudgetError(
      estimate,
      limits,
      `${what} this graph needs about ${formatBytes(estimate.totalBytes)} (${parts}), more than the ${limits.backend} backend's ` +
        `${formatBytes(limits.totalBytes)}; lower the batch size, the template size or the widths`,
    );
  }
  if (limits.maxTensorBytes !== undefined && estimate.largestTensorBytes > limits.maxTensorBytes) {
    throw new MemoryBudgetError(
      estimate,
      limits,
      `its largest tensor needs ${formatBytes(estimate.largestTensorBytes)} at batch ${estimate.batch}, more than the ` +
        `${limits.backend} backend's largest buffer of ${formatBytes(limits.maxTensorBytes)}; lower the batch size or the template size`,
    );
  }
}
