import { describe, expect, it } from 'vitest';
import { BACKEND_SETTINGS, BackendUnavailableError, choiceReasons, describeChoice, parseBackendSetting, selectBackend, settingLabel, type BackendMeasure, type BackendProbe } from './backend.ts';
import { softwareAdapterReason, softwareWebgpu } from './webgpu-adapter.ts';

/** A probe whose backends fail with the given reasons (absent: works); records what it tried. */
function fakeProbe(failures: Record<string, string>): BackendProbe & { tried: string[] } {
  const tried: string[] = [];
  const probe = async (name: string) => {
    tried.push(name);
    if (name === 'webgl' && failures.webgl === 'throws') throw new Error('context lost while probing');
    return failures[name];
  };
  return Object.assign(probe, { tried });
}

/** Measurements with a given adapter verdict and step times; records which backend each timing ran on. */
function fakeMeasure(software: string | undefined, stepMs: Record<string, number>, active: () => string): BackendMeasure & { timed: string[] } {
  const timed: string[] = [];
  return {
    timed,
    softwareWebgpu: async () => software,
    timeStep: async (name) => {
      // The policy must time a backend only while it is the active one.
      expect(active()).toBe(name);
      timed.push(name);
      return stepMs[name];
    },
    details: async (name) => (name === 'wasm' ? 'SIMD, 2 threads (cross-origin isolated)' : undefined),
  };
}

describe('selectBackend', () => {
  it("'auto' takes the first of webgpu → wasm → webgl → cpu that works and says why the others failed", async () => {
    const all = fakeProbe({});
    expect(await selectBackend('auto', all)).toEqual({ backend: 'webgpu', attempts: [{ name: 'webgpu', ok: true }] });
    expect(all.tried).toEqual(['webgpu']);

    const noGpu = fakeProbe({ webgpu: 'the browser offers no WebGPU adapter' });
    expect(await selectBackend('auto', noGpu)).toEqual({
      backend: 'wasm',
      attempts: [
        { name: 'webgpu', ok: false, reason: 'the browser offers no WebGPU adapter' },
        { name: 'wasm', ok: true },
      ],
    });

    const onlyCpu = fakeProbe({ webgpu: 'the browser offers no WebGPU adapter', wasm: 'WebAssembly is disabled', webgl: 'throws' });
    const choice = await selectBackend('auto', onlyCpu);
    expect(choice).toEqual({
      backend: 'cpu',
      attempts: [
        { name: 'webgpu', ok: false, reason: 'the browser offers no WebGPU adapter' },
        { name: 'wasm', ok: false, reason: 'WebAssembly is disabled' },
        { name: 'webgl', ok: false, reason: 'context lost while probing' },
        { name: 'cpu', ok: true },
      ],
    });
    expect(describeChoice(choice)).toBe('cpu (webgpu: the browser offers no WebGPU adapter; wasm: WebAssembly is disabled; webgl: context lost while probing)');
  });

  it('a hardware WebGPU adapter is taken without timing anything', async () => {
    let active = '';
    const probe: BackendProbe = async (name) => void (active = name);
    const measure = fakeMeasure(undefined, { webgpu: 1, wasm: 1 }, () => active);
    expect(await selectBackend('auto', probe, measure)).toEqual({ backend: 'webgpu', attempts: [{ name: 'webgpu', ok: true }] });
    expect(measure.timed).toEqual([]);
  });

  it('a software WebGPU adapter is timed against wasm: the slower one is passed over with both timings', async () => {
    let active = '';
    const probe: BackendProbe = async (name) => void (active = name);
    const measure = fakeMeasure('the WebGPU adapter is software (google swiftshader)', { webgpu: 240, wasm: 31.5 }, () => active);
    const choice = await selectBackend('auto', probe, measure);
    expect(choice).toEqual({
      backend: 'wasm',
      attempts: [
        { name: 'webgpu', ok: false, reason: 'the WebGPU adapter is software (google swiftshader): slower than wasm (a probe training step took 240 ms on webgpu, 32 ms on wasm)' },
        { name: 'wasm', ok: true, note: 'SIMD, 2 threads (cross-origin isolated)' },
      ],
    });
    expect(measure.timed).toEqual(['wasm', 'webgpu']);
    // The winner is the active backend when selectBackend returns.
    expect(active).toBe('wasm');
    expect(describeChoice(choice)).toBe(
      'wasm [SIMD, 2 threads (cross-origin isolated)] (webgpu: the WebGPU adapter is software (google swiftshader): slower than wasm (a probe training step took 240 ms on webgpu, 32 ms on wasm))',
    );

    const fasterGpu = fakeMeasure('the WebGPU adapter is a fallback adapter', { webgpu: 5.25, wasm: 40 }, () => active);
    expect(await selectBackend('auto', probe, fasterGpu)).toEqual({
      backend: 'webgpu',
      attempts: [{ name: 'webgpu', ok: true, note: 'the WebGPU adapter is a fallback adapter, yet faster: a probe training step took 5.3 ms on webgpu, 40 ms on wasm' }],
    });
    expect(active).toBe('webgpu');
  });

  it('a software WebGPU adapter is kept when wasm does not work', async () => {
    const probe = fakeProbe({ wasm: 'WebAssembly is disabled' });
    const measure = fakeMeasure('the WebGPU adapter is software (swiftshader)', { webgpu: 240 }, () => probe.tried.at(-1)!);
    expect(await selectBackend('auto', probe, measure)).toEqual({
      backend: 'webgpu',
      attempts: [{ name: 'webgpu', ok: true, note: 'the WebGPU adapter is software (swiftshader); wasm could not be tried: WebAssembly is disabled' }],
    });
    expect(measure.timed).toEqual([]);
  });

  it('a forced backend is the only one tried: no fallback, no timing', async () => {
    const probe = fakeProbe({ webgpu: 'navigator.gpu is absent' });
    const error = await selectBackend('webgpu', probe).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toBe('the webgpu backend was asked for but cannot be used: navigator.gpu is absent');
    expect(probe.tried).toEqual(['webgpu']);
    expect(await selectBackend('webgl', fakeProbe({}))).toEqual({ backend: 'webgl', attempts: [{ name: 'webgl', ok: true }] });
    const measure = fakeMeasure('the WebGPU adapter is software (swiftshader)', { webgpu: 240, wasm: 30 }, () => 'webgpu');
    expect(await selectBackend('webgpu', fakeProbe({}), measure)).toEqual({ backend: 'webgpu', attempts: [{ name: 'webgpu', ok: true }] });
    expect(measure.timed).toEqual([]);
  });

  it("names every reason when nothing works under 'auto'", async () => {
    await expect(selectBackend('auto', fakeProbe({ webgpu: 'a', wasm: 'w', webgl: 'b', cpu: 'c' }))).rejects.toThrow('no tfjs backend can train here: webgpu: a; wasm: w; webgl: b; cpu: c');
  });
});

