/**
 * Vite plugin that ships litegraph.js 0.7.18 without its demo node types.
 *
 * Its build file is the library (up to the block that sets `exports`) followed by some 20 files of
 * demo nodes (scripts, image and video loaders, downloads, shaders…) that register themselves on
 * load. Some of them build node classes with `Function(code)` while the module loads, which the
 * app's Content-Security-Policy refuses (no 'unsafe-eval'), so importing the file would throw; and
 * none of them belongs in the app: a graph could otherwise instantiate any of them by type name.
 * The plugin cuts the file after the exports block, in the build and in the dev server's
 * dependency pre-bundling. (Node, where tests import the file as it is, has no CSP.)
 */
import type { Plugin } from 'vite';

const LITEGRAPH_BUILD = /[\\/]litegraph\.js[\\/]build[\\/]litegraph\.js$/;
const EXPORTS_BLOCK = /\nif \(typeof exports != "undefined"\) \{\n(?:\s*exports\.\w+ = this\.\w+;\n)+\}\n/;
const FIRST_DEMO_SECTION = /^\s*\/\/basic nodes\r?\n\(function\(global\) \{/;

/** The library part of litegraph.js's build file; throws when the file no longer has that shape. */
export function litegraphCore(code: string): string {
  const block = EXPORTS_BLOCK.exec(code);
  const end = block ? block.index + block[0].length : -1;
  if (!block || !FIRST_DEMO_SECTION.test(code.slice(end))) {
    throw new Error('litegraph.js build file no longer has the shape litegraphCoreOnly() cuts (library, exports block, demo nodes): check the plugin against the new version');
  }
  return code.slice(0, end);
}

type Transform = (code: string, id: string) => { code: string; map: null } | null;
const transform: Transform = (code, id) => (LITEGRAPH_BUILD.test(id.split('?')[0]) ? { code: litegraphCore(code), map: null } : null);

/** For `plugins` (the build) and `optimizeDeps.rolldownOptions.plugins` (the dev server). */
export function litegraphCoreOnly(): Plugin {
  return { name: 'lggan:litegraph-core-only', enforce: 'pre', transform };
}
