import { describe, expect, it } from 'vitest';
import type { CliIO } from './io.ts';
import { bar, createProgress, formatDuration, progressLine } from './progress.ts';

describe('progress', () => {
  it('formats durations and bars', () => {
    expect([formatDuration(8), formatDuration(75), formatDuration(3725), formatDuration(NaN)]).toEqual(['8s', '1m 15s', '1h 2m', '?']);
    expect(bar(0.5, 10)).toBe('█████░░░░░');
    expect(bar(2, 4)).toBe('████');
  });

  it('shows step, percent, losses, images/s and an ETA from this session only', () => {
    const base = { total: 100, perUnit: 4, detail: 'g 1.5 d 0.5' };
    // Resumed at 40: 10 steps in 20 s → 2 s/step, 2 img/s, 50 steps left.
    expect(progressLine({ ...base, done: 50, sessionDone: 10, elapsedSeconds: 20, withBar: false })).toBe('step  50/100  (50%)  g 1.5 d 0.5  2.00 img/s  ETA 1m 40s');
    expect(progressLine({ ...base, done: 50, sessionDone: 10, elapsedSeconds: 20, withBar: true })).toBe('step  50/100  ██████████░░░░░░░░░░  50%  g 1.5 d 0.5  2.00 img/s  ETA 1m 40s');
  });

  function recorder(tty: boolean) {
    const calls: string[] = [];
    const io: CliIO = { out: () => {}, err: (l) => calls.push(`err ${l}`), readFile: async () => '', isTTY: tty, status: (l) => calls.push(`status ${l}`) };
    let t = 0;
    return { calls, progress: createProgress(io, { total: 2, start: 0, perUnit: 1, now: () => (t += 1000) }) };
  }

  it('prints a line per update off a terminal', () => {
    const { calls, progress } = recorder(false);
    progress.update({ done: 1 });
    progress.log('a note');
    progress.finish();
    expect(calls).toEqual(['err step 1/2  (50%)  1.00 img/s  ETA 1s', 'err a note']);
  });

  it('redraws one status line on a terminal, clearing it for other lines and at the end', () => {
    const { calls, progress } = recorder(true);
    progress.update({ done: 1 });
    progress.log('a note');
    progress.update({ done: 2 });
    progress.finish();
    progress.finish();
    expect(calls).toEqual([
      expect.stringMatching(/^status step 1\/2 {2}█{10}░{10} {2}50%/),
      'status ',
      'err a note',
      expect.stringMatching(/^status step 2\/2 {2}█{20} 100% .* ETA 0s$/),
      'status ',
    ]);
  });
});
