import { describe, expect, it } from 'vitest';
import { WASM_PRELOADED_WORKERS, wasmThreadCount, withWasmCoreCount } from './wasm-threads.ts';

describe('wasmThreadCount', () => {
  it('asks for every core when the realm is cross-origin isolated', () => {
    expect(wasmThreadCount(true, 2)).toBe(2);
    expect(wasmThreadCount(true, 1)).toBe(1);
    expect(wasmThreadCount(true, 6)).toBe(6);
  });

  it('stays within the pthread workers the threaded build preloads', () => {
    expect(wasmThreadCount(true, 64)).toBe(WASM_PRELOADED_WORKERS);
  });

  it("leaves tfjs's default without isolation or without a usable core count", () => {
    expect(wasmThreadCount(false, 8)).toBeUndefined();
    expect(wasmThreadCount(true, undefined)).toBeUndefined();
    expect(wasmThreadCount(true, 0)).toBeUndefined();
    expect(wasmThreadCount(true, 2.5)).toBeUndefined();
  });
});

/** A navigator whose hardwareConcurrency is a prototype getter, as in browsers. */
function fakeNavigator(cores: number): { hardwareConcurrency: number } {
  class FakeNavigator {
    get hardwareConcurrency() {
      return cores;
    }
  }
  return new FakeNavigator();
}

describe('withWasmCoreCount', () => {
  it('reports twice the threads while the backend starts (tfjs-wasm halves it), and the real count after', async () => {
    const nav = fakeNavigator(2);
    const seen = await withWasmCoreCount(nav, 2, async () => nav.hardwareConcurrency);
    expect(seen).toBe(4);
    expect(nav.hardwareConcurrency).toBe(2);
    expect(Object.prototype.hasOwnProperty.call(nav, 'hardwareConcurrency')).toBe(false);
  });

  it('restores the real count when the start fails', async () => {
    const nav = fakeNavigator(3);
    await expect(withWasmCoreCount(nav, 3, async () => Promise.reject(new Error('no wasm')))).rejects.toThrow('no wasm');
    expect(nav.hardwareConcurrency).toBe(3);
  });

  it('leaves an override someone else set alone', async () => {
    const nav = fakeNavigator(2);
    Object.defineProperty(nav, 'hardwareConcurrency', { value: 16, configurable: true });
    expect(await withWasmCoreCount(nav, 2, async () => nav.hardwareConcurrency)).toBe(16);
    expect(nav.hardwareConcurrency).toBe(16);
  });
});
