/** bench/gpu.sh's checks and table, with fakes; and the script itself where no GPU is found. */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPrerequisites, chromiumGpuArgs, gpuBench, isSoftwareAdapter, missingReport, parseOptions, resultTable, type BenchEnv, type CommandResult } from './gpu.ts';

const ok = (stdout: string): CommandResult => ({ status: 0, stdout, stderr: '' });
const notFound = (): CommandResult => ({ status: null, stdout: '', stderr: '', error: Object.assign(new Error('spawnSync nvidia-smi ENOENT'), { code: 'ENOENT' }) });
const torchWithCuda = ok('{"version": "2.5.1+cu124", "cuda": true, "device": "NVIDIA H200"}\n');

function env(over: { smi?: CommandResult; torch?: CommandResult; packages?: string[]; chromium?: string } = {}): BenchEnv {
  const packages = over.packages ?? ['webgpu', '@tensorflow/tfjs-backend-webgpu', 'tsx'];
  return {
    run: (command) => (command === 'nvidia-smi' ? (over.smi ?? ok('NVIDIA H200, 143771 MiB, 570.86.15\n')) : (over.torch ?? torchWithCuda)),
    hasPackage: (name) => packages.includes(name),
    chromium: () => (over.chromium ? { path: over.chromium } : { missing: 'no Chromium found' }),
    python: '/usr/bin/python3',
  };
}

