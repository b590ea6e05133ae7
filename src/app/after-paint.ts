/**
 * Runs `work` in a task after the browser has painted its next frame: for work that must not hold
 * back showing what is on screen now (opening a 2,000-node graph). Returns a function that cancels it.
 */
export function afterNextPaint(work: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A timer set in a frame callback runs once that frame's rendering is done.
  const frame = requestAnimationFrame(() => (timer = setTimeout(work, 0)));
  return () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}
