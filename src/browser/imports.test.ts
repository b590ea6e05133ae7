/**
 * The worker bundle must stay browser-only: no Node built-ins and none of the file codecs
 * (pngjs and jpeg-js need Node's Buffer, zlib and stream, and crash a worker at load). Walks the
 * value imports (static and dynamic; type-only imports are erased) from the workers and the clients.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

const IMPORT = /(?:^|;|\n)\s*(?:import|export)\s+(?!type\b)(?:[\s\S]*?\bfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module reachable from `entry`: repository files (relative paths) and packages (bare names). */
function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const stack = [resolve(here, entry)];
  while (stack.length > 0) {
    const file = stack.pop()!;
    const name = relative(repo, file);
    if (files.has(name)) continue;
    files.add(name);
    if (!file.endsWith('.ts')) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) stack.push(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

describe('browser bundles', () => {
  for (const entry of ['training-worker.ts', 'client.ts', 'generate-worker.ts', 'generate-client.ts', 'pytorch-worker.ts', 'pytorch-client.ts']) {
    it(`${entry} reaches no Node built-in and no file codec`, () => {
      const { files, packages } = reachable(entry);
      // The clients are small (generate-client.ts imports types only); the workers reach the whole runtime.
      expect(files.size).toBeGreaterThan(entry === 'client.ts' ? 3 : entry.endsWith('-client.ts') ? 0 : 50);
      expect([...packages].filter((p) => p.startsWith('node:') || ['pngjs', 'jpeg-js', 'fs', 'path', 'zlib', 'stream', 'buffer'].includes(p))).toEqual([]);
      expect([...files].filter((f) => /data\/codecs\.ts|node-store\.ts|node-file-source\.ts|tf-node\.ts/.test(f))).toEqual([]);
    });
  }
});

describe('run modules (src/runs): page-safe and pure', () => {
  for (const entry of ['folder-files.ts', 'from-browser.ts', 'browser-run.ts', 'comparison.ts', 'run-record.ts', '../formats/png.ts']) {
    it(`${entry} reaches no Node built-in, no file codec and no tfjs`, () => {
      const { packages, files } = reachable(`../runs/${entry}`);
      expect([...packages].filter((p) => p.startsWith('node:') || p.startsWith('@tensorflow/') || ['pngjs', 'jpeg-js', 'fs', 'path', 'zlib', 'stream', 'buffer'].includes(p))).toEqual([]);
      expect([...files].filter((f) => /data\/codecs\.ts|tf-node\.ts|src\/cli\//.test(f))).toEqual([]);
    });
  }
});

describe('page-side helpers of the run panel and the library: no tfjs', () => {
  for (const entry of ['webgpu-adapter.ts', 'storage.ts', 'backend.ts']) {
    it(`${entry} reaches no tfjs and no Node built-in`, () => {
      const { packages } = reachable(entry);
      expect([...packages].filter((p) => p.startsWith('node:') || p.startsWith('@tensorflow/'))).toEqual([]);
    });
  }
});
