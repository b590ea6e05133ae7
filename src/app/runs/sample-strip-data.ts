/**
 * Which sample snapshot of each run the Compare view's sample strip (SampleStrip.svelte) shows:
 * the steps to choose from and, per run, the snapshot at the chosen step or the latest before it.
 * Pure, so it is unit-tested.
 */
import type { RunSampleSnapshot } from '../../runs/run-record.ts';

/** Every step at which some run has a snapshot, ascending, each once. */
export function snapshotSteps(runs: readonly { samples: readonly RunSampleSnapshot[] }[]): number[] {
  const steps = new Set<number>();
  for (const run of runs) for (const s of run.samples) if (Number.isFinite(s.step)) steps.add(s.step);
  return [...steps].sort((a, b) => a - b);
}

/**
 * The run's snapshot at `step`, else its latest one before it (the caption then gives its own step),
 * or null when the run has none that early. Does not rely on the snapshots being in order.
 */
export function snapshotAtOrBefore(samples: readonly RunSampleSnapshot[], step: number): RunSampleSnapshot | null {
  let best: RunSampleSnapshot | null = null;
  for (const s of samples) if (s.step <= step && (best === null || s.step > best.step)) best = s;
  return best;
}
