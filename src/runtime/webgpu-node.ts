/**
 * tfjs's WebGPU backend in Node, on Dawn (the `webgpu` npm package, an optional dependency).
 * Loaded only for `--backend webgpu`: the default path never imports Dawn or tfjs-backend-webgpu.
 *
 * tfjs-backend-webgpu registers itself only where `navigator.gpu` exists, and its own start asks
 * for an adapter without a time limit and crashes on a null one. So we ask Dawn ourselves, each
 * request under a time limit, and register the backend on the device we got. Every way this can
 * fail ends in one WebGpuUnavailable naming the cause and what to do, never a stack trace or a hang.
 */
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { WebGpuUnavailable } from './webgpu-unavailable.ts';

/** What to do whenever WebGPU cannot start here. */
export const WEBGPU_ADVICE = 'use --backend wasm, or run on a machine with a GPU';
/** The version the studio was tried with (README, report). */
export const DAWN_PACKAGE = 'webgpu@0.6.2';
/** Default limit on each of the adapter and device requests (a broken driver may never answer). */
export const WEBGPU_REQUEST_TIMEOUT_MS = 30_000;

export { WebGpuUnavailable };

// The parts of WebGPU used here, typed structurally so that neither Dawn's types nor the DOM's are needed.
export interface GpuDeviceLike {
  readonly limits: { readonly maxStorageBufferBindingSize: number; readonly maxBufferSize: number };
  destroy(): void;
}
export interface GpuAdapterLike {
  readonly features: { has(name: string): boolean };
  readonly limits: Record<string, number>;
  readonly info?: unknown;
  requestDevice(descriptor?: { requiredFeatures?: string[]; requiredLimits?: Record<string, number> }): Promise<GpuDeviceLike>;
}
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}
/** The `webgpu` package's exports: `create(dawnOptions)` gives a `navigator.gpu`; `globals` the GPU* classes and constants. */
export interface DawnModule {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

export interface WebGpuDeps {
  /** Loads the Dawn package (default: `import('webgpu')`). */
  importDawn(): Promise<unknown>;
  /** Limit on each request, in milliseconds. */
  timeoutMs: number;
  /** A cause known before Dawn is asked (default: Linux without a Vulkan loader), so Dawn's own warnings are not printed. */
  preflight(): string | undefined;
  /** Why Dawn found no adapter on this machine, as far as can be told (default: probes Vulkan and NVIDIA). */
  diagnose(): string;
}

/** The package name in a variable: TypeScript must not require it, since it is optional. */
const DAWN_SPECIFIER = 'webgpu';

export const defaultWebGpuDeps: WebGpuDeps = {
  importDawn: () => import(/* @vite-ignore */ DAWN_SPECIFIER),
  timeoutMs: timeoutFromEnv(process.env.LGGAN_WEBGPU_TIMEOUT_MS),
  preflight: () => missingVulkan(linuxProbes()),
  diagnose: () => diagnoseNoAdapter(linuxProbes()),
};

/** LGGAN_WEBGPU_TIMEOUT_MS when it is a positive number, else the default. */
export function timeoutFromEnv(value: string | undefined): number {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : WEBGPU_REQUEST_TIMEOUT_MS;
}

/** Rejects with `message` unless `promise` settles within `ms`; the timer never holds the process open. */
export function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WebGpuUnavailable(message)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The module's shape checked, so a different package of that name says so instead of crashing later. */
export function asDawnModule(value: unknown): DawnModule {
  const m = value as Partial<DawnModule> | null;
  if (!m || typeof m.create !== 'function' || typeof m.globals !== 'object' || m.globals === null) {
    throw new WebGpuUnavailable(`webgpu backend: the 'webgpu' package does not export create() and globals as Dawn's does (${DAWN_PACKAGE} expected): ${WEBGPU_ADVICE}`);
  }
  return m as DawnModule;
}

async function loadDawn(deps: WebGpuDeps): Promise<DawnModule> {
  let loaded: unknown;
  try {
    loaded = await deps.importDawn();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new WebGpuUnavailable(`webgpu backend: the package 'webgpu' (Dawn for Node) is not installed: run 'npm install --no-save ${DAWN_PACKAGE}', or ${WEBGPU_ADVICE}`);
    }
    // Installed but its native part does not load (another platform, a missing system library).
    throw new WebGpuUnavailable(`webgpu backend: the 'webgpu' package (Dawn) could not load on this machine (${messageOf(e)}): ${WEBGPU_ADVICE}`);
  }
  return asDawnModule(loaded);
}

