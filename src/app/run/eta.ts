/**
 * Progress and time left of a run, from the wall times of its recent steps (an exponential moving
 * average, so one slow step — a sample render, an autosave — does not swing the estimate).
 */

export interface EtaState {
  /** Smoothed milliseconds per step; undefined before the first timed step. */
  msPerStep?: number;
}

/** Weight of the newest step in the average. */
const ALPHA = 0.3;

export function updateEta(state: EtaState, stepMs: number): EtaState {
  if (!(stepMs >= 0) || !Number.isFinite(stepMs)) return state;
  return { msPerStep: state.msPerStep === undefined ? stepMs : ALPHA * stepMs + (1 - ALPHA) * state.msPerStep };
}

/** Milliseconds left to reach `total` from `done`; undefined until a step was timed. */
export function remainingMs(state: EtaState, done: number, total: number): number | undefined {
  if (state.msPerStep === undefined) return undefined;
  return Math.max(0, total - done) * state.msPerStep;
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
