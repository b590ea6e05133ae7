/**
 * The layers, checked: every relative import of the product code (tests and test utilities
 * aside) stays in its folder's layer or goes down, never up and never sideways into a
 * sibling of the same layer; and no file imports itself through a circle of other files.
 * ARCHITECTURE.md draws the same picture.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bottom first. An area may import its own files and any area of a lower layer. */
const LAYERS: string[][] = [
  ['src/formats'], // byte formats (safetensors, PNG, CRC-32): no knowledge of graphs
  ['src/graph'], // the document: load, migrate, validate, diff
  ['nodes'], // the node pack
  ['src/compiler', 'src/templates'], // resolve, compile, the one door to a program; graph builders
  ['src/runtime'], // training, checkpoints, data, metrics on tfjs
  ['src/interop', 'src/runs'], // litegraph / PyTorch formats; run records
  ['src/browser', 'src/cli'], // the hosts: workers and their page clients; the command line
  ['src/app'], // the Svelte app
];
/** Files outside the code areas that code may read (data, not code). */
const DATA = [/^package\.json$/, /^graphs\//, /^public\//];

function areaOf(path: string): string | undefined {
  return LAYERS.flat().find((a) => path === a || path.startsWith(`${a}/`));
}
const layerOf = (area: string) => LAYERS.findIndex((l) => l.includes(area));
const isTestCode = (path: string) => /\.test(-util)?\.ts$|^src\/test-setup\.ts$/.test(path);

function productFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...productFiles(path));
    else if (/\.(ts|svelte)$/.test(name) && !isTestCode(path) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;'"]*?from\s+['"](\.[^'"]+)['"]|(?:^|\n)\s*import\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Relative imports of a file, as repository paths (query strings such as ?url dropped). */
function importsOf(path: string): string[] {
  const text = readFileSync(join(ROOT, path), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => normalize(join(dirname(path), (m[1] ?? m[2] ?? m[3]).replace(/[?#].*$/, ''))).replaceAll('\\', '/'));
}

const files = ['src', 'nodes'].flatMap(productFiles);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('the layers', () => {
  it('knows every product folder', () => {
    expect(files.filter((f) => !areaOf(f))).toEqual([]);
  });

  it('has no import that goes up a layer or sideways into a sibling area', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = areaOf(file)!;
      for (const target of targets) {
        if (DATA.some((d) => d.test(target))) continue;
        const to = areaOf(target);
        if (to === from) continue;
        if (!to || layerOf(to) >= layerOf(from)) wrong.push(`${file} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import circle between files', () => {
    // Depth-first search for a back edge; reports the first circle found, as a path.
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    let circle: string[] | undefined;
    const visit = (file: string): void => {
      if (circle) return;
      state.set(file, 'open');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (!graph.has(next)) continue; // test code, data or a package
        if (state.get(next) === 'open') {
          circle = [...stack.slice(stack.indexOf(next)), next];
          return;
        }
        if (!state.has(next)) visit(next);
        if (circle) return;
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(circle?.map((f) => relative('.', f))).toBeUndefined();
  });
});
