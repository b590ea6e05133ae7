/** LGGAN_WASM_THREADS, apart from wasm-threads-node.ts so a command line can check it without loading tfjs. */

/** The pthread workers tfjs-wasm's threaded build preloads, so the most threads that can start. */
export const WASM_PRELOADED_WORKERS = 8;

/** Threads asked for in the environment: undefined for the default single-threaded build. */
export function wasmThreadsFromEnv(env: Record<string, string | undefined>): number | undefined {
  const value = env.LGGAN_WASM_THREADS?.trim();
  if (!value) return undefined;
  const threads = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(threads >= 1 && threads <= WASM_PRELOADED_WORKERS)) {
    throw new RangeError(`LGGAN_WASM_THREADS must be a whole number from 1 to ${WASM_PRELOADED_WORKERS}, not ${JSON.stringify(value)}`);
  }
  return threads === 1 ? undefined : threads;
}