describe('checkPrerequisites', () => {
  it('finds the GPU, PyTorch on CUDA and Chromium, and misses nothing', () => {
    const found = checkPrerequisites(env({ chromium: '/usr/bin/chromium' }), { browser: true });
    expect(found).toEqual({ gpu: 'NVIDIA H200, 143771 MiB, 570.86.15', torch: { version: '2.5.1+cu124', device: 'NVIDIA H200' }, chromium: '/usr/bin/chromium', missing: [] });
  });

  it('names each missing prerequisite with its fix, all of them in one run', () => {
    const found = checkPrerequisites(env({ smi: notFound(), torch: ok('{"version": "1.13.0", "cuda": false, "device": null}'), packages: ['tsx'] }), { browser: true });
    expect(found.missing).toEqual([
      'nvidia-smi is not on PATH: this benchmark needs an NVIDIA GPU with its driver (nvidia-smi comes with the driver)',
      'PyTorch 1.13.0 (/usr/bin/python3) has no CUDA: torch.cuda.is_available() is False; install a CUDA build of PyTorch, or set LGGAN_PYTHON to a Python that has one',
      "the Node package 'webgpu' (Dawn, the CLI's --backend webgpu) is not installed: npm install --no-save webgpu@0.6.2",
      "the Node package '@tensorflow/tfjs-backend-webgpu' is not installed: run npm install in the repository",
    ]);
    expect(missingReport(found).split('\n')[0]).toBe('bench/gpu.sh: cannot run, 4 prerequisites missing:');
  });

  it('tells a broken driver from a missing one, and a Python without torch from a torch without CUDA', () => {
    const broken = checkPrerequisites(env({ smi: { status: 9, stdout: '', stderr: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n" } }), { browser: false });
    expect(broken.missing).toEqual(["nvidia-smi failed (NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.): the NVIDIA driver is not working"]);
    const noTorch = checkPrerequisites(env({ torch: { status: 1, stdout: '', stderr: "Traceback …\nModuleNotFoundError: No module named 'torch'\n" } }), { browser: false });
    expect(noTorch.missing).toEqual([
      "PyTorch cannot be imported by /usr/bin/python3 (ModuleNotFoundError: No module named 'torch'): install a CUDA build of PyTorch, or set LGGAN_PYTHON to a Python that has one",
    ]);
    const garbled = checkPrerequisites(env({ torch: ok('hello') }), { browser: false });
    expect(garbled.missing).toEqual(["/usr/bin/python3: the PyTorch probe printed 'hello', not its JSON line"]);
  });

  it('leaves the browser rows out, without failing, when there is no Chromium or --no-browser', () => {
    expect(checkPrerequisites(env(), { browser: true })).toMatchObject({ missing: [], browserSkipped: 'no Chromium found' });
    expect(checkPrerequisites(env({ chromium: '/usr/bin/chromium' }), { browser: false })).toMatchObject({ missing: [], browserSkipped: '--no-browser' });
  });
});

describe('gpuBench', () => {
  it('stops before measuring, exit 1, when a prerequisite is missing', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await gpuBench([], env({ smi: notFound() }), (l) => out.push(l), (l) => err.push(l));
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err.join('\n')).toContain('nvidia-smi is not on PATH');
  });

  it('refuses unknown options and bad numbers with exit 2', async () => {
    const err: string[] = [];
    expect(await gpuBench(['--repeat', '3'], env(), () => {}, (l) => err.push(l))).toBe(2);
    expect(await gpuBench(['--batch', '0'], env(), () => {}, (l) => err.push(l))).toBe(2);
    expect(err).toEqual(['bench/gpu.sh: unknown option --repeat (options: --repeats N, --batch B, --no-browser)', "bench/gpu.sh: --batch expects a whole number ≥ 1, got '0'"]);
  });
});

describe('options and the table', () => {
  it('reads --repeats, --batch and --no-browser', () => {
    expect(parseOptions([])).toEqual({ repeats: 5, batch: 1, browser: true });
    expect(parseOptions(['--repeats', '3', '--no-browser', '--batch', '2'])).toEqual({ repeats: 3, batch: 2, browser: false });
  });

  it('prints each backend and the ratios to PyTorch, marking those over the goal', () => {
    const lines = resultTable([
      { label: 'generation, batch 1', dawn: 30, chromium: 60, torch: 25 },
      { label: 'training iteration, batch 1', dawn: 120, torch: 100 },
    ]);
    expect(lines[0]).toMatch(/WebGPU \(Dawn, Node\)\s+WebGPU \(Chromium\)\s+PyTorch CUDA\s+Dawn ÷ PyTorch\s+Chromium ÷ PyTorch/);
    expect(lines[1]).toMatch(/^generation, batch 1\s+30\.0 ms\s+60\.0 ms\s+25\.0 ms\s+×1\.20\s+×2\.40 \(over 1\.5\)$/);
    expect(lines[2]).toMatch(/^training iteration, batch 1\s+120\.0 ms\s+—\s+100\.0 ms\s+×1\.20\s+—$/);
    expect(lines[3]).toBe('goal: every ratio ≤ 1.5');
  });

  it('gives Chromium the GPU flags, plus those of LGGAN_CHROMIUM_ARGS', () => {
    expect(chromiumGpuArgs('')).toEqual(['--ignore-gpu-blocklist']);
    expect(chromiumGpuArgs(' --enable-features=Vulkan  --use-angle=vulkan ')).toEqual(['--ignore-gpu-blocklist', '--enable-features=Vulkan', '--use-angle=vulkan']);
  });

  it('knows a software adapter from a GPU', () => {
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper' })).toBe(false);
  });
});

describe('bench/gpu.sh', () => {
  const script = fileURLToPath(new URL('./gpu.sh', import.meta.url));
  const bin = mkdtempSync(join(tmpdir(), 'lggan-gpu-sh-'));
  afterAll(() => rmSync(bin, { recursive: true, force: true }));
  // A PATH with node and what the script uses, and never an nvidia-smi, whatever this machine has.
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync('/usr/bin/dirname', join(bin, 'dirname'));
  const fake = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
    return join(bin, name);
  };
  // A Python whose torch has no CUDA, so that the run does not depend on this machine's torch.
  const python = fake('python-without-cuda', `echo '{"version": "1.13.0", "cuda": false, "device": null}'`);
  const run = (path: string) => spawnSync('/bin/sh', [script, '--no-browser'], { encoding: 'utf8', env: { PATH: path, LGGAN_PYTHON: python, HOME: process.env.HOME ?? '/tmp' }, timeout: 120_000 });

  it('exits 1 at once with the missing prerequisites named where there is no NVIDIA driver', () => {
    const r = run(bin);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    // Dawn ('webgpu') is not a dependency: a third line names it wherever it is not installed.
    const dawn = existsSync(fileURLToPath(new URL('../node_modules/webgpu/package.json', import.meta.url)));
    expect(r.stderr).toContain(`bench/gpu.sh: cannot run, ${dawn ? 2 : 3} prerequisites missing:`);
    expect(r.stderr).toContain('  - nvidia-smi is not on PATH: this benchmark needs an NVIDIA GPU with its driver');
    expect(r.stderr).toContain('  - PyTorch 1.13.0 (' + python + ') has no CUDA: torch.cuda.is_available() is False');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('says the driver is broken when nvidia-smi fails', () => {
    const other = mkdtempSync(join(tmpdir(), 'lggan-gpu-sh-'));
    try {
      symlinkSync(process.execPath, join(other, 'node'));
      symlinkSync('/usr/bin/dirname', join(other, 'dirname'));
      writeFileSync(join(other, 'nvidia-smi'), "#!/bin/sh\necho \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\" >&2\nexit 9\n");
      chmodSync(join(other, 'nvidia-smi'), 0o755);
      const r = run(other);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("nvidia-smi failed (NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.): the NVIDIA driver is not working");
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('says so when node itself is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'lggan-gpu-sh-'));
    try {
      symlinkSync('/usr/bin/dirname', join(empty, 'dirname'));
      const r = run(empty);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('bench/gpu.sh: cannot run: node is not on PATH (Node 20 or later is needed)\n');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
