/**
 * Benchmark-only page (bench-train.html), for bench/train.ts and bench/cpu.ts: runs a graph's
 * training steps in the real training worker (TrainingClient → training-worker.ts, synthetic data,
 * no samples or autosaves), or its generator in the real generation worker, on a forced backend,
 * and returns the wall time of each step or generation.
 */
import type { BrowserBackend } from '../../src/browser/backend.ts';
import { TrainingClient } from '../../src/browser/client.ts';
import { GenerateClient } from '../../src/browser/generate-client.ts';

export interface BenchResult {
  backend: string;
  /** Milliseconds per step or generation, in order (the first includes shader compilation and warm-up). */
  ms: number[];
  error?: string;
  /** What the backend runs with (its attempt's note: wasm's SIMD and threads). */
  note?: string;
}

function benchTrain(graph: unknown, backend: BrowserBackend, steps: number, batchSize: number): Promise<BenchResult> {
  const client = new TrainingClient();
  const ms: number[] = [];
  let note: string | undefined;
  return new Promise((resolve) => {
    const end = (result: BenchResult) => {
      client.dispose();
      resolve(result);
    };
    client.subscribe((event) => {
      if (event.type === 'progress') ms.push(event.ms);
      else if (event.type === 'started') note = event.attempts.find((a) => a.ok && a.name === event.backend)?.note;
      else if (event.type === 'finished') end({ backend, ms, note });
      else if (event.type === 'error') end({ backend, ms, error: `${event.error.kind}: ${event.error.message}` });
      else if (event.type === 'crashed') end({ backend, ms, error: `worker crashed: ${event.message}` });
    });
    client.start(graph, { steps, seed: 1, batchSize, backend, autosaveEvery: 0, sampleEvery: 0, dataset: { kind: 'synthetic', seed: 1, count: 4 } });
  });
}

/**
 * `repeats` generations from one label map (every pixel class id (x + y) mod numClasses) with the
 * graph's initial weights; the worker's own timing of each (forward pass and reading the images back).
 */
async function benchGenerate(graph: unknown, backend: BrowserBackend, repeats: number): Promise<BenchResult> {
  const client = new GenerateClient();
  const ms: number[] = [];
  try {
    const loaded = await client.load(graph, { backend });
    const { width, height, numClasses } = loaded.generator;
    const data = Int32Array.from({ length: width * height }, (_, i) => ((i % width) + Math.floor(i / width)) % numClasses);
    for (let i = 0; i < repeats; i++) ms.push((await client.generate({ width, height, data })).ms);
    return { backend: loaded.backend, ms, note: loaded.attempts.find((a) => a.ok && a.name === loaded.backend)?.note };
  } catch (e) {
    return { backend, ms, error: e instanceof Error ? e.message : String(e) };
  } finally {
    client.dispose();
  }
}

declare global {
  interface Window {
    benchTrain: typeof benchTrain;
    benchGenerate: typeof benchGenerate;
  }
}
window.benchTrain = benchTrain;
window.benchGenerate = benchGenerate;
document.body.dataset.ready = 'true';
