/**
 * `--backend webgpu` for real, on a machine without a GPU: Dawn on the SwiftShader Vulkan that Debian's
 * Chromium ships (/usr/lib/chromium), in a child process since the Vulkan loader is found at start.
 * Skipped where the optional `webgpu` package or that SwiftShader is absent. Slow (shaders compile
 * on the CPU), so one small graph only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';

function hasDawn(): boolean {
  try {
    createRequire(import.meta.url).resolve('webgpu/package.json');
    return true;
  } catch {
    return false;
  }
}

const lggan = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, ['src/cli/bin.mjs', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 240_000 });

describe.skipIf(!hasDawn() || !existsSync(swiftshader))('--backend webgpu on SwiftShader', () => {
  it('runs a forward pass and gives the values wasm gives', () => {
    const graph = 'graphs/tiny-pix2pix.json';
    const gpu = lggan(['compile', graph, '--backend', 'webgpu'], { LD_LIBRARY_PATH: '/usr/lib/chromium', VK_ICD_FILENAMES: swiftshader });
    expect(gpu.stderr).toBe('');
    expect(gpu.status).toBe(0);
    expect(gpu.stdout).toContain('backend webgpu');
    const wasm = lggan(['compile', graph], {});
    const ranges = (out: string) => out.split('\n').filter((l) => l.includes('range'));
    expect(ranges(gpu.stdout)).toEqual(ranges(wasm.stdout));
    expect(ranges(gpu.stdout).length).toBeGreaterThan(0);
  }, 300_000);
});
