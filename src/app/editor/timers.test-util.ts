/** Test support: the autosaver's timers, fired by hand. */
import type { Timers } from './autosave.ts';

export function manualTimers(): Timers & { fire(): void; pending(): number } {
  let queue: (() => void)[] = [];
  return {
    setTimeout: (fn) => (queue.push(fn), fn),
    clearTimeout: (h) => (queue = queue.filter((f) => f !== h)),
    fire() {
      const q = queue;
      queue = [];
      for (const f of q) f();
    },
    pending: () => queue.length,
  };
}
