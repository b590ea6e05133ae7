import { afterEach, describe, expect, it, vi } from 'vitest';
import { pageWasmThreads, parseWasmThreads, planWasmThreads, startWasm, WASM_MAX_THREADS } from './wasm-threads.ts';

describe('parseWasmThreads', () => {
  it('takes a whole number from 1 to 8', () => {
    expect(parseWasmThreads('1')).toBe(1);
    expect(parseWasmThreads(' 4 ')).toBe(4);
    expect(parseWasmThreads('8')).toBe(WASM_MAX_THREADS);
  });

  it.each(['0', '9', '-1', '2.5', '1e0', '0x2', '', 'two', '02x', '100'])('refuses %j, saying what is wanted', (raw) => {
    expect(() => parseWasmThreads(raw)).toThrow(new RangeError(`?wasm-threads=${JSON.stringify(raw)} ignored: a whole number from 1 to 8 is wanted`));
  });

  it('quotes a long or odd value cut short, and refuses what is not a string', () => {
    expect(() => parseWasmThreads(`<img src=x onerror=alert(1)>${'9'.repeat(50)}`)).toThrow('?wasm-threads="<img src=x onerror=a…" ignored');
    expect(() => parseWasmThreads(4)).toThrow('?wasm-threads="4" ignored');
    expect(() => parseWasmThreads(null)).toThrow(RangeError);
  });
});

describe('planWasmThreads', () => {
  it('uses every core where the threaded build runs, at most 8', () => {
    expect(planWasmThreads({ cores: 2, threaded: true }, undefined)).toEqual({ threads: 2 });
    expect(planWasmThreads({ cores: 6, threaded: true }, undefined)).toEqual({ threads: 6 });
    expect(planWasmThreads({ cores: 64, threaded: true }, undefined)).toEqual({ threads: 8 });
  });

  it('uses 1 thread where the browser hides its core count', () => {
    expect(planWasmThreads({ cores: undefined, threaded: true }, undefined)).toEqual({ threads: 1 });
    expect(planWasmThreads({ cores: 0, threaded: true }, undefined)).toEqual({ threads: 1 });
  });

  it('uses 1 thread without the threaded build (not cross-origin isolated)', () => {
    expect(planWasmThreads({ cores: 8, threaded: false }, undefined)).toEqual({ threads: 1 });
  });

  it('follows a valid override, above or below the core count, and says so', () => {
    expect(planWasmThreads({ cores: 8, threaded: true }, '1')).toEqual({ threads: 1, notice: '?wasm-threads=1' });
    expect(planWasmThreads({ cores: 2, threaded: true }, '4')).toEqual({ threads: 4, notice: '?wasm-threads=4' });
  });

  it('ignores an invalid override with a notice, and keeps the default', () => {
    expect(planWasmThreads({ cores: 4, threaded: true }, '16')).toEqual({ threads: 4, notice: '?wasm-threads="16" ignored: a whole number from 1 to 8 is wanted' });
    expect(planWasmThreads({ cores: 4, threaded: false }, 'x').notice).toMatch(/ignored/);
  });

  it('says an override cannot give threads where there are none', () => {
    expect(planWasmThreads({ cores: 4, threaded: false }, '4')).toEqual({ threads: 1, notice: '?wasm-threads=4 has no effect: wasm runs without threads here' });
    expect(planWasmThreads({ cores: 4, threaded: false }, '1')).toEqual({ threads: 1 });
  });
});

/** A navigator like the browser's: hardwareConcurrency is a getter on the prototype. */
function fakeNavigator(cores: number): { hardwareConcurrency: number } {
  const proto = {};
  Object.defineProperty(proto, 'hardwareConcurrency', { configurable: true, enumerable: true, get: () => cores });
  return Object.create(proto) as { hardwareConcurrency: number };
}

describe('startWasm', () => {
  it('asks for the threads and shows the module 2 × threads cores while it starts, then the real count again', async () => {
    const navigator = fakeNavigator(2);
    const calls: string[] = [];
    const ok = await startWasm(2, {
      navigator,
      setThreadsCount: (n) => calls.push(`threads ${n}`),
      start: async () => {
        calls.push(`start sees ${navigator.hardwareConcurrency} cores`);
        await Promise.resolve();
        return true;
      },
    });
    expect(ok).toBe(true);
    expect(calls).toEqual(['threads 2', 'start sees 4 cores']);
    expect(navigator.hardwareConcurrency).toBe(2);
    expect(Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency')).toBeUndefined();
  });

  it('removes the shadow when the start fails or throws', async () => {
    const navigator = fakeNavigator(2);
    const starter = (start: () => Promise<boolean>) => ({ navigator, setThreadsCount: () => {}, start });
    expect(await startWasm(3, starter(async () => false))).toBe(false);
    expect(Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency')).toBeUndefined();
    await expect(
      startWasm(3, starter(async () => {
        expect(navigator.hardwareConcurrency).toBe(6);
        throw new Error('the .wasm file did not load');
      })),
    ).rejects.toThrow('the .wasm file did not load');
    expect(Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency')).toBeUndefined();
    expect(navigator.hardwareConcurrency).toBe(2);
  });

  it('puts back an own hardwareConcurrency that was there before', async () => {
    const navigator = { hardwareConcurrency: 12 };
    await expect(startWasm(1, { navigator, setThreadsCount: () => {}, start: () => Promise.reject(new Error('no')) })).rejects.toThrow('no');
    expect(Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency')).toEqual({ value: 12, writable: true, enumerable: true, configurable: true });
  });
});

describe('pageWasmThreads', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reads the page address’s parameter as written, and nothing in a worker', () => {
    vi.stubGlobal('location', { search: '?wasm-threads=%20three' });
    expect(pageWasmThreads()).toBeUndefined(); // no document: a worker, whose location is its script's
    vi.stubGlobal('document', {});
    expect(pageWasmThreads()).toBe(' three');
    vi.stubGlobal('location', { search: '?backend=wasm' });
    expect(pageWasmThreads()).toBeUndefined();
  });
});