/** What the machine has, for the no-adapter message. */
export interface AdapterProbes {
  platform: string;
  /** The Vulkan loader (libvulkan.so.1) can be found. */
  hasVulkanLoader(): boolean;
  /** An NVIDIA driver is present (nvidia-smi or /dev/nvidia0). */
  hasNvidiaDriver(): boolean;
}

export function linuxProbes(): AdapterProbes {
  return {
    platform: process.platform,
    hasVulkanLoader: () => {
      if ((process.env.LD_LIBRARY_PATH ?? '').split(':').some((dir) => dir && existsSync(`${dir}/libvulkan.so.1`))) return true;
      try {
        return execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).includes('libvulkan.so.1');
      } catch {
        return false;
      }
    },
    hasNvidiaDriver: () => existsSync('/dev/nvidia0') || existsSync('/proc/driver/nvidia/version'),
  };
}

const NO_VULKAN_LOADER = 'Dawn needs Vulkan and this machine has no Vulkan loader (libvulkan.so.1)';

/** On Linux Dawn has no backend but Vulkan: without its loader there is no adapter to ask for. */
export function missingVulkan(probes: AdapterProbes): string | undefined {
  return probes.platform === 'linux' && !probes.hasVulkanLoader() ? NO_VULKAN_LOADER : undefined;
}

/** The likeliest cause of a null adapter, in words. */
export function diagnoseNoAdapter(probes: AdapterProbes): string {
  if (probes.platform !== 'linux') return 'Dawn found no GPU it can use';
  if (!probes.hasVulkanLoader()) return NO_VULKAN_LOADER;
  if (probes.hasNvidiaDriver()) return "Dawn found no Vulkan device although an NVIDIA driver is present: check that its Vulkan ICD is installed ('vulkaninfo --summary')";
  return 'Dawn found no Vulkan device it accepts (no GPU driver; a software Vulkan such as Debian 12\'s lavapipe is too old for Dawn)';
}

/** The adapter as it describes itself (Dawn's info has getters only: copied field by field). */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export function describeAdapter(info: unknown): AdapterDescription {
  const field = (name: keyof AdapterDescription) => {
    const value = (info as Record<string, unknown> | null | undefined)?.[name];
    return typeof value === 'string' ? value : '';
  };
  return { vendor: field('vendor'), architecture: field('architecture'), device: field('device'), description: field('description') };
}

export interface WebGpuDevice {
  dawn: DawnModule;
  gpu: GpuLike;
  device: GpuDeviceLike;
  adapterInfo: unknown;
  adapter: AdapterDescription;
  /** Largest buffer one tensor may use (tfjs binds every tensor as one storage buffer). */
  maxTensorBytes: number;
}

/** The device tfjs-backend-webgpu would ask for: its features and the adapter's full limits. */
function deviceDescriptor(adapter: GpuAdapterLike) {
  const requiredFeatures = ['timestamp-query', 'bgra8unorm-storage'].filter((f) => adapter.features.has(f));
  const names = ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup'];
  const requiredLimits = Object.fromEntries(names.map((n) => [n, adapter.limits[n]]).filter(([, v]) => typeof v === 'number'));
  return { requiredFeatures, requiredLimits };
}

/**
 * Loads Dawn and asks it for an adapter and a device, each within `deps.timeoutMs`. Changes no
 * global: a refusal leaves the process as it was.
 */
