import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, describeChoice, parseBackendSetting, selectBackend, type BackendProbe } from './backend.ts';

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

describe('selectBackend', () => {
  it("'auto' takes the first of webgpu → webgl → cpu that works and says why the others failed", async () => {
    const all = fakeProbe({});
    expect(await selectBackend('auto', all)).toEqual({ backend: 'webgpu', attempts: [{ name: 'webgpu', ok: true }] });
    expect(all.tried).toEqual(['webgpu']);

    const noGpu = fakeProbe({ webgpu: 'the browser offers no WebGPU adapter', webgl: 'throws' });
    const choice = await selectBackend('auto', noGpu);
    expect(choice).toEqual({
      backend: 'cpu',
      attempts: [
        { name: 'webgpu', ok: false, reason: 'the browser offers no WebGPU adapter' },
        { name: 'webgl', ok: false, reason: 'context lost while probing' },
        { name: 'cpu', ok: true },
      ],
    });
    expect(describeChoice(choice)).toBe('cpu (webgpu: the browser offers no WebGPU adapter; webgl: context lost while probing)');
  });

  it('a forced backend is the only one tried: no fallback', async () => {
    const probe = fakeProbe({ webgpu: 'navigator.gpu is absent' });
    const error = await selectBackend('webgpu', probe).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toBe('the webgpu backend was asked for but cannot be used: navigator.gpu is absent');
    expect(probe.tried).toEqual(['webgpu']);
    expect(await selectBackend('webgl', fakeProbe({}))).toEqual({ backend: 'webgl', attempts: [{ name: 'webgl', ok: true }] });
  });

  it("names every reason when nothing works under 'auto'", async () => {
    await expect(selectBackend('auto', fakeProbe({ webgpu: 'a', webgl: 'b', cpu: 'c' }))).rejects.toThrow('no tfjs backend can train here: webgpu: a; webgl: b; cpu: c');
  });
});

describe('parseBackendSetting', () => {
  it("accepts auto and the three training backends, defaults to auto, and refuses wasm with the reason", () => {
    expect(['auto', 'webgpu', 'webgl', 'cpu'].map(parseBackendSetting)).toEqual(['auto', 'webgpu', 'webgl', 'cpu']);
    expect(parseBackendSetting(undefined)).toBe('auto');
    expect(() => parseBackendSetting('wasm')).toThrow(/wasm' cannot train \(tfjs-wasm has no conv backprop\)/);
    expect(() => parseBackendSetting('tpu')).toThrow(/unknown backend "tpu"/);
  });
});
