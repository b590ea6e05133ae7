/**
 * How many threads tfjs-wasm's XNNPACK pool gets, and starting the wasm backend with them.
 *
 * Default: every core (navigator.hardwareConcurrency) where the threaded SIMD build runs (it needs
 * SharedArrayBuffer, so a cross-origin isolated page or worker); 1 elsewhere (no threads there at
 * all). At most 8: the module starts 8 pthread workers and its pool takes no more.
 *
 * Override: `?wasm-threads=N` (a whole number from 1 to 8) on the page's address. The page reads it
 * (pageWasmThreads) and its clients pass it to the workers as written, in their start / load
 * messages; every realm checks it where it starts wasm (planWasmThreads). A value that is not one
 * of those is ignored with a notice that the backend's note carries (status bar, run panel, run
 * record), rather than failing wasm and falling back to a slower backend over a typo.
 *
 * Page-safe: no tfjs here (tf-browser.ts passes tfjs's setThreadsCount and setBackend in).
 */

/** The most threads tfjs-wasm 4.22 runs: its pthread pool (PTHREAD_POOL_SIZE) and XNNPACK's cap. */
export const WASM_MAX_THREADS = 8;

/** The page address's query parameter that sets the count. */
export const WASM_THREADS_PARAM = 'wasm-threads';

export interface WasmThreadsEnv {
  /** navigator.hardwareConcurrency (undefined or 0 where a browser hides it). */
  cores: number | undefined;
  /** The threaded SIMD build will run: SIMD and SharedArrayBuffer (cross-origin isolation) are there. */
  threaded: boolean;
}

export interface WasmThreadsPlan {
  threads: number;
  /** Said with the backend's details: the override in force, or why the one asked for was not used. */
  notice?: string;
}

/** An override as written, checked: a whole number from 1 to WASM_MAX_THREADS, or a RangeError saying what is wanted. */
export function parseWasmThreads(raw: unknown): number {
  const text = typeof raw === 'string' ? raw.trim() : '';
  const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= WASM_MAX_THREADS)) {
    // The value comes from an address (or a message): quoted and cut short, only ever shown as text.
    const written = typeof raw === 'string' ? raw : String(raw);
    const shown = JSON.stringify(written.length > 20 ? `${written.slice(0, 20)}…` : written);
    throw new RangeError(`?${WASM_THREADS_PARAM}=${shown} ignored: a whole number from 1 to ${WASM_MAX_THREADS} is wanted`);
  }
  return n;
}

/** Threads for this realm: the override when there is a valid one, else every core (at most 8); 1 without the threaded build. */
export function planWasmThreads(env: WasmThreadsEnv, requested: unknown): WasmThreadsPlan {
  let asked: number | undefined;
  let notice: string | undefined;
  if (requested !== undefined) {
    try {
      asked = parseWasmThreads(requested);
    } catch (e) {
      notice = (e as Error).message;
    }
  }
  if (!env.threaded) {
    if (asked !== undefined && asked > 1) notice = `?${WASM_THREADS_PARAM}=${asked} has no effect: wasm runs without threads here`;
    return { threads: 1, notice };
  }
  if (asked !== undefined) return { threads: asked, notice: `?${WASM_THREADS_PARAM}=${asked}` };
  const cores = Number.isInteger(env.cores) && env.cores! > 0 ? env.cores! : 1;
  return { threads: Math.min(cores, WASM_MAX_THREADS), notice };
}

/** The page's `?wasm-threads=` as written, for this realm and for the workers; undefined in a worker or without one. */
export function pageWasmThreads(): string | undefined {
  // A worker's location is its script's address, not the page's: only a document has the page's.
  if (typeof document === 'undefined' || typeof location === 'undefined') return undefined;
  return new URLSearchParams(location.search).get(WASM_THREADS_PARAM) ?? undefined;
}

/** What starting the wasm backend needs; the real ones are tfjs's (tf-browser.ts), tests pass fakes. */
export interface WasmStarter {
  /** The realm's navigator (shadowed while the module starts). */
  navigator: object;
  /** tfjs-backend-wasm's setThreadsCount: the pool size asked for, before the module starts. */
  setThreadsCount(threads: number): void;
  /** tf.setBackend('wasm') and tf.ready(): instantiates the module on first use. */
  start(): Promise<boolean>;
}

/**
 * Starts wasm with `threads` in its pool. tfjs-backend-wasm 4.22's C++ computes
 * `num_cores = emscripten_num_logical_cores() / 2` in a static initializer, run when the module is
 * instantiated, and caps the pool at min(asked, 8, num_cores); emscripten_num_logical_cores reads
 * navigator.hardwareConcurrency. So on 2 cores setThreadsCount(2) alone still gives 1 thread. For
 * the start only, navigator gets an own hardwareConcurrency of 2 × threads (so num_cores = threads),
 * removed however the start ends (an own property that was there before is put back), so nothing
 * after it sees a made-up core count.
 */
export async function startWasm(threads: number, starter: WasmStarter): Promise<boolean> {
  starter.setThreadsCount(threads);
  const nav = starter.navigator;
  const before = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, enumerable: true, get: () => threads * 2 });
  try {
    return await starter.start();
  } finally {
    if (before) Object.defineProperty(nav, 'hardwareConcurrency', before);
    else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}