export async function acquireWebGpu(deps: WebGpuDeps = defaultWebGpuDeps): Promise<WebGpuDevice> {
  const missing = deps.preflight();
  if (missing) throw new WebGpuUnavailable(`webgpu backend: no GPU adapter (${missing}): ${WEBGPU_ADVICE}`);
  const dawn = await loadDawn(deps);
  let gpu: GpuLike;
  try {
    gpu = dawn.create([]);
  } catch (e) {
    throw new WebGpuUnavailable(`webgpu backend: Dawn could not start (${messageOf(e)}): ${WEBGPU_ADVICE}`);
  }
  const seconds = deps.timeoutMs >= 1000 ? `${Math.round(deps.timeoutMs / 1000)} s` : `${deps.timeoutMs} ms`;
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await within(gpu.requestAdapter({ powerPreference: 'high-performance' }), deps.timeoutMs, `webgpu backend: no GPU adapter within ${seconds} (the driver did not answer): ${WEBGPU_ADVICE}`);
  } catch (e) {
    if (e instanceof WebGpuUnavailable) throw e;
    throw new WebGpuUnavailable(`webgpu backend: the adapter request failed (${messageOf(e)}): ${WEBGPU_ADVICE}`);
  }
  if (!adapter) throw new WebGpuUnavailable(`webgpu backend: no GPU adapter (${deps.diagnose()}): ${WEBGPU_ADVICE}`);
  let device: GpuDeviceLike;
  try {
    device = await within(adapter.requestDevice(deviceDescriptor(adapter)), deps.timeoutMs, `webgpu backend: the GPU device was not granted within ${seconds}: ${WEBGPU_ADVICE}`);
  } catch (e) {
    if (e instanceof WebGpuUnavailable) throw e;
    throw new WebGpuUnavailable(`webgpu backend: the GPU adapter refused a device (${messageOf(e)}): ${WEBGPU_ADVICE}`);
  }
  const { maxStorageBufferBindingSize, maxBufferSize } = device.limits;
  return { dawn, gpu, device, adapterInfo: adapter.info, adapter: describeAdapter(adapter.info), maxTensorBytes: Math.min(maxStorageBufferBindingSize, maxBufferSize) };
}

/** Node has no WebGPU globals: Dawn's classes and constants (GPUBufferUsage, GPUMapMode, …) and navigator.gpu. */
function installGlobals(globals: Record<string, unknown>, gpu: GpuLike): void {
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) if (!(name in g)) g[name] = value;
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav === undefined) g.navigator = { gpu };
  else if (!('gpu' in nav)) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
}

/** The backend's class, loaded after the globals exist (its module reads them at first use). */
type WebGpuBackendClass = new (device: GpuDeviceLike, adapterInfo?: unknown) => tf.KernelBackend;

/**
 * tfjs's synchronous read on WebGPU copies through an OffscreenCanvas, which Node lacks: it would
 * fail with "OffscreenCanvas is not defined" after a warning on the console. Values already on the
 * CPU are still returned; otherwise a clear error says that the caller must read with data().
 */
function withoutCanvasReads(backend: tf.KernelBackend): tf.KernelBackend {
  if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined') return backend;
  const tensors = (backend as unknown as { tensorMap: { get(id: object): { values?: unknown } | undefined } }).tensorMap;
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: object) => {
    if (tensors.get(dataId)?.values == null) throw new Error('the webgpu backend cannot read a tensor synchronously in Node (no OffscreenCanvas): read it with data()');
    return readSync(dataId);
  };
  return backend;
}

/**
 * Starts tfjs on WebGPU through Dawn and makes it the backend. Returns the largest tensor in bytes.
 * Throws WebGpuUnavailable, with the cause, when it cannot.
 */
export async function initWebGpuBackend(deps: WebGpuDeps = defaultWebGpuDeps): Promise<WebGpuDevice> {
  const gpu = await acquireWebGpu(deps);
  installGlobals(gpu.dawn.globals, gpu.gpu);
  const { WebGPUBackend } = (await import('@tensorflow/tfjs-backend-webgpu')) as unknown as { WebGPUBackend: WebGpuBackendClass };
  // The package registered its own factory if navigator.gpu existed when it loaded: ours replaces it.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => withoutCanvasReads(new WebGPUBackend(gpu.device, gpu.adapterInfo)));
  if (!(await tf.setBackend('webgpu'))) {
    gpu.device.destroy();
    throw new WebGpuUnavailable(`webgpu backend: tfjs could not start on the GPU device: ${WEBGPU_ADVICE}`);
  }
  return gpu;
}
