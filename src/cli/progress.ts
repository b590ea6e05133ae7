/**
 * Progress of a long loop on stderr: on a terminal one redrawn line with a bar, elsewhere (a log
 * file, CI, tests) one plain line per update. Other lines printed through `log` never get mixed
 * into the bar.
 */
import type { CliIO } from './io.ts';

export interface ProgressUpdate {
  /** Units done so far (steps), counting those done before a resume. */
  done: number;
  /** Extra text for this update (the step's losses). */
  detail?: string;
}

export interface Progress {
  update(u: ProgressUpdate): void;
  /** A line of its own on stderr (a note, a metric), printed above the bar. */
  log(line: string): void;
  /** Clears the bar (call once, at the end or on error). */
  finish(): void;
}

/** 75 → "1m 15s", 3725 → "1h 2m", 8 → "8s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function bar(fraction: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export interface ProgressLineInput {
  done: number;
  total: number;
  /** Units done in this session and the seconds they took (a resumed run's earlier units don't count). */
  sessionDone: number;
  elapsedSeconds: number;
  /** Images per unit (the batch size), for the rate. */
  perUnit: number;
  detail?: string;
  withBar: boolean;
}

export function progressLine(p: ProgressLineInput): string {
  const percent = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 100;
  const secondsPerUnit = p.sessionDone > 0 ? p.elapsedSeconds / p.sessionDone : NaN;
  const rate = p.elapsedSeconds > 0 ? (p.sessionDone * p.perUnit) / p.elapsedSeconds : NaN;
  const eta = formatDuration((p.total - p.done) * secondsPerUnit);
  const width = String(p.total).length;
  const parts = [
    `step ${String(p.done).padStart(width)}/${p.total}`,
    p.withBar ? `${bar(p.done / p.total)} ${String(percent).padStart(3)}%` : `(${percent}%)`,
    ...(p.detail ? [p.detail] : []),
    `${Number.isFinite(rate) ? rate.toFixed(rate < 10 ? 2 : 1) : '?'} img/s`,
    `ETA ${eta}`,
  ];
  return parts.join('  ');
}

export function createProgress(io: CliIO, options: { total: number; start: number; perUnit: number; now?: () => number }): Progress {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const live = io.isTTY === true && io.status !== undefined;
  let shown = false;
  return {
    update({ done, detail }) {
      const line = progressLine({
        done,
        total: options.total,
        sessionDone: done - options.start,
        elapsedSeconds: (now() - started) / 1000,
        perUnit: options.perUnit,
        detail,
        withBar: live,
      });
      if (live) {
        io.status!(line);
        shown = true;
      } else {
        io.err(line);
      }
    },
    log(line) {
      if (shown) io.status!('');
      shown = false;
      io.err(line);
    },
    finish() {
      if (shown) io.status!('');
      shown = false;
    },
  };
}
