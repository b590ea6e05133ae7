import { describe, expect, it } from 'vitest';
import { chain } from './fixtures.test-util.ts';
import { fakeRegistry } from './fixtures.test-util.ts';
import { checkMemoryBudget, estimateMemory, MemoryBudgetError } from './memory.ts';
import { resolveGraph } from './resolve.ts';

const registry = fakeRegistry();

describe('memory estimate and budget', () => {
  // chain(): input 1×4×6×2 → two per-channel scales (2·2 params each) → output.
  it('adds weights, Adam moments and activations (doubled for training) from the cost model', () => {
    const ir = resolveGraph(chain(), registry, { batch: 3 });
    const activations = 3 * (3 * 4 * 6 * 2 * 4); // three node outputs of 3·4·6·2 floats
    expect(estimateMemory(ir, { training: false })).toEqual({
      batch: 3,
      training: false,
      weightBytes: 8 * 4,
      optimizerBytes: 0,
      activationBytes: activations,
      largestTensorBytes: 3 * 4 * 6 * 2 * 4,
      totalBytes: 32 + activations,
    });
    const training = estimateMemory(ir, { training: true });
    expect(training.optimizerBytes).toBe(2 * 8 * 4);
    expect(training.activationBytes).toBe(2 * activations);
    expect(training.totalBytes).toBe(32 + 64 + 2 * activations);
  });

  it('refuses an estimate over the backend total, naming the estimate, its parts and the limit', () => {
    const estimate = estimateMemory(resolveGraph(chain(), registry, { batch: 1000 }), { training: true });
    expect(() => checkMemoryBudget(estimate, { backend: 'webgpu', totalBytes: 2 ** 20 })).toThrow(MemoryBudgetError);
    expect(() => checkMemoryBudget(estimate, { backend: 'webgpu', totalBytes: 2 ** 20 })).toThrow(
      /^training this graph needs about 1\.1 MiB \(weights 32 B, optimizer 64 B, activations 1\.1 MiB at batch 1000\), more than the webgpu backend's 1\.0 MiB/,
    );
    expect(() => checkMemoryBudget(estimate, { backend: 'webgl', maxTensorBytes: 100_000 })).toThrow(
      /largest tensor needs 187\.5 KiB at batch 1000, more than the webgl backend's largest buffer of 97\.7 KiB/,
    );
    expect(() => checkMemoryBudget(estimate, { backend: 'cpu', totalBytes: 2 ** 30, maxTensorBytes: 2 ** 30 })).not.toThrow();
    expect(() => checkMemoryBudget(estimate, { backend: 'cpu' })).not.toThrow(); // unknown limits check nothing
  });
});