describe('parseBackendSetting', () => {
  it('accepts auto and the four backends, wasm included, defaults to auto, and names the choices otherwise', () => {
    expect(['auto', 'webgpu', 'wasm', 'webgl', 'cpu'].map(parseBackendSetting)).toEqual(['auto', 'webgpu', 'wasm', 'webgl', 'cpu']);
    expect(parseBackendSetting(undefined)).toBe('auto');
    expect(() => parseBackendSetting('tpu')).toThrow(`unknown backend "tpu": use 'auto', 'webgpu', 'wasm', 'webgl', 'cpu'`);
  });
});

describe('the backend menu and its reasons', () => {
  it('lists every setting in the order auto tries them, auto spelling the order out', () => {
    expect(BACKEND_SETTINGS.map(settingLabel)).toEqual(['auto (webgpu → wasm → webgl → cpu)', 'webgpu', 'wasm', 'webgl', 'cpu']);
  });

  it('says for each backend tried why it was passed over or chosen, in the order tried', async () => {
    let active = '';
    const probe: BackendProbe = async (name) => {
      if (name === 'webgl') return 'no WebGL2 context';
      active = name;
      return undefined;
    };
    const choice = await selectBackend('auto', probe, fakeMeasure('the WebGPU adapter is software (google swiftshader)', { webgpu: 900, wasm: 300 }, () => active));
    expect(choiceReasons(choice)).toEqual([
      'webgpu: passed over: the WebGPU adapter is software (google swiftshader): slower than wasm (a probe training step took 900 ms on webgpu, 300 ms on wasm)',
      'wasm: chosen (SIMD, 2 threads (cross-origin isolated))',
    ]);
    expect(choiceReasons({ backend: 'cpu', attempts: [{ name: 'webgpu', ok: false, reason: 'navigator.gpu is absent' }, { name: 'cpu', ok: true }] })).toEqual([
      'webgpu: passed over: navigator.gpu is absent',
      'cpu: chosen',
    ]);
  });

  it('tells a software WebGPU adapter from a GPU by its info (for the warning before a forced webgpu run)', async () => {
    expect(softwareAdapterReason({ info: { vendor: 'google', architecture: 'swiftshader' } })).toBe('the WebGPU adapter is software (google swiftshader)');
    expect(softwareAdapterReason({ info: { vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: true } })).toBe('the WebGPU adapter is a fallback adapter (nvidia ampere)');
    expect(softwareAdapterReason({ info: { vendor: 'nvidia', architecture: 'ampere' } })).toBeUndefined();
    expect(await softwareWebgpu({ requestAdapter: async () => null })).toBeUndefined();
    expect(await softwareWebgpu({ requestAdapter: async () => ({ info: { vendor: 'mesa', device: 'llvmpipe' } }) })).toBe('the WebGPU adapter is software (mesa llvmpipe)');
  });
});
