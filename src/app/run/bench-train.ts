/**
 * Benchmark-only page (bench-train.html): runs a graph's training steps in the real training worker
 * (TrainingClient → training-worker.ts, synthetic data, no samples or autosaves) on a
 * forced backend and returns the wall time of each step, for bench/train.ts.
 */
import { TrainingClient } from '../../runtime/browser/client.ts';

export interface BenchResult {
  backend: string;
  /** Milliseconds per step, in order (the first includes shader compilation and warm-up). */
  ms: number[];
  error?: string;
}

function benchTrain(graph: unknown, backend: 'webgpu' | 'webgl' | 'cpu', steps: number, batchSize: number): Promise<BenchResult> {
  const client = new TrainingClient();
  const ms: number[] = [];
  return new Promise((resolve) => {
    const end = (result: BenchResult) => {
      client.dispose();
      resolve(result);
    };
    client.subscribe((event) => {
      if (event.type === 'progress') ms.push(event.ms);
      else if (event.type === 'finished') end({ backend, ms });
      else if (event.type === 'error') end({ backend, ms, error: `${event.error.kind}: ${event.error.message}` });
      else if (event.type === 'crashed') end({ backend, ms, error: `worker crashed: ${event.message}` });
    });
    client.start(graph, { steps, seed: 1, batchSize, backend, autosaveEvery: 0, sampleEvery: 0, dataset: { kind: 'synthetic', seed: 1, count: 4 } });
  });
}

declare global {
  interface Window {
    benchTrain: typeof benchTrain;
  }
}
window.benchTrain = benchTrain;
document.body.dataset.ready = 'true';
