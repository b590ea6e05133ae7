/**
 * Progress, speed and time left of a run: the speed reading (steps/s or s/step, images/s) and the
 * time left come from the wall times of its steps.
 *
 * Why the first step is left out: the first step after a run starts (or resumes in a fresh
 * worker) compiles kernels and shaders and allocates the weights' gradients — 6–8 s of shader
 * compilation on WebGPU for a conv net, where later steps take ~1 s. Counting it made the reading
 * (and the time left) wildly slow at the start and kept it off for many steps under the moving
 * average. So the warm-up step is not counted, the reading says "measuring…" until a steady step
 * is timed, and from then on it is an exponential moving average (one slow step — a sample render,
 * an autosave — does not swing it).
 */

export interface Throughput {
  /** Steps timed since the run (re)started, warm-up included. */
  timed: number;
  /** Smoothed milliseconds per steady step; undefined while measuring. */
  msPerStep?: number;
  /** Images per step (the run's batch size). */
  batchSize: number;
}

/** Steps at the start of a run that compile and warm up, left out of the reading. */
export const WARM_UP_STEPS = 1;
/** Weight of the newest step in the average. */
const ALPHA = 0.3;

export function startThroughput(batchSize: number): Throughput {
  return { timed: 0, batchSize: Math.max(1, batchSize) };
}

/** Takes one step's wall time in; warm-up steps and unusable times change nothing but the count. */
export function addStep(state: Throughput, stepMs: number): Throughput {
  if (!(stepMs >= 0) || !Number.isFinite(stepMs)) return state;
  const timed = state.timed + 1;
  if (timed <= WARM_UP_STEPS) return { ...state, timed };
  const msPerStep = state.msPerStep === undefined ? stepMs : ALPHA * stepMs + (1 - ALPHA) * state.msPerStep;
  return { ...state, timed, msPerStep };
}

/** Milliseconds left to reach `total` from `done`; undefined while measuring. */
export function remainingMs(state: Throughput, done: number, total: number): number | undefined {
  if (state.msPerStep === undefined) return undefined;
  return Math.max(0, total - done) * state.msPerStep;
}

const figure = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * "measuring…", "3.42 steps/s · 3.42 img/s", or for slow runs "12.5 s/step · 0.08 img/s"
 * (below one step a second, seconds per step read better than a small fraction).
 */
export function formatThroughput(state: Throughput): string {
  const ms = state.msPerStep;
  if (ms === undefined) return state.timed === 0 ? 'measuring… (first step)' : 'measuring… (the first step warms up)';
  const perSecond = 1000 / Math.max(ms, 1e-3);
  const speed = perSecond >= 1 ? `${figure(perSecond)} steps/s` : `${figure(ms / 1000)} s/step`;
  return `${speed} · ${figure(perSecond * state.batchSize)} img/s`;
}

/** "45 s", "3 min 20 s", "2 h 05 min"; "–" when unknown. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Fraction done, 0…1, of a run from `from` to `total` steps currently at `step`. */
export function progressFraction(step: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.min(1, Math.max(0, step / total));
}
