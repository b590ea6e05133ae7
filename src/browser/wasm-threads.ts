/**
 * Every core for tfjs-wasm's XNNPACK thread pool in a cross-origin isolated realm.
 *
 * tfjs-wasm 4.22 caps its pool inside the compiled module: threads = min(asked, 8, cores), where
 * cores = navigator.hardwareConcurrency / 2 (it assumes two hyperthreads per core), read once when
 * the module starts. setThreadsCount alone can therefore never go past half the logical cores: a
 * 2-core machine ran wasm on 1 thread. The module reads the count through one JS import
 * (emscripten_num_logical_cores → navigator.hardwareConcurrency), so for the backend's first start
 * the realm's navigator reports twice the threads wanted, and the real value is back right after.
 * The 8 is the pthread workers the threaded build preloads; without isolation there is no
 * SharedArrayBuffer and no threads.
 */
export const WASM_PRELOADED_WORKERS = 8;

/** The threads to ask for, or undefined to leave tfjs's default (no isolation, unknown core count). */
export function wasmThreadCount(crossOriginIsolated: boolean, hardwareConcurrency: number | undefined): number | undefined {
  if (!crossOriginIsolated) return undefined;
  if (!Number.isInteger(hardwareConcurrency) || hardwareConcurrency! < 1) return undefined;
  return Math.min(hardwareConcurrency!, WASM_PRELOADED_WORKERS);
}

/**
 * Runs `start` (the wasm backend's first initialisation) while `navigator.hardwareConcurrency`
 * reads 2 × `threads`, so tfjs-wasm's halving cap lets `threads` through; then removes the
 * override (an own property shadowing the prototype's getter), however `start` ends.
 */
export async function withWasmCoreCount<T>(navigator: object, threads: number, start: () => Promise<T>): Promise<T> {
  if (Object.prototype.hasOwnProperty.call(navigator, 'hardwareConcurrency')) return start(); // someone else's override: leave it
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: threads * 2, configurable: true });
  try {
    return await start();
  } finally {
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}
