/** `--backend webgpu`'s start on Dawn: every way it can fail ends in one WebGpuUnavailable naming the cause. */
import { describe, expect, it } from 'vitest';
import {
  acquireWebGpu,
  diagnoseNoAdapter,
  missingVulkan,
  timeoutFromEnv,
  WebGpuUnavailable,
  type GpuAdapterLike,
  type GpuDeviceLike,
  type GpuLike,
  type WebGpuDeps,
} from './webgpu-node.ts';

const never = <T>() => new Promise<T>(() => {});

const device: GpuDeviceLike = { limits: { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 2 ** 31 }, destroy: () => {} };

function adapter(requestDevice: GpuAdapterLike['requestDevice'] = async () => device): GpuAdapterLike {
  return { features: new Set(['timestamp-query']), limits: { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 2 ** 31 }, info: { vendor: 'fake' }, requestDevice };
}

function dawnWith(gpu: GpuLike) {
  return { create: () => gpu, globals: { GPUBufferUsage: {} } };
}

function deps(over: Partial<WebGpuDeps>): WebGpuDeps {
  return {
    importDawn: async () => dawnWith({ requestAdapter: async () => adapter() }),
    timeoutMs: 5,
    preflight: () => undefined,
    diagnose: () => 'the fake machine has no GPU',
    ...over,
  };
}

async function refusal(d: WebGpuDeps): Promise<string> {
  const e = await acquireWebGpu(d).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WebGpuUnavailable);
  return (e as Error).message;
}

const advice = 'use --backend wasm, or run on a machine with a GPU';

describe('acquireWebGpu', () => {
  it('gives the device, its adapter info and the largest tensor when all goes well', async () => {
    const got = await acquireWebGpu(deps({}));
    expect(got.device).toBe(device);
    expect(got.adapterInfo).toEqual({ vendor: 'fake' });
    expect(got.maxTensorBytes).toBe(1 << 30);
  });

  it('asks for the features the adapter has and its full limits, as tfjs would', async () => {
    let asked: unknown;
    await acquireWebGpu(deps({ importDawn: async () => dawnWith({ requestAdapter: async () => adapter(async (d) => ((asked = d), device)) }) }));
    expect(asked).toEqual({ requiredFeatures: ['timestamp-query'], requiredLimits: { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 2 ** 31 } });
  });

  it('says the optional package is missing and how to install it', async () => {
    const missing = Object.assign(new Error("Cannot find package 'webgpu'"), { code: 'ERR_MODULE_NOT_FOUND' });
    expect(await refusal(deps({ importDawn: () => Promise.reject(missing) }))).toBe(
      `webgpu backend: the package 'webgpu' (Dawn for Node) is not installed: run 'npm install --no-save webgpu@0.6.2', or ${advice}`,
    );
  });

  it('says the package is there but its native part does not load', async () => {
    const broken = new Error('libdawn.so: cannot open shared object file');
    expect(await refusal(deps({ importDawn: () => Promise.reject(broken) }))).toBe(
      `webgpu backend: the 'webgpu' package (Dawn) could not load on this machine (libdawn.so: cannot open shared object file): ${advice}`,
    );
  });

  it('refuses a package of that name that is not Dawn', async () => {
    expect(await refusal(deps({ importDawn: async () => ({ default: 42 }) }))).toContain("does not export create() and globals as Dawn's does");
  });

  it('stops before Dawn when a cause is known already (no Vulkan loader)', async () => {
    let imported = false;
    const message = await refusal(deps({ preflight: () => 'no Vulkan loader', importDawn: async () => ((imported = true), dawnWith({ requestAdapter: async () => adapter() })) }));
    expect(message).toBe(`webgpu backend: no GPU adapter (no Vulkan loader): ${advice}`);
    expect(imported).toBe(false);
  });

  it('names the likely cause when Dawn finds no adapter', async () => {
    expect(await refusal(deps({ importDawn: async () => dawnWith({ requestAdapter: async () => null }) }))).toBe(
      `webgpu backend: no GPU adapter (the fake machine has no GPU): ${advice}`,
    );
  });

  it('gives up on an adapter request that never answers', async () => {
    expect(await refusal(deps({ importDawn: async () => dawnWith({ requestAdapter: never }) }))).toBe(
      `webgpu backend: no GPU adapter within 5 ms (the driver did not answer): ${advice}`,
    );
  });

  it('reports an adapter request that fails, and Dawn failing to start', async () => {
    expect(await refusal(deps({ importDawn: async () => dawnWith({ requestAdapter: () => Promise.reject(new Error('instance lost')) }) }))).toBe(
      `webgpu backend: the adapter request failed (instance lost): ${advice}`,
    );
    const throwing = { create: () => { throw new Error('bad option'); }, globals: {} };
    expect(await refusal(deps({ importDawn: async () => throwing }))).toBe(`webgpu backend: Dawn could not start (bad option): ${advice}`);
  });

  it('reports a device request that fails or never answers', async () => {
    const refusing = adapter(() => Promise.reject(new TypeError('limit maxBufferSize too high')));
    expect(await refusal(deps({ importDawn: async () => dawnWith({ requestAdapter: async () => refusing }) }))).toBe(
      `webgpu backend: the GPU adapter refused a device (limit maxBufferSize too high): ${advice}`,
    );
    expect(await refusal(deps({ importDawn: async () => dawnWith({ requestAdapter: async () => adapter(never) }) }))).toBe(
      `webgpu backend: the GPU device was not granted within 5 ms: ${advice}`,
    );
  });

  it('leaves navigator alone when it refuses', async () => {
    await refusal(deps({ importDawn: async () => dawnWith({ requestAdapter: async () => null }) }));
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
    expect('GPUBufferUsage' in globalThis).toBe(false);
  });
});

describe('the cause of a missing adapter', () => {
  const probes = (platform: string, vulkan: boolean, nvidia: boolean) => ({ platform, hasVulkanLoader: () => vulkan, hasNvidiaDriver: () => nvidia });

  it('tells a machine without Vulkan from one whose software Vulkan Dawn refuses and from a broken NVIDIA set-up', () => {
    expect(diagnoseNoAdapter(probes('linux', false, false))).toBe('Dawn needs Vulkan and this machine has no Vulkan loader (libvulkan.so.1)');
    expect(diagnoseNoAdapter(probes('linux', true, false))).toMatch(/no Vulkan device it accepts \(no GPU driver; a software Vulkan such as Debian 12's lavapipe is too old for Dawn\)/);
    expect(diagnoseNoAdapter(probes('linux', true, true))).toMatch(/although an NVIDIA driver is present: check that its Vulkan ICD is installed/);
    expect(diagnoseNoAdapter(probes('darwin', false, false))).toBe('Dawn found no GPU it can use');
  });

  it('stops early only on Linux without a Vulkan loader', () => {
    expect(missingVulkan(probes('linux', false, false))).toMatch(/no Vulkan loader/);
    expect(missingVulkan(probes('linux', true, false))).toBeUndefined();
    expect(missingVulkan(probes('win32', false, false))).toBeUndefined();
  });
});

describe('timeoutFromEnv', () => {
  it('takes a positive number of milliseconds, else the default', () => {
    expect(timeoutFromEnv('1500')).toBe(1500);
    expect(timeoutFromEnv(undefined)).toBe(30_000);
    expect(timeoutFromEnv('soon')).toBe(30_000);
    expect(timeoutFromEnv('-1')).toBe(30_000);
  });
});
