/**
 * tfjs is loaded only by the commands that compute: `--help`, `--version` and a usage error load no
 * command and no tfjs at all; validate, inspect, convert, diff and compare load neither tfjs's
 * backends nor the union package (their node registry still brings tfjs-core's ops: the node
 * definitions import them). Checked twice: on the static import graph of the sources, and by
 * running the real `lggan` with a module hook that refuses the forbidden packages.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMAND_SPECS } from './command-specs.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Static (value) imports and re-exports of a TypeScript module; `import type` and `import()` are not followed. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(statement)) {
    if (m[2]) continue; // import type / export type
    if (m[1] === 'export' && !m[3]) continue;
    // `import { type A, type B } from` brings nothing at run time either.
    const clause = (m[3] ?? '').replace(/\s+from\s+$/, '').trim();
    if (/^\{[^}]*\}$/.test(clause) && clause.slice(1, -1).split(',').every((n) => n.trim() === '' || n.trim().startsWith('type '))) continue;
    specifiers.push(m[4]);
  }
  return specifiers;
}

/** Every package a module reaches through static imports, and the source files on the way. */
function reach(entry: string): { packages: Set<string>; files: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const s of staticImports(file)) {
      if (!s.startsWith('.')) {
        packages.add(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]);
        continue;
      }
      const target = resolve(dirname(file), s);
      if (existsSync(target)) queue.push(target);
    }
  }
  return { packages, files };
}

const cli = (path: string) => join(root, 'src/cli', path);
const rel = (files: Set<string>) => [...files].map((f) => f.slice(root.length + 1));

describe('what each command loads', () => {
  it('the walker sees the heavy imports where they are', () => {
    expect(reach(cli('commands/compile.ts')).packages).toContain('@tensorflow/tfjs-core');
    expect(rel(reach(join(root, 'src/runtime/tf-node.ts')).files)).toContain('src/runtime/node-backend-name.ts');
    expect([...reach(join(root, 'src/runtime/tf-node.ts')).packages]).toEqual(expect.arrayContaining(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']));
  });

  it('main, the parser and the help reach no @tensorflow package and no node module', () => {
    const { packages, files } = reach(cli('main.ts'));
    expect([...packages].filter((p) => p.startsWith('@tensorflow/'))).toEqual([]);
    expect(rel(files).filter((f) => f.startsWith('nodes/') || f.startsWith('src/cli/commands/'))).toEqual([]);
  });

  it('the light commands reach neither the tfjs union package, nor a backend, nor tf-node.ts', () => {
    const light = Object.values(COMMAND_SPECS).filter((s) => !s.computes).map((s) => s.name);
    expect(light).toEqual(['validate', 'inspect', 'convert', 'diff', 'compare']);
    for (const name of light) {
      const { packages, files } = reach(cli(`commands/${name}.ts`));
      expect([...packages].filter((p) => p.startsWith('@tensorflow/') && p !== '@tensorflow/tfjs-core'), name).toEqual([]);
      expect(rel(files).filter((f) => f === 'src/runtime/tf-node.ts'), name).toEqual([]);
    }
  });
});

/** Runs the real `lggan` with a resolve hook that throws on the given package names. */
function lggan(args: string[], forbidden: RegExp) {
  const hook = `export async function resolve(specifier, context, next) {
    if (${forbidden}.test(specifier)) throw new Error('forbidden import ' + specifier);
    return next(specifier, context);
  }`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  return spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, join(root, 'src/cli/bin.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
}

describe('lggan under a module hook that forbids tfjs', () => {
  it('the hook does catch a forbidden import (compile needs tfjs)', () => {
    const r = lggan(['compile', 'graphs/tiny-pix2pix.json'], /^@tensorflow\//);
    expect(r.status).toBe(70);
    expect(r.stderr).toMatch(/forbidden import @tensorflow\//);
  });

  it('--help, --version and a usage error import no @tensorflow package', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const version = lggan(['--version'], /^@tensorflow\//);
    expect({ status: version.status, stdout: version.stdout, stderr: version.stderr }).toEqual({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const help = lggan(['validate', '--help'], /^@tensorflow\//);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: lggan validate FILE\.\.\. \[options\]\n/);
    const usage = lggan(['train', 'g.json', '--stpes', '3'], /^@tensorflow\//);
    expect({ status: usage.status, stderr: usage.stderr }).toEqual({ status: 2, stderr: 'lggan train: unknown option --stpes: did you mean --steps?\n' });
  });

  it('validate, inspect, convert and diff run without the tfjs union package or any backend', () => {
    const forbidden = /^@tensorflow\/(tfjs|tfjs-backend-.*)$/;
    const validate = lggan(['validate', 'graphs/tiny-pix2pix.json'], forbidden);
    expect({ status: validate.status, stdout: validate.stdout, stderr: validate.stderr }).toEqual({ status: 0, stdout: 'ok graphs/tiny-pix2pix.json: 23 nodes, 23 edges\n', stderr: '' });
    const diff = lggan(['diff', 'graphs/tiny-pix2pix.json', 'graphs/tiny-pix2pix.json', '--json'], forbidden);
    expect(diff.status).toBe(0);
    expect(JSON.parse(diff.stdout)).toMatchObject({ version: 1, equal: true });
    const inspect = lggan(['inspect', 'graphs/lggan-cityscapes-tiny.json', '--json'], forbidden);
    expect(inspect.status).toBe(0);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ name: 'LGGAN Cityscapes (tiny)', diagnostics: [] });
    const convert = lggan(['convert', 'graphs/tiny-pix2pix.json', '--to', 'litegraph'], forbidden);
    expect(convert.status).toBe(0);
    expect(JSON.parse(convert.stdout)).toMatchObject({ nodes: expect.any(Array), links: expect.any(Array) });
  });
});
