/**
 * The CLI as an installed npm package: `npm pack` the repository, unpack the tarball into a fresh
 * node_modules/lggan-studio, and run its `lggan` bin from there. The install's node_modules holds
 * only the package's declared runtime dependencies (linked from this checkout's node_modules, so
 * the test needs no registry), so a runtime import of a devDependency, a file missing from
 * package.json's `files`, or a bin that cannot run TypeScript from inside node_modules all fail here.
 * (A real `npm install` of the tarball would need the registry; npm's own resolution is not ours to test.)
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const temporary: string[] = [];
afterAll(async () => {
  for (const d of temporary) await rm(d, { recursive: true, force: true });
});

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

it('packs, installs with its runtime dependencies only, and runs lggan --version, validate and compile', async () => {
  const work = await mkdtemp(join(tmpdir(), 'lggan-pack-'));
  temporary.push(work);
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], repo);
  expect(packed.code, packed.stderr).toBe(0);
  const [{ filename, files }] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  const paths = files.map((f) => f.path);
  expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'package.json', 'src/cli/bin.mjs', 'graphs/lggan-cityscapes-tiny.json']));
  expect(paths.filter((p) => /\.(test|spec)\.ts$|\.test-util\.ts$|^(e2e|bench)\/|\/fixtures\//.test(p))).toEqual([]);

  const installed = join(work, 'app', 'node_modules', 'lggan-studio');
  await mkdir(installed, { recursive: true });
  const untar = await run('tar', ['-xzf', join(work, filename), '-C', installed, '--strip-components=1'], work);
  expect(untar.code, untar.stderr).toBe(0);
  const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; bin: Record<string, string> };
  for (const dependency of Object.keys(manifest.dependencies)) {
    const link = join(work, 'app', 'node_modules', dependency);
    await mkdir(dirname(link), { recursive: true });
    await symlink(join(repo, 'node_modules', dependency), link, 'dir');
  }
  // What npm does for a bin: a link in node_modules/.bin, run through its shebang.
  const bin = join(work, 'app', 'node_modules', '.bin', 'lggan');
  await mkdir(dirname(bin), { recursive: true });
  await symlink(join('..', 'lggan-studio', manifest.bin.lggan), bin);

  const app = join(work, 'app');
  const version = await run(bin, ['--version'], app);
  expect(version, version.stderr).toMatchObject({ code: 0 });
  expect(version.stdout.trim()).toBe(manifest.version);

  const graph = join('node_modules', 'lggan-studio', 'graphs', 'lggan-cityscapes-tiny.json');
  const valid = await run(bin, ['validate', graph], app);
  expect(valid, valid.stderr).toMatchObject({ code: 0 });
  expect(valid.stdout).toMatch(/^ok .*lggan-cityscapes-tiny\.json: \d+ nodes, \d+ edges/);

  // A command that computes: tfjs and its wasm binaries found from inside the install.
  const compiled = await run(bin, ['compile', join('node_modules', 'lggan-studio', 'graphs', 'tiny-pix2pix.json')], app);
  expect(compiled, compiled.stderr).toMatchObject({ code: 0 });
  expect(compiled.stdout).toMatch(/^forward pass: [\d.]+ ms$/m);

  // And bad input still gets exit code 1 from the installed copy.
  const missing = await run(bin, ['validate', 'absent.json'], app);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('absent.json');
}, 120_000); // npm pack and four CLI starts: ≈ 15 s on a loaded 2-core machine
