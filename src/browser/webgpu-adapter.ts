/**
 * Is the browser's WebGPU adapter a real GPU? Asked by the training worker's 'auto' choice
 * (tf-browser.ts, backend.ts) and by the run panel before a run forced onto webgpu starts: a
 * software adapter (SwiftShader and friends) can take minutes per training step where wasm takes
 * seconds. Page-safe: no tfjs here.
 */

export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: AdapterInfoLike;
}

export type GpuLike = { requestAdapter(): Promise<AdapterLike | null> };

export const gpuOf = (): GpuLike | undefined => (globalThis.navigator as unknown as { gpu?: GpuLike } | undefined)?.gpu;

/** Software rasterisers that WebGPU adapters may be: SwiftShader, Mesa's llvmpipe/lavapipe, Windows' WARP. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|basic render|\bwarp\b/i;

/** Why this adapter is software, or undefined for a hardware GPU. */
export function softwareAdapterReason(adapter: AdapterLike): string | undefined {
  const info = adapter.info ?? {};
  const named = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ').trim();
  if (SOFTWARE_ADAPTER.test(named)) return `the WebGPU adapter is software (${named})`;
  if (info.isFallbackAdapter ?? adapter.isFallbackAdapter) return `the WebGPU adapter is a fallback adapter${named ? ` (${named})` : ''}`;
  return undefined;
}

/** Why the browser's WebGPU adapter is software, or undefined for a hardware GPU (or no adapter). */
export async function softwareWebgpu(gpu: GpuLike | undefined = gpuOf()): Promise<string | undefined> {
  const adapter = await gpu?.requestAdapter();
  return adapter ? softwareAdapterReason(adapter) : undefined;
}
